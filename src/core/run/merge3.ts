/**
 * Three-way merge of a file the user changed after the run read it: base (what the run read), the user's
 * version (the workspace now) and the agent's version (the proposal). The line alignment and the merge
 * decisions are node-diff3's (a maintained diff3 implementation); this file only splits text into lines
 * (each line keeps its own terminator, so CRLF files and a missing final newline survive), tells the result
 * apart, and renders conflict markers when the user asks for them.
 */
// node-diff3 ships ESM types with a CommonJS build (the `require` export); this CommonJS-compiled file takes
// that build, typed by the ESM declarations (as src/webview/layout.ts does for dagre).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { diff3Merge } = require('node-diff3') as typeof import('node-diff3', { with: { 'resolution-mode': 'import' } });

/** 1-based inclusive line range; `end < start` means an empty range (an insertion before `start`). */
export interface LineRange {
  start: number;
  end: number;
}

/** One overlapping change: where it is in the user's file, in the base and in the proposal. */
export interface MergeHunk {
  yours: LineRange;
  base: LineRange;
  proposed: LineRange;
}

export type MergeOutcome =
  | { clean: true; text: string }
  /** `withMarkers`: the merged text with git-style conflict markers around each hunk. */
  | { clean: false; hunks: MergeHunk[]; withMarkers: string };

/** Lines of `text`, each with its terminator (`\n` or `\r\n`); the last one may have none. */
export function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines ?? [];
}

function range(index: number, length: number): LineRange {
  return { start: index + 1, end: index + length };
}

/** Ensures a marker starts on its own line when the block before it lacks a final newline. */
function block(lines: readonly string[], eol: string): string {
  const text = lines.join('');
  return text.length === 0 || text.endsWith('\n') ? text : text + eol;
}

/**
 * Merges `yours` (the workspace) and `proposed` (the agent's) against their common `base`. A change made
 * identically on both sides is not a conflict.
 */
export function mergeThreeWay(base: string, yours: string, proposed: string, labels: { yours?: string; proposed?: string } = {}): MergeOutcome {
  const regions = diff3Merge(splitLines(yours), splitLines(base), splitLines(proposed), { excludeFalseConflicts: true });
  const eol = /\r\n/.test(yours) ? '\r\n' : '\n';
  const hunks: MergeHunk[] = [];
  let text = '';
  let marked = '';
  for (const r of regions) {
    if (r.ok) {
      const ok = r.ok.join('');
      text += ok;
      marked += ok;
      continue;
    }
    const c = r.conflict;
    if (!c) continue;
    hunks.push({ yours: range(c.aIndex, c.a.length), base: range(c.oIndex, c.o.length), proposed: range(c.bIndex, c.b.length) });
    if (marked.length > 0 && !marked.endsWith('\n')) marked += eol;
    marked += `<<<<<<< ${labels.yours ?? 'yours'}${eol}${block(c.a, eol)}||||||| base${eol}${block(c.o, eol)}=======${eol}${block(c.b, eol)}>>>>>>> ${labels.proposed ?? 'proposed'}${eol}`;
  }
  return hunks.length ? { clean: false, hunks, withMarkers: marked } : { clean: true, text };
}

/** Whether `text` still holds a conflict marker block written by {@link mergeThreeWay}. */
export function hasConflictMarkers(text: string): boolean {
  return /^<<<<<<< .*\r?\n[\s\S]*?^=======\r?$[\s\S]*?^>>>>>>> /m.test(text);
}

/** "12-15", "12", or "before 12" for an empty range. */
export function describeRange(r: LineRange): string {
  if (r.end < r.start) return `before line ${r.start}`;
  return r.end === r.start ? `line ${r.start}` : `lines ${r.start}-${r.end}`;
}
