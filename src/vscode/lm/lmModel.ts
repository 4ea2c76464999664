/**
 * The `vscode-lm` adapter: the Model port over VS Code's Language Model API (`vscode.lm.selectChatModels`,
 * `LanguageModelChat.sendRequest`), with native tool calls, streamed text, cancellation, and usage counted
 * with the model's own `countTokens`. Every call selects its chat model again, so a model withdrawn (quota
 * spent) or added since is seen at once. The `vscode` API comes in as an object, so Node tests drive it
 * with a fake.
 */
import type * as vscode from 'vscode';
import { DEFAULT_ANSWER_LIMITS, DEFAULT_TIMEOUTS, ModelAbortedError, ProviderError, toolParameters, type AnswerLimits, type ChatMessage, type Model, type ModelRequest, type ModelResult, type ProviderErrorKind, type ToolCall } from '../../core/models';
import { VSCODE_LM_PROVIDER_ID, type LmApi } from './api';
import { normaliseToolSchema } from './schema';

/** What errors name as the model's address (there is no URL). */
const SHOWN_ENDPOINT = 'VS Code language models';

/** Told to the user by VS Code's consent prompt: why AgensFlow asks to use the model. */
export const LM_JUSTIFICATION = 'AgensFlow plans the task you started and runs agents that write its files with this model.';

/**
 * The selectors a model setting stands for, tried in order: `vendor/name` is a model id of that vendor, else
 * a family of it; a bare `name` is an id, else a family; `vendor/` (or `vendor/*`) is any model of the vendor.
 */
export function selectorsOf(setting: string): vscode.LanguageModelChatSelector[] {
  const text = setting.trim();
  const slash = text.indexOf('/');
  if (slash < 0) return [{ id: text }, { family: text }];
  const vendor = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  if (rest === '' || rest === '*') return [{ vendor }];
  return [{ vendor, id: rest }, { vendor, family: rest }];
}

/** The setting that names `chat` exactly (what the picker writes). */
export function settingOf(chat: Pick<vscode.LanguageModelChat, 'vendor' | 'id'>): string {
  return `${chat.vendor}/${chat.id}`;
}

/** The chat model a setting names, or undefined when VS Code offers none that matches now. */
export async function selectChat(api: LmApi, setting: string): Promise<vscode.LanguageModelChat | undefined> {
  for (const selector of selectorsOf(setting)) {
    const [chat] = await api.lm.selectChatModels(selector);
    if (chat) return chat;
  }
  return undefined;
}

/**
 * Our conversation as VS Code's messages, which have only User and Assistant roles. The system prompt goes
 * first as a User message of its own: several backends behind the API (Anthropic's models among them) require
 * a conversation to open with the user, and models follow instructions given by the user, while text in an
 * Assistant turn reads as the model's own earlier words, which it may continue or discount. Keeping it a
 * message of its own leaves the task's first message as the agents' contract has it ("Task <id>: <title>").
 * Tool results go back as LanguageModelToolResultPart in a User message; a user note that follows them joins
 * that message, so tool calls and their results stay adjacent.
 */
export function toLmMessages(api: LmApi, messages: readonly ChatMessage[]): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  if (system.length > 0) out.push(api.LanguageModelChatMessage.User(system.join('\n\n')));
  let results: (vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart)[] | undefined;
  const flush = (): void => {
    if (results) out.push(api.LanguageModelChatMessage.User(results));
    results = undefined;
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        break;
      case 'tool':
        (results ??= []).push(new api.LanguageModelToolResultPart(m.toolCallId, [new api.LanguageModelTextPart(m.isError ? `Error: ${m.content}` : m.content)]));
        break;
      case 'user':
        if (results) results.push(new api.LanguageModelTextPart(m.content));
        else out.push(api.LanguageModelChatMessage.User(m.content));
        break;
      case 'assistant': {
        flush();
        const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = m.content ? [new api.LanguageModelTextPart(m.content)] : [];
        for (const c of m.toolCalls ?? []) {
          const input = c.arguments && typeof c.arguments === 'object' && !Array.isArray(c.arguments) ? (c.arguments as object) : {};
          parts.push(new api.LanguageModelToolCallPart(c.id, c.name, input));
        }
        out.push(api.LanguageModelChatMessage.Assistant(parts.length > 0 ? parts : '(no answer)'));
        break;
      }
    }
  }
  flush();
  return out;
}

