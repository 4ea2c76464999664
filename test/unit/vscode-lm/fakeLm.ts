/**
 * A hand-made stand-in for the part of the `vscode` API the `vscode-lm` provider uses (src/vscode/lm/api.ts):
 * the message and part classes, LanguageModelError with its factories, a cancellation token source, and
 * `lm.selectChatModels` over a list of scripted chat models. Each chat model records the requests it got and
 * answers by a script; tests withdraw and add models as VS Code would (quota spent, an extension installed).
 */
import type { LmApi } from '../../../src/vscode/lm/api';

export class FakeTextPart {
  constructor(public value: string) {}
}
export class FakeToolCallPart {
  constructor(public callId: string, public name: string, public input: object) {}
}
export class FakeToolResultPart {
  constructor(public callId: string, public content: unknown[]) {}
}
type Part = FakeTextPart | FakeToolCallPart | FakeToolResultPart;

export class FakeChatMessage {
  readonly content: Part[];
  constructor(public role: 1 | 2, content: string | Part[], public name?: string) {
    this.content = typeof content === 'string' ? [new FakeTextPart(content)] : content;
  }
  static User(content: string | Part[]): FakeChatMessage {
    return new FakeChatMessage(1, content);
  }
  static Assistant(content: string | Part[]): FakeChatMessage {
    return new FakeChatMessage(2, content);
  }
  /** The message's text parts joined (tool parts left out). */
  get text(): string {
    return this.content.flatMap((p) => (p instanceof FakeTextPart ? [p.value] : [])).join('');
  }
}

export class FakeLanguageModelError extends Error {
  static NoPermissions(message?: string): FakeLanguageModelError {
    return new FakeLanguageModelError(message, FakeLanguageModelError.NoPermissions.name);
  }
  static Blocked(message?: string): FakeLanguageModelError {
    return new FakeLanguageModelError(message, FakeLanguageModelError.Blocked.name);
  }
  static NotFound(message?: string): FakeLanguageModelError {
    return new FakeLanguageModelError(message, FakeLanguageModelError.NotFound.name);
  }
  constructor(message: string | undefined, readonly code: string) {
    super(message ?? code);
  }
}

export class FakeCancellationToken {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => void>();
  onCancellationRequested = (listener: () => void): { dispose(): void } => {
    // As VS Code's tokens do: a listener added after cancellation is called at once (asynchronously).
    if (this.isCancellationRequested) {
      const t = setTimeout(listener, 0);
      return { dispose: () => clearTimeout(t) };
    }
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
}

export class FakeCancellationTokenSource {
  readonly token = new FakeCancellationToken();
  disposed = false;
  cancel(): void {
    this.token.fire();
  }
  dispose(): void {
    this.disposed = true;
  }
}

export interface FakeRequest {
  messages: FakeChatMessage[];
  options: { justification?: string; tools?: { name: string; description: string; inputSchema?: object }[]; toolMode?: number };
  token: FakeCancellationToken;
}

/** A scripted answer: the parts to stream, or an error thrown by sendRequest (`throwAt: 'send'`) or mid-stream. */
export type Script = (req: FakeRequest, chat: FakeChat) => Part[] | AsyncIterable<Part> | { error: Error; throwAt?: 'send' | 'stream' };

export class FakeChat {
  readonly requests: FakeRequest[] = [];
  readonly version = '1';
  readonly maxInputTokens = 128000;
  constructor(
    readonly vendor: string,
    readonly id: string,
    readonly family: string,
    readonly name: string,
    public script: Script = () => [new FakeTextPart('ok')],
  ) {}

  async sendRequest(messages: FakeChatMessage[], options: FakeRequest['options'] = {}, token: FakeCancellationToken = new FakeCancellationToken()): Promise<{ stream: AsyncIterable<unknown>; text: AsyncIterable<string> }> {
    const req = { messages, options, token };
    this.requests.push(req);
    const answer = this.script(req, this);
    if ('error' in answer && (answer.throwAt ?? 'send') === 'send') throw answer.error;
    async function* stream(): AsyncIterable<unknown> {
      if ('error' in answer) throw answer.error;
      for await (const p of answer as AsyncIterable<Part>) yield p;
    }
    return { stream: stream(), text: (async function* () {})() };
  }

  /** One token per four characters of text, as a tokenizer would count roughly. */
  async countTokens(text: string | FakeChatMessage): Promise<number> {
    const s = typeof text === 'string' ? text : text.content.map((p) => (p instanceof FakeTextPart ? p.value : JSON.stringify(p))).join('');
    return Math.ceil(s.length / 4);
  }
}

export interface FakeLm {
  api: LmApi;
  chats: FakeChat[];
  /** Selections asked for, in order. */
  selections: unknown[];
  /** Fires `onDidChangeChatModels`. */
  changed(): void;
}

/** The fake API over `chats` (mutable: tests withdraw and add models). */
export function fakeLm(chats: FakeChat[]): FakeLm {
  const listeners = new Set<() => void>();
  const selections: unknown[] = [];
  const api = {
    lm: {
      onDidChangeChatModels: (l: () => void) => {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
      selectChatModels: async (selector: { vendor?: string; family?: string; id?: string; version?: string } = {}) => {
        selections.push(selector);
        return chats.filter((c) => (selector.vendor === undefined || c.vendor === selector.vendor) && (selector.family === undefined || c.family === selector.family) && (selector.id === undefined || c.id === selector.id));
      },
    },
    LanguageModelChatMessage: FakeChatMessage,
    LanguageModelTextPart: FakeTextPart,
    LanguageModelToolCallPart: FakeToolCallPart,
    LanguageModelToolResultPart: FakeToolResultPart,
    LanguageModelChatToolMode: { Auto: 1, Required: 2 },
    LanguageModelError: FakeLanguageModelError,
    CancellationTokenSource: FakeCancellationTokenSource,
  };
  // The fake has the shape the adapter uses, not every member of the real module's types.
  return { api: api as unknown as LmApi, chats, selections, changed: () => listeners.forEach((l) => l()) };
}

/** The copilot models the tests offer. */
export function copilotChats(): FakeChat[] {
  return [new FakeChat('copilot', 'gpt-4o', 'gpt-4o', 'GPT-4o'), new FakeChat('copilot', 'claude-sonnet-4', 'claude-sonnet-4', 'Claude Sonnet 4')];
}
