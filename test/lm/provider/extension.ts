/**
 * A fake chat-model provider for the in-host Language Model suite: an extension that contributes the vendor
 * `agensflow-fake` through VS Code's own API (`vscode.lm.registerLanguageModelChatProvider`, stable since
 * 1.104), so AgensFlow's `vscode-lm` provider talks to the real LM API (model selection, consent rules,
 * message and tool-call parts, cancellation, errors) exactly as it talks to Copilot's models.
 *
 * It answers by forwarding every request to the loopback fake model server (OpenAI chat-completions, plain
 * JSON): the messages and the offered tools are translated to that protocol and the answer back to response
 * parts, so one scripted handler (the same as the other suites') plays planner, agents and inspector, and the
 * server's recorded requests show what the model was sent. The test drives it through the exports below.
 */
import * as vscode from 'vscode';

/** What the in-host suite can make the provider do. */
export interface FakeLmControls {
  /** Forwards requests to this OpenAI-compatible base URL (`…/v1`); until then every request fails. */
  serve(baseUrl: string): void;
  /** The models it offers (ids; family `fake`, vendor `agensflow-fake`); announcing a change to VS Code. */
  setModels(ids: readonly string[]): void;
  /** The next requests fail with this LanguageModelError (`NoPermissions`, `NotFound`, `Blocked`) until cleared. */
  failWith(code: 'NoPermissions' | 'NotFound' | 'Blocked' | undefined): void;
}

export const VENDOR = 'agensflow-fake';

interface OpenAiMessage {
  role: 'user' | 'assistant' | 'tool';
  content?: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** One LM request message as OpenAI messages: tool results become `tool` messages, calls `tool_calls`. */
function toOpenAi(message: vscode.LanguageModelChatRequestMessage): OpenAiMessage[] {
  const role = message.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user';
  const out: OpenAiMessage[] = [];
  let text = '';
  const calls: NonNullable<OpenAiMessage['tool_calls']> = [];
  for (const part of message.content) {
    if (part instanceof vscode.LanguageModelTextPart) text += part.value;
    else if (part instanceof vscode.LanguageModelToolCallPart) {
      calls.push({ id: part.callId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input) } });
    } else if (part instanceof vscode.LanguageModelToolResultPart) {
      const content = part.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : JSON.stringify(c))).join('');
      out.push({ role: 'tool', tool_call_id: part.callId, content });
    }
  }
  if (text || calls.length > 0 || out.length === 0) out.unshift({ role, content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
  return out;
}

interface OpenAiAnswer {
  choices?: { message?: { content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] } }[];
}

export function activate(context: vscode.ExtensionContext): FakeLmControls {
  let baseUrl: string | undefined;
  let models: readonly string[] = ['fake-large', 'fake-small'];
  let failure: 'NoPermissions' | 'NotFound' | 'Blocked' | undefined;
  const changed = new vscode.EventEmitter<void>();

  const provider: vscode.LanguageModelChatProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation: () =>
      models.map((id) => ({
        id,
        name: `Fake ${id}`,
        family: 'fake',
        version: '1',
        maxInputTokens: 128_000,
        maxOutputTokens: 16_000,
        capabilities: { toolCalling: true },
      })),
    async provideLanguageModelChatResponse(model, messages, options, progress, token) {
      if (failure) throw vscode.LanguageModelError[failure](`fake provider: ${failure}`);
      if (!models.includes(model.id)) throw vscode.LanguageModelError.NotFound(`fake provider: ${model.id} was withdrawn`);
      if (!baseUrl) throw new Error('fake provider: no server to forward to (the suite calls serve() first)');
      const controller = new AbortController();
      const onCancel = token.onCancellationRequested(() => {
        controller.abort();
      });
      try {
        const body = {
          model: model.id,
          messages: messages.flatMap(toOpenAi),
          tools: (options.tools ?? []).map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema ?? { type: 'object' } } })),
          ...(options.toolMode === vscode.LanguageModelChatToolMode.Required && options.tools?.length === 1
            ? { tool_choice: { type: 'function', function: { name: options.tools[0]!.name } } }
            : {}),
        };
        const res = await fetch(`${baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer fake-lm' },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
        if (!res.ok) throw new Error(`fake provider: the server answered ${res.status}`);
        const answer = (await res.json()) as OpenAiAnswer;
        const message = answer.choices?.[0]?.message;
        if (message?.content) progress.report(new vscode.LanguageModelTextPart(message.content));
        for (const call of message?.tool_calls ?? []) {
          progress.report(new vscode.LanguageModelToolCallPart(call.id, call.function.name, JSON.parse(call.function.arguments) as object));
        }
      } finally {
        onCancel.dispose();
      }
    },
    provideTokenCount: (_model, text) => {
      const s = typeof text === 'string' ? text : JSON.stringify(text.content);
      return Promise.resolve(Math.max(1, Math.ceil(s.length / 4)));
    },
  };
  context.subscriptions.push(changed, vscode.lm.registerLanguageModelChatProvider(VENDOR, provider));

  return {
    serve(url) {
      baseUrl = url;
    },
    setModels(ids) {
      models = ids;
      changed.fire();
    },
    failWith(code) {
      failure = code;
    },

  };
}
