import assert from 'node:assert/strict';
import { SidebarApp } from '../../../src/webview/sidebarApp';
import { makeDocument } from './dom';
import { applyEvent } from '../../../src/protocol/reducer';
import { progressOf } from '../../../src/webview/status';
import { RUN_ID, sampleState } from './sampleRun';

describe('webview: sidebar', () => {
  it('marks a task that needed more than one attempt, in its row and its graph node', () => {
    const { root } = makeDocument();
    const app = new SidebarApp(root, { post: () => undefined });
    app.receive({ type: 'snapshot', state: sampleState(), selectedTaskId: null });
    const rows = [...root.querySelectorAll('.task-row')];
    const save = rows.find((r) => r.querySelector('.task-title')?.textContent === 'Save and load games');
    assert.equal(save?.querySelector('.task-status')?.textContent, 'Failed · try 2');
    const board = rows.find((r) => r.querySelector('.task-title')?.textContent === 'Board model');
    assert.equal(board?.querySelector('.task-status')?.textContent, 'Passed');
    // The attempt comes before the role, so an ellipsis cuts the role, not the attempt.
    assert.equal(root.querySelector('.node[data-task-id="save"] .node-meta')?.textContent, 'save · try 2 · python developer');
  });

  it('after a cancel, cancelled tasks are not counted as settled work: no "6/6 settled" with a full bar', () => {
    let state = sampleState();
    const open = (state.plan?.tasks ?? []).filter((t) => !['passed', 'unverified', 'failed', 'blocked'].includes(state.statuses[t.id] ?? 'pending'));
    assert.ok(open.length > 0);
    for (const t of open) state = applyEvent(state, { type: 'task.status', runId: RUN_ID, ts: 9e12, taskId: t.id, status: 'cancelled' });
    const total = state.plan?.tasks.length ?? 0;
    const { root } = makeDocument();
    const app = new SidebarApp(root, { post: () => undefined });
    app.receive({ type: 'snapshot', state, selectedTaskId: null });
    const bar = root.querySelector('progress.run-progress') as HTMLProgressElement | null;
    assert.equal(Number(bar?.getAttribute('max') ?? bar?.max), total);
    assert.equal(Number(bar?.value), total - open.length);
    assert.ok(root.textContent?.includes(`${total - open.length}/${total} settled · ${open.length} cancelled`), root.textContent ?? '');
    assert.equal(progressOf(['passed', 'cancelled', 'cancelled']).text, '1/3 settled · 2 cancelled');
  });
});
