import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Plan } from '../../../src/core/plan/schema';
import type { RunEvent } from '../../../src/core/run/events';
import { analysePlan, planLevels } from '../../../src/protocol/planAnalysis';
import { applyEvent, applyEvents } from '../../../src/protocol/reducer';
import { formatCost } from '../../../src/webview/format';
import { CAPS, emptyViewState, RunViewStateSchema, type RunViewState, type UsageTotals } from '../../../src/protocol/viewState';
import { RunEventSchema } from '../../../src/protocol/runEventSchema';
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

  it('counts calls of a model with no known price apart, so their cost reads "price unknown", not "$0"', () => {
    let s = applyEvent(emptyViewState(), { type: 'usage', role: 'planner', model: 'local-llm', inputTokens: 100, outputTokens: 20, ...at(1) });
    assert.equal(s.usage.cost, 0);
    assert.equal(s.usage.unpricedCalls, 1);
    assert.equal(s.usage.byRole.planner?.unpricedCalls, 1);
    assert.equal(formatCost(s.usage), 'price unknown');
    s = applyEvent(s, { type: 'usage', role: 'planner', model: 'gpt-4o', inputTokens: 1000, outputTokens: 1000, cost: 0.0125, ...at(2) });
    assert.equal(formatCost(s.usage), '$0.01+ (some prices unknown)');
    // A model priced at $0 is not unknown.
    const free = applyEvent(emptyViewState(), { type: 'usage', role: 'planner', model: 'free-model', inputTokens: 5, outputTokens: 5, cost: 0, ...at(3) });
    assert.equal(free.usage.unpricedCalls, undefined);
    assert.equal(formatCost(free.usage), '$0');
    assert.ok(RunViewStateSchema.safeParse(s).success);
  });

  it('carries calls paid by the user\'s plan (vscode-lm) to every total, so the cost reads "included in your plan", not "$0"', () => {
    let s = applyEvent(emptyViewState(), { type: 'run.started', dir: '/w', ...at(1) });
    s = applyEvent(s, { type: 'usage', role: 'planner', model: 'copilot-gpt-4o', inputTokens: 50, outputTokens: 5, cost: 0, included: true, ...at(2) });
    s = applyEvent(s, { type: 'plan.ready', plan: plan([], ['a']), ...at(3) });
    s = applyEvent(s, { type: 'usage', taskId: 'a', role: 'agent', model: 'copilot-gpt-4o', inputTokens: 70, outputTokens: 9, cost: 0, included: true, ...at(4) });
    assert.equal(s.usage.includedCalls, 2);
    assert.equal(s.usage.byRole.agent?.includedCalls, 1);
    assert.equal(s.tasks.a?.usage.includedCalls, 1);
    assert.equal(s.usage.cost, 0, 'the numbers stay: nothing is owed');
    for (const u of [s.usage, s.usage.byRole.planner, s.tasks.a?.usage]) assert.equal(formatCost(u as UsageTotals), 'included in your plan');
    // A priced call beside them: the dollars, with a note.
    const mixed = applyEvent(s, { type: 'usage', role: 'inspector', model: 'gpt-4o', inputTokens: 1000, outputTokens: 1000, cost: 0.0125, ...at(5) });
    assert.equal(formatCost(mixed.usage), '$0.01 (some calls included in your plan)');
    assert.ok(RunViewStateSchema.safeParse(mixed).success);
    // The host validates events from the engine before the webview sees them: the flag passes the schema.
    assert.ok(RunEventSchema.safeParse({ type: 'usage', role: 'agent', model: 'm', inputTokens: 1, outputTokens: 1, cost: 0, included: true, ...at(6) }).success);
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

describe('protocol: the run log', () => {
  const messages = (s: RunViewState) => s.logs.map((l) => `${l.level} ${l.taskId ?? '-'} ${l.message}`);

  it('logs lifecycle, attempts, verdicts, decisions, updates, patches and the end; not model text, tool calls or usage', () => {
    const p = plan([['a', 'b']], ['a', 'b']);
    const s = applyEvents(emptyViewState(), [
      { type: 'run.started', dir: '/w', ...at(1) },
      { type: 'plan.ready', plan: p, ...at(2) },
      { type: 'task.status', taskId: 'a', status: 'running', ...at(3) },
      { type: 'agent.started', taskId: 'a', role: 'developer', agent: 'x', model: 'm1', attempt: 1, ...at(4) },
      { type: 'agent.text', taskId: 'a', delta: 'secret model text', ...at(5) },
      { type: 'agent.tool', taskId: 'a', tool: 'write_file', path: 'a.py', ok: true, ...at(6) },
      { type: 'usage', taskId: 'a', role: 'agent', model: 'm1', inputTokens: 10, outputTokens: 5, ...at(7) },
      { type: 'write.refused', taskId: 'a', path: '.env', reason: 'protected path', ...at(8) },
      { type: 'task.verified', taskId: 'a', outcome: 'failed', findings: [{ file: 'a.py', line: 2, message: 'SyntaxError\nmore' }, { message: 'second' }], ...at(9) },
      { type: 'decision', taskId: 'a', point: 'recovery', choice: 'replan', mode: 'rule', reason: 'retries are used up', options: [], ...at(10) },
      { type: 'plan.updated', taskId: 'a', reason: 'split the task', changed: ['a'], added: ['a2'], removed: [], ...at(11) },
      { type: 'log', level: 'trace', message: 'prompt: do it', ...at(12) },
      { type: 'task.status', taskId: 'a', status: 'passed', ...at(13) },
      { type: 'patch', taskId: 'a', state: 'proposed', files: ['a.py'], ...at(14) },
      { type: 'patch', taskId: 'a', state: 'conflicted', files: ['a.py'], reason: 'a.py changed', ...at(15) },
      { type: 'task.status', taskId: 'b', status: 'blocked', reason: 'dependency a failed', ...at(16) },
      { type: 'run.checked', outcome: 'failed', findings: [{ message: '1 test failed' }], ...at(17) },
      { type: 'run.finished', status: 'failed', exitCode: 1, reason: '1 task blocked', ...at(18) },
    ]);
    assert.deepEqual(messages(s), [
      'info - Run started',
      'info - Plan ready: 2 tasks, 1 dependency, depth 2',
      'info a started on m1',
      'warn a write to .env refused: protected path',
      'warn a verification failed (2 findings): a.py:2: SyntaxError',
      'info a Asking the updater to re-plan the failed part of the graph',
      'warn a plan updated: split the task (changed a; added a2)',
      'info a passed',
      'warn a patch conflicted (1 file): a.py changed',
      'warn b blocked: dependency a failed',
      'error - test command failed: 1 test failed',
      'error - Run failed: 1 task blocked (exit code 1)',
    ]);
    assert.deepEqual(s.logs.map((l) => l.ts), [1, 2, 4, 8, 9, 10, 11, 13, 15, 16, 17, 18]);
  });

  it('keeps every logged line within the view schema (long messages are cut)', () => {
    let s = applyEvents(emptyViewState(), [{ type: 'run.started', dir: '/w', ...at(1) }]);
    s = applyEvent(s, { type: 'plan.updated', taskId: 'a', reason: 'r'.repeat(19_000), changed: [], added: [], removed: [], ...at(2) });
    assert.ok((s.logs.at(-1)?.message.length ?? 0) <= 2000);
    assert.equal(RunViewStateSchema.safeParse(s).success, true);
  });
});

describe('protocol: tool calls with summaries and diffs', () => {
  const base = (): RunEvent[] => [
    { type: 'run.started', dir: '/w', ...at(1) },
    { type: 'plan.ready', plan: plan([], ['a']), ...at(2) },
  ];

  it('keeps a tool call\'s summary, diff and omitted-line count in the task\'s details, and no empty keys', () => {
    const diff = '--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n';
    const s = applyEvents(emptyViewState(), [
      ...base(),
      { type: 'agent.tool', taskId: 'a', tool: 'search', ok: true, summary: 'search "x" → 1 match', ...at(3) },
      { type: 'agent.tool', taskId: 'a', tool: 'edit_file', path: 'a.py', ok: true, summary: 'edit a.py (+1 −1)', diff, diffOmitted: 7, ...at(4) },
    ]);
    assert.deepEqual(s.tasks.a.tools, [
      { ts: 3, tool: 'search', ok: true, summary: 'search "x" → 1 match' },
      { ts: 4, tool: 'edit_file', path: 'a.py', ok: true, summary: 'edit a.py (+1 −1)', diff, diffOmitted: 7 },
    ]);
    assert.equal(RunViewStateSchema.safeParse(s).success, true);
  });

  it(`only the latest ${CAPS.toolDiffs} calls keep their diff; older ones keep their summary`, () => {
    const edits: RunEvent[] = Array.from({ length: CAPS.toolDiffs + 5 }, (_, i) => ({
      type: 'agent.tool', taskId: 'a', tool: 'edit_file', path: 'a.py', ok: true, summary: `edit ${i}`, diff: `@@ -1 +1 @@\n-${i}\n+${i + 1}\n`, diffOmitted: 1, ...at(10 + i),
    }));
    const s = applyEvents(emptyViewState(), [...base(), ...edits]);
    const tools = s.tasks.a.tools;
    assert.equal(tools.length, CAPS.toolDiffs + 5);
    assert.deepEqual(tools.slice(0, 5).map((t) => [t.summary, t.diff, t.diffOmitted]), Array.from({ length: 5 }, (_, i) => [`edit ${i}`, undefined, undefined]));
    assert.ok(tools.slice(5).every((t, i) => t.diff === `@@ -1 +1 @@\n-${i + 5}\n+${i + 6}\n`));
  });
});
