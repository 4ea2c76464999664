import { strict as assert } from 'node:assert';
import { PlanSchema, validatePlan, type Plan, type ValidPlan } from '../../../src/core/plan';
import { ProviderError } from '../../../src/core/models';
import { judgeUpdate, proposeUpdate, updaterMessages } from '../../../src/core/replan';
import type { UpdateRequest } from '../../../src/core/run/hooks';
import { isRepair, ScriptedToolModel } from './helpers';

const plan: Plan = PlanSchema.parse({
  goal: 'a game',
  tasks: [
    { id: 'a', title: 'A', objective: 'board', files: ['a.py'] },
    { id: 'b', title: 'B', objective: 'other', files: ['b.py'] },
    { id: 'c', title: 'C', objective: 'ai v1', deps: ['a'], files: ['c.py'] },
    { id: 'd', title: 'D', objective: 'gui', deps: ['c'], files: ['d.py'] },
  ],
});
const valid = (p: Plan): ValidPlan => {
  const v = validatePlan(p);
  assert.ok(v.ok);
  return v.plan;
};
const c2 = { id: 'c', title: 'C', objective: 'ai v2: call board.place', deps: ['a'], files: ['c.py'] };

function request(over: Partial<UpdateRequest> = {}): UpdateRequest {
  return {
    plan,
    taskId: 'c',
    editable: ['c', 'd'],
    statuses: { a: 'passed', b: 'passed', c: 'failed', d: 'pending' },
    summaries: { a: 'Board with place(x, y)', b: 'other done' },
    reason: 'verification failed',
    findings: [{ file: 'c.py', line: 3, message: "AttributeError: 'Board' has no attribute 'put'", tool: 'python3' }],
    attempts: 2,
    signal: new AbortController().signal,
    ...over,
  };
}

