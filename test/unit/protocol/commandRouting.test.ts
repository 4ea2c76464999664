import assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/core/run/events';
import { parseWebviewCommand, type WebviewCommand } from '../../../src/protocol/messages';
import { RunViewStore } from '../../../src/protocol/runViewSource';
import { routeWebviewCommand, type GraphViewActions } from '../../../src/vscode/graphPanelCommands';
import { RUN_ID, sampleEvents } from '../webview/sampleRun';

function harness(extra: RunEvent[] = []) {
  const store = new RunViewStore();
  for (const e of [...sampleEvents(), ...extra]) store.push(e);
  const calls: string[] = [];
  const warnings: string[] = [];
  let selected: string | null = 'none';
  const record = (name: string) => (...args: unknown[]) => {
    calls.push([name, ...args].join(' '));
  };
  const actions: GraphViewActions = {
    newTask: record('newTask'), showGraph: record('showGraph'), cancelRun: record('cancelRun'), reviewChanges: record('reviewChanges'),
    acceptAllVerified: record('acceptAllVerified'), acceptTask: record('acceptTask'), rejectTask: record('rejectTask'), openDiff: record('openDiff'),
    resumeRun: record('resumeRun'), selectModel: record('selectModel'), runPlanFile: record('runPlanFile'), manageTrust: record('manageTrust'),
    retryTask: record('retryTask'), editTask: record('editTask'),
    planRun: record('planRun'), planReplan: record('planReplan'), planEdit: record('planEdit'),
    undoAccept: record('undoAccept'), undoReject: record('undoReject'), resolveConflict: record('resolveConflict'), rerunTask: record('rerunTask'),
  };
  const route = (c: WebviewCommand) => routeWebviewCommand(c, {
    source: store, actions, warn: (m) => warnings.push(m), setSelected: (id) => {
      selected = id;
    },
  });
  return { route, calls, warnings, selected: () => selected, store };
}

