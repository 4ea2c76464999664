/**
 * A tool call's unified diff as a table: old and new line numbers, the +/− sign and the line's text, one row
 * per line, hunk headers between. Parsing is pure ({@link parseUnifiedDiff}); every line goes in as text.
 */
import { h } from './dom';

export type DiffRowKind = 'hunk' | 'context' | 'added' | 'removed' | 'note';

export interface DiffRow {
  kind: DiffRowKind;
  /** Line number in the file before (context and removed lines). */
  old?: number;
  /** Line number in the file after (context and added lines). */
  new?: number;
  text: string;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/;

/** The rows of a unified diff; file headers (`---`, `+++`, `Index:`, `===`) before the first hunk are left out. */
export function parseUnifiedDiff(diff: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  const lines = diff.endsWith('\n') ? diff.slice(0, -1).split('\n') : diff.split('\n');
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = HUNK.exec(line);
    if (m) {
      oldLine = Number(m[1]);
      newLine = Number(m[2]);
      inHunk = true;
      rows.push({ kind: 'hunk', text: line });
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith('\\')) rows.push({ kind: 'note', text: line.slice(1).trim() });
    else if (line.startsWith('+')) rows.push({ kind: 'added', new: newLine++, text: line.slice(1) });
    else if (line.startsWith('-')) rows.push({ kind: 'removed', old: oldLine++, text: line.slice(1) });
    else rows.push({ kind: 'context', old: oldLine++, new: newLine++, text: line.slice(1) });
  }
  return rows;
}

const SIGN: Record<DiffRowKind, string> = { hunk: '', context: ' ', added: '+', removed: '−', note: '' };
const SPOKEN: Partial<Record<DiffRowKind, string>> = { added: 'added', removed: 'removed' };

/**
 * The diff as a scrollable, focusable table (keyboard users scroll it with the arrow keys); `label` names it
 * for screen readers, `omitted` lines left out of the diff are said in a note under it.
 */
export function renderDiff(doc: Document, diff: string, label: string, omitted?: number): HTMLElement {
  const rows = parseUnifiedDiff(diff);
  const table = h(doc, 'table', 'diff', undefined,
    h(doc, 'caption', 'visually-hidden', undefined, label),
    h(doc, 'thead', 'visually-hidden', undefined, h(doc, 'tr', undefined, undefined,
      h(doc, 'th', undefined, { scope: 'col' }, 'Old line'), h(doc, 'th', undefined, { scope: 'col' }, 'New line'),
      h(doc, 'th', undefined, { scope: 'col' }, 'Change'), h(doc, 'th', undefined, { scope: 'col' }, 'Text'))),
    h(doc, 'tbody', undefined, undefined, ...rows.map((r) => r.kind === 'hunk' || r.kind === 'note'
      ? h(doc, 'tr', `diff-line ${r.kind}`, undefined, h(doc, 'td', 'diff-text', { colspan: 4 }, r.text))
      : h(doc, 'tr', `diff-line ${r.kind}`, undefined,
        h(doc, 'td', 'ln ln-old', undefined, r.old ?? ''),
        h(doc, 'td', 'ln ln-new', undefined, r.new ?? ''),
        h(doc, 'td', 'diff-sign', SPOKEN[r.kind] ? { 'aria-label': SPOKEN[r.kind] } : { 'aria-hidden': 'true' }, SIGN[r.kind]),
        h(doc, 'td', 'diff-text', undefined, r.text)))));
  return h(doc, 'div', 'diff-view', undefined,
    h(doc, 'div', 'diff-scroll', { tabindex: 0, role: 'region', 'aria-label': label }, table),
    omitted ? h(doc, 'p', 'muted diff-omitted', undefined, `… ${omitted} more line${omitted === 1 ? '' : 's'} of this diff not shown; open the file's diff for all of it.`) : null);
}
