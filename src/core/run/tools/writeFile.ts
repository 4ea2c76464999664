/** `write_file` and `delete_file`: whole-file changes staged in the task's own layer. */
import { z } from 'zod';
import type { ToolContext, ToolOutput } from './types';
import { defineTool, toolError } from './types';

async function stage(ctx: ToolContext, tool: string, path: string, content: string | null): Promise<ToolOutput> {
  const r = await ctx.layer.stage(path, content);
  if (!r.ok) return toolError(ctx, tool, r.error, path, r.refused);
  const v = r.value;
  const summary = v.change === 'deleted' ? `delete ${v.path}` : `write ${v.path} (${v.bytes} bytes, ${v.change})`;
  ctx.emit({ type: 'tool', tool, path: v.path, ok: true, summary });
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