/** The request options: tools with normalised schemas and the tool mode. A named tool is the only one offered. */
export function toLmOptions(api: LmApi, req: ModelRequest): vscode.LanguageModelChatRequestOptions {
  const options: vscode.LanguageModelChatRequestOptions = { justification: LM_JUSTIFICATION };
  if (!req.tools || req.tools.length === 0) return options;
  const choice = req.toolChoice;
  // The API has no "call this tool": offering only that tool with the Required mode says the same.
  const tools = typeof choice === 'object' ? req.tools.filter((t) => t.name === choice.name) : req.tools;
  options.tools = tools.map((t) => ({ name: t.name, description: t.description, inputSchema: normaliseToolSchema(toolParameters(t)) }));
  options.toolMode = choice === undefined || choice === 'auto' ? api.LanguageModelChatToolMode.Auto : api.LanguageModelChatToolMode.Required;
  return options;
}

/** Tokens of `text` by the model's tokenizer; a rough estimate when the model cannot count. */
async function countTokens(chat: vscode.LanguageModelChat, text: string | vscode.LanguageModelChatMessage, token: vscode.CancellationToken): Promise<number> {
  try {
    return await chat.countTokens(text, token);
  } catch {
    const chars = typeof text === 'string' ? text.length : JSON.stringify(text.content).length;
    return Math.ceil(chars / 4);
  }
}

export interface LmModelOptions {
  api: LmApi;
  /** The setting naming the model (`vendor/id`, `vendor/family`, an id or a family). */
  model: string;
  /**
   * The whole call's limit (default 10 minutes). No connect or idle limit: the first request of the extension
   * waits for the user to answer VS Code's consent prompt.
   */
  totalMs?: number;
  /** The size of one answer; larger answers fail, unretried. */
  limits?: AnswerLimits;
}

