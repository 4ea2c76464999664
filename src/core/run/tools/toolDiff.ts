/**
 * Diffs of what a tool changed, for the views and the event log: a unified diff of the task's view of a
 * file before and after (two lines of context), its added/removed counts, and the bound every event keeps
 * to (a full rewrite of a large file must not put megabytes into each event and the journal).
 */
import { formatPatch, structuredPatch } from 'diff';

/** Lines and characters of a diff an event carries; the rest is counted in `diffOmitted`. */
export const TOOL_DIFF_MAX_LINES = 200;
export const TOOL_DIFF_MAX_CHARS = 16_384;
/** Characters of a tool's summary line an event carries. */
export const TOOL_SUMMARY_MAX_CHARS = 300;
/**
 * Bounds on diffing (the diff runs on the agent's turn): changed lines past which no diff is computed (more
 * than the views show anyway), and lines of the changed region past which it is not tried.
 */
const MAX_EDIT_LINES = 2 * TOOL_DIFF_MAX_LINES;
const MAX_REGION_LINES = 5_000;
const CONTEXT = 2;

/** The text's lines, each with its line end. */
const linesOf = (text: string): string[] => (text === '' ? [] : text.split(/(?<=\n)/));

/**
 * The unified diff of `before` → `after` under `rel` (two lines of context), or undefined when they differ
 * in more lines than the views show. Lines the two share at the start and the end are set aside first, so an
 * edit of a few lines of a large file costs little.
 */
export function unifiedDiff(rel: string, before: string, after: string): string | undefined {
  const a = linesOf(before);
  const b = linesOf(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const skipHead = Math.max(0, head - CONTEXT);
  const skipTail = Math.max(0, tail - CONTEXT);
  const oldPart = a.slice(skipHead, a.length - skipTail);
  const newPart = b.slice(skipHead, b.length - skipTail);
  if (oldPart.length + newPart.length > 2 * MAX_REGION_LINES) return undefined;
  const patch = structuredPatch(`a/${rel}`, `b/${rel}`, oldPart.join(''), newPart.join(''), undefined, undefined, { context: CONTEXT, maxEditLength: MAX_EDIT_LINES });
  if (!patch) return undefined;
  for (const h of patch.hunks) {
    h.oldStart += skipHead;
    h.newStart += skipHead;
  }
  // Where the diff placed a change at the edge of the region (repeated lines can be aligned either way), its
  // context continues into the lines set aside, which both files share.
  const first = patch.hunks[0];
  const last = patch.hunks.at(-1);
  if (first) {
    const have = first.lines.findIndex((l) => !l.startsWith(' '));
    const add = Math.min(CONTEXT - Math.min(have, CONTEXT), first.oldStart - 1);
    if (add > 0) {
      first.lines.unshift(...a.slice(first.oldStart - 1 - add, first.oldStart - 1).map((l) => ` ${l.replace(/\n$/, '')}`));
      first.oldStart -= add;
      first.newStart -= add;
      first.oldLines += add;
      first.newLines += add;
    }
  }
  if (last) {
    let have = 0;
    while (have < last.lines.length && last.lines[last.lines.length - 1 - have].startsWith(' ')) have++;
    const from = last.oldStart - 1 + last.oldLines;
    const more = a.slice(from, from + Math.max(0, CONTEXT - have));
    for (const l of more) {
      last.lines.push(` ${l.replace(/\n$/, '')}`);
      if (!l.endsWith('\n')) last.lines.push('\\ No newline at end of file');
    }
    last.oldLines += more.length;
    last.newLines += more.length;
  }
  // The library's `====` separator line carries nothing.
  return formatPatch(patch).replace(/^=+\n/, '');
}

/** Added and removed lines of a unified diff (its headers left out). */
export function diffCounts(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('+') && !l.startsWith('+++')) added++;
    else if (l.startsWith('-') && !l.startsWith('---')) removed++;
  }
  return { added, removed };
}

/**
 * A tool event's summary and diff within the bounds events keep: the diff cut at a line boundary after
 * {@link TOOL_DIFF_MAX_LINES} lines or {@link TOOL_DIFF_MAX_CHARS} characters, with the number of lines left out.
 */
export function boundedToolDetail(e: { summary?: string; diff?: string }): { summary?: string; diff?: string; diffOmitted?: number } {
  const out: { summary?: string; diff?: string; diffOmitted?: number } = {};
  if (e.summary !== undefined) out.summary = e.summary.length > TOOL_SUMMARY_MAX_CHARS ? `${e.summary.slice(0, TOOL_SUMMARY_MAX_CHARS - 1)}…` : e.summary;
  if (e.diff === undefined || e.diff === '') return out;
  const lines = e.diff.endsWith('\n') ? e.diff.slice(0, -1).split('\n') : e.diff.split('\n');
  let kept = 0;
  let chars = 0;
  for (; kept < lines.length && kept < TOOL_DIFF_MAX_LINES; kept++) {
    // A single line longer than the cap is cut rather than dropping the whole diff.
    const len = Math.min(lines[kept].length, TOOL_DIFF_MAX_CHARS) + 1;
    if (chars + len > TOOL_DIFF_MAX_CHARS && kept > 0) break;
    chars += len;
  }
  out.diff = lines.slice(0, kept).map((l) => (l.length > TOOL_DIFF_MAX_CHARS ? `${l.slice(0, TOOL_DIFF_MAX_CHARS - 1)}…` : l)).join('\n') + '\n';
  if (kept < lines.length) out.diffOmitted = lines.length - kept;
  return out;
}
