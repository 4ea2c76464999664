/**
 * One task agent: a bounded tool loop over the Model port. Tool failures (bad arguments, refused paths,
 * missing files, caps) go back to the model as tool results it can read; only model/provider errors and
 * cancellation escape as exceptions.
 */
import type { ChatMessage, Model, ToolCall, Usage } from '../models/types';
import { agentSystemPrompt } from './agentPrompt';
import { errnoCode, isRunCancelledError, RunCancelledError } from './errors';
import type { TaskLayer } from './staging';
import { agentToolsFor, type AgentTool, type AttemptChecks, type EditFormat, type TaskChecks, type ToolContext, type ToolEvent, type ToolOutput } from './tools';

export type AgentEvent =
  | { type: 'text'; delta: string }
  /** The provider call started over (a retried stream): the last `discard` characters of text are void. */
  | { type: 'reset'; reason: string; discard: number }
  | ToolEvent
  | { type: 'usage'; usage: Usage; model: string };

export interface AgentOptions {
  model: Model;
  layer: TaskLayer;
  firstMessage: string;
  /** Model calls allowed (default 20). */
  maxTurns?: number;
  signal: AbortSignal;
  maxTokens?: number;
  /** How the agent changes existing files (the tools offered and the prompt's advice); default `search-replace`. */
  editFormat?: EditFormat;
  /** The task's checks for `run_checks`; each call of runAgent (one attempt) gets its own count of calls. */
  checks?: TaskChecks;
  onEvent?(event: AgentEvent): void;
}

export type AgentResult = { ok: true; summary: string; turns: number } | { ok: false; reason: string; turns: number };

/** What the model is told when it answered without a tool call, per edit format. */
const NUDGE: Readonly<Record<EditFormat, string>> = {
  'search-replace': 'Use the tools to do your task: change your files with edit_file (existing files) or write_file (new files), then call finish with a short summary.',
  whole: 'Use the tools to do your task: write each of your files whole with write_file, then call finish with a short summary.',
};

/** What the model is told when its answer hit the output limit: nothing of it was executed. */
function cutOffMessage(tokens: number | undefined, dropped: readonly string[], format: EditFormat): string {
  const at = tokens ? ` at ${tokens} tokens` : '';
  const what = dropped.length ? ` Its tool calls (${dropped.join(', ')}) were NOT executed.` : '';
  const smaller = format === 'whole' ? 'write less per answer: one file per call, and split a large new file into smaller files' : 'use edit_file to change part of an existing file, and split a large new file into smaller files or several calls';
  return `Your previous answer was cut off${at} (the output limit).${what} Make smaller changes: ${smaller}.`;
}

