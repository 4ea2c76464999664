/**
 * One task agent: a bounded tool loop over the Model port. Tool failures (bad arguments, refused paths,
 * missing files, caps) go back to the model as tool results it can read; only model/provider errors and
 * cancellation escape as exceptions.
 */
import type { ChatMessage, Model, ToolCall, Usage } from '../models/types';
import { AGENT_SYSTEM_PROMPT } from './agentPrompt';
import { AGENT_TOOL_LIST, AGENT_TOOLS, type AgentToolName } from './agentTools';
import { errnoCode, isRunCancelledError, RunCancelledError } from './errors';
import type { FileChange } from './patch';
import type { TaskLayer } from './staging';

export type AgentEvent =
  | { type: 'text'; delta: string }
  /** The provider call started over (a retried stream): the last `discard` characters of text are void. */
  | { type: 'reset'; reason: string; discard: number }
  | { type: 'tool'; tool: string; path?: string; ok: boolean; error?: string }
  | { type: 'staged'; path: string; change: FileChange; bytes: number }
  | { type: 'refused'; path: string; reason: string }
  | { type: 'usage'; usage: Usage; model: string };

export interface AgentOptions {
  model: Model;
  layer: TaskLayer;
  firstMessage: string;
  /** Model calls allowed (default 20). */
  maxTurns?: number;
  signal: AbortSignal;
  maxTokens?: number;
  onEvent?(event: AgentEvent): void;
}

export type AgentResult = { ok: true; summary: string; turns: number } | { ok: false; reason: string; turns: number };

const NUDGE = 'Use the tools to do your task: write your files with write_file, then call finish with a short summary.';

/** Runs the loop until `finish`, the turn cap, or an exception (provider error, cancellation). */
export async function runAgent(opts: AgentOptions): Promise<AgentResult> {
  const maxTurns = opts.maxTurns ?? 20;
  const emit = opts.onEvent ?? (() => undefined);
  const messages: ChatMessage[] = [
    { role: 'system', content: AGENT_SYSTEM_PROMPT },
    { role: 'user', content: opts.firstMessage },
  ];
  for (let turn = 1; turn <= maxTurns; turn++) {
    if (opts.signal.aborted) throw new RunCancelledError();
    // Text streamed since this call (or its last restart) began: what a `reset` takes back from the views.
    let streamed = 0;
    const result = await opts.model.call({
      messages,
      tools: AGENT_TOOL_LIST,
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
    messages.push({ role: 'assistant', content: result.text, toolCalls: result.toolCalls.length ? result.toolCalls : undefined });
    if (!result.toolCalls.length) {
      messages.push({ role: 'user', content: NUDGE });
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
      const out = await runToolSafely(opts.layer, call, emit);
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: out.content, isError: out.isError || undefined });
      if (out.finished !== undefined) summary = out.finished;
    }
    if (summary !== undefined) return { ok: true, summary, turns: turn };
  }
  return { ok: false, reason: `the agent did not finish within ${maxTurns} turns`, turns: maxTurns };
}

interface ToolOutput {
  content: string;
  isError: boolean;
  finished?: string;
}

function argError(call: ToolCall, detail: string): ToolOutput {
  return { content: `error: invalid arguments for ${call.name}: ${detail}`, isError: true };
}

/**
 * {@link runTool}, with any file-system error the layer did not foresee (EACCES, ELOOP, ENAMETOOLONG, EIO, ...)
 * turned into a tool error the model can read: a hostile workspace must not fail the task without a retry.
 */
async function runToolSafely(layer: TaskLayer, call: ToolCall, emit: (e: AgentEvent) => void): Promise<ToolOutput> {
  try {
    return await runTool(layer, call, emit);
  } catch (e) {
    if (isRunCancelledError(e)) throw e;
    // The code only: a system error's message names absolute paths of this machine.
    const code = errnoCode(e);
    const error = `${shownName(call.name)} failed: ${code ?? (e instanceof Error ? e.name : 'error')}`;
    emit({ type: 'tool', tool: shownName(call.name), ok: false, error });
    return { content: `error: ${error}`, isError: true };
  }
}

/** A model-chosen tool name as events and messages show it: bounded (the views cap names). */
function shownName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

/** True for the agent's own tools only: `constructor`, `__proto__` or `toString` are not tools. */
function isAgentTool(name: string): name is AgentToolName {
  return Object.hasOwn(AGENT_TOOLS, name);
}

async function runTool(layer: TaskLayer, call: ToolCall, emit: (e: AgentEvent) => void): Promise<ToolOutput> {
  if (!isAgentTool(call.name)) {
    emit({ type: 'tool', tool: shownName(call.name), ok: false, error: 'unknown tool' });
    return { content: `error: unknown tool ${JSON.stringify(shownName(call.name))}; the tools are ${Object.keys(AGENT_TOOLS).join(', ')}`, isError: true };
  }
  const name = call.name;
  if (call.arguments === undefined) {
    emit({ type: 'tool', tool: name, ok: false, error: 'arguments are not valid JSON' });
    return argError(call, 'the arguments are not valid JSON');
  }
  const parsed = AGENT_TOOLS[name].schema.safeParse(call.arguments);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    emit({ type: 'tool', tool: name, ok: false, error: detail });
    return argError(call, detail);
  }
  const args = parsed.data as Record<string, string>;
  const fail = (error: string, rawPath?: string, refused?: boolean): ToolOutput => {
    // A refused path is the model's text: bounded in events (the views' path fields are capped).
    const path = rawPath !== undefined && rawPath.length > 512 ? `${rawPath.slice(0, 512)}…` : rawPath;
    if (refused && path !== undefined) emit({ type: 'refused', path, reason: error });
    emit({ type: 'tool', tool: name, path, ok: false, error });
    return { content: `error: ${error}`, isError: true };
  };
  switch (name) {
    case 'list_files': {
      const r = await layer.list(args.dir ?? '');
      if (!r.ok) return fail(r.error, args.dir);
      emit({ type: 'tool', tool: name, path: args.dir, ok: true });
      return { content: (r.value.files.join('\n') || '(no files)') + (r.value.truncated ? '\n... (truncated)' : ''), isError: false };
    }
    case 'read_file': {
      const r = await layer.read(args.path);
      if (!r.ok) return fail(r.error, args.path);
      emit({ type: 'tool', tool: name, path: args.path, ok: true });
      return { content: r.value, isError: false };
    }
    case 'write_file':
    case 'delete_file': {
      const r = await layer.stage(args.path, name === 'write_file' ? args.content : null);
      if (!r.ok) return fail(r.error, args.path, r.refused);
      emit({ type: 'tool', tool: name, path: r.value.path, ok: true });
      emit({ type: 'staged', ...r.value });
      return { content: `ok: ${r.value.path} ${r.value.change === 'deleted' ? 'deleted' : `staged (${r.value.bytes} bytes)`}`, isError: false };
    }
    case 'finish':
      emit({ type: 'tool', tool: name, ok: true });
      return { content: 'ok: task finished', isError: false, finished: args.summary };
  }
}
