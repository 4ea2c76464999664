/**
 * How the extension says that activation has finished, for `when` clauses and for the test drivers that
 * must not touch the workbench before the extension is there (test/host/lib/readiness.ts reads the log line
 * from the log file). No `vscode` import here, so those drivers can import it in plain Node.
 */

/** Context key set to `true` once `activate()` has registered every contribution. */
export const ACTIVATED_CONTEXT = 'agensflow.activated';

/**
 * The message (after the `[extension] ` prefix) logged at info level when `activate()` is done, with the time
 * from the startup bundle's first module to the end of `activate()` (the activation benchmark reads it).
 */
export function activatedMessage(extensionId: string, elapsedMs: number): string {
  return `activated ${extensionId} in ${elapsedMs.toFixed(1)} ms`;
}

/**
 * Matches the line of {@link activatedMessage} in the extension's log file; group 1 is the extension id, group 2
 * the milliseconds.
 */
export const ACTIVATED_LINE = /\[extension\] activated (\S+) in (\d+(?:\.\d+)?) ms/;
