/**
 * Turns whatever an SDK threw into our typed errors, with a message that says what to fix. Both SDKs'
 * `APIError` carry `status` and `headers`; everything without a status is a transport failure.
 */
import { ModelAbortedError, ProviderError, type ProviderErrorKind } from './errors';
import { redact } from './redact';
import { parseRetryAfter } from './retry-after';
import type { ProviderId } from './types';
import type { CallWatchdog } from './watchdog';

export interface CallContext {
  provider: ProviderId;
  baseUrl: string;
  model: string;
  /** Values to redact from every message (the API key). */
  secrets: ReadonlyArray<string | undefined>;
  /** The environment variable that holds the key for this provider, for the advice given on a 401. */
  keyHint: string;
}

interface StatusLike {
  status?: unknown;
  /** The SDKs' APIError carries the parsed error body; without a status it came inside a stream. */
  error?: unknown;
  headers?: unknown;
  message?: unknown;
}

function headerGetter(headers: unknown): (name: string) => string | null | undefined {
  if (headers && typeof (headers as Headers).get === 'function') return (n) => (headers as Headers).get(n);
  if (headers && typeof headers === 'object') {
    const rec = headers as Record<string, unknown>;
    return (n) => {
      const v = rec[n] ?? rec[n.toLowerCase()];
      return typeof v === 'string' ? v : undefined;
    };
  }
  return () => undefined;
}

function kindOf(status: number): ProviderErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status === 408 || status === 409 || status >= 500) return 'server';
  return 'bad-request';
}

function advice(kind: ProviderErrorKind, ctx: CallContext, status: number): string {
  switch (kind) {
    case 'auth':
      return `${ctx.provider} rejected the API key (HTTP ${status}) at ${ctx.baseUrl}: set a valid key with --api-key or ${ctx.keyHint}`;
    case 'permission':
      return `${ctx.provider} refused access (HTTP ${status}) to model '${ctx.model}' at ${ctx.baseUrl}: check that the key may use this model`;
    case 'not-found':
      return `model '${ctx.model}' or its endpoint was not found (HTTP ${status}) at ${ctx.baseUrl}: check --model and --base-url`;
    case 'bad-request':
      if (status === 413) {
        return `the request is too large for model '${ctx.model}' (HTTP 413) at ${ctx.baseUrl}: the conversation or a file in it is longer than the server accepts`;
      }
      return `${ctx.provider} refused the request (HTTP ${status}) for model '${ctx.model}' at ${ctx.baseUrl}`;
    case 'rate-limited':
      return `${ctx.provider} is rate limiting (HTTP 429) at ${ctx.baseUrl}`;
    default:
      return `${ctx.provider} server error (HTTP ${status}) at ${ctx.baseUrl}`;
  }
}

/** A byte count in words: `8 MiB`, `512 KiB`, `300 bytes`. */
export function describeBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n} bytes`;
}

/** Classifies `err`, thrown while calling through `watchdog`, into a typed error. */
export function classifyError(err: unknown, ctx: CallContext, watchdog: CallWatchdog, userSignal?: AbortSignal): Error {
  if (err instanceof ModelAbortedError) return err;
  if (userSignal?.aborted) return new ModelAbortedError();
  const base = { provider: ctx.provider, baseUrl: ctx.baseUrl, model: ctx.model };
  if (watchdog.oversize) {
    const { what, limit } = watchdog.oversize;
    const said =
      what === 'bytes'
        ? `is larger than the ${describeBytes(limit)} limit on one answer (text and tool arguments)`
        : what === 'event'
          ? `has one stream event larger than ${describeBytes(limit)}, the limit on one event`
          : `has more than ${limit} tool calls, the limit on one answer`;
    return new ProviderError({
      ...base,
      kind: 'answer-too-large',
      message: `the answer of model '${ctx.model}' at ${ctx.baseUrl} ${said}: stopped reading it, not retried`,
    });
  }
  // Before the adapter's own errors: an aborted SDK stream ends quietly, and the adapter then reports a
  // stream cut short, while the real cause is the timer that fired.
  if (watchdog.timedOut) {
    const phase = watchdog.timedOut;
    const ms = watchdog.limitOf(phase);
    if (phase === 'total') {
      return new ProviderError({
        ...base,
        kind: 'deadline',
        message: `${ctx.provider} at ${ctx.baseUrl}: the call took longer than its ${ms} ms limit (a stream that never ends?): stopped, not retried`,
      });
    }
    const what =
      phase === 'connect'
        ? `no response headers within ${ms} ms`
        : phase === 'idle'
          ? `the stream stalled for more than ${ms} ms`
          : `no complete answer within ${ms} ms`;
    return new ProviderError({ ...base, kind: 'timeout', message: `${ctx.provider} at ${ctx.baseUrl}: ${what}` });
  }
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as StatusLike;
  const raw = redact(typeof e.message === 'string' ? e.message : String(err), ctx.secrets);
  if (watchdog.malformed !== undefined) {
    return new ProviderError({ ...base, kind: 'bad-response', message: `malformed answer from ${ctx.provider} at ${ctx.baseUrl} (invalid JSON in a stream event): ${redact(watchdog.malformed, ctx.secrets).slice(0, 200)}` });
  }
  if (err instanceof SyntaxError) {
    // The SDKs parse each event's `data:` (and a plain body) with JSON.parse: a broken proxy or server.
    return new ProviderError({ ...base, kind: 'bad-response', message: `malformed answer from ${ctx.provider} at ${ctx.baseUrl} (invalid JSON): ${raw.slice(0, 200)}` });
  }
  if (typeof e.status === 'number') {
    const status = e.status;
    const kind = kindOf(status);
    const retryAfterMs = parseRetryAfter(headerGetter(e.headers), Date.now());
    return new ProviderError({
      ...base,
      kind,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      message: `${advice(kind, ctx, status)}: ${raw}`,
    });
  }
  if (typeof e.error === 'object' && e.error !== null) {
    // An `error` event (or a `data:` with an `error` field) in the middle of a stream: the server's fault.
    return new ProviderError({ ...base, kind: 'server', message: `${ctx.provider} at ${ctx.baseUrl} sent an error in the middle of the stream: ${raw}` });
  }
  return new ProviderError({ ...base, kind: 'connection', message: `connection to ${ctx.provider} at ${ctx.baseUrl} failed: ${raw}` });
}
