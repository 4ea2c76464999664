import assert from 'node:assert/strict';
import { GraphApp } from '../../../src/webview/graphApp';
import { makeDocument } from './dom';
import { sampleState } from './sampleRun';

describe('webview: graph header', () => {
  it('names the project rule files the run gave its models (the run-level context.rules decision)', () => {
    const { window, root } = makeDocument();
    const app = new GraphApp(root, { post: () => undefined, getState: () => undefined, setState: () => undefined });
    const state = sampleState();
    app.receive({ type: 'snapshot', state, selectedTaskId: null });
    app.render();
    assert.equal(root.querySelector('.toolbar-rules')?.textContent, '', 'nothing before the run records its rules');
    const rules = { ts: 1, point: 'context.rules', options: [{ id: 'AGENTS.md' }, { id: 'src/AGENTS.md' }], choice: 'AGENTS.md, src/AGENTS.md', mode: 'rule' as const, reason: 'read 2 project rule files (90 characters)' };
    app.receive({ type: 'snapshot', state: { ...state, decisions: [rules, ...state.decisions] }, selectedTaskId: null });
    app.render();
    const line = root.querySelector('.toolbar-rules');
    assert.equal(line?.textContent, 'Project rules: AGENTS.md, src/AGENTS.md');
    assert.equal(line?.getAttribute('title'), 'read 2 project rule files (90 characters)');
    void window.happyDOM.close();
  });
});
