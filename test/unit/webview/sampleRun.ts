/**
 * A sample 12-task run caught mid-way, as events: used by the webview tests and the static preview.
 * Every status appears at least once; there are decisions with candidate metrics, a streamed log with
 * ANSI codes, staged files, findings and usage.
 */
import type { Plan, Task } from '../../../src/core/plan/schema';
import type { RunEvent, TaskStatus } from '../../../src/core/run/events';
import { unifiedDiff } from '../../../src/core/run/tools/toolDiff';
import { applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState, type RunViewState } from '../../../src/protocol/viewState';

export const RUN_ID = 'run-2026-demo';

/** The file the sample's `save` task edits, before and after (its edit_file diff is built from these). */
const SAVE_BEFORE = `"""Save and load games as JSON files."""
import os

from gobang.board import Board


def save_game(board: Board, path: str) -> None:
    data = {"size": board.size, "moves": board.moves}
    with open(path, "w") as f:
        f.write(json.dumps(data))


def load_game(path: str) -> Board:
    with open(path) as f:
        data = json.loads(f.read())
    return Board.from_moves(data["size"], data["moves"])
`;
const SAVE_AFTER = SAVE_BEFORE
  .replace('import os\n', 'import json\n')
  .replace('    with open(path, "w") as f:\n        f.write(json.dumps(data))', '    with open(path, "w", encoding="utf-8") as f:\n        json.dump(data, f)\n        f.write("\\n")');
const T0 = 1_780_000_000_000;

function task(id: string, title: string, role: string, deps: string[], files: string[], acceptance: string[] = []): Task {
  return { id, title, objective: `${title}: implement it as the plan describes, with tests where they fit.`, role, deps, files, acceptance };
}

export const SAMPLE_PLAN: Plan = {
  goal: 'A gobang (five in a row) game in Python with a Tk GUI',
  tasks: [
    task('spec', 'Game rules spec', 'analyst', [], ['docs/rules.md'], ['15x15 board', 'five in a row wins']),
    task('board', 'Board model', 'python developer', ['spec'], ['gobang/board.py'], ['detects five in a row', 'rejects occupied cells']),
    task('rules', 'Win and draw rules', 'python developer', ['board'], ['gobang/rules.py']),
    task('ai', 'Computer opponent', 'python developer', ['rules'], ['gobang/ai.py'], ['answers in under 1 s']),
    task('gui-canvas', 'Board canvas', 'gui developer', ['board'], ['gobang/gui/canvas.py']),
    task('gui-controls', 'Menus and controls', 'gui developer', ['spec'], ['gobang/gui/controls.py']),
    task('gui-app', 'Main window', 'gui developer', ['gui-canvas', 'gui-controls', 'rules'], ['gobang/gui/app.py']),
    task('save', 'Save and load games', 'python developer', ['board'], ['gobang/save.py']),
    task('tests-board', 'Board tests', 'tester', ['board'], ['tests/test_board.py']),
    task('tests-ai', 'AI tests', 'tester', ['ai'], ['tests/test_ai.py']),
    task('packaging', 'Packaging', 'developer', ['gui-app', 'save'], ['pyproject.toml']),
    task('readme', 'README', 'writer', ['gui-app', 'ai'], ['README.md']),
  ],
};

/** The statuses of the sample, one per task; every status occurs. */
export const SAMPLE_STATUSES: Readonly<Record<string, TaskStatus>> = {
  spec: 'passed',
  board: 'passed',
  rules: 'running',
  ai: 'pending',
  'gui-canvas': 'verifying',
  'gui-controls': 'unverified',
  'gui-app': 'pending',
  save: 'failed',
  'tests-board': 'ready',
  'tests-ai': 'blocked',
  packaging: 'cancelled',
  readme: 'pending',
};

