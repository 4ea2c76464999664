/**
 * The one retry layer (the SDKs run with `maxRetries: 0`). Retries 429, 5xx, dropped connections and our
 * timeouts with exponential backoff and jitter; honours `retry-after` up to a cap, beyond which the call
 * fails at once with an error saying how long the provider asked to wait (never a silent hang). A call
 * whose stream already emitted deltas announces `reset` before it starts over, so listeners drop the
 * partial answer instead of seeing it twice.
 *
 * Rate limits are shared: every model calling one provider endpoint (parallel agents, the inspector, the
 * updater) goes through one {@link RateGate}. After a 429 no call to that endpoint starts until the
 * cooldown ends; then one call probes while the others wait for its outcome (a half-open circuit), and
 * consecutive 429s lengthen the cooldown, so N agents back off together instead of stampeding. A call
 * waits at most `maxTotalWaitMs` in all before it fails saying so.
 */
import { ModelAbortedError, ProviderError, isProviderError } from './errors';
import type { Model, ModelRequest, ModelResult, StreamEvent } from './types';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  error: ProviderError;
}

export interface RetryOptions {
  /** Requests in all, the first included. Default 4. */
  maxAttempts: number;
  /** First backoff step. Default 1 s. */
  baseDelayMs: number;
  /** Largest backoff step. Default 30 s. */
  maxDelayMs: number;
  /** Longest `retry-after` we wait for; a longer one is an error. Default 60 s. */
  maxRetryAfterMs: number;
  /** Relative jitter of backoff steps, 0..1. Default 0.25. */
  jitter: number;
  /** The most one call waits in all (backoff and rate-limit cooldowns) before it fails. Default 2 min. */
  maxTotalWaitMs: number;
  /** Injectable so tests need not wait for real backoff. */
  sleep: Sleep;
  random: () => number;
  /** The clock of the rate gate (injectable with `sleep`). */
  now: () => number;
  /** The endpoint's shared rate gate; default: one per provider and base URL in this process. */
  gate?: RateGate;
  /** Called before each wait, e.g. to show "rate limited, retrying in 2 s (1/3)". */
  onRetry?: (info: RetryInfo) => void;
}

/** Sleeps `ms`, rejecting with `ModelAbortedError` as soon as `signal` fires. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ModelAbortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ModelAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  jitter: 0.25,
  maxTotalWaitMs: 120_000,
  sleep: realSleep,
  random: Math.random,
  now: Date.now,
});

/**
 * The rate-limit state of one provider endpoint, shared by every call to it: closed (calls go), open
 * (after a 429: no call starts before `blockedUntil`), half-open (the cooldown is over but the last answer
 * was a 429: one call probes, the others wait for its outcome).
 */
export class RateGate {
  private blockedUntil = 0;
  /** 429s since the last success: the cooldown grows with them. */
  strikes = 0;
  private probe: { done: Promise<void>; release: () => void } | undefined;
  /** Calls waiting for the probe's outcome now. */
  waiting = 0;
  private waitingListeners: { count: number; resolve: () => void }[] = [];

  /** `label` names the endpoint in errors (provider and redacted base URL). */
  constructor(readonly label = 'the provider') {}

  /** How long calls must still wait, in ms (0 when the gate is not open). */
  cooldown(now: number): number {
    return Math.max(0, this.blockedUntil - now);
  }

  /** True when the cooldown is over but the last answer was a 429, and no probe is out: the caller probes. */
  takeProbe(): boolean {
    if (this.strikes === 0 || this.probe) return false;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.probe = { done, release };
    return true;
  }

  /** The probe in flight, if any (wait for it before trying). */
  get probing(): Promise<void> | undefined {
    return this.probe?.done;
  }

  /** Waits for the probe's outcome (counted in `waiting`). */
  async awaitProbe(signal: AbortSignal | undefined): Promise<void> {
    const done = this.probe?.done;
    if (!done) return;
    this.waiting++;
    for (const l of this.waitingListeners.filter((w) => this.waiting >= w.count)) {
      this.waitingListeners.splice(this.waitingListeners.indexOf(l), 1);
      l.resolve();
    }
    try {
      await abortable(done, signal);
    } finally {
      this.waiting--;
    }
  }

  /** Resolves once at least `count` calls wait for a probe (for tests and progress displays). */
  whenWaiting(count: number): Promise<void> {
    if (this.waiting >= count) return Promise.resolve();
    return new Promise((resolve) => this.waitingListeners.push({ count, resolve }));
  }

  /** An answer that was not a 429: the circuit closes. */
  passed(): void {
    this.strikes = 0;
    this.endProbe();
  }

  /**
   * A 429: no call starts for `delayMs`. Only the probe's own answer ends the probe: a late 429 of a call
   * sent before the cooldown must not let a second probe out.
   */
  limited(now: number, delayMs: number, probe: boolean): void {
    this.strikes++;
    this.blockedUntil = Math.max(this.blockedUntil, now + delayMs);
    if (probe) this.endProbe();
  }

  /** The probe failed otherwise (a 5xx, a drop): let the next caller probe. */
  probeFailed(): void {
    this.endProbe();
  }

  private endProbe(): void {
    const p = this.probe;
    this.probe = undefined;
    p?.release();
  }
}

const gates = new Map<string, RateGate>();

/** The process's rate gate of an endpoint: one per provider and base URL, shared by every model built for it. */
export function rateGateFor(provider: string, baseUrl: string, label = `${provider} at ${baseUrl}`): RateGate {
  const key = `${provider} ${baseUrl}`;
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new RateGate(label)));
  return gate;
}

