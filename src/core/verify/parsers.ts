/**
 * Turns tool output into structured findings `{file, line, message, tool}`, paths relative to the
 * workspace. Each parser keeps only the first few errors: the agent needs the first ones to act.
 */
import * as path from 'node:path';
import { leavesRoot } from '../plan/paths';
import type { Finding } from '../run/events';

/** At most this many findings per check. */
export const MAX_FINDINGS = 20;

/** Where the tool ran: the copy's root and the process's cwd (both absolute). */
export interface PathContext {
  root: string;
  cwd: string;
}

/** Maps a path printed by a tool to a workspace-relative one (`/` separators); outside paths stay as they are. */
export function toWorkspacePath(printed: string, ctx: PathContext): string {
  const abs = path.resolve(ctx.cwd, printed);
  const rel = path.relative(ctx.root, abs);
  if (rel === '' || leavesRoot(rel)) return printed;
  return rel.split(path.sep).join('/');
}

/** Replaces every mention of the temp root in `text`, so output shows workspace-relative paths. */
export function scrubRoot(text: string, root: string): string {
  return text.split(root + path.sep).join('').split(root).join('.');
}

function cap(findings: Finding[]): Finding[] {
  return findings.slice(0, MAX_FINDINGS);
}

/** `python3 -m py_compile`: `File "a.py", line 3` ... `SyntaxError: invalid syntax`. */
export function parsePython(output: string, ctx: PathContext): Finding[] {
  const lines = output.split(/\r?\n/);
  const findings: Finding[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*File "(.+)", line (\d+)/.exec(lines[i]!);
    if (!m) continue;
    let message = 'error';
    for (let j = i + 1; j < Math.min(lines.length, i + 8); j++) {
      const e = /^(\w*(?:Error|Exception|Warning)\b.*)$/.exec(lines[j]!.trim());
      if (e) {
        message = e[1]!;
        i = j;
        break;
      }
    }
    findings.push({ file: toWorkspacePath(m[1]!, ctx), line: Number(m[2]), message, tool: 'python3' });
  }
  if (findings.length === 0) {
    const e = lines.map((l) => l.trim()).find((l) => /^\w*(Error|Exception)\b/.test(l));
    if (e) findings.push({ message: e, tool: 'python3' });
  }
  return cap(findings);
}

/** `node --check`: `/abs/a.js:3` then the source line, caret, and `SyntaxError: ...`. */
export function parseNodeCheck(output: string, ctx: PathContext, file: string): Finding[] {
  const lines = output.split(/\r?\n/);
  let line: number | undefined;
  let where = file;
  for (const l of lines) {
    const m = /^(.+):(\d+)$/.exec(l.trim());
    if (m && line === undefined) {
      line = Number(m[2]);
      where = toWorkspacePath(m[1]!.replace(/^file:\/\//, ''), ctx);
    }
    const e = /^(\w*Error): (.+)$/.exec(l.trim());
    if (e) {
      const f: Finding = { file: where, message: `${e[1]}: ${e[2]}`, tool: 'node' };
      if (line !== undefined) f.line = line;
      return [f];
    }
  }
  return [];
}

/** `tsc --pretty false`: `src/a.ts(3,5): error TS2322: Type ...`. */
export function parseTsc(output: string, ctx: PathContext): Finding[] {
  return cap(parseTscAll(output, ctx));
}

/** Every error of `tsc --pretty false` (uncapped: a comparison with a baseline needs them all). */
export function parseTscAll(output: string, ctx: PathContext): Finding[] {
  const findings: Finding[] = [];
  for (const l of output.split(/\r?\n/)) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(l);
    if (m) {
      findings.push({ file: toWorkspacePath(m[1]!, ctx), line: Number(m[2]), message: `${m[4]}: ${m[5]}`, tool: 'tsc' });
      continue;
    }
    const g = /^error (TS\d+): (.*)$/.exec(l);
    if (g) findings.push({ message: `${g[1]}: ${g[2]}`, tool: 'tsc' });
  }
  return findings;
}

/**
 * Findings of a whole-project checker the user configured, from the line formats most of them print:
 * `path:line[:col]: message` (mypy, ruff, flake8, eslint's `unix` format, gcc), `path:line:col - message`
 * (pyright) and `path(line,col): message` (tsc, MSBuild). Only paths inside the view count; every other line
 * is left out. Uncapped.
 */
export function parseFileLines(output: string, ctx: PathContext, tool: string): Finding[] {
  const findings: Finding[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const l = raw.trim();
    const m = /^(.+?):(\d+)(?::\d+)?(?::| -)\s*(.+)$/.exec(l) ?? /^(.+?)\((\d+)(?:,\d+)?\):\s*(.+)$/.exec(l);
    if (!m) continue;
    const file = toWorkspacePath(m[1]!, ctx);
    if (path.isAbsolute(file) || leavesRoot(file)) continue;
    findings.push({ file, line: Number(m[2]), message: m[3]!.trim(), tool });
  }
  return findings;
}

/** TeX via latexmk: `! Undefined control sequence.` ... `l.12 \foo`. Attributed to the main file. */
export function parseTex(output: string, file: string): Finding[] {
  const lines = output.split(/\r?\n/);
  const findings: Finding[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^! (.+)$/.exec(lines[i]!);
    if (!m || /^Emergency stop\.?$/.test(m[1]!)) continue;
    const f: Finding = { file, message: m[1]!.trim(), tool: 'latexmk' };
    for (let j = i + 1; j < Math.min(lines.length, i + 30); j++) {
      const l = /^l\.(\d+)/.exec(lines[j]!);
      if (l) {
        f.line = Number(l[1]);
        break;
      }
      if (lines[j]!.startsWith('! ')) break;
    }
    // The same error is printed by pdflatex and repeated from the log: keep it once.
    if (!findings.some((x) => x.message === f.message && x.line === f.line)) findings.push(f);
  }
  return cap(findings);
}

/** Line (1-based) of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
