import assert from 'node:assert/strict';
import type { PatchState } from '../../../src/core/run/events';
import { applyEvent } from '../../../src/protocol/reducer';
import { GraphView } from '../../../src/webview/graphView';
import { SidebarApp } from '../../../src/webview/sidebarApp';
import { makeDocument } from './dom';
import { RUN_ID, sampleState } from './sampleRun';

const STATES: [PatchState, string][] = [
  ['proposed', 'to review'],
  ['applied', 'applied'],
  ['merged', 'merged'],
  ['rejected', 'rejected'],
  ['conflicted', 'conflicted'],
  ['conflicted-markers', 'markers to resolve'],
];

function withPatch(state: PatchState, files = ['board.py']) {
  return applyEvent(sampleState(), { type: 'patch', taskId: 'board', state, files, runId: RUN_ID, ts: 9e12 });
}

describe('webview: patch state badges on graph nodes and sidebar rows', () => {
  it('each patch state shows its badge (text and class) on the node, and in its label for screen readers', () => {
    const { root } = makeDocument();
    const view = new GraphView(root, { onSelect: () => undefined });
    for (const [state, label] of STATES) {
      view.update(withPatch(state));
      const node = view.nodeElement('board');
      const badge = node?.querySelector('.patch-badge');
      assert.equal(badge?.textContent, label, state);
      assert.ok(badge?.classList.contains(`patch-${state}`), state);
      assert.equal(badge?.hasAttribute('hidden'), false);
      assert.match(node?.getAttribute('aria-label') ?? '', new RegExp(`changes ${label}$`));
    }
    // No files to review: no badge.
    view.update(withPatch('proposed', []));
    assert.equal(view.nodeElement('board')?.querySelector('.patch-badge')?.hasAttribute('hidden'), true);
  });

  it('the sidebar row shows the badge and re-renders when only the patch state changes (a decision)', () => {
    const { root } = makeDocument();
    const app = new SidebarApp(root, { post: () => undefined });
    const row = () => [...root.querySelectorAll('.task-row')].find((r) => r.querySelector('.task-title')?.textContent === 'Board model');
    const proposed = withPatch('proposed');
    app.receive({ type: 'snapshot', state: proposed, selectedTaskId: null });
    assert.equal(row()?.querySelector('.patch-badge')?.textContent, 'to review');
    const merged = applyEvent(proposed, { type: 'patch', taskId: 'board', state: 'merged', files: ['board.py'], runId: RUN_ID, ts: 9e12 + 1 });
    assert.equal(merged.statuses, proposed.statuses, 'the statuses did not change');
    app.receive({ type: 'snapshot', state: merged, selectedTaskId: null });
    assert.equal(row()?.querySelector('.patch-badge')?.textContent, 'merged');
    assert.ok(row()?.querySelector('.patch-badge')?.classList.contains('patch-merged'));
  });

  it('a decided row has its Undo button (Undo Accept / Undo Reject), which posts the undo for that task', () => {
    const { root } = makeDocument();
    const posted: unknown[] = [];
    const app = new SidebarApp(root, { post: (c) => posted.push(c) });
    const undoOf = () => [...root.querySelectorAll('.task-item')].find((r) => r.querySelector('.task-title')?.textContent === 'Board model')?.querySelector('.undo-action') as HTMLButtonElement | undefined;
    app.receive({ type: 'snapshot', state: withPatch('proposed'), selectedTaskId: null });
    assert.equal(undoOf(), undefined, 'nothing to undo before a decision');
    app.receive({ type: 'snapshot', state: withPatch('merged'), selectedTaskId: null });
    assert.match(undoOf()?.textContent ?? '', /^Undo Accept/);
    undoOf()?.click();
    app.receive({ type: 'snapshot', state: withPatch('rejected'), selectedTaskId: null });
    assert.match(undoOf()?.textContent ?? '', /^Undo Reject/);
    undoOf()?.click();
    assert.deepEqual(posted, [{ type: 'undoAccept', taskId: 'board' }, { type: 'undoReject', taskId: 'board' }]);
  });
});
