/**
 * Structured answers: offer exactly one tool, force the model to call it, validate the arguments with zod
 * (and an optional caller check such as the plan's graph rules). An invalid answer gets ONE repair round
 * that quotes the errors; a second failure is a `StructuredAnswerError` naming the step and the problem.
 */
import type { z } from 'zod';
import { StructuredAnswerError } from './errors';
import type { ChatMessage, Model, ModelResult, StreamEvent, ToolCall, ToolSpec, Usage } from './types';

export interface CallToolOptions<T> {
  messages: ChatMessage[];
  tool: ToolSpec<T>;
  /** Names the step in errors: `planner`, `inspector`, `updater`, ... */
  step: string;
  signal?: AbortSignal;
  onEvent?: (event: StreamEvent) => void;
  maxTokens?: number;
  temperature?: number;
  /** Extra rules after the schema passed; returns the problems (empty when the value is fine). */
  check?: (value: T) => string[];
  /**
   * An answer to `messages` already received (the last turn of a conversation that offered more tools, such as
   * the planner's exploration): judged first instead of asking; an invalid one gets the repair round.
   */
  answered?: ModelResult;
}

export interface CallToolResult<T> {
  value: T;
  /** True when the first answer was invalid and the repair round fixed it. */
  repaired: boolean;
  /** The problem of the first answer when it was repaired. */
  firstProblem?: string;
  /** Tokens over both rounds. */
  usage: Usage;
  /** The conversation including the final answer (for callers that continue it). */
  messages: ChatMessage[];
}

type Judged<T> = { ok: true; value: T; call: ToolCall } | { ok: false; problem: string };

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 20)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function judge<T>(result: ModelResult, tool: ToolSpec<T>, check: ((v: T) => string[]) | undefined): Judged<T> {
  const call = result.toolCalls.find((c) => c.name === tool.name);
  if (!call) {
    const other = result.toolCalls[0];
    if (other) return { ok: false, problem: `called unknown tool '${other.name}' instead of '${tool.name}'` };
    const said = result.text.trim().slice(0, 200);
    return { ok: false, problem: `no call of tool '${tool.name}'${said ? ` (answered with text: "${said}")` : ''}` };
  }
  if (call.arguments === undefined) {
    let detail = 'not valid JSON';
    try {
      JSON.parse(call.rawArguments);
    } catch (e) {
      detail = `not valid JSON (${(e as Error).message})`;
    }
    return { ok: false, problem: `the arguments of '${tool.name}' are ${detail}` };
  }
  const parsed = tool.schema.safeParse(call.arguments);
  if (!parsed.success) return { ok: false, problem: `the arguments of '${tool.name}' do not match its schema: ${formatIssues(parsed.error.issues)}` };
  const problems = check?.(parsed.data) ?? [];
  if (problems.length > 0) return { ok: false, problem: problems.join('; ') };
  return { ok: true, value: parsed.data, call };
}

/** The turns that quote the error back: the bad answer, a tool result per call, and the instruction. */
function repairTurns(result: ModelResult, tool: ToolSpec, problem: string): ChatMessage[] {
  const turns: ChatMessage[] = [{ role: 'assistant', content: result.text, ...(result.toolCalls.length > 0 ? { toolCalls: result.toolCalls } : {}) }];
  for (const c of result.toolCalls) {
    turns.push({ role: 'tool', toolCallId: c.id, name: c.name, content: `Error: ${problem}`, isError: true });
  }
  turns.push({
    role: 'user',
    content: `Your answer was invalid: ${problem}\nCall the tool '${tool.name}' again with corrected, complete arguments.`,
  });
  return turns;
}

/** Asks `model` for one call of `tool`, with one repair round. */
export async function callTool<T>(model: Model, o: CallToolOptions<T>): Promise<CallToolResult<T>> {
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const ask = async (messages: ChatMessage[]): Promise<ModelResult> => {
    const r = await model.call({
      messages,
      tools: [o.tool as ToolSpec],
      toolChoice: { name: o.tool.name },
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    });
    usage.inputTokens += r.usage.inputTokens;
    usage.outputTokens += r.usage.outputTokens;
    return r;
  };
  const answered = (messages: ChatMessage[], r: ModelResult): ChatMessage[] => [
    ...messages,
    { role: 'assistant', content: r.text, ...(r.toolCalls.length > 0 ? { toolCalls: r.toolCalls } : {}) },
  ];

  const first = o.answered ?? (await ask(o.messages));
  const j1 = judge(first, o.tool, o.check);
  if (j1.ok) return { value: j1.value, repaired: false, usage, messages: answered(o.messages, first) };

  const retryMessages = [...o.messages, ...repairTurns(first, o.tool as ToolSpec, j1.problem)];
  const second = await ask(retryMessages);
  const j2 = judge(second, o.tool, o.check);
  if (j2.ok) return { value: j2.value, repaired: true, firstProblem: j1.problem, usage, messages: answered(retryMessages, second) };
  throw new StructuredAnswerError(o.step, j2.problem);
}