/** Creates the raw (non-retrying) `vscode-lm` model. */
export function createLmModel(opts: LmModelOptions): Model {
  const { api } = opts;
  const fail = (kind: ProviderErrorKind, message: string): ProviderError =>
    new ProviderError({ kind, provider: VSCODE_LM_PROVIDER_ID, baseUrl: SHOWN_ENDPOINT, model: opts.model, message });

  /** Our typed error for what the API threw; `available` tells a model withdrawn mid-call from one never found. */
  async function classify(err: unknown, chat: vscode.LanguageModelChat | undefined): Promise<Error> {
    if (err instanceof ModelAbortedError || err instanceof ProviderError) return err;
    const name = chat ? `'${chat.name}' (${settingOf(chat)})` : `'${opts.model}'`;
    const detail = err instanceof Error && err.message ? `: ${err.message}` : '';
    if (err instanceof api.LanguageModelError) {
      // The API's codes are the names of its error factories.
      if (err.code === api.LanguageModelError.NoPermissions.name) {
        return fail('consent', `AgensFlow may not use the language model ${name}: VS Code's permission was not given${detail}. Start the task again and choose Allow when VS Code asks`);
      }
      if (err.code === api.LanguageModelError.Blocked.name) {
        return fail('blocked', `VS Code blocks AgensFlow from the language model ${name}${detail}. Choose another model or provider`);
      }
      if (err.code === api.LanguageModelError.NotFound.name) {
        const still = chat ? await selectChat(api, settingOf(chat)).catch(() => undefined) : undefined;
        return chat && !still
          ? fail('quota', `the language model ${name} was withdrawn while in use (its quota may be spent)${detail}. Try again later, or choose another model or provider`)
          : fail('not-found', `the language model ${name} was not found${detail}. Choose another with "AgensFlow: Select Provider and Model…"`);
      }
    }
    return fail('server', `the language model ${name} failed${detail}`);
  }

  async function call(req: ModelRequest): Promise<ModelResult> {
    if (req.signal?.aborted) throw new ModelAbortedError();
    const cts = new api.CancellationTokenSource();
    // Settles when the caller aborts or the call's time is up: a cancelled request's stream may take its time to end.
    let stopReading: (v: 'aborted' | 'deadline') => void = () => undefined;
    const stopped = new Promise<'aborted' | 'deadline'>((resolve) => (stopReading = resolve));
    const onAbort = (): void => {
      cts.cancel();
      stopReading('aborted');
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const totalMs = opts.totalMs ?? DEFAULT_TIMEOUTS.totalMs;
    const deadline = setTimeout(() => {
      cts.cancel();
      stopReading('deadline');
    }, totalMs);
    const limits = opts.limits ?? DEFAULT_ANSWER_LIMITS;
    let bytes = 0;
    const tooLarge = (what: string): ProviderError =>
      fail('answer-too-large', `the answer of the language model '${opts.model}' ${what}: stopped reading it, not retried`);
    let chat: vscode.LanguageModelChat | undefined;
    let live = true;
    try {
      chat = await selectChat(api, opts.model);
      if (!chat) {
        throw fail('not-found', `VS Code offers no language model matching '${opts.model}' (is GitHub Copilot, or another extension that provides chat models, installed and signed in?). Choose one with "AgensFlow: Select Provider and Model…"`);
      }
      const messages = toLmMessages(api, req.messages);
      const response = await chat.sendRequest(messages, toLmOptions(api, req), cts.token);
      let text = '';
      const toolCalls: ToolCall[] = [];
      const iterator = response.stream[Symbol.asyncIterator]();
      for (;;) {
        if (req.signal?.aborted) break;
        const pending = iterator.next();
        // A read that loses to the abort may fail later, with nobody waiting for it.
        pending.then(undefined, () => undefined);
        const next = await Promise.race([pending, stopped]);
        if (next === 'aborted' || next === 'deadline') {
          void Promise.resolve(iterator.return?.()).catch(() => undefined);
          if (next === 'deadline') throw fail('deadline', `the language model '${opts.model}' took longer than its ${totalMs} ms limit: stopped, not retried`);
          break;
        }
        if (next.done) break;
        const part: unknown = next.value;
        if (part instanceof api.LanguageModelTextPart) {
          bytes += Buffer.byteLength(part.value);
          if (bytes > limits.maxAnswerBytes) throw tooLarge(`is larger than the ${limits.maxAnswerBytes} bytes allowed for one answer`);
          text += part.value;
          if (live) req.onEvent?.({ type: 'text', delta: part.value });
        } else if (part instanceof api.LanguageModelToolCallPart) {
          const raw = JSON.stringify(part.input ?? {});
          bytes += Buffer.byteLength(raw);
          if (bytes > limits.maxAnswerBytes) throw tooLarge(`is larger than the ${limits.maxAnswerBytes} bytes allowed for one answer`);
          if (toolCalls.length + 1 > limits.maxToolCalls) throw tooLarge(`has more than ${limits.maxToolCalls} tool calls`);
          const index = toolCalls.length;
          toolCalls.push({ id: part.callId || `call_${index}`, name: part.name, rawArguments: raw, arguments: part.input ?? {} });
          if (live) req.onEvent?.({ type: 'tool_call_delta', index, id: part.callId, name: part.name, argumentsDelta: raw });
        }
      }
      if (req.signal?.aborted) throw new ModelAbortedError();
      // The API reports no usage: count the request and the answer with the model's own tokenizer.
      const counted = await Promise.all(messages.map((m) => countTokens(chat!, m, cts.token)));
      const outputTokens = text || toolCalls.length ? await countTokens(chat, text + toolCalls.map((c) => c.name + c.rawArguments).join(''), cts.token) : 0;
      return {
        text,
        toolCalls,
        usage: { inputTokens: counted.reduce((a, b) => a + b, 0), outputTokens },
        // The API says neither why an answer ended nor whether it was cut off.
        stopReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
        model: settingOf(chat),
      };
    } catch (e) {
      if (req.signal?.aborted) throw new ModelAbortedError();
      throw await classify(e, chat);
    } finally {
      live = false;
      clearTimeout(deadline);
      req.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }

  return { provider: VSCODE_LM_PROVIDER_ID, name: opts.model, pricing: 'included', call };
}
