import assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/core/run/events';
import type { WebviewCommand } from '../../../src/protocol/messages';
import { defaultWorkbenchContext } from '../../../src/protocol/workbenchContext';
import { GraphApp } from '../../../src/webview/graphApp';
import { SidebarApp } from '../../../src/webview/sidebarApp';
import { makeDocument } from './dom';

const runId = 'gated';
const plan = {
  tasks: [
    { id: 'board', title: 'Board', objective: 'the board', role: 'developer', files: ['board.py'], acceptance: [], deps: [] },
    { id: 'ui', title: 'UI', objective: 'the UI', role: 'developer', files: ['ui.py'], acceptance: [], deps: ['board'] },
  ],
};
const waiting: RunEvent[] = [
  { type: 'run.started', runId, ts: 1, goal: 'a game', dir: '/w' },
  { type: 'plan.review.waiting', runId, ts: 2, plan, round: 1, chosen: 2, candidates: 3 },
];

describe('webview: the plan gate bar (graph panel and sidebar)', () => {
  it('graph: says the plan waits, with its shape and the chosen candidate; Run, Edit and Re-plan with the typed feedback post their commands', () => {
    const { window, root } = makeDocument();
    const posted: WebviewCommand[] = [];
    const app = new GraphApp(root, { post: (c) => posted.push(c), getState: () => undefined, setState: () => undefined });
    app.receive({ type: 'events', events: waiting });
    app.render();
    const bar = root.querySelector<HTMLElement>('.plan-gate');
    assert.ok(bar && !bar.hidden, 'the gate is shown');
    assert.equal(bar.querySelector('.plan-gate-title')?.textContent, 'Waiting for your review of the plan');
    assert.match(bar.querySelector('.plan-gate-detail')?.textContent ?? '', /^Plan 1: 2 tasks, depth 2, parallelism 1\.00 · candidate 2 of 3 chosen/);
    // The graph draws the plan under review.
    assert.deepEqual([...root.querySelectorAll('.node[data-task-id]')].map((n) => n.getAttribute('data-task-id')).sort(), ['board', 'ui']);

    const buttons = [...bar.querySelectorAll('button')];
    const byLabel = (label: string) => buttons.find((b) => b.textContent === label);
    const replan = byLabel('Re-plan with Feedback');
    assert.ok(replan?.disabled, 'no feedback typed yet');
    const box = bar.querySelector('textarea');
    assert.ok(box);
    box.value = '  keep the UI in one task ';
    box.dispatchEvent(new (window as unknown as { Event: typeof Event }).Event('input'));
    assert.equal(replan?.disabled, false);
    replan?.click();
    byLabel('Edit as JSON')?.click();
    byLabel('Run')?.click();
    assert.deepEqual(posted.filter((c) => c.type.startsWith('plan')), [{ type: 'planReplan', feedback: 'keep the UI in one task' }, { type: 'planEdit' }, { type: 'planRun' }]);

    // A refused edit lists its problems; an answer hides the bar.
    app.receive({ type: 'events', events: [{ type: 'plan.review.decided', runId, ts: 3, action: 'edit-refused', round: 1, problems: ['task "ui": unknown dependency "nope"'] }] });
    app.render();
    assert.match(bar.querySelector('.plan-gate-problems')?.textContent ?? '', /unknown dependency "nope"/);
    app.receive({ type: 'events', events: [{ type: 'plan.review.decided', runId, ts: 4, action: 'run', round: 1 }] });
    app.render();
    assert.equal(bar.hidden, true);
    void window.happyDOM.close();
  });

  it('sidebar: "Waiting for your review of the plan" with the same answers; re-planning disables them but not the sidebar\'s Cancel', () => {
    const { window, root } = makeDocument();
    const posted: WebviewCommand[] = [];
    const app = new SidebarApp(root, { post: (c) => posted.push(c) });
    // This window plans the run (the gate is part of planning).
    app.receive({ type: 'context', context: { ...defaultWorkbenchContext(), phase: 'planning' } });
    app.receive({ type: 'events', events: waiting });
    const bar = root.querySelector<HTMLElement>('.plan-gate');
    assert.ok(bar && !bar.hidden);
    assert.equal(bar.querySelector('.plan-gate-title')?.textContent, 'Waiting for your review of the plan');
    app.receive({ type: 'events', events: [{ type: 'plan.review.decided', runId, ts: 3, action: 'replan', round: 1, feedback: 'fewer tasks' }] });
    assert.equal(bar.querySelector('.plan-gate-title')?.textContent, 'Re-planning with your feedback…');
    const buttons = [...bar.querySelectorAll('button')];
    assert.equal(buttons.find((b) => b.textContent === 'Run')?.disabled, true);
    assert.equal(buttons.find((b) => b.textContent === 'Cancel'), undefined, 'one Cancel in the sidebar: its own');
    const cancel = [...root.querySelectorAll('button')].filter((b) => b.textContent === 'Cancel');
    assert.equal(cancel.length, 1);
    assert.equal(cancel[0]?.disabled, false);
    cancel[0]?.click();
    assert.deepEqual(posted, [{ type: 'cancelRun' }]);
    app.receive({ type: 'events', events: [{ type: 'run.finished', runId, ts: 4, exitCode: 130, status: 'cancelled' }] });
    assert.equal(bar.hidden, true, 'a cancelled run shows no gate');
    void window.happyDOM.close();
  });
});
