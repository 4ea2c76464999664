/**
 * The one place a host driver may pause between checks: {@link until} polls a condition (a file on disk, a
 * line in a log) at a short interval within a bound. A pause that stands in for a condition is a fixed sleep,
 * which the lint rule on test/host and test/e2e forbids (eslint.config.mjs, "no fixed sleeps").
 */

/** A condition that did not hold within its bound; the message names the signal that never came. */
export class SignalTimeoutError extends Error {
  override readonly name: string = 'SignalTimeoutError';
}

export interface UntilOptions {
  readonly timeoutMs: number;
  /** Between checks (default 100 ms). */
  readonly intervalMs?: number;
  /** Says what was last seen, for the error message (called once, on timeout). */
  readonly lastSeen?: () => string;
}

/**
 * Resolves with the first value of `check` other than undefined/false; rejects with
 * {@link SignalTimeoutError} "timed out after N s waiting for <what>" once `timeoutMs` has passed.
 */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: UntilOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline) {
      const seen = options.lastSeen?.();
      throw new SignalTimeoutError(`timed out after ${(options.timeoutMs / 1000).toFixed(0)} s waiting for ${what}${seen ? ` (${seen})` : ''}`);
    }
    // eslint-disable-next-line no-restricted-syntax -- the polling interval between checks of a condition, not a wait standing in for one
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(deadline - Date.now(), 0))));
  }
}
