/** `read_file`: a range of lines of a file as the task sees it, numbered, within a size cap. */
import { z } from 'zod';
import { defineTool, toolError } from './types';

/** Lines one call returns when no `limit` is given, and the most characters any call returns. */
export const READ_DEFAULT_LINES = 2000;
export const READ_MAX_CHARS = 100_000;

/** The text's lines without their terminators (a final newline does not start another line). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** `  12\t<text>`: a line as the read and search tools show it. */
export function numbered(n: number, line: string): string {
  return `${String(n).padStart(6)}\t${line}`;
}

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a text file (relative path) as your task sees it: your own staged writes first, then those of the tasks you depend on, then the workspace. ' +
    `Lines come numbered ("  12<TAB>text"; the numbers are not part of the file). offset is the first line (1-based), limit the number of lines (default ${READ_DEFAULT_LINES}); long files are cut with a note saying how to read on.`,
  schema: z.object({ path: z.string().min(1), offset: z.int().min(1).optional(), limit: z.int().min(1).optional() }),
  async execute(args, ctx) {
    const r = await ctx.layer.readView(args.path);
    if (!r.ok) return toolError(ctx, 'read_file', r.error, args.path, r.refused);
    const lines = r.value.text === '' ? [] : splitLines(r.value.text);
    const first = args.offset ?? 1;
    if (lines.length > 0 && first > lines.length) return toolError(ctx, 'read_file', `${r.value.path} has ${lines.length} lines; offset ${first} is past its end`, args.path);
    const want = Math.min(lines.length, first - 1 + (args.limit ?? READ_DEFAULT_LINES));
    const out: string[] = [];
    let chars = 0;
    let last = first - 1;
    for (let i = first - 1; i < want; i++) {
      const line = numbered(i + 1, lines[i]);
      if (chars + line.length + 1 > READ_MAX_CHARS && out.length > 0) break;
      // A single line longer than the cap is shown cut.
      out.push(line.length > READ_MAX_CHARS ? `${line.slice(0, READ_MAX_CHARS)}… (line cut at ${READ_MAX_CHARS} characters)` : line);
      chars += line.length + 1;
      last = i + 1;
    }
    const notes: string[] = [];
    if (lines.length === 0) notes.push(`[read_file: ${r.value.path} is empty]`);
    else if (last < lines.length) notes.push(`[read_file: showed lines ${first}-${last} of ${lines.length}; call read_file with offset ${last + 1} to read on]`);
    if (r.value.note) notes.push(r.value.note);
    const range = first === 1 && last === lines.length ? ` (${lines.length} line${lines.length === 1 ? '' : 's'})` : `:${first}-${last}`;
    ctx.emit({ type: 'tool', tool: 'read_file', path: r.value.path, ok: true, summary: `read ${r.value.path}${range}` });
    return { content: [...out, ...notes].join('\n'), isError: false };
  },
});
