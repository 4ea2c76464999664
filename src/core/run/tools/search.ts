/**
 * `search`: lines matching a literal or a regular expression across the task's view of the files (staged
 * files included), as `path:line: text`. Walks the same lister as `list_files` (so its skipped folders and
 * ignore rules apply and secrets are never named) and reads only plain text files within the read cap.
 * A pattern with nested quantifiers is refused and regular expressions see at most the first characters of
 * a line, so one pattern cannot stall the task; the scan also stops at a byte and a time budget.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { defineTool, toolError } from './types';

export const SEARCH_MAX_MATCHES = 200;
/** Files one search may consider, bytes it may scan and the time it may take before it stops with a note. */
export const SEARCH_MAX_FILES = 50_000;
export const SEARCH_MAX_BYTES = 64 << 20;
export const SEARCH_MAX_MS = 5_000;
/** Characters of a line a regular expression is run on, and shown of a matching line. */
const REGEX_LINE_CHARS = 2_000;
const SHOWN_CHARS = 300;

/** A group with a quantifier inside that is itself quantified (`(a+)+`, `(\w*)*`, `(x|y+){2,}`): exponential backtracking. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,?\d*\})/;

function matcherFor(pattern: string, regex: boolean, caseSensitive: boolean): ((line: string) => boolean) | string {
  if (!regex) {
    if (caseSensitive) return (line) => line.includes(pattern);
    const p = pattern.toLowerCase();
    return (line) => line.toLowerCase().includes(p);
  }
  if (NESTED_QUANTIFIER.test(pattern)) return 'the pattern nests quantifiers (like (a+)+), which can take exponential time; simplify it';
  let re: RegExp;
  try {
    re = new RegExp(pattern, caseSensitive ? 'u' : 'iu');
  } catch (e) {
    return `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  return (line) => re.test(line.length > REGEX_LINE_CHARS ? line.slice(0, REGEX_LINE_CHARS) : line);
}

function globFilter(glob: string | undefined): (p: string) => boolean {
  if (!glob) return () => true;
  const full = picomatch(glob, { dot: true });
  if (glob.includes('/')) return full;
  const base = picomatch(glob, { dot: true, basename: true });
  return (p) => full(p) || base(p);
}

export const searchTool = defineTool({
  name: 'search',
  description:
    'Find lines in the files as your task sees them: returns "path:line: text" for each match. The pattern is literal unless regex is true; case-sensitive unless caseSensitive is false. ' +
    `Optional path (a folder or one file) and glob (e.g. "**/*.ts") narrow it. At most ${SEARCH_MAX_MATCHES} matches; then read the lines around a match with read_file.`,
  schema: z.object({
    pattern: z.string().min(1).max(1000),
    regex: z.boolean().optional(),
    path: z.string().optional(),
    glob: z.string().max(1000).optional(),
    caseSensitive: z.boolean().optional(),
  }),
  async execute(args, ctx) {
    const test = matcherFor(args.pattern, args.regex === true, args.caseSensitive !== false);
    if (typeof test === 'string') return toolError(ctx, 'search', test);
    const scope = args.path?.trim() ?? '';
    let files: string[];
    let truncatedList = false;
    const single = scope && scope !== '.' ? await ctx.layer.readView(scope) : undefined;
    if (single?.ok) {
      files = [single.value.path];
    } else {
      const listed = await ctx.layer.list(scope, SEARCH_MAX_FILES);
      if (!listed.ok) return toolError(ctx, 'search', listed.error, scope, listed.refused);
      const keep = globFilter(args.glob);
      files = listed.value.files.filter(keep);
      truncatedList = listed.value.truncated;
    }
    const out: string[] = [];
    let matches = 0;
    let filesWithMatches = 0;
    let bytes = 0;
    let stopped: string | undefined;
    const started = Date.now();
    for (const rel of files) {
      if (ctx.signal.aborted) break;
      if (matches > SEARCH_MAX_MATCHES) break;
      if (bytes > SEARCH_MAX_BYTES) {
        stopped = `stopped after scanning ${bytes} bytes`;
        break;
      }
      if (Date.now() - started > SEARCH_MAX_MS) {
        stopped = `stopped after ${SEARCH_MAX_MS} ms`;
        break;
      }
      const text = single?.ok ? (single.value.note === undefined ? single.value.text : undefined) : await ctx.layer.scanText(rel);
      if (text === undefined) continue;
      bytes += text.length;
      let line = 0;
      let hit = false;
      for (let start = 0; start <= text.length; ) {
        const end = text.indexOf('\n', start);
        const stop = end === -1 ? text.length : end;
        line++;
        let s = text.slice(start, stop);
        if (s.endsWith('\r')) s = s.slice(0, -1);
        if (test(s)) {
          hit = true;
          matches++;
          if (matches > SEARCH_MAX_MATCHES) break;
          const shown = s.length > SHOWN_CHARS ? `${s.slice(0, SHOWN_CHARS)}…` : s;
          out.push(`${rel}:${line}: ${shown}`);
        }
        if (end === -1) break;
        start = end + 1;
      }
      if (hit) filesWithMatches++;
    }
    const notes: string[] = [];
    if (matches > SEARCH_MAX_MATCHES) notes.push(`[search: showed the first ${SEARCH_MAX_MATCHES} matches; there are more: narrow the search with path or glob, or a more specific pattern]`);
    if (stopped) notes.push(`[search: ${stopped}; results are incomplete: narrow the search with path or glob]`);
    if (truncatedList) notes.push(`[search: only the first ${SEARCH_MAX_FILES} files were searched; narrow with path or glob]`);
    const count = matches > SEARCH_MAX_MATCHES ? `${SEARCH_MAX_MATCHES}+` : String(matches);
    const q = args.pattern.length > 40 ? `${args.pattern.slice(0, 40)}…` : args.pattern;
    ctx.emit({ type: 'tool', tool: 'search', path: scope || undefined, ok: true, summary: `search ${JSON.stringify(q)} → ${count} match${matches === 1 ? '' : 'es'}${filesWithMatches > 1 ? ` in ${filesWithMatches} files` : ''}` });
    if (!out.length) return { content: ['(no matches)', ...notes].join('\n'), isError: false };
    return { content: [...out, ...notes].join('\n'), isError: false };
  },
});
