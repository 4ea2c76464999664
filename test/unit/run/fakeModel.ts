/**
 * An in-process Model (the port, no SDK) for engine tests: each task's conversation follows a script keyed by
 * the task id read from the first user message's first line (`Task <id>: <title>`). Calls can be held at a
 * gate so tests observe concurrency without sleeping.
 */
import type { ChatMessage, Model, ModelRequest, ModelResult, ToolCall } from '../../../src/core/models/types';

export type Step = { text?: string; calls: Array<{ name: string; args: unknown }> };
export type Script = (turn: number, messages: ChatMessage[]) => Step;

export function taskIdOf(messages: ChatMessage[]): string {
  const first = messages.find((m) => m.role === 'user');
  const m = first && /^Task ([a-z0-9_-]+): /.exec(first.content);
  if (!m) throw new Error('no "Task <id>: <title>" first line');
  return m[1];
}

/** Writes every owned file (from the first message) with `content(id, path)` then finishes. */
export const writeOwnedFiles =
  (content: (id: string, path: string) => string = (id, p) => `# ${p} by ${id}\n`): Script =>
  (turn, messages) => {
    const id = taskIdOf(messages);
    const first = messages.find((m) => m.role === 'user')?.content ?? '';
    const owned = /Files you own[^\n]*\n((?:- .*\n)*)/.exec(first)?.[1].split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2)) ?? [];
    if (turn === 1) return { calls: owned.map((p) => ({ name: 'write_file', args: { path: p, content: content(id, p) } })) };
    return { calls: [{ name: 'finish', args: { summary: `${id} done` } }] };
  };

export interface Gate {
  /** Resolves once `n` calls are waiting at the gate. */
  waitFor(n: number): Promise<void>;
  /** Lets every waiting call (and all later ones) through. */
  open(): void;
  waiting(): number;
}

export class FakeModel implements Model {
  readonly provider = 'openai-compatible' as const;
  readonly name = 'fake-model';
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  readonly seen: ChatMessage[][] = [];
  private gateOpen = true;
  private held: Array<() => void> = [];
  private watchers: Array<{ n: number; resolve: () => void }> = [];

  constructor(
    private readonly scripts: Record<string, Script> | Script = writeOwnedFiles(),
    private readonly onCall?: (taskId: string, turn: number) => void | Promise<void>,
  ) {}

  /** Holds every call until opened. */
  gate(): Gate {
    this.gateOpen = false;
    return {
      waitFor: (n) => new Promise<void>((resolve) => {
        this.watchers.push({ n, resolve });
        this.notify();
      }),
      open: () => {
        this.gateOpen = true;
        for (const h of this.held.splice(0)) h();
      },
      waiting: () => this.held.length,
    };
  }

  private notify(): void {
    this.watchers = this.watchers.filter((w) => {
      if (this.held.length >= w.n) w.resolve();
      return this.held.length < w.n;
    });
  }

  async call(req: ModelRequest): Promise<ModelResult> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      this.seen.push(req.messages.slice());
      const id = taskIdOf(req.messages);
      const turn = req.messages.filter((m) => m.role === 'assistant').length + 1;
      await this.onCall?.(id, turn);
      if (!this.gateOpen) {
        await new Promise<void>((resolve, reject) => {
          this.held.push(resolve);
          req.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
          this.notify();
        });
      }
      if (req.signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      const script = typeof this.scripts === 'function' ? this.scripts : (this.scripts[id] ?? writeOwnedFiles());
      const step = script(turn, req.messages);
      if (step.text) req.onEvent?.({ type: 'text', delta: step.text });
      const toolCalls: ToolCall[] = step.calls.map((c, i) => ({ id: `call_${id}_${turn}_${i}`, name: c.name, arguments: c.args, rawArguments: JSON.stringify(c.args) }));
      return { text: step.text ?? '', toolCalls, usage: { inputTokens: 10, outputTokens: 5 }, stopReason: toolCalls.length ? 'tool_calls' : 'stop', model: this.name };
    } finally {
      this.inFlight--;
    }
  }
}
