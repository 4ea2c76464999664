/**
 * Scripts H2's loopback fake model server as task agents: the OpenAI chat body's first user message names the
 * task (`Task <id>: <title>`); turn 1 writes every owned file, turn 2 calls `finish`. `hold(id)` makes that
 * task's requests hang (to cut a run short).
 */
import type { FakeReply, RecordedRequest } from '../../fixtures/fake-servers';

interface OpenAiMessage {
  role: string;
  content?: unknown;
}

export function taskOf(req: RecordedRequest): { id: string; turn: number; owned: string[] } | undefined {
  const messages = ((req.body as { messages?: OpenAiMessage[] } | undefined)?.messages ?? []) as OpenAiMessage[];
  const first = messages.find((m) => m.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : '';
  const m = /^Task ([a-z0-9_-]+): /.exec(text);
  if (!m) return undefined;
  const owned = /Files you own[^\n]*\n((?:- .*\n)*)/.exec(text)?.[1].split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2)) ?? [];
  return { id: m[1], turn: messages.filter((x) => x.role === 'assistant').length + 1, owned };
}

export function agentHandler(opts: { hold?: ReadonlySet<string>; onTask?: (id: string, turn: number) => void } = {}) {
  return (req: RecordedRequest): FakeReply => {
    const t = taskOf(req);
    if (!t) return { kind: 'error', status: 400, message: 'no task line' };
    // The inspector's conversation also opens with the task line: it is told apart by its forced tool.
    if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['meets the objective'] } }] };
    opts.onTask?.(t.id, t.turn);
    if (opts.hold?.has(t.id)) return { kind: 'hang' };
    if (t.turn === 1) return { kind: 'message', toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: `# ${p} by ${t.id}\n` } })) };
    return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: `${t.id} done` } }] };
  };
}

export const PLAN4 = {
  goal: 'a tiny app',
  tasks: [
    { id: 'model', title: 'Model', objective: 'the data model', role: 'python developer', files: ['app/model.txt'] },
    { id: 'view', title: 'View', objective: 'the view', role: 'python developer', files: ['app/view.txt'] },
    { id: 'ctrl', title: 'Controller', objective: 'glue', role: 'python developer', deps: ['model', 'view'], files: ['app/main.txt'] },
    { id: 'docs', title: 'Docs', objective: 'readme', role: 'writer', deps: ['ctrl'], files: ['README.md'] },
  ],
};
