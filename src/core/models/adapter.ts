/**
 * What the provider adapters share around their SDK calls: one call's watchdog and error classification,
 * the content-type check, and how a plain answer reaches the listeners. Each adapter keeps only its wire
 * format (request params and answer parsing).
 */
import { classifyError, type CallContext } from './classify';
import type { Model, ModelRequest, ModelResult, ProviderId, StreamEvent } from './types';
import type { SseJsonCheck } from './sseCheck';
import { CallWatchdog, type AnswerLimits, type Timeouts } from './watchdog';

/** One way of asking the provider: plain or streamed, under the call's watchdog. */
export type AdapterCall = (req: ModelRequest, watchdog: CallWatchdog) => Promise<ModelResult>;

/** What {@link watchedModel} needs from an adapter. */
export interface WatchedModelSpec {
  provider: ProviderId;
  /** The model's name, as the Model port reports it. */
  name: string;
  timeouts: Timeouts;
  limits: AnswerLimits;
  /** Whether calls stream when the request does not say. */
  stream: boolean;
  /** Where errors are classified from (provider, base URL, secrets to redact, key hint). */
  ctx: CallContext;
  plain: AdapterCall;
  streamed: AdapterCall;
}

/**
 * A Model whose every call runs under its own watchdog (our timeouts, the answer's size limits and the
 * caller's abort), with any failure classified into the model layer's typed errors, the request stopped
 * and the timers always disposed. Listeners hear nothing from a call once it has ended or been aborted.
 */
export function watchedModel(spec: WatchedModelSpec): Model {
  return {
    provider: spec.provider,
    name: spec.name,
    async call(req: ModelRequest): Promise<ModelResult> {
      const stream = req.stream ?? spec.stream;
      const watchdog = new CallWatchdog(spec.timeouts, stream, req.signal, spec.limits);
      let live = true;
      const listener = req.onEvent;
      const onEvent = listener ? (e: StreamEvent): void => void (live && !req.signal?.aborted && listener(e)) : undefined;
      const call = { ...req, ...(onEvent ? { onEvent } : {}) };
      try {
        return await (stream ? spec.streamed(call, watchdog) : spec.plain(call, watchdog));
      } catch (err) {
        // Whatever failed, the socket must not stay open (a half-read answer, an error the SDK did not see).
        watchdog.abort();
        throw classifyError(err, spec.ctx, watchdog, req.signal);
      } finally {
        live = false;
        watchdog.dispose();
      }
    },
  };
}

/**
 * The SDK client for one call: its `fetch` counts the answer's bytes under the call's watchdog (one client
 * per call shares the connection pool; only the options object is new).
 */
export function clientFor<C extends { withOptions(o: { fetch: typeof fetch }): C }>(client: C, watchdog: CallWatchdog, check?: () => SseJsonCheck): C {
  return client.withOptions({ fetch: watchdog.guardFetch(globalThis.fetch, check) });
}

/**
 * The response's content type when it is not the expected one (a proxy's HTML page, a wrong base URL),
 * else undefined; each adapter words its own error.
 */
export function unexpectedContentType(response: Response, expected: 'json' | 'event-stream'): string | undefined {
  const type = response.headers.get('content-type') ?? '(none)';
  return type.includes(expected) ? undefined : type;
}

/**
 * A plain (non-streamed) answer as the caller gets it: its text goes to the listener as one delta, so that
 * listeners see plain and streamed calls alike.
 */
export function plainAnswer(req: ModelRequest, answer: ModelResult, watchdog: CallWatchdog): ModelResult {
  watchdog.content(answer.text + answer.toolCalls.map((c) => c.rawArguments).join(''), answer.toolCalls.length);
  if (answer.text) req.onEvent?.({ type: 'text', delta: answer.text });
  return answer;
}
