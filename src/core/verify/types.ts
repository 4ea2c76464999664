/**
 * Result shapes of verification. Recoverable problems (a failing tool, a missing tool, a timeout) are
 * results, never exceptions: the run engine turns them into task statuses and retry feedback.
 */
import type { Finding } from '../run/events';
import type { VerifyOutcome } from '../run/hooks';

export type { VerifyOutcome };

/** One check: one tool run (or one in-process parse) over some files. */
export interface CheckResult {
  /** Stable id, e.g. `python:py_compile`, `node:check:src/a.js`, `user:lint`, `test`. */
  id: string;
  /** The tool's name as a user knows it: `python3`, `node`, `tsc`, `html-validate`, `latexmk`, ... */
  tool: string;
  /** Workspace-relative files the check covers. */
  files: string[];
  outcome: VerifyOutcome;
  /** The process's exit code, when a process ran and exited normally. */
  exitCode?: number;
  /** The signal that ended the process (e.g. `SIGKILL` after a timeout). */
  signal?: string;
  /** True when the timeout fired and the process tree was killed. */
  timedOut?: boolean;
  durationMs: number;
  /** First errors, paths relative to the workspace. For an unverified check, one finding says why. */
  findings: Finding[];
  /** The tail of the combined stdout+stderr (capped), temp paths replaced by workspace-relative ones. */
  output: string;
  /**
   * A whole-project checker (tsc, a verifier marked `wholeProject`) compared with the unchanged workspace:
   * how many of its errors were already there in files the task does not own, and so were not counted.
   */
  preExisting?: number;
  /**
   * Every error a whole-project checker printed (uncapped) and whether its output was kept whole: what the
   * comparison with the baseline reads. Internal to verification; removed from the results it returns.
   */
  compared?: { findings: Finding[]; complete: boolean };
}

export interface VerifyResult {
  /** `failed` if any check failed, else `unverified` if any could not run, else `passed`. */
  outcome: VerifyOutcome;
  checks: CheckResult[];
}

/**
 * Staged changes on top of the workspace, applied in order (later layers win): a file's new content, or
 * `null` for a deletion. Keys are workspace-relative paths with `/` separators.
 */
export type StagedLayer = ReadonlyMap<string, Buffer | string | null>;

/** Folds check outcomes into one: any failure fails; otherwise any unverified check makes it unverified. */
export function combineOutcomes(checks: readonly Pick<CheckResult, 'outcome'>[]): VerifyOutcome {
  if (checks.some((c) => c.outcome === 'failed')) return 'failed';
  if (checks.some((c) => c.outcome === 'unverified')) return 'unverified';
  return 'passed';
}

/** Thrown only for misuse (a bad staged path, an unreadable workspace), never for a failing check. */
export class VerifySetupError extends Error {
  override readonly name = 'VerifySetupError' as const;
}

export function isVerifySetupError(e: unknown): e is VerifySetupError {
  return e instanceof Error && e.name === 'VerifySetupError';
}
