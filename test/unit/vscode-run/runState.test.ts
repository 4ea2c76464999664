import { strict as assert } from 'node:assert';
import type { RunRecord } from '../../../src/core/run/journal';
import type { TaskPatch } from '../../../src/core/run/patch';
import { RunViewStore } from '../../../src/protocol/runViewSource';
import { isResumable, recordToEvents } from '../../../src/vscode/run/recordEvents';
import { contextKeys, openPatchCount, statusLine } from '../../../src/vscode/run/runStatus';

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  const usage = { inputTokens: 0, outputTokens: 0, cost: 0 };
  return {
    version: 1, runId: '20250101-000000-000-abcdef', createdAt: 1, updatedAt: 2, goal: 'a tiny app', dir: '/w', status: 'failed', exitCode: 1,
    settings: { maxAgents: 2, apply: 'review', maxTurns: 20 },
    plan: { goal: 'a tiny app', tasks: [
      { id: 'model', title: 'Model', objective: 'm', role: 'dev', deps: [], files: ['m.py'], acceptance: [] },
      { id: 'view', title: 'View', objective: 'v', role: 'dev', deps: ['model'], files: ['v.py'], acceptance: [] },
      { id: 'docs', title: 'Docs', objective: 'd', role: 'dev', deps: ['view'], files: ['README.md'], acceptance: [] },
    ] },
    tasks: {
      model: { status: 'passed', attempts: 1, usage: { inputTokens: 10, outputTokens: 5, cost: 0 }, refusals: 0, patch: { state: 'proposed', files: ['m.py'] } },
      view: { status: 'failed', attempts: 2, usage, refusals: 0, findings: [{ message: 'SyntaxError', file: 'v.py', line: 3 }], patch: { state: 'proposed', files: ['v.py'] } },
      docs: { status: 'blocked', reason: 'view failed', attempts: 0, usage, refusals: 0 },
    },
    usage, decisions: [{ ts: 1, point: 'plan.candidates', options: [{ id: '1' }], choice: '1', mode: 'rule', reason: 'most parallel' }], resumes: 0,
    ...overrides,
  };
}

const modelPatch: TaskPatch = { version: 1, runId: '20250101-000000-000-abcdef', taskId: 'model', state: 'applied', files: [{ path: 'm.py', change: 'created', baseHash: null, before: null, after: 'x = 1\n', diff: '' }] };

describe('vscode run: replaying a journaled run into the views', () => {
  it('rebuilds statuses, staged files, findings, decisions and patch states (the patch file wins)', () => {
    const store = new RunViewStore();
    for (const e of recordToEvents(record(), new Map([['model', modelPatch]]))) store.push(e);
    const s = store.snapshot();
    assert.equal(s.run?.status, 'failed');
    assert.deepEqual(s.statuses, { model: 'passed', view: 'failed', docs: 'blocked' });
    assert.deepEqual(s.tasks.model?.files.map((f) => f.path), ['m.py']);
    assert.equal(s.tasks.model?.patch?.state, 'applied', 'the patch file is the truth, not the record');
    assert.equal(s.tasks.view?.patch?.state, 'proposed');
    assert.equal(s.tasks.view?.verification?.findings[0]?.message, 'SyntaxError');
    assert.equal(s.decisions.length, 1);
    assert.equal(s.usage.inputTokens, 10);
    assert.equal(openPatchCount(s), 1);
  });

  it('leaves an interrupted run running (no run.finished) and calls it resumable', () => {
    const events = recordToEvents(record({ status: 'running' }), new Map());
    assert.ok(!events.some((e) => e.type === 'run.finished'));
    assert.equal(isResumable({ status: 'running' }), true);
    assert.equal(isResumable({ status: 'cancelled' }), true);
    assert.equal(isResumable({ status: 'budget' }), true);
    assert.equal(isResumable({ status: 'completed' }), false);
    assert.equal(isResumable({ status: 'failed' }), false);
  });
});

describe('vscode run: status bar and context keys', () => {
  it('says planning while the planner works, and counts finished tasks while running', () => {
    const store = new RunViewStore();
    assert.match(statusLine(store.snapshot(), 'idle').text, /AgensFlow$/);
    assert.match(statusLine(store.snapshot(), 'planning').text, /planning/);
    for (const e of recordToEvents(record({ status: 'running' }), new Map())) store.push(e);
    assert.match(statusLine(store.snapshot(), 'running').text, /AgensFlow: 3\/3/);
    const keys = contextKeys(store.snapshot(), 'running');
    assert.deepEqual(keys, { 'agensflow.running': true, 'agensflow.hasPatches': true, 'agensflow.hasRun': true, 'agensflow.canResume': false });
  });

  it('says the plan waits for review while the plan gate waits, and re-planning after feedback', () => {
    const store = new RunViewStore();
    const plan = { tasks: [{ id: 'a', title: 'A', objective: 'a', role: 'dev', dependsOn: [], owns: ['a.txt'] }, { id: 'b', title: 'B', objective: 'b', role: 'dev', dependsOn: ['a'], owns: ['b.txt'] }] };
    store.push({ type: 'run.started', runId: 'r1', goal: 'g', at: 1 } as never);
    store.push({ type: 'plan.review.waiting', runId: 'r1', plan, round: 1, at: 2 } as never);
    const waiting = statusLine(store.snapshot(), 'planning');
    assert.match(waiting.text, /review the plan/);
    assert.match(waiting.tooltip, /2 tasks\) waits for your review/);
    store.push({ type: 'plan.review.decided', runId: 'r1', round: 1, action: 'replan', feedback: 'fewer tasks', at: 3 } as never);
    assert.match(statusLine(store.snapshot(), 'planning').text, /re-planning/);
  });

  it('offers resume for an interrupted run when nothing runs, and names patches to review', () => {
    const store = new RunViewStore();
    for (const e of recordToEvents(record({ status: 'cancelled', exitCode: 130 }), new Map())) store.push(e);
    const keys = contextKeys(store.snapshot(), 'idle');
    assert.equal(keys['agensflow.canResume'], true);
    assert.equal(keys['agensflow.running'], false);
    const line = statusLine(store.snapshot(), 'idle');
    assert.match(line.text, /cancelled · 2 to review/);
    // The same run, stopped by a window closing: said as it is, with what continues it.
    const interrupted = statusLine(store.snapshot(), 'idle', true);
    assert.match(interrupted.text, /AgensFlow: interrupted · 2 to review/);
    assert.match(interrupted.tooltip, /was interrupted .* Resume continues it/);
    assert.doesNotMatch(interrupted.text, /sync~spin|loading/);
    assert.match(line.tooltip, /1 passed, 0 unverified, 1 failed, 1 blocked/);
  });
});
