/**
 * The `openai` and `openai-compatible` adapters: the OpenAI SDK v6, chat completions, plain or streamed
 * (`stream_options.include_usage`). No retries here (`maxRetries: 0`): the retry layer owns that policy.
 */
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import { listServerModels } from './listing';
import { clientFor, plainAnswer, unexpectedContentType, watchedModel } from './adapter';
import type { CallContext } from './classify';
import { ProviderError } from './errors';
import { BUILTIN_PRICES } from './prices';
import { redactUrl } from './redact';
import { parseArguments, toolParameters } from './json-schema';
import type { ProviderDefinition } from './provider';
import type { ChatMessage, Model, ModelRequest, ModelResult, StopReason, ToolCall, ToolChoice } from './types';
import type { AnswerLimits, CallWatchdog, Timeouts } from './watchdog';

export interface OpenAIAdapterOptions {
  provider: 'openai' | 'openai-compatible';
  model: string;
  baseUrl: string;
  apiKey: string;
  timeouts: Timeouts;
  limits: AnswerLimits;
  stream: boolean;
  /** Environment variable named in the advice on a rejected key. */
  keyHint: string;
  /** Output tokens asked for when a request sets none; undefined: the server's default. */
  maxOutputTokens?: number;
}

function toMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'assistant':
        return m.toolCalls && m.toolCalls.length > 0
          ? {
              role: 'assistant',
              content: m.content === '' ? null : m.content,
              tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.rawArguments } })),
            }
          : { role: 'assistant', content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}

function toToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toStop(reason: string | null | undefined): StopReason {
  if (reason === 'stop') return 'stop';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  return 'other';
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

function finishCalls(parts: Map<number, PartialCall>): ToolCall[] {
  return [...parts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, p]) => ({ id: p.id || `call_${index}`, name: p.name, rawArguments: p.args, arguments: parseArguments(p.args) }));
}

/** Creates a raw (non-retrying) OpenAI chat-completions model. */
export function createOpenAIAdapter(opts: OpenAIAdapterOptions): Model {
  const client = new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl,
    maxRetries: 0,
    // Our watchdog aborts sooner; this is only a backstop.
    timeout: Math.max(opts.timeouts.requestMs, opts.timeouts.connectMs) + 1000,
    organization: null,
    project: null,
    logLevel: 'off',
  });
  // The base URL as every message and error names it (never its userinfo or query).
  const shownUrl = redactUrl(opts.baseUrl);
  const ctx: CallContext = { provider: opts.provider, baseUrl: shownUrl, model: opts.model, secrets: [opts.apiKey], keyHint: opts.keyHint };

  function badResponse(what: string): ProviderError {
    return new ProviderError({
      kind: 'bad-response',
      provider: opts.provider,
      baseUrl: shownUrl,
      model: opts.model,
      message: `unexpected response from ${shownUrl}: ${what} (is --base-url an OpenAI-compatible /v1 endpoint?)`,
    });
  }

  function checkContentType(response: Response, expected: 'json' | 'event-stream'): void {
    const type = unexpectedContentType(response, expected);
    if (type !== undefined) {
      throw new ProviderError({
        kind: 'bad-response',
        provider: opts.provider,
        baseUrl: shownUrl,
        model: opts.model,
        message: `unexpected response content-type ${type} from ${shownUrl} where ${expected} was expected (is --base-url an OpenAI-compatible /v1 endpoint?)`,
      });
    }
  }

  function params(req: ModelRequest): ChatCompletionCreateParamsBase {
    const p: ChatCompletionCreateParamsBase = { model: opts.model, messages: toMessages(req.messages) };
    if (req.tools && req.tools.length > 0) {
      p.tools = req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: toolParameters(t) } }));
      if (req.toolChoice) p.tool_choice = toToolChoice(req.toolChoice);
    }
    const maxTokens = req.maxTokens ?? opts.maxOutputTokens;
    if (maxTokens !== undefined) {
      // OpenAI's newer models refuse `max_tokens`; most compatible servers only know it.
      if (opts.provider === 'openai') p.max_completion_tokens = maxTokens;
      else p.max_tokens = maxTokens;
    }
    if (req.temperature !== undefined) p.temperature = req.temperature;
    return p;
  }

  async function plain(req: ModelRequest, watchdog: CallWatchdog): Promise<ModelResult> {
    const { data, response } = await clientFor(client, watchdog).chat.completions.create({ ...params(req), stream: false }, { signal: watchdog.signal }).withResponse();
    checkContentType(response, 'json');
    const res = data as unknown;
    const completion = res as Partial<ChatCompletion> | null;
    if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices) || !completion.choices[0]) {
      throw badResponse(typeof res === 'string' ? `a text body (${res.slice(0, 60).replace(/\s+/g, ' ')}...)` : 'no choices in the answer');
    }
    const choice = completion.choices[0];
    const msg = choice.message;
    const toolCalls: ToolCall[] = (msg?.tool_calls ?? []).flatMap((c, i) =>
      c.type === 'function'
        ? [{ id: c.id || `call_${i}`, name: c.function.name, rawArguments: c.function.arguments ?? '', arguments: parseArguments(c.function.arguments ?? '') }]
        : [],
    );
    const text = msg?.content ?? '';
    return plainAnswer(req, {
      text,
      toolCalls,
      usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
      stopReason: toStop(choice.finish_reason),
      model: completion.model ?? opts.model,
    }, watchdog);
  }

  async function streamed(req: ModelRequest, watchdog: CallWatchdog): Promise<ModelResult> {
    const { data: stream, response } = await clientFor(client, watchdog).chat.completions
      .create({ ...params(req), stream: true, stream_options: { include_usage: true } }, { signal: watchdog.signal })
      .withResponse();
    watchdog.headersReceived();
    checkContentType(response, 'event-stream');
    let text = '';
    let finish: string | null | undefined;
    let model = opts.model;
    let usage = { inputTokens: 0, outputTokens: 0 };
    const calls = new Map<number, PartialCall>();
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      watchdog.chunk();
      if (!chunk || typeof chunk !== 'object' || !Array.isArray(chunk.choices)) throw badResponse('a stream chunk without choices');
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta;
      if (delta?.content) {
        watchdog.content(delta.content);
        text += delta.content;
        req.onEvent?.({ type: 'text', delta: delta.content });
      }
      for (const tc of delta?.tool_calls ?? []) {
        const part = calls.get(tc.index) ?? { id: '', name: '', args: '' };
        if (tc.id) part.id = tc.id;
        if (tc.function?.name) part.name += tc.function.name;
        if (tc.function?.arguments) part.args += tc.function.arguments;
        calls.set(tc.index, part);
        watchdog.content((tc.function?.name ?? '') + (tc.function?.arguments ?? ''), calls.size);
        req.onEvent?.({
          type: 'tool_call_delta',
          index: tc.index,
          ...(tc.id ? { id: tc.id } : {}),
          ...(tc.function?.name ? { name: tc.function.name } : {}),
          argumentsDelta: tc.function?.arguments ?? '',
        });
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (!finish) {
      // The server closed the stream cleanly but before the answer ended: treat as a dropped stream.
      throw new ProviderError({
        kind: 'connection',
        provider: opts.provider,
        baseUrl: shownUrl,
        model: opts.model,
        message: `the stream from ${shownUrl} ended before the answer was complete`,
      });
    }
    return { text, toolCalls: finishCalls(calls), usage, stopReason: toStop(finish), model };
  }

  return watchedModel({ provider: opts.provider, name: opts.model, timeouts: opts.timeouts, limits: opts.limits, stream: opts.stream, ctx, plain, streamed });
}

