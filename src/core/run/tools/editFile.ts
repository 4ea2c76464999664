/** `edit_file`: search/replace edits to a file as the task sees it, staged in its own layer, all or none. */
import { z } from 'zod';
import { applyEdits } from './editMatch';
import { diffCounts, unifiedDiff } from './toolDiff';
import { defineTool, toolError } from './types';

export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    "Change part of an existing file of your task: edits apply in order to the file as you see it, all or none. Each old_string must be copied exactly from the file (without read_file's line numbers) and match exactly once; add surrounding lines to make it unique, or set replace_all to change every match.",
  schema: z.object({
    path: z.string().min(1),
    edits: z
      .array(z.object({ old_string: z.string(), new_string: z.string(), replace_all: z.boolean().optional() }))
      .min(1)
      .max(100),
  }),
  async execute(args, ctx) {
    const cur = await ctx.layer.readView(args.path);
    if (!cur.ok) return toolError(ctx, 'edit_file', cur.error, args.path, cur.refused);
    if (cur.value.note !== undefined) return toolError(ctx, 'edit_file', `${cur.value.path} is larger than the read cap; it cannot be edited`, args.path);
    const rel = cur.value.path;
    const r = applyEdits(cur.value.text, args.edits);
    if (!r.ok) return toolError(ctx, 'edit_file', `${rel}: ${r.error}`, rel);
    if (r.text === cur.value.text) return toolError(ctx, 'edit_file', `${rel}: the edits leave the file unchanged`, rel);
    const staged = await ctx.layer.stage(rel, r.text);
    if (!staged.ok) return toolError(ctx, 'edit_file', staged.error, rel, staged.refused);
    const diff = unifiedDiff(rel, cur.value.text, r.text);
    // Without a diff (the edits changed too much to diff cheaply) the counts are left out rather than guessed.
    const counts = diff !== undefined ? diffCounts(diff) : undefined;
    const lines = counts ? `+${counts.added} −${counts.removed}` : undefined;
    ctx.emit({ type: 'tool', tool: 'edit_file', path: rel, ok: true, summary: `edit ${rel}${lines ? ` (${lines})` : ''}`, ...(diff !== undefined ? { diff } : {}) });
    ctx.emit({ type: 'staged', ...staged.value });
    const notes = r.notes.length ? `\nnote: ${r.notes.join('; ')}` : '';
    return { content: `ok: ${rel} edited (${args.edits.length} edit${args.edits.length > 1 ? 's' : ''}, ${lines ? `${lines} lines, ` : ''}${staged.value.bytes} bytes staged)${notes}`, isError: false };
  },
});
