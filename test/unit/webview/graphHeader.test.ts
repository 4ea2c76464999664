import assert from 'node:assert/strict';
import { GraphApp } from '../../../src/webview/graphApp';
import { applyEvent, applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState } from '../../../src/protocol/viewState';
import { formatElapsed } from '../../../src/webview/format';
import { makeDocument } from './dom';
import { RUN_ID, SAMPLE_PLAN, sampleEvents, sampleState } from './sampleRun';

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

describe('webview: graph while planning and after a cancel', () => {
  const started = { type: 'run.started' as const, runId: 'run-plan', ts: 1_780_000_000_000, goal: 'Build a gobang game', dir: '/w' };
  function app() {
    const { window, root } = makeDocument();
    const graph = new GraphApp(root, { post: () => undefined, getState: () => undefined, setState: () => undefined });
    return { window, root, graph };
  }
  const text = (root: HTMLElement, sel: string): string => root.querySelector(sel)?.textContent ?? '';

  it('says "Planning…" with the sidebar’s elapsed time, not "No plan yet" or 0', () => {
    const { window, root, graph } = app();
    assert.equal(text(root, '.empty-title'), 'No plan yet', 'before any run');
    graph.receive({ type: 'events', events: [started] });
    graph.render();
    graph.tick(started.ts + 75_000);
    assert.equal(text(root, '.empty-title'), 'Planning…');
    assert.equal(root.querySelector<HTMLElement>('.empty-state')?.hidden, false);
    assert.equal(text(root, '.empty-elapsed'), formatElapsed(75_000), 'the same formatting as the sidebar');
    assert.equal(text(root, '.empty-elapsed'), '1m 15s');
    assert.match(text(root, '.toolbar-progress'), /^planning · .* · 1m 15s$/);
    assert.doesNotMatch(text(root, '.toolbar-progress'), /settled/, 'no 0/0 settled while there is no plan');
    // The clock moves on every tick of the page's timer.
    graph.tick(started.ts + 76_000);
    assert.equal(text(root, '.empty-elapsed'), '1m 16s');
    assert.equal(root.querySelector<HTMLElement>('.empty-state button')?.hidden, true, 'no New Task while the planner works');
    void window.happyDOM.close();
  });

  it('shows the planning failure with its reason, not "No plan yet"', () => {
    const { window, root, graph } = app();
    graph.receive({ type: 'events', events: [started, { type: 'run.finished', runId: 'run-plan', ts: started.ts + 5000, exitCode: 1, status: 'failed', reason: 'cannot reach http://127.0.0.1:9/v1: connection refused' }] });
    graph.render();
    assert.equal(text(root, '.empty-title'), 'Planning failed');
    assert.equal(text(root, '.empty-text'), 'cannot reach http://127.0.0.1:9/v1: connection refused');
    assert.ok(root.querySelector('.empty-state .codicon-error'));
    assert.equal(text(root, '.empty-elapsed'), '', 'no running clock after the failure');
    assert.match(text(root, '.toolbar-progress'), /^failed · /);
    assert.equal(root.querySelector<HTMLButtonElement>('.toolbar button')?.disabled, true, 'Cancel is off');
    void window.happyDOM.close();
  });

  it('a cancel mid-plan says so; a cancel mid-run counts cancelled tasks apart ("2/6 settled · 4 cancelled")', () => {
    const { window, root, graph } = app();
    graph.receive({ type: 'events', events: [started, { type: 'run.finished', runId: 'run-plan', ts: started.ts + 5000, exitCode: 130, status: 'cancelled' }] });
    graph.render();
    assert.equal(text(root, '.empty-title'), 'Cancelled before a plan was ready');
    let state = sampleState();
    const open = SAMPLE_PLAN.tasks.filter((t) => !['passed', 'unverified', 'failed', 'blocked', 'cancelled'].includes(state.statuses[t.id] ?? 'pending'));
    for (const t of open) state = applyEvent(state, { type: 'task.status', runId: RUN_ID, ts: 9e12, taskId: t.id, status: 'cancelled' });
    state = applyEvent(state, { type: 'run.finished', runId: RUN_ID, ts: 9e12 + 1, exitCode: 130, status: 'cancelled' });
    graph.receive({ type: 'snapshot', state, selectedTaskId: null });
    graph.render();
    const total = SAMPLE_PLAN.tasks.length;
    const cancelled = Object.values(state.statuses).filter((s) => s === 'cancelled').length;
    assert.ok(cancelled > 1);
    const header = text(root, '.toolbar-progress');
    assert.ok(header.startsWith(`cancelled · ${total - cancelled}/${total} settled · ${cancelled} cancelled`), header);
    assert.equal(root.querySelector<HTMLElement>('.empty-state')?.hidden, true);
    void window.happyDOM.close();
  });

  it('a run the window\'s closing stopped reads "interrupted" in the header, as in the sidebar, once the host says it can be resumed', () => {
    const { window, root, graph } = app();
    let state = sampleState();
    state = applyEvent(state, { type: 'run.finished', runId: RUN_ID, ts: 9e12 + 1, exitCode: 130, status: 'cancelled' });
    graph.receive({ type: 'snapshot', state, selectedTaskId: null });
    graph.render();
    assert.match(text(root, '.toolbar-progress'), /^cancelled · /, 'a cancel the user made, or no word from the host yet');
    graph.receive({ type: 'context', context: { trusted: true, model: 'm', phase: 'idle', resumable: { runId: RUN_ID, interrupted: true } } });
    graph.render();
    assert.match(text(root, '.toolbar-progress'), /^interrupted · /);
    // Another run's resumable state says nothing about this one.
    graph.receive({ type: 'context', context: { trusted: true, model: 'm', phase: 'idle', resumable: { runId: 'another-run', interrupted: true } } });
    graph.render();
    assert.match(text(root, '.toolbar-progress'), /^cancelled · /);
    void window.happyDOM.close();
  });

  it('a new run after zooming into the last one starts fitted, not where the old zoom left it', () => {
    const { window, root, graph } = app();
    graph.receive({ type: 'snapshot', state: sampleState(), selectedTaskId: null });
    graph.render();
    const frame = root.querySelector<HTMLElement>('.graph');
    assert.ok(frame);
    // happy-dom does no layout: give the frame a size, as a visible panel has.
    Object.defineProperty(frame, 'clientWidth', { configurable: true, value: 1000 });
    Object.defineProperty(frame, 'clientHeight', { configurable: true, value: 600 });
    const buttonNamed = (label: string): HTMLButtonElement | undefined => [...root.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === label);
    const zoom = buttonNamed('Zoom in');
    assert.ok(zoom, 'zoom-in button');
    buttonNamed('Fit to view')?.click();
    const fitted = root.querySelector<HTMLElement>('.graph-viewport')?.style.transform;
    for (let i = 0; i < 6; i++) zoom.click();
    const viewport = root.querySelector<HTMLElement>('.graph-viewport');
    assert.notEqual(viewport?.style.transform, fitted, 'zoomed in');
    // The same plan again in a new run (same shape: no relayout would happen on its own).
    const again = applyEvents(emptyViewState(), sampleEvents().map((e) => ({ ...e, runId: 'run-2' })));
    graph.receive({ type: 'snapshot', state: again, selectedTaskId: null });
    graph.render();
    assert.equal(viewport?.style.transform, fitted);
    void window.happyDOM.close();
  });
});