/** Model names of the built-in price table that OpenAI serves. */
function openaiSuggestions(): string[] {
  return Object.keys(BUILTIN_PRICES).filter((n) => /^(gpt|o\d)/.test(n));
}

/** `openai`: chat completions at api.openai.com (or a base URL), key from OPENAI_API_KEY. */
export const openaiProvider: ProviderDefinition = {
  id: 'openai',
  label: 'OpenAI',
  detail: 'Chat completions at api.openai.com (or agensflow.baseUrl)',
  key: { kind: 'required', env: 'OPENAI_API_KEY' },
  baseUrl: { used: true, default: 'https://api.openai.com/v1' },
  pricing: 'per-token',
  suggestedModels: openaiSuggestions(),
  create: (o) => createOpenAIAdapter({ provider: 'openai', model: o.model, baseUrl: o.baseUrl ?? '', apiKey: o.apiKey ?? '', timeouts: o.timeouts, limits: o.limits, stream: o.stream, keyHint: 'OPENAI_API_KEY', ...(o.maxOutputTokens !== undefined ? { maxOutputTokens: o.maxOutputTokens } : {}) }),
};

/**
 * `openai-compatible`: the same SDK against a server the user names (Ollama, LM Studio, vLLM, llama.cpp). It
 * reads no environment key, so a user's OpenAI key never goes to another host.
 */
export const openaiCompatibleProvider: ProviderDefinition = {
  id: 'openai-compatible',
  label: 'OpenAI-compatible server',
  detail: 'Ollama, LM Studio, vLLM, llama.cpp server: a base URL, usually no key',
  key: { kind: 'optional', placeholder: 'agensflow-no-key' },
  baseUrl: { used: true, example: 'http://localhost:11434/v1 for Ollama' },
  pricing: 'per-token',
  suggestedModels: [],
  listModels: (o) => listServerModels('openai-compatible', o),
  create: (o) => createOpenAIAdapter({ provider: 'openai-compatible', model: o.model, baseUrl: o.baseUrl ?? '', apiKey: o.apiKey ?? '', timeouts: o.timeouts, limits: o.limits, stream: o.stream, keyHint: 'a key your server accepts', ...(o.maxOutputTokens !== undefined ? { maxOutputTokens: o.maxOutputTokens } : {}) }),
};
