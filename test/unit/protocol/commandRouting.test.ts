import assert from 'node:assert/strict';
import type { WebviewCommand } from '../../../src/protocol/messages';
import { RunViewStore } from '../../../src/protocol/runViewSource';
import { routeWebviewCommand, type GraphViewActions } from '../../../src/vscode/graphPanelCommands';
import { sampleEvents } from '../webview/sampleRun';

function harness() {
  const store = new RunViewStore();
  for (const e of sampleEvents()) store.push(e);
  const calls: string[] = [];
  const warnings: string[] = [];
  let selected: string | null = 'none';
  const record = (name: string) => (...args: unknown[]) => {
    calls.push([name, ...args].join(' '));
  };
  const actions: GraphViewActions = {
    newTask: record('newTask'), showGraph: record('showGraph'), cancelRun: record('cancelRun'), reviewChanges: record('reviewChanges'),
    acceptAllVerified: record('acceptAllVerified'), acceptTask: record('acceptTask'), rejectTask: record('rejectTask'), openDiff: record('openDiff'),
  };
  const route = (c: WebviewCommand) => routeWebviewCommand(c, {
    source: store, actions, warn: (m) => warnings.push(m), setSelected: (id) => {
      selected = id;
    },
  });
  return { route, calls, warnings, selected: () => selected };
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

  it('routes the run-wide actions', () => {
    const h = harness();
    for (const type of ['cancelRun', 'newTask', 'reviewChanges', 'acceptAllVerified'] as const) h.route({ type });
    assert.deepEqual(h.calls, ['cancelRun', 'newTask', 'reviewChanges', 'acceptAllVerified']);
  });
});
