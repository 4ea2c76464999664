/**
 * A fake-server handler that plays every model role from canned answers ({@link ScriptedTask}): the planner
 * (`submit_workflow`), task agents (`write_file` for each owned file, then `finish`), the inspector
 * (`submit_verdict`: pass) and the updater (`submit_update`). Roles are told apart by the tools offered and
 * tasks by the first user message's `Task <id>: <title>` line (design.md). Speaks both the OpenAI and the
 * Anthropic message shapes. No model is involved.
 */
import type { FakeHandler, FakeReply, RecordedRequest } from '../../../test/fixtures/fake-servers';
import type { ScriptedTask } from './types';

interface Block {
  type?: string;
  text?: string;
}
interface Message {
  role?: string;
  content?: unknown;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return (content as Block[]).filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
  return '';
}

function messagesOf(req: RecordedRequest): Message[] {
  const m = (req.body as { messages?: unknown } | undefined)?.messages;
  return Array.isArray(m) ? (m as Message[]) : [];
}

/** True when the conversation ends with tool results (OpenAI `tool` messages, Anthropic `tool_result` blocks). */
function endsWithToolResults(messages: readonly Message[]): boolean {
  const last = messages.at(-1);
  if (!last) return false;
  if (last.role === 'tool') return true;
  return last.role === 'user' && Array.isArray(last.content) && (last.content as Block[]).some((b) => b.type === 'tool_result');
}

const fail = (message: string): FakeReply => ({ kind: 'error', status: 400, message: `scripted model: ${message}` });

export interface ScriptedHandler {
  handler: FakeHandler;
  /** One line per notable answer (an injected failure, an update), for the demo to show. */
  readonly notes: string[];
}

/** Builds the handler for the given scripted tasks (told apart by their prompt and their plan's task ids). */
export function scriptedHandler(tasks: readonly ScriptedTask[], onNote?: (line: string) => void): ScriptedHandler {
  const notes: string[] = [];
  const note = (line: string): void => {
    if (notes.includes(line)) return; // the K candidate requests of one update say the same thing
    notes.push(line);
    onNote?.(line);
  };
  const served = new Map<string, number>();
  const attempts = new Map<string, number>();
  const owner = (id: string): ScriptedTask | undefined => tasks.find((t) => t.candidates.some((c) => c.tasks.some((x) => x.id === id)));

  const handler: FakeHandler = (req) => {
    const messages = messagesOf(req);
    const firstUser = textOf(messages.find((m) => m.role === 'user')?.content);
    const taskLine = /^Task ([a-z0-9_-]+): /.exec(firstUser);
    const tools = new Set(req.tools);

    if (tools.has('submit_workflow')) {
      const task = tasks.find((t) => firstUser.trim().startsWith(t.prompt.slice(0, 60)));
      if (!task) return fail('no canned plan for this task text');
      const n = served.get(task.name) ?? 0;
      served.set(task.name, n + 1);
      return { kind: 'message', toolCalls: [{ name: 'submit_workflow', arguments: task.candidates[n % task.candidates.length] }] };
    }
    if (!taskLine) return fail('the first user message has no "Task <id>: <title>" line');
    const id = taskLine[1];
    const task = owner(id);
    if (!task) return fail(`no canned answers for task ${id}`);

    if (tools.has('submit_verdict')) {
      return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: [`scripted inspector: ${id} meets its acceptance criteria`] } }] };
    }
    if (tools.has('submit_update')) {
      const update = task.update?.(id);
      if (!update) return fail(`no canned update for task ${id}`);
      note(`scripted updater: revises task ${id}: ${update.reason}`);
      return { kind: 'message', toolCalls: [{ name: 'submit_update', arguments: update }] };
    }
    if (tools.has('write_file') && tools.has('finish')) {
      if (endsWithToolResults(messages)) return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: `${id}: files written` } }] };
      const objective = /^Objective: (.*)$/m.exec(firstUser)?.[1] ?? '';
      const answer = task.files(id, objective);
      if (!answer) return fail(`no canned files for task ${id}`);
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      if (answer.injected) note(`scripted agent: ${id}, attempt ${attempt}: injected failure: ${answer.injected}`);
      return { kind: 'message', toolCalls: Object.entries(answer.files).map(([path, content]) => ({ name: 'write_file', arguments: { path, content } })) };
    }
    return fail(`unexpected tools offered: ${[...tools].join(', ') || '(none)'}`);
  };
  return { handler, notes };
}
