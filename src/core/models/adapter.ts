/**
 * What the provider adapters share around their SDK calls: one call's watchdog and error classification,
 * the content-type check, and how a plain answer reaches the listeners. Each adapter keeps only its wire
 * format (request params and answer parsing).
 */
import { classifyError, type CallContext } from './classify';
import type { Model, ModelRequest, ModelResult, ProviderId } from './types';
import { CallWatchdog, type Timeouts } from './watchdog';

/** One way of asking the provider: plain or streamed, under the call's watchdog. */
export type AdapterCall = (req: ModelRequest, watchdog: CallWatchdog) => Promise<ModelResult>;

/** What {@link watchedModel} needs from an adapter. */
export interface WatchedModelSpec {
  provider: ProviderId;
  /** The model's name, as the Model port reports it. */
  name: string;
  timeouts: Timeouts;
  /** Whether calls stream when the request does not say. */
  stream: boolean;
  /** Where errors are classified from (provider, base URL, secrets to redact, key hint). */
  ctx: CallContext;
  plain: AdapterCall;
  streamed: AdapterCall;
}

/**
 * A Model whose every call runs under its own watchdog (our timeouts and the caller's abort), with any
 * failure classified into the model layer's typed errors and the timers always disposed.
 */
export function watchedModel(spec: WatchedModelSpec): Model {
  return {
    provider: spec.provider,
    name: spec.name,
    async call(req: ModelRequest): Promise<ModelResult> {
      const stream = req.stream ?? spec.stream;
      const watchdog = new CallWatchdog(spec.timeouts, stream, req.signal);
      try {
        return await (stream ? spec.streamed(req, watchdog) : spec.plain(req, watchdog));
      } catch (err) {
        throw classifyError(err, spec.ctx, watchdog, req.signal);
      } finally {
        watchdog.dispose();
      }
    },
  };
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
export function plainAnswer(req: ModelRequest, answer: ModelResult): ModelResult {
  if (answer.text) req.onEvent?.({ type: 'text', delta: answer.text });
  return answer;
}