describe('replan: the local updater', () => {
  it('opens with "Task <id>: <title>" of the failing task and shows findings, editable tasks, parents as context, others in one line', () => {
    const [system, user] = updaterMessages(request());
    assert.equal(system.role, 'system');
    assert.equal(user.role, 'user');
    const text = user.content as string;
    assert.match(text, /^Task c: C\n/);
    assert.match(text, /c\.py:3: AttributeError: 'Board' has no attribute 'put' \(python3\)/);
    assert.match(text, /# Tasks you may change[^\n]*\n\{"id":"c"[^\n]*status: failed\n\{"id":"d"[^\n]*status: pending/);
    assert.match(text, /# Direct parents[^\n]*\n- a: A\. Objective: board\. Status: passed\. Files: a\.py\. Summary: Board with place\(x, y\)/);
    assert.match(text, /# Other tasks[^\n]*\nb \(passed\): b\.py(;|\n)/);
    assert.doesNotMatch(text, /other done/, 'tasks outside the neighbourhood are shown without their summaries');
  });

  it('judges locality: replacing or removing a task outside the editable set is invalid, and so is leaving the failing task alone', () => {
    const p = valid(plan);
    const outside = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'r', replace: [c2, { id: 'a', title: 'A', objective: 'board v2', files: ['a.py'] }] });
    assert.ok(!outside.ok);
    assert.match(outside.problems.join(), /cannot replace "a": it is outside the failing task's neighbourhood/);
    const parent = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'r', remove: ['b'] });
    assert.ok(!parent.ok);
    const untouched = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'r', replace: [{ id: 'd', title: 'D', objective: 'gui v2', deps: ['c'], files: ['d.py'] }] });
    assert.ok(!untouched.ok);
    assert.match(untouched.problems.join(), /must change or remove the failing task "c"/);
    const ok = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'r', replace: [c2] });
    assert.ok(ok.ok);
    assert.deepEqual(ok.applied.affected, ['c', 'd']);
  });

  it('an update that changes nothing is valid: the plan stands and the failing task runs again as planned', () => {
    const p = valid(plan);
    const restated = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'the plan is right; the agent slipped', replace: [{ id: 'c', title: 'C', objective: 'ai v1', deps: ['a'], files: ['c.py'] }] });
    assert.ok(restated.ok);
    assert.deepEqual([restated.applied.changed, restated.applied.added, restated.applied.removed, restated.applied.affected], [[], [], [], []]);
    assert.ok(judgeUpdate(p, 'c', ['c', 'd'], { reason: 'nothing to change' }).ok);
  });

  it('an update may not drop a file that a removed or rewritten task owned unless another task takes it over', () => {
    const p = valid(plan);
    // removing the failing task (and its dependent) leaves c.py and d.py unwritten: the run would end "completed" without them
    const removed = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'give up on the AI', remove: ['c', 'd'] });
    assert.ok(!removed.ok);
    assert.match(removed.problems.join('\n'), /the update drops c\.py \(owned by "c"\): another task must own it/);
    assert.match(removed.problems.join('\n'), /the update drops d\.py \(owned by "d"\)/);
    const shrunk = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'write nothing', replace: [{ ...c2, files: [] }] });
    assert.ok(!shrunk.ok);
    assert.match(shrunk.problems.join(), /drops c\.py/);
    // the same removal with the files taken over by a new task is a real re-plan
    const moved = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'merge', remove: ['c', 'd'], add: [{ id: 'cd', title: 'AI and GUI', objective: 'both', deps: ['a'], files: ['c.py', 'd.py'] }] });
    assert.ok(moved.ok, !moved.ok ? moved.problems.join() : '');
  });

  it('M6: a huge update (100k added tasks, a 10 MB reason, deeply nested arguments) is refused with an error naming the limit, at once', () => {
    const p = valid(plan);
    const many = Array.from({ length: 100_000 }, (_, i) => ({ id: `t${i}`, title: 'T', objective: 'o', deps: [], files: [`f${i}.py`] }));
    // refused by counting, before 100k tasks are parsed and validated (that took seconds of blocked event loop)
    const added = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'r', replace: [c2], add: many });
    assert.ok(!added.ok);
    assert.deepEqual(added.problems, ["the update adds 100000 tasks, more than the plan's cap of 64 tasks (--max-tasks)"]);
    const long = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'x'.repeat(10 << 20), replace: [c2] });
    assert.ok(!long.ok);
    assert.match(long.problems.join(), /the reason has 10485760 characters, more than the limit of 2000/);
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = { title: deep };
    const nested = judgeUpdate(p, 'c', ['c', 'd'], { reason: 'r', replace: [{ ...c2, title: deep }] });
    assert.ok(!nested.ok);
    assert.match(nested.problems.join(), /replace\[0\]\.title: .*expected string/);
  });

  it('prefers a candidate that changes the plan over one that keeps it, and keeps it only when no candidate changes anything', async () => {
    const keep = { reason: 'keep', replace: [{ id: 'c', title: 'C', objective: 'ai v1', deps: ['a'], files: ['c.py'] }] };
    const clarify = { reason: 'clarify', replace: [c2] };
    for (const order of [[keep, clarify], [clarify, keep]]) {
      let n = 0;
      const out = await proposeUpdate({ model: new ScriptedToolModel(() => ({ name: 'submit_update', args: order[n++] })), candidates: 2 }, request());
      assert.equal(out.chosen?.reason, 'clarify');
      assert.match(out.decision.reason, /2 of 2 candidates valid; 1 of them change the plan/);
    }
    const out = await proposeUpdate({ model: new ScriptedToolModel(() => ({ name: 'submit_update', args: keep })), candidates: 2 }, request());
    assert.ok(out.chosen, out.error);
    assert.deepEqual([out.chosen.changed, out.chosen.added, out.chosen.removed], [[], [], []]);
    assert.match(out.decision.reason, /the plan stands and c runs again as planned/);
  });

  it('draws K candidates, drops invalid ones (after their repair round) and picks by the selection rule whatever the arrival order', async () => {
    // Candidate kinds: invalid (touches a parent), a plain clarification, and a split that adds a parallel task (higher P_avg).
    const split = { reason: 'split', replace: [{ ...c2, objective: 'ai v2 core' }], add: [{ id: 'c-eval', title: 'Eval', objective: 'evaluation helper', deps: ['a'], files: ['c_eval.py'] }] };
    const clarify = { reason: 'clarify', replace: [c2] };
    const bad = { reason: 'bad', replace: [c2, { id: 'a', title: 'A', objective: 'x', files: ['a.py'] }] };
    const choices: string[] = [];
    for (const order of [[bad, clarify, split], [split, bad, clarify], [clarify, split, bad]]) {
      let first = 0;
      const model = new ScriptedToolModel((_n, req) => (isRepair(req) ? { name: 'submit_update', args: bad } : { name: 'submit_update', args: order[first++] }));
      const out = await proposeUpdate({ model, candidates: 3 }, request());
      assert.ok(out.chosen, out.error);
      choices.push(out.chosen.reason);
      assert.equal(model.calls, 4, 'three candidates and one repair round for the invalid one');
      assert.equal(out.usage.length, 4);
      assert.equal(out.decision.options.length, 3);
      assert.equal(out.decision.options.filter((o) => o.valid === false).length, 1);
      assert.match(String(out.decision.options.find((o) => o.valid === false)?.error), /outside the failing task's neighbourhood/);
      assert.deepEqual(out.chosen.added, ['c-eval']);
      assert.deepEqual(out.chosen.affected, ['c', 'd', 'c-eval']);
      assert.match(out.decision.reason, /2 of 3 candidates valid; .*highest parallelism/);
    }
    assert.deepEqual(choices, ['split', 'split', 'split']);
  });

  it('reports no update (not an exception) when every candidate is invalid; rethrows a rejected key', async () => {
    const model = new ScriptedToolModel(() => ({ text: 'I cannot help' }));
    const out = await proposeUpdate({ model, candidates: 2 }, request());
    assert.equal(out.chosen, undefined);
    assert.equal(out.decision.choice, 'none');
    // The two candidates failed alike: the error says so once, not once per candidate.
    assert.match(out.error ?? '', /^both candidates: .*no call of tool 'submit_update'/);
    assert.equal((out.error ?? '').split("no call of tool 'submit_update'").length - 1, 1);
    const fatal = new ScriptedToolModel(() => {
      throw new ProviderError({ kind: 'auth', provider: 'openai', baseUrl: 'http://x', model: 'm', message: '401' });
    });
    await assert.rejects(proposeUpdate({ model: fatal, candidates: 2 }, request()), (e: Error) => e.name === 'ProviderError');
  });

  it('names an error every candidate met once, and keeps distinct errors apart (one updater error for a failed task, not three)', async () => {
    const down = new ScriptedToolModel(() => {
      throw new ProviderError({ kind: 'connection', provider: 'openai', baseUrl: 'http://x', model: 'm', message: 'connection refused' });
    });
    const out = await proposeUpdate({ model: down, candidates: 3 }, request());
    assert.equal(out.chosen, undefined);
    assert.match(out.error ?? '', /^all 3 candidates: .*connection refused/);
    assert.equal((out.error ?? '').split('connection refused').length - 1, 1, out.error);
    let n = 0;
    const mixed = new ScriptedToolModel((_i, req) => {
      if (isRepair(req)) return { text: 'still no' };
      n++;
      if (n === 2) return { text: 'I cannot help' };
      throw new ProviderError({ kind: 'connection', provider: 'openai', baseUrl: 'http://x', model: 'm', message: 'connection refused' });
    });
    const two = await proposeUpdate({ model: mixed, candidates: 3 }, request());
    assert.match(two.error ?? '', /candidates 1 and 3: .*connection refused/);
    assert.match(two.error ?? '', /candidate 2: .*no call of tool 'submit_update'/);
  });
});