/** Resolves when `p` does, or rejects with ModelAbortedError as soon as `signal` fires. */
function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new ModelAbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new ModelAbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

function describeWait(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The wait before the next attempt, or a final error when the provider's wait exceeds the cap. */
export function retryDelay(err: ProviderError, attempt: number, o: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'jitter' | 'random'>): number {
  if (err.retryAfterMs !== undefined) {
    // Never sooner than asked; a little later so parallel agents do not return in lockstep.
    return Math.min(o.maxRetryAfterMs, err.retryAfterMs * (1 + 0.1 * o.random()));
  }
  const step = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(0, step * (1 + o.jitter * (2 * o.random() - 1)));
}

function final(err: ProviderError, attempts: number, message: string, kind = err.kind): ProviderError {
  const out = new ProviderError({
    kind,
    provider: err.provider,
    baseUrl: err.baseUrl,
    model: err.model,
    message,
    attempts,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
  });
  return out;
}

/** Wraps a raw adapter in the retry policy. */
export function withRetry(model: Model, options: Partial<RetryOptions> = {}): Model {
  const o: RetryOptions = { ...DEFAULT_RETRY, ...options };
  const gate = o.gate ?? new RateGate(`${model.provider}`);

  /** The error of a call that would wait longer than it may (`waitMs` in all, or `held` by the gate). */
  const tooLong = (last: ProviderError | undefined, waitMs: number, attempts: number, held = false): ProviderError =>
    new ProviderError({
      kind: last?.kind ?? 'rate-limited',
      provider: model.provider,
      baseUrl: last?.baseUrl ?? gate.label,
      model: model.name,
      attempts,
      ...(last?.status !== undefined ? { status: last.status } : {}),
      message: held
        ? `${gate.label} is rate limiting: calls to it are held for another ${describeWait(waitMs)}, more than the ${describeWait(o.maxRetryAfterMs)} cap (quota exhausted?): try again later`
        : `${last ? `${last.message}; ` : `${gate.label} is rate limiting; `}gave up rather than wait ${describeWait(waitMs)} in all, more than the ${describeWait(o.maxTotalWaitMs)} limit (try again later, or run fewer agents at once)`,
    });

  return {
    provider: model.provider,
    name: model.name,
    ...(model.pricing ? { pricing: model.pricing } : {}),
    async call(req: ModelRequest): Promise<ModelResult> {
      let waited = 0;
      let last: ProviderError | undefined;
      const wait = async (ms: number, attempts: number): Promise<void> => {
        if (waited + ms > o.maxTotalWaitMs) throw tooLong(last, waited + ms, attempts);
        waited += ms;
        await o.sleep(ms, req.signal);
      };
      for (let attempt = 1; ; attempt++) {
        if (req.signal?.aborted) throw new ModelAbortedError();
        // The endpoint's rate gate: wait out its cooldown, and for a probe's outcome, before sending.
        let probe = false;
        for (;;) {
          const cooldown = gate.cooldown(o.now());
          if (cooldown > 0) {
            if (cooldown > o.maxRetryAfterMs) throw tooLong(last, cooldown, attempt - 1, true);
            await wait(cooldown, attempt - 1);
            continue;
          }
          if (gate.probing) {
            const t0 = o.now();
            await gate.awaitProbe(req.signal);
            waited += o.now() - t0;
            if (waited > o.maxTotalWaitMs) throw tooLong(last, waited, attempt - 1);
            continue;
          }
          probe = gate.takeProbe();
          break;
        }
        let emitted = false;
        const listener = req.onEvent;
        const onEvent = listener
          ? (e: StreamEvent): void => {
              emitted = true;
              listener(e);
            }
          : undefined;
        try {
          const result = await model.call({ ...req, ...(onEvent ? { onEvent } : {}) });
          gate.passed();
          return result;
        } catch (err) {
          if (!isProviderError(err)) {
            if (probe) gate.probeFailed();
            throw err;
          }
          err.attempts = attempt;
          last = err;
          if (err.kind === 'rate-limited') {
            // Consecutive 429s on the endpoint lengthen everyone's cooldown, whichever call got them; a wait
            // beyond the cap holds every call for as long as the provider asked.
            const tooFar = err.retryAfterMs !== undefined && err.retryAfterMs > o.maxRetryAfterMs;
            gate.limited(o.now(), tooFar ? err.retryAfterMs! : retryDelay(err, Math.max(attempt, gate.strikes + 1), o), probe);
          } else if (probe) gate.probeFailed();
          if (!err.retryable) throw err;
          if (err.retryAfterMs !== undefined && err.retryAfterMs > o.maxRetryAfterMs) {
            throw final(
              err,
              attempt,
              `${err.message}; the provider asks to wait ${describeWait(err.retryAfterMs)}, more than the ${describeWait(o.maxRetryAfterMs)} cap (quota exhausted?): try again later`,
              'wait-too-long',
            );
          }
          if (attempt >= o.maxAttempts) throw final(err, attempt, `${err.message} (gave up after ${attempt} attempts)`);
          if (emitted) listener?.({ type: 'reset', reason: `retrying after: ${err.message}` });
          if (err.kind === 'rate-limited') {
            // The wait is the gate's cooldown, taken at the top of the loop.
            o.onRetry?.({ attempt, maxAttempts: o.maxAttempts, delayMs: gate.cooldown(o.now()), error: err });
            continue;
          }
          const delayMs = retryDelay(err, attempt, o);
          o.onRetry?.({ attempt, maxAttempts: o.maxAttempts, delayMs, error: err });
          await wait(delayMs, attempt);
        }
      }
    },
  };
}
