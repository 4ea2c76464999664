/**
 * The one retry layer (the SDKs run with `maxRetries: 0`). Retries 429, 5xx, dropped connections and our
 * timeouts with exponential backoff and jitter; honours `retry-after` up to a cap, beyond which the call
 * fails at once with an error saying how long the provider asked to wait (never a silent hang). A call
 * whose stream already emitted deltas announces `reset` before it starts over, so listeners drop the
 * partial answer instead of seeing it twice.
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
  /** Injectable so tests need not wait for real backoff. */
  sleep: Sleep;
  random: () => number;
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
  sleep: realSleep,
  random: Math.random,
});

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
  return {
    provider: model.provider,
    name: model.name,
    async call(req: ModelRequest): Promise<ModelResult> {
      for (let attempt = 1; ; attempt++) {
        if (req.signal?.aborted) throw new ModelAbortedError();
        let emitted = false;
        const listener = req.onEvent;
        const onEvent = listener
          ? (e: StreamEvent): void => {
              emitted = true;
              listener(e);
            }
          : undefined;
        try {
          return await model.call({ ...req, ...(onEvent ? { onEvent } : {}) });
        } catch (err) {
          if (!isProviderError(err)) throw err;
          err.attempts = attempt;
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
          const delayMs = retryDelay(err, attempt, o);
          if (emitted) listener?.({ type: 'reset', reason: `retrying after: ${err.message}` });
          o.onRetry?.({ attempt, maxAttempts: o.maxAttempts, delayMs, error: err });
          await o.sleep(delayMs, req.signal);
        }
      }
    },
  };
}
