/**
 * The `anthropic` adapter: @anthropic-ai/sdk, messages API, plain or streamed (raw SSE events, so that we
 * see every delta and can tell a complete answer from a dropped one). `maxRetries: 0`: the retry layer owns
 * retries. The base URL is the host root; the SDK adds `/v1/messages`.
 */
import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  ToolChoice as AnthropicToolChoice,
} from '@anthropic-ai/sdk/resources/messages';
import { clientFor, plainAnswer, unexpectedContentType, watchedModel } from './adapter';
import type { CallContext } from './classify';
import { ProviderError } from './errors';
import { redactUrl } from './redact';
import { ANTHROPIC_PARSED_EVENTS, SseJsonCheck } from './sseCheck';
import { parseArguments, toolParameters } from './json-schema';
import { BUILTIN_PRICES } from './prices';
import type { ProviderDefinition } from './provider';
import type { ChatMessage, Model, ModelRequest, ModelResult, StopReason, ToolCall, ToolChoice } from './types';
import type { AnswerLimits, CallWatchdog, Timeouts } from './watchdog';

export interface AnthropicAdapterOptions {
  model: string;
  baseUrl: string;
  apiKey: string;
  timeouts: Timeouts;
  limits: AnswerLimits;
  stream: boolean;
  /** `max_tokens` is required by the messages API; used when a request sets none. */
  defaultMaxTokens: number;
}

/** Splits out the system prompt and merges consecutive same-role turns (tool results then a user note). */
function toMessages(messages: ChatMessage[]): { system: string | undefined; messages: MessageParam[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const out: { role: 'user' | 'assistant'; blocks: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]): void => {
    const last = out[out.length - 1];
    if (last && last.role === role) last.blocks.push(...blocks);
    else out.push({ role, blocks });
  };
  for (const m of messages) {
    if (m.role === 'user') push('user', [{ type: 'text', text: m.content }]);
    else if (m.role === 'assistant') {
      const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
      for (const c of m.toolCalls ?? []) {
        const input = c.arguments && typeof c.arguments === 'object' && !Array.isArray(c.arguments) ? (c.arguments as Record<string, unknown>) : {};
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input });
      }
      push('assistant', blocks.length > 0 ? blocks : [{ type: 'text', text: '(no answer)' }]);
    } else if (m.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content, ...(m.isError ? { is_error: true } : {}) }]);
    }
  }
  return {
    system: system.length > 0 ? system.join('\n\n') : undefined,
    messages: out.map((m) =>
      m.blocks.length === 1 && m.blocks[0]!.type === 'text' ? { role: m.role, content: m.blocks[0]!.text } : { role: m.role, content: m.blocks },
    ),
  };
}

function toToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

function toStop(reason: string | null | undefined): StopReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}