/** The events of the sample run, in order. */
export function sampleEvents(): RunEvent[] {
  let t = T0;
  const at = (): { runId: string; ts: number } => ({ runId: RUN_ID, ts: (t += 1500) });
  const events: RunEvent[] = [
    { type: 'run.started', goal: SAMPLE_PLAN.goal, dir: '/home/user/gobang', ...at() },
    {
      type: 'decision', point: 'plan.candidate', choice: 'c2', mode: 'exploit', ...at(),
      reason: 'c2 has the highest parallelism (3.00); c1 ties on depth but has 3 more dependencies.',
      options: [
        { id: 'c1', tasks: 12, edges: 17, depth: 4, parallelism: 3, dependencyComplexity: 1.32 },
        { id: 'c2', tasks: 12, edges: 15, depth: 4, parallelism: 3, dependencyComplexity: 1.12 },
        { id: 'c3', tasks: 9, edges: 11, depth: 5, parallelism: 1.8, dependencyComplexity: 0.94 },
      ],
    },
    { type: 'plan.ready', plan: SAMPLE_PLAN, ...at() },
  ];
  for (const id of ['spec', 'board', 'gui-controls', 'save', 'gui-canvas', 'rules']) {
    events.push({ type: 'task.status', taskId: id, status: 'running', ...at() });
    events.push({ type: 'agent.started', taskId: id, role: SAMPLE_PLAN.tasks.find((x) => x.id === id)?.role ?? 'developer', agent: `${id}#1`, model: id.startsWith('gui') ? 'gpt-4.1-mini' : 'claude-sonnet-4', attempt: id === 'save' ? 2 : 1, ...at() });
    events.push({ type: 'decision', taskId: id, point: 'model.choice', choice: id.startsWith('gui') ? 'gpt-4.1-mini' : 'claude-sonnet-4', mode: id === 'save' ? 'explore' : 'exploit', reason: 'highest expected success per cost for this role', options: [
      { id: 'claude-sonnet-4', success: 0.91, cost: 0.012 },
      { id: 'gpt-4.1-mini', success: 0.84, cost: 0.002 },
    ], ...at() });
    events.push({ type: 'agent.text', taskId: id, delta: `Reading the plan for ${id}.\n\u001b[32mok\u001b[0m writing files...\n`, ...at() });
    const file = SAMPLE_PLAN.tasks.find((x) => x.id === id)?.files[0];
    if (file) {
      events.push({ type: 'agent.tool', taskId: id, tool: 'write_file', path: file, ok: true, ...at() });
      events.push({ type: 'file.staged', taskId: id, path: file, change: 'created', bytes: 1200 + id.length * 37, ...at() });
    }
    events.push({ type: 'usage', taskId: id, role: 'agent', model: 'claude-sonnet-4', inputTokens: 5200, outputTokens: 1800, cost: 0.041, ...at() });
  }
  events.push({ type: 'agent.tool', taskId: 'save', tool: 'write_file', path: '.env', ok: false, error: 'protected path', ...at() });
  events.push({ type: 'write.refused', taskId: 'save', path: '.env', reason: 'protected path', ...at() });
  // The second attempt looks the function up, reads around it and edits it: what the details pane shows legibly.
  events.push({ type: 'agent.tool', taskId: 'save', tool: 'search', ok: true, summary: 'search "def save_game" → 1 match', ...at() });
  events.push({ type: 'agent.tool', taskId: 'save', tool: 'read_file', path: 'gobang/save.py', ok: true, summary: 'read gobang/save.py:1-17', ...at() });
  events.push({ type: 'agent.tool', taskId: 'save', tool: 'edit_file', path: 'gobang/save.py', ok: true, summary: 'edit gobang/save.py (+4 −3)', diff: unifiedDiff('gobang/save.py', SAVE_BEFORE, SAVE_AFTER), ...at() });
  events.push({ type: 'agent.tool', taskId: 'save', tool: 'write_file', path: 'tests/test_save.py', ok: true, summary: 'write tests/test_save.py (new file, 24 lines)', ...at() });
  events.push({ type: 'agent.tool', taskId: 'save', tool: 'run_checks', ok: true, summary: 'run_checks: 1 problem in gobang/save.py', ...at() });
  events.push({ type: 'task.verified', taskId: 'spec', outcome: 'passed', findings: [], ...at() });
  events.push({ type: 'task.verified', taskId: 'board', outcome: 'passed', findings: [], ...at() });
  events.push({ type: 'task.verified', taskId: 'gui-controls', outcome: 'unverified', findings: [{ message: 'python3-tk is not installed: the GUI check could not run', tool: 'python3' }], ...at() });
  events.push({ type: 'task.verified', taskId: 'save', outcome: 'failed', findings: [
    { file: 'gobang/save.py', line: 42, message: "NameError: name 'json' is not defined", tool: 'python3' },
    { file: 'gobang/save.py', line: 7, message: 'unused import os', tool: 'pyflakes' },
  ], ...at() });
  events.push({ type: 'decision', taskId: 'save', point: 'failure.action', choice: 'replan', mode: 'rule', reason: 'second failure of the same task: re-plan it locally', options: [{ id: 'retry', p: 0.31 }, { id: 'replan', p: 0.58 }], ...at() });
  events.push({ type: 'patch', taskId: 'spec', state: 'applied', files: ['docs/rules.md'], ...at() });
  events.push({ type: 'patch', taskId: 'board', state: 'proposed', files: ['gobang/board.py'], ...at() });
  events.push({ type: 'log', level: 'info', message: 'Planner chose candidate c2 of 3.', ...at() });
  events.push({ type: 'log', level: 'warn', message: 'python3-tk missing: GUI checks are skipped, tasks stay unverified.', ...at() });
  for (const [id, status] of Object.entries(SAMPLE_STATUSES)) {
    events.push({ type: 'task.status', taskId: id, status, ...at(), ...(status === 'blocked' ? { reason: 'dependency ai cannot start' } : {}) });
  }
  events.push({ type: 'agent.text', taskId: 'rules', delta: 'def five_in_a_row(board, move):\n    # scan the four directions through the move\n', ...at() });
  return events;
}

/** The sample as a view state. */
export function sampleState(): RunViewState {
  return applyEvents(emptyViewState(), sampleEvents());
}
