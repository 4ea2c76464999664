import assert from 'node:assert/strict';
import type { RunEvent } from '../../../src/core/run/events';
import { parseHostMessage, parseWebviewCommand } from '../../../src/protocol/messages';
import { applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState, RunViewStateSchema } from '../../../src/protocol/viewState';

const runId = 'r1';
const plan = (ids: string[]) => ({ tasks: ids.map((id) => ({ id, title: id, objective: id, role: 'developer', files: [`${id}.txt`], acceptance: [], deps: [] })) });

describe('protocol: the plan gate\'s events in the view state', () => {
  const start: RunEvent = { type: 'run.started', runId, ts: 1, goal: 'g', dir: '/w' };

  it('waiting draws the shown plan and the gate; a refused edit keeps it waiting with the problems; re-plan, then run', () => {
    const waiting = applyEvents(emptyViewState(), [start, { type: 'plan.review.waiting', runId, ts: 2, plan: plan(['a', 'b']), round: 1, chosen: 2, candidates: 3 }]);
    assert.deepEqual(waiting.plan?.tasks.map((t) => t.id), ['a', 'b']);
    assert.equal(waiting.metrics?.tasks, 2);
    assert.deepEqual(waiting.review, { state: 'waiting', round: 1, chosen: 2, candidates: 3 });
    assert.match(waiting.logs.at(-1)?.message ?? '', /^Waiting for your review of the plan \(2 tasks\)/);

    const refused = applyEvents(waiting, [{ type: 'plan.review.decided', runId, ts: 3, action: 'edit-refused', round: 1, problems: ['task "a": path "../x" escapes the workspace'] }]);
    assert.equal(refused.review?.state, 'waiting');
    assert.deepEqual(refused.review?.problems, ['task "a": path "../x" escapes the workspace']);
    assert.match(refused.logs.at(-1)?.message ?? '', /^Edited plan refused: task "a"/);

    const replanning = applyEvents(refused, [{ type: 'plan.review.decided', runId, ts: 4, action: 'replan', round: 1, feedback: 'fewer tasks' }]);
    assert.equal(replanning.review?.state, 'replanning');
    assert.equal(replanning.review?.feedback, 'fewer tasks');
    assert.equal(replanning.review?.problems, undefined, 'the refused edit\'s problems do not outlive it');

    const second = applyEvents(replanning, [
      { type: 'plan.review.waiting', runId, ts: 5, plan: plan(['c']), round: 2, chosen: 1, candidates: 3 },
      { type: 'plan.review.decided', runId, ts: 6, action: 'run', round: 2 },
    ]);
    assert.deepEqual(second.plan?.tasks.map((t) => t.id), ['c']);
    assert.deepEqual(Object.keys(second.statuses), ['c'], 'the first plan\'s tasks are gone');
    assert.equal(second.review?.state, 'decided');
    assert.equal(second.review?.action, 'run');
    // The state stays valid for the webview, which checks every snapshot.
    assert.ok(RunViewStateSchema.safeParse(second).success);
    assert.ok(parseHostMessage({ type: 'snapshot', state: second, selectedTaskId: null }).ok);
  });

  it('a snapshot of a run recorded before the gate existed (no review key) is still valid', () => {
    const old = applyEvents(emptyViewState(), [start, { type: 'plan.ready', runId, ts: 2, plan: plan(['a']) }]);
    assert.equal('review' in old, false);
    assert.ok(parseHostMessage({ type: 'snapshot', state: old, selectedTaskId: null }).ok);
  });

  it('the webview refuses a gate event with an unknown action', () => {
    const bad = { type: 'events', events: [{ type: 'plan.review.decided', runId, ts: 1, action: 'delete-everything', round: 1 }] };
    assert.equal(parseHostMessage(bad).ok, false);
  });

  it('the host refuses a gate command with oversized feedback or extra keys (a page names no plan and no command)', () => {
    assert.equal(parseWebviewCommand({ type: 'planReplan', feedback: 'fewer tasks' }).ok, true);
    assert.equal(parseWebviewCommand({ type: 'planReplan', feedback: 'x'.repeat(4001) }).ok, false);
    assert.equal(parseWebviewCommand({ type: 'planRun', plan: { tasks: [] } }).ok, false);
    assert.equal(parseWebviewCommand({ type: 'planEdit', path: '/etc/passwd' }).ok, false);
  });
});
