/**
 * One task agent: a bounded tool loop over the Model port. Tool failures (bad arguments, refused paths,
 * missing files, caps) go back to the model as tool results it can read; only model/provider errors and
 * cancellation escape as exceptions.
 */
import type { ChatMessage, Model, ToolCall, Usage } from '../models/types';
import { AGENT_SYSTEM_PROMPT } from './agentPrompt';
import { AGENT_TOOL_LIST, AGENT_TOOLS, type AgentToolName } from './agentTools';
import { RunCancelledError } from './errors';
import type { FileChange } from './patch';
import type { TaskLayer } from './staging';

export type AgentEvent =
  | { type: 'text'; delta: string }
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
    const result = await opts.model.call({
      messages,
      tools: AGENT_TOOL_LIST,
      toolChoice: 'auto',
      maxTokens: opts.maxTokens,
      signal: opts.signal,
      onEvent: (e) => {
        if (e.type === 'text') emit({ type: 'text', delta: e.delta });
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
      const out = await runTool(opts.layer, call, emit);
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

async function runTool(layer: TaskLayer, call: ToolCall, emit: (e: AgentEvent) => void): Promise<ToolOutput> {
  if (!(call.name in AGENT_TOOLS)) {
    emit({ type: 'tool', tool: call.name, ok: false, error: 'unknown tool' });
    return { content: `error: unknown tool "${call.name}"; the tools are ${Object.keys(AGENT_TOOLS).join(', ')}`, isError: true };
  }
  const name = call.name as AgentToolName;
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
  const fail = (error: string, path?: string, refused?: boolean): ToolOutput => {
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
