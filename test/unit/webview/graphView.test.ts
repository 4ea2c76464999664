import assert from 'node:assert/strict';
import type { TaskStatus } from '../../../src/core/run/events';
import { applyEvent } from '../../../src/protocol/reducer';
import { GraphView } from '../../../src/webview/graphView';
import { layoutPlan, quickLayout, SYNC_LAYOUT_MAX } from '../../../src/webview/layout';
import { STATUS_LOOK } from '../../../src/webview/status';
import { DANGEROUS, elementsWithHandlers, makeDocument } from './dom';
import { generatedPlan, stateOf } from './sampleLarge';
import { RUN_ID, SAMPLE_PLAN, SAMPLE_STATUSES, sampleState } from './sampleRun';

const HOSTILE = '<img src=x onerror=alert(1)>';

function setup() {
  const { document, root } = makeDocument();
  const selected: string[] = [];
  const view = new GraphView(root, { onSelect: (id) => selected.push(id) });
  return { document, root, view, selected };
}

describe('webview: graph view', () => {
  it('renders each status with its class and codicon', () => {
    const { view } = setup();
    view.update(sampleState());
    const seen = new Set<TaskStatus>();
    for (const [id, status] of Object.entries(SAMPLE_STATUSES)) {
      const node = view.nodeElement(id);
      assert.ok(node, id);
      assert.ok(node.classList.contains(`status-${status}`), `${id} has status-${status}`);
      assert.equal([...node.classList].filter((c) => c.startsWith('status-')).length, 1);
      const icon = node.querySelector('.status-icon');
      assert.ok(icon?.classList.contains(`codicon-${STATUS_LOOK[status].icon}`), `${id} icon`);
      assert.equal(icon?.classList.contains('codicon-modifier-spin'), status === 'running');
      seen.add(status);
    }
    assert.equal(seen.size, 9, 'the sample shows every status');
  });

  it('highlights the critical path (nodes and edges)', () => {
    const { view, root } = setup();
    const state = sampleState();
    view.update(state);
    for (const t of SAMPLE_PLAN.tasks) {
      assert.equal(view.nodeElement(t.id)?.classList.contains('critical'), state.criticalPath.includes(t.id), t.id);
    }
    const critical = [...root.querySelectorAll('path.edge.critical')].map((p) => `${p.getAttribute('data-from')}->${p.getAttribute('data-to')}`);
    assert.deepEqual(critical.sort(), ['board->gui-canvas', 'gui-app->packaging', 'gui-canvas->gui-app', 'spec->board']);
  });

  it('updates in place: the same DOM node for every task, no relayout without a plan change', () => {
    const { view, root } = setup();
    let state = sampleState();
    view.update(state);
    const before = new Map(SAMPLE_PLAN.tasks.map((t) => [t.id, view.nodeElement(t.id)]));
    const layout = view.currentLayout();
    const edgeBefore = root.querySelector('path.edge');
    state = applyEvent(state, { type: 'task.status', taskId: 'ai', status: 'running', runId: RUN_ID, ts: 9e12 });
    state = applyEvent(state, { type: 'agent.text', taskId: 'rules', delta: 'more', runId: RUN_ID, ts: 9e12 + 1 });
    view.update(state);
    for (const [id, el] of before) assert.equal(view.nodeElement(id), el, id);
    assert.equal(view.currentLayout(), layout, 'layout object kept');
    assert.equal(root.querySelector('path.edge'), edgeBefore);
    assert.ok(view.nodeElement('ai')?.classList.contains('status-running'));
    assert.ok(!view.nodeElement('ai')?.classList.contains('status-pending'));
  });

  it('relayouts when the plan changes, keeping the nodes of surviving tasks', () => {
    const { view } = setup();
    const state = sampleState();
    view.update(state);
    const board = view.nodeElement('board');
    const layout = view.currentLayout();
    const plan = { ...SAMPLE_PLAN, tasks: [...SAMPLE_PLAN.tasks.filter((t) => t.id !== 'readme'), { id: 'docs', title: 'Docs', objective: 'd', role: 'writer', deps: ['gui-app'], files: [], acceptance: [] }] };
    const next = applyEvent(state, { type: 'plan.updated', taskId: 'readme', reason: 'split', changed: [], added: ['docs'], removed: ['readme'], plan, runId: RUN_ID, ts: 9e12 });
    view.update(next);
    assert.notEqual(view.currentLayout(), layout);
    assert.equal(view.nodeElement('board'), board);
    assert.equal(view.nodeElement('readme'), undefined);
    assert.ok(view.nodeElement('docs'));
  });

  it('shows hostile titles as text only', () => {
    const { view, root } = setup();
    const plan = { tasks: [{ id: 'x', title: HOSTILE, objective: '<script>alert(1)</script>', role: '<svg onload=alert(1)>', deps: [], files: [], acceptance: [] }] };
    let state = applyEvent(sampleState(), { type: 'run.started', dir: '/w', runId: 'r2', ts: 1 });
    state = applyEvent(state, { type: 'plan.ready', plan, runId: 'r2', ts: 2 });
    view.update(state);
    assert.equal(root.querySelectorAll(DANGEROUS).length, 0);
    assert.equal(elementsWithHandlers(root).length, 0);
    assert.equal(view.nodeElement('x')?.querySelector('.node-title')?.textContent, HOSTILE);
  });

  it('moves focus along edges and layers with the arrow keys; Enter selects', () => {
    const { document, view, selected } = setup();
    view.update(sampleState());
    const spec = view.nodeElement('spec');
    assert.ok(spec);
    assert.equal(spec.getAttribute('tabindex'), '0', 'the first source is in the tab order');
    const key = (el: Element, k: string) => el.dispatchEvent(new (document.defaultView as unknown as typeof globalThis).KeyboardEvent('keydown', { key: k, bubbles: true }));
    spec.focus();
    key(spec, 'ArrowDown');
    const afterDown = document.activeElement?.getAttribute('data-task-id');
    assert.ok(afterDown === 'board' || afterDown === 'gui-controls', `down from spec went to ${afterDown}`);
    const current = document.activeElement as Element;
    key(current, 'ArrowUp');
    assert.equal(document.activeElement?.getAttribute('data-task-id'), 'spec');
    key(document.activeElement as Element, 'Enter');
    assert.deepEqual(selected, ['spec']);
    assert.equal(spec.getAttribute('tabindex'), '0');
    assert.equal([...document.querySelectorAll('.node[tabindex="0"]')].length, 1, 'roving tabindex');
  });

  it('marks the selection and clicking selects', () => {
    const { view, selected } = setup();
    view.update(sampleState());
    view.nodeElement('save')?.click();
    assert.deepEqual(selected, ['save']);
    view.select('save');
    assert.ok(view.nodeElement('save')?.classList.contains('selected'));
    assert.equal(view.nodeElement('save')?.getAttribute('aria-pressed'), 'true');
    view.select('rules');
    assert.ok(!view.nodeElement('save')?.classList.contains('selected'));
  });
});

