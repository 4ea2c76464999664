/**
 * One call's limits, merged into one AbortSignal handed to the SDK, so that any of them stops the HTTP
 * request at once: our timeouts (the SDKs' default is 10 minutes, and they only time the headers), the
 * caller's abort, and the size of the answer (bytes of text and tool arguments, number of tool calls, and
 * the raw bytes the SDK would have to hold), so that a hostile or broken server cannot fill the memory.
 */

/** Timeouts of one model call, in milliseconds. */
export interface Timeouts {
  /** Streamed calls: until the response headers arrive (connect + first byte). */
  connectMs: number;
  /** Streamed calls: the longest gap allowed between two chunks of the stream. */
  idleMs: number;
  /** Plain (non-streamed) calls: until the whole answer has arrived. */
  requestMs: number;
  /** Every call, streamed or plain: the whole call, however steadily a stream trickles. Not retried. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ connectMs: 30_000, idleMs: 60_000, requestMs: 600_000, totalMs: 600_000 });

import type { SseJsonCheck } from './sseCheck';

/** How big one answer may be. */
export interface AnswerLimits {
  /** UTF-8 bytes of text plus tool-call arguments in one answer. */
  maxAnswerBytes: number;
  /** Tool calls in one answer. */
  maxToolCalls: number;
}

export const DEFAULT_ANSWER_LIMITS: Readonly<AnswerLimits> = Object.freeze({ maxAnswerBytes: 8 * 1024 * 1024, maxToolCalls: 128 });

export type TimeoutPhase = 'connect' | 'idle' | 'request' | 'total';

/** Which size limit an answer broke. */
export interface Oversize {
  /** Content bytes, tool calls, or the raw size of one stream event. */
  what: 'bytes' | 'tool-calls' | 'event';
  limit: number;
}

/** Raw bytes allowed for a plain answer of `maxAnswerBytes`: JSON escaping may double text; the rest is envelope. */
export function wireLimit(limits: AnswerLimits): number {
  return 2 * limits.maxAnswerBytes + 1024 * 1024;
}

/**
 * Raw bytes allowed for one event of a stream. The SDKs buffer an event until its end and rescan the
 * buffer on every chunk (quadratic time), and real servers send a few tokens per event: 4 MiB is far above
 * any real event and still cheap to refuse.
 */
export function eventLimit(limits: AnswerLimits): number {
  return Math.min(wireLimit(limits), 4 * 1024 * 1024);
}

/** Thrown into the SDK's body stream when an answer is too large; classified from the watchdog's state. */
class AnswerTooLargeSignal extends Error {
  override readonly name = 'AnswerTooLargeSignal' as const;
}

/** One call's timers and counters. Call `dispose()` in a `finally`. */
export class CallWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly totalTimer: NodeJS.Timeout;
  private readonly onUserAbort = (): void => this.controller.abort(this.userSignal?.reason);
  private answerBytes = 0;
  /** Which of our timeouts fired, if one did. */
  timedOut: TimeoutPhase | undefined;
  /** Which size limit the answer broke, if it did. */
  oversize: Oversize | undefined;
  /** Why the stream was found malformed before the SDK parsed it, if it was. */
  malformed: string | undefined;

  constructor(
    private readonly timeouts: Timeouts,
    private readonly streamed: boolean,
    private readonly userSignal: AbortSignal | undefined,
    private readonly limits: AnswerLimits = DEFAULT_ANSWER_LIMITS,
  ) {
    if (userSignal?.aborted) this.controller.abort(userSignal.reason);
    else userSignal?.addEventListener('abort', this.onUserAbort, { once: true });
    this.arm(streamed ? 'connect' : 'request');
    this.totalTimer = setTimeout(() => this.fire('total'), timeouts.totalMs);
    this.totalTimer.unref?.();
  }

  /** The signal to give the SDK. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The limit of the phase that fired, for the error message. */
  limitOf(phase: TimeoutPhase): number {
    switch (phase) {
      case 'connect':
        return this.timeouts.connectMs;
      case 'idle':
        return this.timeouts.idleMs;
      case 'request':
        return this.timeouts.requestMs;
      case 'total':
        return this.timeouts.totalMs;
    }
  }

  /** Response headers arrived: from now on only gaps between chunks are limited. */
  headersReceived(): void {
    this.arm('idle');
  }

  /** A chunk arrived: restart the idle timer. */
  chunk(): void {
    this.arm('idle');
  }

  /**
   * Counts answer content (a text delta, tool-call arguments) and the tool calls so far; throws, and stops
   * the request, once the answer is larger than the limits.
   */
  content(delta: string, toolCalls = 0): void {
    if (delta) this.answerBytes += Buffer.byteLength(delta, 'utf8');
    if (toolCalls > this.limits.maxToolCalls) throw this.tooLarge({ what: 'tool-calls', limit: this.limits.maxToolCalls });
    if (this.answerBytes > this.limits.maxAnswerBytes) throw this.tooLarge({ what: 'bytes', limit: this.limits.maxAnswerBytes });
  }

  /**
   * `fetch` for the SDK whose response body is counted as it arrives: a plain body larger than the wire
   * limit, or a stream line (which the SDK buffers whole) larger than it, stops the request before the SDK
   * holds it.
   */
  guardFetch(inner: typeof fetch, check?: () => SseJsonCheck): typeof fetch {
    const cap = this.streamed ? eventLimit(this.limits) : wireLimit(this.limits);
    return async (input, init) => {
      const res = await inner(input, init);
      if (!res.body) return res;
      const sse = this.streamed && res.ok && check ? check() : undefined;
      let total = 0;
      let line = 0;
      const counted = res.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, ctl) => {
            total += chunk.length;
            let end = chunk.length - 1;
            while (end >= 0 && chunk[end] !== 0x0a && chunk[end] !== 0x0d) end--;
            line = end < 0 ? line + chunk.length : chunk.length - end - 1;
            if (this.streamed && line > cap) ctl.error(this.tooLarge({ what: 'event', limit: cap }));
            else if (!this.streamed && total > cap) ctl.error(this.tooLarge({ what: 'bytes', limit: this.limits.maxAnswerBytes }));
            else if (sse && !sse.push(chunk)) ctl.error(this.malformedStream(sse.problem ?? 'malformed event'));
            else ctl.enqueue(chunk);
          },
        }),
      );
      return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
  }

  /** Stops the request (the socket is closed), e.g. after a failure the SDK did not notice. */
  abort(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new Error('call ended'));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    clearTimeout(this.totalTimer);
    this.timer = undefined;
    this.userSignal?.removeEventListener('abort', this.onUserAbort);
  }

  private malformedStream(problem: string): Error {
    this.malformed ??= problem;
    this.controller.abort(new Error('malformed stream'));
    return new Error(`malformed stream: ${problem}`);
  }

  private tooLarge(o: Oversize): AnswerTooLargeSignal {
    this.oversize ??= o;
    this.controller.abort(new Error('answer too large'));
    return new AnswerTooLargeSignal(`answer too large: ${o.what} over ${o.limit}`);
  }

  private fire(phase: TimeoutPhase): void {
    if (this.controller.signal.aborted) return;
    this.timedOut = phase;
    this.controller.abort(new Error(`${phase} timeout`));
  }

  private arm(phase: TimeoutPhase): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => this.fire(phase), this.limitOf(phase));
    // A pending timer must not keep a CLI process alive on its own.
    this.timer.unref?.();
  }
}
