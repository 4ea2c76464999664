/**
 * Scores a beamer output folder per the paper's criteria:
 * - Compilable: the main document (the .tex with `\documentclass{beamer}`) builds with `latexmk -pdf -norc`
 *   in a scratch copy;
 * - Completeness: every algorithm section (a `\section` whose title is not generic: introduction, summary,
 *   ...) has a motivation, a problem, an intuitive solution and display equations; at least two algorithms;
 * - Page limit: the PDF's page count is within 20% of the requested 30 (24 to 36).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTool, lastLine, runTool } from './run-tool';
import { scoreOf, type Criterion, type TaskScore } from './types';

export const REQUESTED_PAGES = 30;
export const PAGE_TOLERANCE = 0.2;

/** Section titles that are not an algorithm. */
const GENERIC = /intro|overview|outline|agenda|summary|conclu|reference|bibliograph|background|preliminar|basics|foundation|recap|review|question|q\s*&\s*a|further|comparison|appendix|thank|motivation for|course/i;

export interface SectionCheck {
  title: string;
  motivation: boolean;
  problem: boolean;
  intuition: boolean;
  equations: boolean;
}

const stripComments = (tex: string): string => tex.replace(/(^|[^\\])%.*$/gm, '$1');

/** Inlines `\input{x}` / `\include{x}` (relative to `dir`, `.tex` optional), a few levels deep. */
export function inlineInputs(tex: string, dir: string, depth = 0): string {
  if (depth > 4) return tex;
  return stripComments(tex).replace(/\\(?:input|include)\{([^}]+)\}/g, (whole, name: string) => {
    const file = [name, `${name}.tex`].map((n) => path.join(dir, n)).find((f) => existsSync(f) && f.startsWith(dir));
    return file ? inlineInputs(readFileSync(file, 'utf8'), path.dirname(file), depth + 1) : whole;
  });
}

/** Each algorithm section of a (fully inlined) deck and which of the four parts it has. */
export function algorithmSections(tex: string): SectionCheck[] {
  const body = stripComments(tex);
  const parts = body.split(/\\section\*?\s*(?:\[[^\]]*\])?\s*\{/).slice(1);
  return parts
    .map((part) => {
      const title = part.slice(0, part.indexOf('}')).trim();
      return {
        title,
        motivation: /motivat|why\b/i.test(part),
        problem: /problem|objective|goal|formulat/i.test(part),
        intuition: /intuiti|idea|key insight/i.test(part),
        equations: /\\begin\{(equation|align|gather|multline|eqnarray)\*?\}|\\\[|\$\$/.test(part),
      };
    })
    .filter((s) => !GENERIC.test(s.title));
}

/** Finds the beamer main document in `dir` (workspace-relative), if any. */
export function findMainTex(dir: string): string | undefined {
  const texs = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.tex'))
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
  return texs.find((f) => /^[^%\n]*\\documentclass(\[[^\]]*\])?\{beamer\}/m.test(readFileSync(path.join(dir, f), 'utf8')));
}

function completeness(dir: string, main: string | undefined): Criterion {
  if (!main) return { name: 'Completeness', ok: false, why: 'no beamer document' };
  const sections = algorithmSections(inlineInputs(readFileSync(path.join(dir, main), 'utf8'), path.dirname(path.join(dir, main))));
  if (sections.length < 2) return { name: 'Completeness', ok: false, why: `${sections.length} algorithm section(s) (\\section per algorithm expected, at least 2)` };
  const missing = sections.flatMap((s) => (['motivation', 'problem', 'intuition', 'equations'] as const).filter((k) => !s[k]).map((k) => `${s.title}: no ${k}`));
  return missing.length
    ? { name: 'Completeness', ok: false, why: missing.slice(0, 4).join('; ') }
    : { name: 'Completeness', ok: true, why: `${sections.length} algorithms, each with motivation, problem, intuition and equations (${sections.map((s) => s.title).join(', ')})` };
}

/** True when `pages` is within the tolerance of the requested count. */
export const pagesWithinLimit = (pages: number): boolean => Math.abs(pages - REQUESTED_PAGES) <= REQUESTED_PAGES * PAGE_TOLERANCE;

/** Scores the deck in `dir`. Needs latexmk for Compilable and Page limit (they fail, saying so, without it). */
export async function scoreSlides(dir: string): Promise<TaskScore> {
  const main = findMainTex(dir);
  const complete = completeness(dir, main);
  const latexmk = findTool('latexmk');
  if (!main || !latexmk) {
    const why = main ? 'latexmk is not installed' : 'no .tex file with \\documentclass{beamer}';
    return scoreOf('slides', [{ name: 'Compilable', ok: false, why }, complete, { name: 'Page limit', ok: false, why }]);
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'agensflow-slides-score-'));
  try {
    cpSync(dir, scratch, { recursive: true });
    const cwd = path.join(scratch, path.dirname(main));
    const built = await runTool(latexmk, ['-pdf', '-norc', '-interaction=nonstopmode', '-halt-on-error', '-file-line-error', path.basename(main)], cwd, {}, 180_000);
    const log = path.join(cwd, path.basename(main).replace(/\.tex$/, '.log'));
    const pages = existsSync(log) ? Number(/Output written on .*?\((\d+) pages?/s.exec(readFileSync(log, 'latin1'))?.[1] ?? NaN) : NaN;
    const compiled = built.ok && Number.isFinite(pages);
    return scoreOf('slides', [
      compiled ? { name: 'Compilable', ok: true, why: `${main} builds with latexmk` } : { name: 'Compilable', ok: false, why: `latexmk failed: ${lastLine(built.output)}` },
      complete,
      Number.isFinite(pages)
        ? { name: 'Page limit', ok: pagesWithinLimit(pages), why: `${pages} pages (requested ${REQUESTED_PAGES}, within ${PAGE_TOLERANCE * 100}%: ${REQUESTED_PAGES * (1 - PAGE_TOLERANCE)} to ${REQUESTED_PAGES * (1 + PAGE_TOLERANCE)})` }
        : { name: 'Page limit', ok: false, why: 'no PDF' },
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
