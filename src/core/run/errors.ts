/** Typed errors of the run engine (literal `name`s; match on `name`, never on message text). */

/** A run journal could not be read (missing, unreadable or not a journal). */
export class JournalError extends Error {
  override readonly name = 'JournalError' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The run journal could not be written (disk full, read-only state folder): what it says on disk is older
 * than what happened. Never reported as success.
 */
export class JournalWriteError extends Error {
  override readonly name = 'JournalWriteError' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isJournalWriteError(e: unknown): e is JournalWriteError {
  return e instanceof Error && e.name === 'JournalWriteError';
}

/** Bad options given to the engine (e.g. a workspace folder that does not exist). */
export class RunConfigError extends Error {
  override readonly name = 'RunConfigError' as const;
}

/** Thrown by awaited engine steps when the run's AbortSignal fires. */
export class RunCancelledError extends Error {
  override readonly name = 'RunCancelledError' as const;
  constructor() {
    super('the run was cancelled');
  }
}

export function isRunCancelledError(e: unknown): e is RunCancelledError {
  return e instanceof Error && e.name === 'RunCancelledError';
}

/** Node's system errors carry a `code` such as `ENOENT`. */
export function errnoCode(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
