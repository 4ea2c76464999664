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

/**
 * Tests for one line, and for a whole file when it can rule the file out at once: a literal that the file's
 * text does not contain has no line that does (most files of a large repository, for a rare symbol).
 */
interface Matcher {
  line: (line: string) => boolean;
  file?: (text: string) => boolean;
}

function matcherFor(pattern: string, regex: boolean, caseSensitive: boolean): Matcher | string {
  if (!regex) {
    if (caseSensitive) return { line: (line) => line.includes(pattern), file: (text) => text.includes(pattern) };
    const p = pattern.toLowerCase();
    return { line: (line) => line.toLowerCase().includes(p), file: (text) => text.toLowerCase().includes(p) };
  }
  if (NESTED_QUANTIFIER.test(pattern)) return 'the pattern nests quantifiers (like (a+)+), which can take exponential time; simplify it';
  let re: RegExp;
  try {
    re = new RegExp(pattern, caseSensitive ? 'u' : 'iu');
  } catch (e) {
    return `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  const line = (l: string): boolean => re.test(l.length > REGEX_LINE_CHARS ? l.slice(0, REGEX_LINE_CHARS) : l);
  // Case-insensitive patterns fold case as Unicode does (`ſ` matches `s`), which lower-casing does not: no prefilter.
  const must = caseSensitive ? requiredLiteral(pattern) : undefined;
  return must === undefined ? { line } : { line, file: (text) => text.includes(must) };
}

/** Escapes that stand for themselves (`\(`, `\.`, `\/`): any escaped character that is not a letter or digit. */
const LITERAL_ESCAPE = /^[^A-Za-z0-9]$/;

/**
 * The longest run of plain characters (at least 3) that every match of `pattern` must contain, or undefined:
 * a file without it has no matching line. Conservative: a pattern with an alternation gives none, and groups,
 * classes, escapes of classes and characters a quantifier may drop all end a run.
 */
export function requiredLiteral(pattern: string): string | undefined {
  if (pattern.includes('|')) return undefined;
  let best = '';
  let run = '';
  const end = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    let lit: string | undefined;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (LITERAL_ESCAPE.test(next)) lit = next;
      // Skip an escape's payload (`\u{1F600}`, `\u00e9`, `\x41`, `\p{L}`, `\k<name>`, `\cJ`): it is not literal text.
      else if ((next === 'u' || next === 'p' || next === 'P') && pattern[i + 1] === '{') i = Math.max(i, pattern.indexOf('}', i));
      else if (next === 'k' && pattern[i + 1] === '<') i = Math.max(i, pattern.indexOf('>', i));
      else if (next === 'u') i += 4;
      else if (next === 'x') i += 2;
      else if (next === 'c') i += 1;
    } else if (c === '{') {
      // A quantifier's bounds (`{0,2}`) are not text.
      i = Math.max(i, pattern.indexOf('}', i));
    } else if (c === '[') {
      // Skip the class (escapes inside it included).
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (c === '(') {
      // Skip the group and everything in it.
      let depth = 1;
      for (i++; i < pattern.length && depth > 0; i++) {
        if (pattern[i] === '\\') i++;
        else if (pattern[i] === '[') for (i++; i < pattern.length && pattern[i] !== ']'; i++) { if (pattern[i] === '\\') i++; }
        else if (pattern[i] === '(') depth++;
        else if (pattern[i] === ')') depth--;
      }
      i--;
    } else if (!'.^$*+?{}()|)'.includes(c)) {
      lit = c;
    }
    if (lit === undefined) {
      end();
      continue;
    }
    const q = pattern[i + 1];
    if (q === '?' || q === '*' || q === '{') {
      // The character may be absent (or its count is open): it ends the run without joining it.
      end();
    } else if (q === '+') {
      run += lit;
      end();
    } else {
      run += lit;
    }
  }
  end();
  return best.length >= 3 ? best : undefined;
}

/** Longest stretch of scanning between two turns of the event loop, in milliseconds. */
const YIELD_MS = 10;

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
    let lastYield = Date.now();
    for (const rel of files) {
      // Files are read synchronously; the event loop gets a turn every few milliseconds.
      if (Date.now() - lastYield > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
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
      const text = single?.ok ? (single.value.note === undefined ? single.value.text : undefined) : ctx.layer.scanText(rel);
      if (text === undefined) continue;
      bytes += text.length;
      if (test.file && !test.file(text)) continue;
      let line = 0;
      let hit = false;
      for (let start = 0; start <= text.length; ) {
        const end = text.indexOf('\n', start);
        const stop = end === -1 ? text.length : end;
        line++;
        let s = text.slice(start, stop);
        if (s.endsWith('\r')) s = s.slice(0, -1);
        if (test.line(s)) {
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