/** Runs the loop until `finish`, the turn cap, or an exception (provider error, cancellation). */
export async function runAgent(opts: AgentOptions): Promise<AgentResult> {
  const maxTurns = opts.maxTurns ?? 20;
  const emit = opts.onEvent ?? (() => undefined);
  const format = opts.editFormat ?? 'search-replace';
  const tools = agentToolsFor(format);
  // Only the offered tools run: under `whole`, a call of edit_file is an unknown tool like any other.
  const offered: ReadonlyMap<string, AgentTool> = new Map(tools.map((t) => [t.name, t]));
  const given = opts.checks;
  const checks: AttemptChecks | undefined = given ? { limit: given.limit, run: (signal) => given.run(signal), used: 0 } : undefined;
  const messages: ChatMessage[] = [
    { role: 'system', content: agentSystemPrompt(format) },
    { role: 'user', content: opts.firstMessage },
  ];
  for (let turn = 1; turn <= maxTurns; turn++) {
    if (opts.signal.aborted) throw new RunCancelledError();
    // Text streamed since this call (or its last restart) began: what a `reset` takes back from the views.
    let streamed = 0;
    const result = await opts.model.call({
      messages,
      tools: [...tools],
      toolChoice: 'auto',
      maxTokens: opts.maxTokens,
      signal: opts.signal,
      onEvent: (e) => {
        if (e.type === 'text') {
          streamed += e.delta.length;
          emit({ type: 'text', delta: e.delta });
        } else if (e.type === 'reset') {
          emit({ type: 'reset', reason: e.reason, discard: streamed });
          streamed = 0;
        }
      },
    });
    emit({ type: 'usage', usage: result.usage, model: result.model });
    if (opts.signal.aborted) throw new RunCancelledError();
    if (result.stopReason === 'length') {
      // A cut-off answer's last tool call has incomplete arguments (a truncated write would stage half a
      // file): none of its calls runs, and the model is told why in plain words.
      const dropped = result.toolCalls.map((c) => shownName(c.name));
      for (const name of dropped) emit({ type: 'tool', tool: name, ok: false, error: 'not executed: the answer was cut off at the output limit' });
      messages.push({ role: 'assistant', content: result.text || '(cut off)' });
      messages.push({ role: 'user', content: cutOffMessage(result.usage.outputTokens || opts.maxTokens, dropped, format) });
      continue;
    }
    messages.push({ role: 'assistant', content: result.text, toolCalls: result.toolCalls.length ? result.toolCalls : undefined });
    if (!result.toolCalls.length) {
      messages.push({ role: 'user', content: NUDGE[format] });
      continue;
    }
    let summary: string | undefined;
    for (const call of result.toolCalls) {
      if (summary !== undefined) {
        // `finish` ended the attempt: a write after it in the same answer would land unseen by any check.
        emit({ type: 'tool', tool: shownName(call.name), ok: false, error: 'not executed: it came after finish' });
        messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: 'error: not executed: it came after finish, which ended the task', isError: true });
        continue;
      }
      const out = await runToolSafely({ layer: opts.layer, emit, signal: opts.signal, ...(checks ? { checks } : {}) }, call, offered);
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: out.content, isError: out.isError || undefined });
      if (out.finished !== undefined) summary = out.finished;
    }
    if (summary !== undefined) return { ok: true, summary, turns: turn };
  }
  return { ok: false, reason: `the agent did not finish within ${maxTurns} turns`, turns: maxTurns };
}

function argError(call: ToolCall, detail: string): ToolOutput {
  return { content: `error: invalid arguments for ${call.name}: ${detail}`, isError: true };
}

/**
 * {@link runTool}, with any file-system error the layer did not foresee (EACCES, ELOOP, ENAMETOOLONG, EIO, ...)
 * turned into a tool error the model can read: a hostile workspace must not fail the task without a retry.
 * `tools` is the set the model was offered (the planner's exploration offers only the read-only ones).
 */
export async function runToolSafely(ctx: ToolContext, call: ToolCall, offered: ReadonlyMap<string, AgentTool>): Promise<ToolOutput> {
  try {
    return await runTool(ctx, call, offered);
  } catch (e) {
    if (isRunCancelledError(e)) throw e;
    // The code only: a system error's message names absolute paths of this machine.
    const code = errnoCode(e);
    const error = `${shownName(call.name)} failed: ${code ?? (e instanceof Error ? e.name : 'error')}`;
    ctx.emit({ type: 'tool', tool: shownName(call.name), ok: false, error });
    return { content: `error: ${error}`, isError: true };
  }
}

/** A model-chosen tool name as events and messages show it: bounded (the views cap names). */
function shownName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

async function runTool(ctx: ToolContext, call: ToolCall, offered: ReadonlyMap<string, AgentTool>): Promise<ToolOutput> {
  // A Map lookup: `constructor`, `__proto__` or `toString` are not tools.
  const tool = offered.get(call.name);
  if (!tool) {
    ctx.emit({ type: 'tool', tool: shownName(call.name), ok: false, error: 'unknown tool' });
    return { content: `error: unknown tool ${JSON.stringify(shownName(call.name))}; the tools are ${[...offered.keys()].join(', ')}`, isError: true };
  }
  if (call.arguments === undefined) {
    ctx.emit({ type: 'tool', tool: tool.name, ok: false, error: 'arguments are not valid JSON' });
    return argError(call, 'the arguments are not valid JSON');
  }
  const parsed = tool.schema.safeParse(call.arguments);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    ctx.emit({ type: 'tool', tool: tool.name, ok: false, error: detail });
    return argError(call, detail);
  }
  return tool.execute(parsed.data, ctx);
}
