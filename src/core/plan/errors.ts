/**
 * What plan validation reports. Every error names its tasks and, where it has one, the JSON path of the
 * offending value inside the plan document (e.g. `['tasks', 3, 'deps', 0]`) so an editor can underline it.
 */
export type PlanErrorCode =
  | 'schema'
  | 'cycle'
  | 'unknown-dep'
  | 'self-dep'
  | 'duplicate-id'
  | 'duplicate-owner'
  | 'file-folder-conflict'
  | 'absolute-path'
  | 'escaping-path'
  | 'invalid-path'
  | 'protected-path'
  // A path segment begins with `-`: a tool would read the name as an option.
  | 'option-like-path'
  | 'empty-plan'
  | 'too-many-tasks'
  // Only from parsePlanText: the text is not JSON.
  | 'json'
  // Only from applying an update (update.ts):
  | 'unknown-task'
  | 'removed-dep'
  | 'outside-neighbourhood';

/** One thing wrong with a plan (or a plan update). */
export interface PlanError {
  readonly code: PlanErrorCode;
  readonly message: string;
  /** The tasks at fault (may be empty, e.g. for an empty plan). */
  readonly taskIds: readonly string[];
  /** JSON path inside the document that was validated. */
  readonly path?: readonly (string | number)[];
}

/** Formats a JSON path as `tasks[3].deps[0]` for messages. */
export function formatJsonPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Malformed JSON text: the position of the first syntax error (1-based line and column). */
export class PlanSyntaxError extends Error {
  override readonly name = 'PlanSyntaxError';
  constructor(
    readonly detail: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`malformed JSON at line ${line}, column ${column}: ${detail}`);
  }
}

/** Type guard for {@link PlanSyntaxError}. */
export function isPlanSyntaxError(e: unknown): e is PlanSyntaxError {
  return e instanceof Error && e.name === 'PlanSyntaxError';
}

/** A task id the caller named is not in the plan (a programming error, not a model's). */
export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
  constructor(readonly taskId: string) {
    super(`no task "${taskId}" in the plan`);
  }
}

/** Candidate selection was given no candidates. */
export class NoCandidatesError extends Error {
  override readonly name = 'NoCandidatesError';
  constructor() {
    super('candidate selection needs at least one valid plan');
  }
}
