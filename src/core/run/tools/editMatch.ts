/**
 * Search/replace edits applied to a file's text, all or none. Each `old_string` must match exactly once
 * (unless `replace_all`); when it does not match exactly, a match that ignores trailing whitespace, then one
 * that ignores indentation, is accepted only if it is unique, and the result says so. The file's BOM and
 * line endings (CRLF) are kept whatever the edit strings use.
 */

export interface Edit {
  old_string: string;
  new_string: string;
  replace_all?: boolean;
}

export type EditOutcome = { ok: true; text: string; notes: string[] } | { ok: false; error: string };

const BOM = '\uFEFF';

/** Number of lines before `index` in `text`, plus one: the 1-based line of that offset. */
function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function occurrences(text: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) at.push(i);
  return at;
}

const leading = (s: string): string => /^[ \t]*/.exec(s)?.[0] ?? '';

/** Windows of `lines` equal to `want` under `eq`, as start indexes. */
function lineWindows(lines: string[], want: string[], eq: (a: string, b: string) => boolean): number[] {
  const hits: number[] = [];
  for (let i = 0; i + want.length <= lines.length; i++) {
    let all = true;
    for (let j = 0; j < want.length && all; j++) all = eq(lines[i + j], want[j]);
    if (all) hits.push(i);
  }
  return hits;
}

/** Similarity of two short strings: Dice coefficient of their character bigrams. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < a.length - 1; i++) grams.set(a.slice(i, i + 2), (grams.get(a.slice(i, i + 2)) ?? 0) + 1);
  let shared = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const g = b.slice(i, i + 2);
    const n = grams.get(g) ?? 0;
    if (n > 0) {
      shared++;
      grams.set(g, n - 1);
    }
  }
  return (2 * shared) / (a.length + b.length - 2);
}

const show = (n: number, line: string): string => `${String(n).padStart(6)}\t${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;

/** The lines of `text` most like the first non-blank line of `old`, numbered: where the model may have meant. */
function closest(lines: string[], old: string): string {
  const probe = old.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  if (!probe) return '';
  const scored = lines
    .map((l, i) => ({ i, s: similarity(l.trim().slice(0, 400), probe.slice(0, 400)) }))
    .filter((x) => x.s >= 0.5)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, 3);
  if (!scored.length) return ' No line of the file resembles its first line.';
  return ` The closest lines:\n${scored.map((x) => show(x.i + 1, lines[x.i])).join('\n')}`;
}

/** Re-indents `text`'s lines from `from` to `to` (lines not starting with `from` get `to` prepended). */
function reindent(text: string, from: string, to: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? l : l.startsWith(from) ? to + l.slice(from.length) : to + l.trimStart()))
    .join('\n');
}

/** One edit on LF text; `n` is its 1-based number for messages. */
function applyOne(text: string, e: Edit, n: number, notes: string[]): EditOutcome {
  const label = `edit ${n}`;
  if (e.old_string === '') return { ok: false, error: `${label}: old_string is empty; to create or rewrite a whole file use write_file` };
  if (e.old_string === e.new_string) return { ok: false, error: `${label}: old_string and new_string are the same; the edit changes nothing` };
  const exact = occurrences(text, e.old_string);
  if (exact.length === 1 || (exact.length > 1 && e.replace_all)) {
    return { ok: true, text: text.split(e.old_string).join(e.new_string), notes };
  }
  if (exact.length > 1) {
    const at = exact.slice(0, 10).map((i) => lineAt(text, i));
    const lines = text.split('\n');
    return {
      ok: false,
      error: `${label}: old_string matches ${exact.length} times (lines ${at.join(', ')}${exact.length > 10 ? ', …' : ''}); include more surrounding lines so it matches once, or set replace_all to change every one.\n${at.slice(0, 3).map((l) => show(l, lines[l - 1])).join('\n')}`,
    };
  }
  // Tolerant matches work on whole lines.
  const lines = text.split('\n');
  const oldEndsNl = e.old_string.endsWith('\n');
  const want = (oldEndsNl ? e.old_string.slice(0, -1) : e.old_string).split('\n');
  const tiers: Array<{ eq: (a: string, b: string) => boolean; note: string; indent: boolean }> = [
    { eq: (a, b) => a.trimEnd() === b.trimEnd(), note: 'ignoring trailing whitespace', indent: false },
    { eq: (a, b) => a.trim() === b.trim(), note: 'ignoring indentation', indent: true },
  ];
  if (want.every((w) => w.trim() === '')) return { ok: false, error: `${label}: old_string (only whitespace) was not found exactly; include a line with text in it` };
  for (const tier of tiers) {
    const hits = lineWindows(lines, want, tier.eq);
    if (hits.length === 0) continue;
    if (hits.length > 1 && !e.replace_all) {
      return { ok: false, error: `${label}: old_string does not match exactly; ${tier.note} it matches ${hits.length} times (lines ${hits.slice(0, 10).map((h) => h + 1).join(', ')}); copy the lines exactly as read_file shows them, with more context.` };
    }
    const replacement = oldEndsNl && e.new_string.endsWith('\n') ? e.new_string.slice(0, -1) : e.new_string;
    const out = lines.slice();
    // From the last hit back, so earlier indexes stay valid.
    for (const h of [...hits].reverse()) {
      let rep = replacement;
      if (tier.indent) {
        const j = want.findIndex((w) => w.trim() !== '');
        rep = reindent(replacement, leading(want[j]), leading(lines[h + j]));
      }
      out.splice(h, want.length, ...(rep === '' && oldEndsNl ? [] : rep.split('\n')));
    }
    notes.push(`${label} matched ${tier.note} (line ${hits[0] + 1}${hits.length > 1 ? ` and ${hits.length - 1} more` : ''})${tier.indent ? '; new_string was re-indented to the file' : ''}`);
    return { ok: true, text: out.join('\n'), notes };
  }
  return { ok: false, error: `${label}: old_string was not found in the file (it must match the file's text exactly, including indentation; read the lines again with read_file).${closest(lines, e.old_string)}` };
}

/** Applies `edits` in order to `original`; none is applied if any fails. */
export function applyEdits(original: string, edits: readonly Edit[]): EditOutcome {
  const bom = original.startsWith(BOM);
  let text = bom ? original.slice(1) : original;
  // A file whose every line ends in CRLF is edited as LF and written back as CRLF; a mixed file is edited as is.
  const lf = (text.match(/\n/g) ?? []).length;
  const crlf = lf > 0 && (text.match(/\r\n/g) ?? []).length === lf;
  if (crlf) text = text.replace(/\r\n/g, '\n');
  const notes: string[] = [];
  for (const [i, e] of edits.entries()) {
    const edit = crlf ? { ...e, old_string: e.old_string.replace(/\r\n/g, '\n'), new_string: e.new_string.replace(/\r\n/g, '\n') } : e;
    const r = applyOne(text, edit, i + 1, notes);
    if (!r.ok) return edits.length > 1 ? { ok: false, error: `${r.error}\nNo edit was applied (edits apply all or none).` } : r;
    text = r.text;
  }
  if (crlf) text = text.replace(/\n/g, '\r\n');
  if (bom) text = BOM + text;
  return { ok: true, text, notes };
}
