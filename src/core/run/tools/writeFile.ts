/** `write_file` and `delete_file`: whole-file changes staged in the task's own layer. */
import { z } from 'zod';
import { splitLines } from './readFile';
import { diffCounts, unifiedDiff } from './toolDiff';
import type { ToolContext, ToolOutput } from './types';
import { defineTool, toolError } from './types';

/** The task's current view of `path` (undefined when it does not exist, cannot be read or is over the read cap). */
async function currentText(ctx: ToolContext, path: string): Promise<string | undefined> {
  const r = await ctx.layer.readView(path);
  return r.ok && r.value.note === undefined ? r.value.text : undefined;
}

/** The summary and diff of a write: against the task's previous view of the file, or "new file, N lines". */
function describeWrite(rel: string, before: string | undefined, content: string, bytes: number): { summary: string; diff?: string } {
  if (before === undefined) return { summary: `write ${rel} (new file, ${splitLines(content).length} lines)` };
  if (before === content) return { summary: `write ${rel} (unchanged)` };
  const diff = unifiedDiff(rel, before, content);
  if (diff === undefined) return { summary: `write ${rel} (rewritten, ${splitLines(content).length} lines, ${bytes} bytes)` };
  const { added, removed } = diffCounts(diff);
  return { summary: `write ${rel} (+${added} −${removed})`, diff };
}

async function stage(ctx: ToolContext, tool: string, path: string, content: string | null): Promise<ToolOutput> {
  const before = content === null ? undefined : await currentText(ctx, path);
  const r = await ctx.layer.stage(path, content);
  if (!r.ok) return toolError(ctx, tool, r.error, path, r.refused);
  const v = r.value;
  const shown = content === null ? { summary: `delete ${v.path}` } : describeWrite(v.path, before, content, v.bytes);
  ctx.emit({ type: 'tool', tool, path: v.path, ok: true, ...shown });
  ctx.emit({ type: 'staged', ...v });
  return { content: `ok: ${v.path} ${v.change === 'deleted' ? 'deleted' : `staged (${v.bytes} bytes)`}`, isError: false };
}

export const writeFileTool = defineTool({
  name: 'write_file',
  description: "Write the full content of one of your task's files (relative path): for new files and full rewrites. Writes are staged for review; other paths are refused.",
  schema: z.object({ path: z.string().min(1), content: z.string() }),
  execute: (args, ctx) => stage(ctx, 'write_file', args.path, args.content),
});

export const deleteFileTool = defineTool({
  name: 'delete_file',
  description: "Delete one of your task's files (relative path).",
  schema: z.object({ path: z.string().min(1) }),
  execute: (args, ctx) => stage(ctx, 'delete_file', args.path, null),
});