describe('host: routing webview commands', () => {
  it('opens a diff only for a file the task staged', () => {
    const h = harness();
    assert.equal(h.route({ type: 'openDiff', taskId: 'board', path: 'gobang/board.py' }), true);
    assert.equal(h.route({ type: 'openDiff', taskId: 'board', path: 'gobang/rules.py' }), false);
    assert.equal(h.route({ type: 'openDiff', taskId: 'nosuch', path: 'gobang/board.py' }), false);
    assert.deepEqual(h.calls, ['openDiff board gobang/board.py']);
    assert.equal(h.warnings.length, 2);
  });

  it('acts on tasks of the current plan only', () => {
    const h = harness();
    assert.equal(h.route({ type: 'acceptTask', taskId: 'board' }), true);
    assert.equal(h.route({ type: 'rejectTask', taskId: 'ghost' }), false);
    assert.equal(h.route({ type: 'selectTask', taskId: 'ghost' }), false);
    assert.equal(h.route({ type: 'selectTask', taskId: 'save' }), true);
    assert.equal(h.selected(), 'save');
    assert.equal(h.route({ type: 'showGraph', taskId: 'rules' }), true);
    assert.equal(h.selected(), 'rules');
    assert.deepEqual(h.calls, ['acceptTask board', 'showGraph rules']);
  });

  it('routes Undo Accept / Undo Reject for tasks of the current plan only', () => {
    const h = harness();
    assert.equal(h.route({ type: 'undoAccept', taskId: 'spec' }), true);
    assert.equal(h.route({ type: 'undoReject', taskId: 'board' }), true);
    assert.equal(h.route({ type: 'undoAccept', taskId: 'ghost' }), false);
    assert.equal(h.route({ type: 'resolveConflict', taskId: 'board' }), true);
    assert.equal(h.route({ type: 'rerunTask', taskId: 'board' }), true);
    assert.equal(h.route({ type: 'rerunTask', taskId: 'ghost' }), false);
    assert.deepEqual(h.calls, ['undoAccept spec', 'undoReject board', 'resolveConflict board', 'rerunTask board']);
    assert.equal(h.warnings.length, 2);
  });

  it('routes the run-wide actions', () => {
    const h = harness();
    for (const type of ['cancelRun', 'newTask', 'reviewChanges', 'acceptAllVerified'] as const) h.route({ type });
    assert.deepEqual(h.calls, ['cancelRun', 'newTask', 'reviewChanges', 'acceptAllVerified']);
  });

  it('routes the sidebar\'s setup links, and Resume only for the run shown (never an id from the page)', () => {
    const h = harness();
    for (const type of ['selectModel', 'runPlanFile', 'manageTrust', 'resumeRun'] as const) h.route({ type });
    const runId = h.store.snapshot().run?.runId;
    assert.ok(runId);
    assert.deepEqual(h.calls, ['selectModel', 'runPlanFile', 'manageTrust', `resumeRun ${runId}`]);
    // A page cannot name another run, or a command: the schema refuses extra keys.
    assert.equal(parseWebviewCommand({ type: 'resumeRun', runId: '../other' }).ok, false);
    assert.equal(parseWebviewCommand({ type: 'manageTrust', command: 'workbench.action.terminal.new' }).ok, false);
    const empty = harness();
    const blank = routeWebviewCommand({ type: 'resumeRun' }, { source: new RunViewStore(), actions: {} as GraphViewActions, warn: (m) => empty.warnings.push(m), setSelected: () => undefined });
    assert.equal(blank, false, 'no run shown: nothing to resume');
    assert.match(empty.warnings[0] ?? '', /refused resumeRun: no run is shown/);
  });

  it('retries a failed task of a finished run (a resume of that run), and edits the run\'s task text', () => {
    const h = harness();
    assert.equal(h.route({ type: 'retryTask', taskId: 'save' }), false, 'not while the run is going');
    h.store.push({ type: 'run.finished', runId: RUN_ID, ts: 9e12, exitCode: 1, status: 'failed' });
    assert.equal(h.route({ type: 'retryTask', taskId: 'save' }), true);
    assert.equal(h.route({ type: 'retryTask', taskId: 'board' }), false, 'a passed task is not retried');
    assert.equal(h.route({ type: 'retryTask', taskId: 'ghost' }), false);
    assert.equal(h.route({ type: 'editTask', taskId: 'save' }), true);
    assert.deepEqual(h.calls, [`retryTask ${RUN_ID} save`, 'editTask A gobang (five in a row) game in Python with a Tk GUI']);
    assert.equal(h.warnings.length, 3);
  });

  it('routes the plan gate\'s answers only while a plan waits for review', () => {
    const idle = harness();
    assert.equal(idle.route({ type: 'planRun' }), false);
    assert.equal(idle.route({ type: 'planReplan', feedback: 'fewer tasks' }), false);
    assert.deepEqual(idle.calls, []);
    const runId = idle.store.snapshot().run?.runId ?? '';
    const plan = idle.store.snapshot().plan ?? { tasks: [] };
    const waiting = harness([
      { type: 'run.started', runId: 'gated', ts: 10, dir: '/w' },
      { type: 'plan.review.waiting', runId: 'gated', ts: 11, plan, round: 1 },
    ]);
    assert.ok(runId);
    assert.equal(waiting.route({ type: 'planReplan', feedback: 'fewer tasks' }), true);
    assert.equal(waiting.route({ type: 'planEdit' }), true);
    assert.equal(waiting.route({ type: 'planRun' }), true);
    assert.deepEqual(waiting.calls, ['planReplan fewer tasks', 'planEdit', 'planRun']);
    waiting.store.push({ type: 'plan.review.decided', runId: 'gated', ts: 12, action: 'run', round: 1 });
    assert.equal(waiting.route({ type: 'planRun' }), false, 'answered already');
  });
});
