import assert from 'node:assert/strict';
import { SidebarApp } from '../../../src/webview/sidebarApp';
import { makeDocument } from './dom';
import { sampleState } from './sampleRun';

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
});
