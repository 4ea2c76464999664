/**
 * How the extension says that activation has finished, for `when` clauses and for the test drivers that
 * must not touch the workbench before the extension is there (test/host/lib/readiness.ts reads the log line
 * from the log file). No `vscode` import here, so those drivers can import it in plain Node.
 */

/** Context key set to `true` once `activate()` has registered every contribution. */
export const ACTIVATED_CONTEXT = 'agensflow.activated';

/**
 * Where the time of a window's activation went, in milliseconds: `loadMs` from the startup bundle's first
 * module to the end of its module code; `waitMs` from there to the call of `activate()` (VS Code prepares the
 * extension's context, its stored state, meanwhile); `activateMs` the call itself; `totalMs` all of it.
 */
export interface ActivationTiming {
  readonly totalMs: number;
  readonly loadMs: number;
  readonly waitMs: number;
  readonly activateMs: number;
}

const MS = '(\\d+(?:\\.\\d+)?)';

/**
 * The message (after the `[extension] ` prefix) logged at info level when `activate()` is done, with where the
 * time went (the activation benchmark reads it).
 */
export function activatedMessage(extensionId: string, t: ActivationTiming): string {
  const ms = (n: number): string => n.toFixed(1);
  return `activated ${extensionId} in ${ms(t.totalMs)} ms (loading the bundle ${ms(t.loadMs)} ms, before activate() ${ms(t.waitMs)} ms, activate() ${ms(t.activateMs)} ms)`;
}

/**
 * Matches the line of {@link activatedMessage} in the extension's log file; group 1 is the extension id, group 2
 * the total milliseconds, groups 3-5 the load, the wait and activate() itself.
 */
export const ACTIVATED_LINE = new RegExp(`\\[extension\\] activated (\\S+) in ${MS} ms(?: \\(loading the bundle ${MS} ms, before activate\\(\\) ${MS} ms, activate\\(\\) ${MS} ms\\))?`);