describe('webview: a large plan is drawn at once, then laid out by dagre', () => {
  it(`over ${SYNC_LAYOUT_MAX} tasks: the layered quick layout first, dagre's right after, the same DOM nodes moved`, async () => {
    const { window, root } = makeDocument();
    const view = new GraphView(root, { onSelect: () => undefined });
    const plan = generatedPlan(SYNC_LAYOUT_MAX + 40);
    view.update(stateOf(plan));
    const frame = root.querySelector<HTMLElement>('.graph');
    assert.equal(frame?.dataset.layout, 'quick');
    assert.deepEqual(view.currentLayout()?.nodes.get('t50'), quickLayout(plan).nodes.get('t50'));
    const node = view.nodeElement('t50');
    await window.happyDOM.waitUntilComplete();
    assert.equal(frame?.dataset.layout, 'final');
    const final = layoutPlan(plan).nodes.get('t50')!;
    assert.deepEqual(view.currentLayout()?.nodes.get('t50'), final);
    assert.equal(view.nodeElement('t50'), node, 'the node is moved, not redrawn');
    assert.equal(node?.style.left, `${final.x}px`);
    assert.equal(root.querySelectorAll('path.edge').length, plan.tasks.reduce((k, t) => k + t.deps.length, 0));
    void window.happyDOM.close();
  });

  it('a plan replaced before dagre ran keeps the new plan (the stale layout is dropped)', async () => {
    const { window, root } = makeDocument();
    const view = new GraphView(root, { onSelect: () => undefined });
    view.update(stateOf(generatedPlan(SYNC_LAYOUT_MAX + 40)));
    view.update(sampleState());
    await window.happyDOM.waitUntilComplete();
    assert.equal(view.currentLayout()?.nodes.size, SAMPLE_PLAN.tasks.length);
    assert.equal(root.querySelector<HTMLElement>('.graph')?.dataset.layout, 'final');
    void window.happyDOM.close();
  });
});
