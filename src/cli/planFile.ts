import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatJsonPath, locateJsonPath, parsePlanText, type PlanError, type ValidPlan } from '../core/plan';
import type { CliIo } from './io';

/** A plan file read and validated for a command, or the exit code and what to print. */
export type LoadedPlan =
  | { readonly ok: true; readonly plan: ValidPlan; readonly text: string }
  | { readonly ok: false; readonly exitCode: 1 | 2; readonly errors: readonly LocatedError[] };

/** A plan error with its place in the file (1-based), when the path could be found. */
export interface LocatedError extends PlanError {
  readonly line?: number;
  readonly column?: number;
}

/**
 * Reads and validates a plan file. Exit code 2 for an unreadable file or malformed JSON (with the
 * position of the JSON error), 1 for an invalid plan (every error, each placed in the file).
 */
export async function loadPlanFile(file: string, io: CliIo, maxTasks: number | undefined): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    return { ok: false, exitCode: 2, errors: [{ code: 'json', message: `cannot read the file (${reason})`, taskIds: [] }] };
  }
  const result = parsePlanText(text, maxTasks === undefined ? {} : { maxTasks });
  if (result.ok) return { ok: true, plan: result.plan, text };
  if ('syntaxError' in result) {
    const { line, column, detail } = result.syntaxError;
    return { ok: false, exitCode: 2, errors: [{ code: 'json', message: `malformed JSON: ${detail}`, taskIds: [], line, column }] };
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return {
    ok: false,
    exitCode: 1,
    errors: result.errors.map((e) => {
      const at = e.path === undefined ? undefined : locateJsonPath(body, e.path);
      return at === undefined ? e : { ...e, line: at.line, column: at.column };
    }),
  };
}

/** Prints errors as `FILE:LINE:COLUMN: code: message` lines (the format editors and CI parse). */
export function printErrors(file: string, errors: readonly LocatedError[], io: CliIo): void {
  for (const e of errors) {
    const where = e.line === undefined ? file : `${file}:${e.line}:${e.column}`;
    const path = e.path === undefined || e.path.length === 0 ? '' : ` (${formatJsonPath(e.path)})`;
    // `json` errors (unreadable file, malformed JSON) are not plan errors: no code, no JSON path.
    if (e.code === 'json') io.stderr(`${where}: ${e.message}\n`);
    else io.stderr(`${where}: ${e.code}: ${e.message}${e.code === 'schema' ? '' : path}\n`);
  }
}