/** Creates a raw (non-retrying) Anthropic messages model. */
export function createAnthropicAdapter(opts: AnthropicAdapterOptions): Model {
  const client = new Anthropic({
    apiKey: opts.apiKey,
    // Never pick up ANTHROPIC_AUTH_TOKEN or ANTHROPIC_BASE_URL behind the user's back.
    authToken: null,
    baseURL: opts.baseUrl,
    maxRetries: 0,
    timeout: Math.max(opts.timeouts.requestMs, opts.timeouts.connectMs) + 1000,
    logLevel: 'off',
  });
  // The base URL as every message and error names it (never its userinfo or query).
  const shownUrl = redactUrl(opts.baseUrl);
  const ctx: CallContext = { provider: 'anthropic', baseUrl: shownUrl, model: opts.model, secrets: [opts.apiKey], keyHint: 'ANTHROPIC_API_KEY' };

  function fail(kind: 'bad-response' | 'connection', message: string): ProviderError {
    return new ProviderError({ kind, provider: 'anthropic', baseUrl: shownUrl, model: opts.model, message });
  }

  function checkContentType(response: Response, expected: 'json' | 'event-stream'): void {
    const type = unexpectedContentType(response, expected);
    if (type !== undefined) {
      throw fail('bad-response', `unexpected response content-type ${type} from ${shownUrl} where ${expected} was expected (is --base-url the host root?)`);
    }
  }

  function params(req: ModelRequest): MessageCreateParamsBase {
    const { system, messages } = toMessages(req.messages);
    const p: MessageCreateParamsBase = { model: opts.model, max_tokens: req.maxTokens ?? opts.defaultMaxTokens, messages };
    if (system) p.system = system;
    if (req.tools && req.tools.length > 0) {
      p.tools = req.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: toolParameters(t) as Anthropic.Messages.Tool.InputSchema,
      }));
      if (req.toolChoice) p.tool_choice = toToolChoice(req.toolChoice);
    }
    if (req.temperature !== undefined) p.temperature = req.temperature;
    return p;
  }

  async function plain(req: ModelRequest, watchdog: CallWatchdog): Promise<ModelResult> {
    const { data, response } = await clientFor(client, watchdog).messages.create({ ...params(req), stream: false }, { signal: watchdog.signal }).withResponse();
    checkContentType(response, 'json');
    const res = data as unknown;
    const msg = res as Partial<Message> | null;
    if (!msg || typeof msg !== 'object' || !Array.isArray(msg.content)) {
      throw fail('bad-response', `unexpected response from ${shownUrl}: not an Anthropic message (is --base-url the host root?)`);
    }
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const block of msg.content) {
      if (block.type === 'text') text += block.text;
      else if (block.type === 'tool_use') {
        const raw = JSON.stringify(block.input ?? {});
        toolCalls.push({ id: block.id, name: block.name, rawArguments: raw, arguments: block.input ?? {} });
      }
    }
    return plainAnswer(req, {
      text,
      toolCalls,
      usage: { inputTokens: msg.usage?.input_tokens ?? 0, outputTokens: msg.usage?.output_tokens ?? 0 },
      stopReason: toStop(msg.stop_reason),
      model: msg.model ?? opts.model,
    }, watchdog);
  }

  async function streamed(req: ModelRequest, watchdog: CallWatchdog): Promise<ModelResult> {
    const { data: stream, response } = await clientFor(client, watchdog, () => new SseJsonCheck(ANTHROPIC_PARSED_EVENTS)).messages.create({ ...params(req), stream: true }, { signal: watchdog.signal }).withResponse();
    watchdog.headersReceived();
    checkContentType(response, 'event-stream');
    let text = '';
    let model = opts.model;
    let stop: string | null | undefined;
    let complete = false;
    let started = false;
    const usage = { inputTokens: 0, outputTokens: 0 };
    // Content-block index -> our tool-call ordinal and the JSON gathered so far.
    const calls = new Map<number, { ordinal: number; id: string; name: string; args: string }>();
    for await (const ev of stream as AsyncIterable<RawMessageStreamEvent>) {
      watchdog.chunk();
      switch (ev.type) {
        case 'message_start':
          started = true;
          model = ev.message.model || model;
          usage.inputTokens = ev.message.usage?.input_tokens ?? 0;
          usage.outputTokens = ev.message.usage?.output_tokens ?? 0;
          break;
        case 'content_block_start':
          if (ev.content_block.type === 'tool_use') {
            const call = { ordinal: calls.size, id: ev.content_block.id, name: ev.content_block.name, args: '' };
            calls.set(ev.index, call);
            watchdog.content(call.name, calls.size);
            req.onEvent?.({ type: 'tool_call_delta', index: call.ordinal, id: call.id, name: call.name, argumentsDelta: '' });
          } else if (ev.content_block.type === 'text' && ev.content_block.text) {
            watchdog.content(ev.content_block.text);
            text += ev.content_block.text;
            req.onEvent?.({ type: 'text', delta: ev.content_block.text });
          }
          break;
        case 'content_block_delta':
          if (ev.delta.type === 'text_delta') {
            watchdog.content(ev.delta.text);
            text += ev.delta.text;
            req.onEvent?.({ type: 'text', delta: ev.delta.text });
          } else if (ev.delta.type === 'input_json_delta') {
            const call = calls.get(ev.index);
            if (call) {
              watchdog.content(ev.delta.partial_json);
              call.args += ev.delta.partial_json;
              req.onEvent?.({ type: 'tool_call_delta', index: call.ordinal, argumentsDelta: ev.delta.partial_json });
            }
          }
          break;
        case 'message_delta':
          stop = ev.delta.stop_reason ?? stop;
          if (ev.usage?.output_tokens != null) usage.outputTokens = ev.usage.output_tokens;
          if (ev.usage?.input_tokens != null) usage.inputTokens = ev.usage.input_tokens;
          break;
        case 'message_stop':
          complete = true;
          break;
        default:
          break;
      }
    }
    // The SDK skips events it does not know: a stream of none of them is another protocol, not a drop.
    if (!started) throw fail('bad-response', `unexpected stream from ${shownUrl}: no message_start event (is --base-url the host root of an Anthropic API?)`);
    if (!complete) throw fail('connection', `the stream from ${shownUrl} ended before message_stop`);
    const toolCalls: ToolCall[] = [...calls.values()]
      .sort((a, b) => a.ordinal - b.ordinal)
      .map((c) => ({ id: c.id, name: c.name, rawArguments: c.args, arguments: parseArguments(c.args) }));
    return { text, toolCalls, usage, stopReason: toStop(stop), model };
  }

  return watchedModel({ provider: 'anthropic', name: opts.model, timeouts: opts.timeouts, limits: opts.limits, stream: opts.stream, ctx, plain, streamed });
}

/** `max_tokens` for a model the table of known output limits does not list (the API requires a value). */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192;

/** `anthropic`: the messages API at api.anthropic.com (or a host root), key from ANTHROPIC_API_KEY. */
export const anthropicProvider: ProviderDefinition = {
  id: 'anthropic',
  label: 'Anthropic',
  detail: 'Messages at api.anthropic.com (or agensflow.baseUrl)',
  key: { kind: 'required', env: 'ANTHROPIC_API_KEY' },
  baseUrl: { used: true, default: 'https://api.anthropic.com' },
  pricing: 'per-token',
  // The messages API requires `max_tokens`: what a model the table of known limits does not list is given.
  defaultMaxOutputTokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
  suggestedModels: Object.keys(BUILTIN_PRICES).filter((n) => n.startsWith('claude')),
  create: (o) => createAnthropicAdapter({ model: o.model, baseUrl: o.baseUrl ?? '', apiKey: o.apiKey ?? '', timeouts: o.timeouts, limits: o.limits, stream: o.stream, defaultMaxTokens: o.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS }),
};
