/** A scripted Model for the updater (and anything answering one forced tool): answers from a function of the call number. */
import type { ChatMessage, Model, ModelRequest, ModelResult } from '../../../src/core/models/types';

export type ToolAnswer = { name: string; args: unknown } | { text: string };

export class ScriptedToolModel implements Model {
  readonly provider = 'openai-compatible' as const;
  readonly name = 'fake-updater';
  calls = 0;
  readonly seen: ChatMessage[][] = [];

  constructor(private readonly answer: (call: number, req: ModelRequest) => ToolAnswer) {}

  async call(req: ModelRequest): Promise<ModelResult> {
    const n = ++this.calls;
    this.seen.push(req.messages.slice());
    const a = this.answer(n, req);
    const usage = { inputTokens: 100, outputTokens: 20 };
    if ('text' in a) return { text: a.text, toolCalls: [], usage, stopReason: 'stop', model: this.name };
    return { text: '', toolCalls: [{ id: `u${n}`, name: a.name, arguments: a.args, rawArguments: JSON.stringify(a.args) }], usage, stopReason: 'tool_calls', model: this.name };
  }
}

/** True when the conversation is a repair round (the last user message quotes the problem). */
export const isRepair = (req: ModelRequest): boolean => /Your answer was invalid/.test(req.messages.at(-1)?.role === 'user' ? (req.messages.at(-1) as { content: string }).content : '');
