/** `list_files`: paths under a folder as the task sees them, optionally filtered by a glob. */
import picomatch from 'picomatch';
import { z } from 'zod';
import { defineTool, toolError } from './types';

export const listFilesTool = defineTool({
  name: 'list_files',
  description:
    'List the files under a folder of the workspace (relative path; "" for the root), including files staged by you and by the tasks you depend on. Optional glob (e.g. "**/*.py") filters the paths.',
  schema: z.object({ dir: z.string().default(''), glob: z.string().max(1000).optional() }),
  async execute(args, ctx) {
    const r = await ctx.layer.list(args.dir);
    if (!r.ok) return toolError(ctx, 'list_files', r.error, args.dir, r.refused);
    let files = r.value.files;
    if (args.glob) {
      const match = picomatch(args.glob, { dot: true });
      const base = picomatch(args.glob, { dot: true, basename: true });
      files = files.filter((f) => match(f) || (!args.glob?.includes('/') && base(f)));
    }
    ctx.emit({ type: 'tool', tool: 'list_files', path: args.dir || undefined, ok: true, summary: `list ${args.dir || '.'}${args.glob ? ` ${args.glob}` : ''} → ${files.length} files` });
    return { content: (files.join('\n') || '(no files)') + (r.value.truncated ? '\n... (truncated: list a folder or use a glob)' : ''), isError: false };
  },
});
