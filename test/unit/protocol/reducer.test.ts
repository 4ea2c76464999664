import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Plan } from '../../../src/core/plan/schema';
import type { RunEvent } from '../../../src/core/run/events';
import { analysePlan, planLevels } from '../../../src/protocol/planAnalysis';
import { applyEvent, applyEvents } from '../../../src/protocol/reducer';
import { CAPS, emptyViewState, type RunViewState } from '../../../src/protocol/viewState';
import { RUN_ID, SAMPLE_PLAN, SAMPLE_STATUSES, sampleEvents, sampleState } from '../webview/sampleRun';

function plan(edges: Array<[string, string]>, ids: string[]): Plan {
  return {
    tasks: ids.map((id) => ({ id, title: id, objective: id, role: 'developer', files: [], acceptance: [], deps: edges.filter(([, to]) => to === id).map(([from]) => from) })),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const at = (ts: number) => ({ runId: RUN_ID, ts });

describe('protocol: applyEvent', () => {
  it('never mutates its input (every sample event applied to a frozen state)', () => {
    let state: RunViewState = deepFreeze(emptyViewState());
    for (const e of sampleEvents()) state = deepFreeze(applyEvent(state, e));
    assert.deepEqual(state.statuses, SAMPLE_STATUSES);
  });

  it('sets statuses, metrics and the critical path when the plan is ready', () => {
    const s = sampleState();
    assert.equal(s.plan?.tasks.length, 12);
    assert.equal(s.metrics?.tasks, 12);
    assert.equal(s.metrics?.depth, 5);
    // Five chains of length 5; design.md picks the lexicographically smallest id sequence.
    assert.deepEqual(s.criticalPath, ['spec', 'board', 'gui-canvas', 'gui-app', 'packaging']);
    assert.equal(s.run?.status, 'running');
    assert.ok(s.usage.inputTokens > 0 && s.usage.cost > 0);
    assert.equal(s.tasks.save.verification?.outcome, 'failed');
    assert.equal(s.tasks.save.agent?.attempt, 2);
    assert.equal(s.tasks.save.refused.length, 1);
    assert.equal(s.decisions.filter((d) => d.taskId === undefined).length, 1);
  });

  it('keeps untouched slices by reference (views redraw only what changed)', () => {
    const s = sampleState();
    const next = applyEvent(s, { type: 'task.status', taskId: 'ai', status: 'running', ...at(9e12) });
    assert.equal(next.plan, s.plan);
    assert.equal(next.tasks.board, s.tasks.board);
    assert.notEqual(next.statuses, s.statuses);
    assert.equal(next.planRevision, s.planRevision);
  });

  it('ignores events of another run and starts over on a new run', () => {
    const s = sampleState();
    assert.equal(applyEvent(s, { type: 'task.status', taskId: 'ai', status: 'failed', runId: 'other', ts: 1 }), s);
    const fresh = applyEvent(s, { type: 'run.started', dir: '/w', runId: 'other', ts: 2 });
    assert.equal(fresh.plan, null);
    assert.equal(fresh.run?.runId, 'other');
    assert.ok(fresh.planRevision > s.planRevision);
  });

  it('caps the streamed log (keeping the tail) and the run log', () => {
    let s = applyEvents(emptyViewState(), [{ type: 'run.started', dir: '/w', ...at(1) }]);
    const chunk = 'x'.repeat(10_000);
    for (let i = 0; i < 10; i++) s = applyEvent(s, { type: 'agent.text', taskId: 'a', delta: i === 9 ? `${chunk}END` : chunk, ...at(2 + i) });
    assert.equal(s.tasks.a.log.length, CAPS.taskLog);
    assert.ok(s.tasks.a.log.endsWith('END'));
    assert.equal(s.tasks.a.logTruncated, true);
    for (let i = 0; i < CAPS.logs + 20; i++) s = applyEvent(s, { type: 'log', level: 'info', message: `m${i}`, ...at(100 + i) });
    assert.equal(s.logs.length, CAPS.logs);
    assert.equal(s.logs.at(-1)?.message, `m${CAPS.logs + 19}`);
  });

  it('redraws an updated plan: with the new plan, replaced tasks start over; without it, removed tasks go', () => {
    const s = sampleState();
    const newPlan: Plan = { ...SAMPLE_PLAN, tasks: [...SAMPLE_PLAN.tasks.filter((t) => t.id !== 'packaging'), { id: 'save-fix', title: 'Fix save', objective: 'x', role: 'developer', deps: ['save'], files: [], acceptance: [] }] };
    const up = applyEvent(s, { type: 'plan.updated', taskId: 'save', reason: 'NameError', changed: ['save'], added: ['save-fix'], removed: ['packaging'], plan: newPlan, ...at(9e12) });
    assert.equal(up.statuses.save, 'pending');
    assert.equal(up.statuses['save-fix'], 'pending');
    assert.equal(up.statuses.packaging, undefined);
    assert.ok(up.planRevision > s.planRevision);
    const bare = applyEvent(s, { type: 'plan.updated', taskId: 'save', reason: 'x', changed: [], added: [], removed: ['packaging'], ...at(9e12) });
    assert.equal(bare.plan?.tasks.some((t) => t.id === 'packaging'), false);
  });

  it('records the end of the run', () => {
    const s = applyEvent(sampleState(), { type: 'run.finished', exitCode: 1, status: 'failed', reason: 'save failed', ...at(9e12) });
    assert.equal(s.run?.status, 'failed');
    assert.equal(s.run?.finishedAt, 9e12);
  });
});

describe('protocol: plan analysis (design.md metrics)', () => {
  it("reproduces the paper's worked pair and the diamond", () => {
    const ids = ['A', 'B', 'C', 'D'].map((x) => x.toLowerCase());
    const w1 = analysePlan(plan([['a', 'c'], ['b', 'c'], ['a', 'd'], ['b', 'd'], ['c', 'd']], ids));
    const w2 = analysePlan(plan([['a', 'c'], ['b', 'c'], ['c', 'd']], ids));
    assert.equal(w1.parallelism, 4 / 3);
    assert.equal(w2.parallelism, 4 / 3);
    assert.ok(Math.abs(w1.dependencyComplexity - 0.5) < 1e-9);
    assert.ok(Math.abs(w2.dependencyComplexity - Math.sqrt(0.75)) < 1e-9);
    assert.deepEqual(w2.criticalPath, ['a', 'c', 'd']);
    const diamond = analysePlan(plan([['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']], ids));
    assert.equal(diamond.parallelism, 4 / 3);
    assert.equal(diamond.dependencyComplexity, 0);
    assert.deepEqual(diamond.criticalPath, ['a', 'b', 'd']);
  });

  it('levels increase along every edge and the critical path is a chain of length depth (property)', () => {
    const dag = fc.integer({ min: 1, max: 14 }).chain((n) => fc.tuple(
      fc.constant(n),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }),
    ));
    fc.assert(fc.property(dag, ([n, pairs]) => {
      const ids = Array.from({ length: n }, (_, i) => `t${String(i).padStart(2, '0')}`);
      const edges = pairs.filter(([a, b]) => a < b).map(([a, b]) => [ids[a], ids[b]] as [string, string]);
      const p = plan(edges, ids);
      const levels = planLevels(p);
      for (const [a, b] of edges) assert.ok((levels.get(a) ?? 0) < (levels.get(b) ?? 0));
      const m = analysePlan(p);
      assert.equal(m.criticalPath.length, m.depth);
      for (let i = 1; i < m.criticalPath.length; i++) {
        assert.ok(edges.some(([a, b]) => a === m.criticalPath[i - 1] && b === m.criticalPath[i]));
      }
    }), { numRuns: 150 });
  });
});

describe('protocol: applyEvent over every event type', () => {
  it('handles each variant without throwing', () => {
    const events: RunEvent[] = sampleEvents();
    const types = new Set(events.map((e) => e.type));
    for (const t of ['run.started', 'plan.ready', 'task.status', 'agent.started', 'agent.text', 'agent.tool', 'file.staged', 'write.refused', 'usage', 'task.verified', 'decision', 'patch', 'log']) {
      assert.ok(types.has(t as RunEvent['type']), t);
    }
  });
});
