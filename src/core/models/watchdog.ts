/**
 * Our own timeouts (the SDKs' default is 10 minutes) and the caller's abort, merged into one AbortSignal
 * handed to the SDK, so that either stops the HTTP request at once.
 */

/** Timeouts of one model call, in milliseconds. */
export interface Timeouts {
  /** Streamed calls: until the response headers arrive (connect + first byte). */
  connectMs: number;
  /** Streamed calls: the longest gap allowed between two chunks of the stream. */
  idleMs: number;
  /** Plain (non-streamed) calls: until the whole answer has arrived. */
  requestMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ connectMs: 30_000, idleMs: 60_000, requestMs: 600_000 });

export type TimeoutPhase = 'connect' | 'idle' | 'request';

/** One call's timers. Call `dispose()` in a `finally`. */
export class CallWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onUserAbort = (): void => this.controller.abort(this.userSignal?.reason);
  /** Which of our timeouts fired, if one did. */
  timedOut: TimeoutPhase | undefined;

  constructor(
    private readonly timeouts: Timeouts,
    streamed: boolean,
    private readonly userSignal: AbortSignal | undefined,
  ) {
    if (userSignal?.aborted) this.controller.abort(userSignal.reason);
    else userSignal?.addEventListener('abort', this.onUserAbort, { once: true });
    this.arm(streamed ? 'connect' : 'request');
  }

  /** The signal to give the SDK. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The limit of the phase that fired, for the error message. */
  limitOf(phase: TimeoutPhase): number {
    return phase === 'connect' ? this.timeouts.connectMs : phase === 'idle' ? this.timeouts.idleMs : this.timeouts.requestMs;
  }

  /** Response headers arrived: from now on only gaps between chunks are limited. */
  headersReceived(): void {
    this.arm('idle');
  }

  /** A chunk arrived: restart the idle timer. */
  chunk(): void {
    this.arm('idle');
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.userSignal?.removeEventListener('abort', this.onUserAbort);
  }

  private arm(phase: TimeoutPhase): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timedOut = phase;
      this.controller.abort(new Error(`${phase} timeout`));
    }, this.limitOf(phase));
    // A pending timer must not keep a CLI process alive on its own.
    this.timer.unref?.();
  }
}
