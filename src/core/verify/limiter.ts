/**
 * How many verification checks run at once. One limiter is shared by every check
 * of a run (every task's built-ins and user verifiers, and the test command), so many agents finishing
 * together queue for the machine's cores instead of starting one compiler each.
 */
import * as os from 'node:os';

/** The default cap: the number of CPUs Node may use (at least 1). */
export function defaultCheckConcurrency(): number {
  return Math.max(1, os.availableParallelism());
}

/** A counting semaphore, first come first served; a waiter whose signal aborts leaves the queue. */
export class CheckLimiter {
  private running = 0;
  private highest = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number = defaultCheckConcurrency()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a check limiter needs a size of at least 1, not ${size}`);
  }

  /** Checks running now. */
  get active(): number {
    return this.running;
  }

  /** The most checks that ever ran at once. */
  get peak(): number {
    return this.highest;
  }

  /**
   * Runs `body` once a slot is free. Resolves to `undefined`, without running it, when `signal` aborts
   * first (the caller reports the check as cancelled).
   */
  async run<T>(body: () => Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
    if (!(await this.acquire(signal))) return undefined;
    try {
      return await body();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.running < this.size) {
      this.take();
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.take();
        resolve(true);
      };
      this.waiting.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private take(): void {
    this.running++;
    this.highest = Math.max(this.highest, this.running);
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
