import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { validPlan } from '../plan/helpers';
import { createUpdater } from '../../../src/core/replan';
import { resumeRun, startRun } from '../../../src/core/run';
import { ProviderError } from '../../../src/core/models';
import type { RunEvent } from '../../../src/core/run/events';
import type { UpdaterHook, VerifyHook } from '../../../src/core/run/hooks';
import { isRepair, ScriptedToolModel } from '../replan/helpers';
import { FakeModel, taskIdOf, type Script } from './fakeModel';
import { tempDirs } from './tmp';

/** a, b independent; c after a; d after c; e after b. */
const plan = validPlan({
  goal: 'locality',
  tasks: [
    { id: 'a', title: 'A', objective: 'a v1', files: ['a.txt'] },
    { id: 'b', title: 'B', objective: 'b v1', files: ['b.txt'] },
    { id: 'c', title: 'C', objective: 'c v1', deps: ['a'], files: ['c.txt'] },
    { id: 'd', title: 'D', objective: 'd v1', deps: ['c'], files: ['d.txt'] },
    { id: 'e', title: 'E', objective: 'e v1', deps: ['b'], files: ['e.txt'] },
  ],
});

/** Every agent writes its files with its objective as the content (so an update shows in the output). */
const writeObjective: Script = (turn, messages) => {
  const first = messages.find((m) => m.role === 'user')?.content ?? '';
  const objective = /^Objective: (.*)$/m.exec(first)?.[1] ?? '?';
  const owned = /Files you own[^\n]*\n((?:- .*\n)*)/.exec(first)?.[1].split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2)) ?? [];
  if (turn === 1) return { calls: owned.map((p) => ({ name: 'write_file', args: { path: p, content: `${objective}\n` } })) };
  return { calls: [{ name: 'finish', args: { summary: `${taskIdOf(messages)} done` } }] };
};

/** Fails any file whose content still says "v1" for the tasks in `bad`. */
function verifier(bad: ReadonlySet<string>): VerifyHook {
  return async (task, view) => {
    const content = (await view.readFile(task.files[0])) ?? '';
    if (bad.has(task.id) && /v1/.test(content)) return { outcome: 'failed', findings: [{ file: task.files[0], line: 1, message: `${task.id} still says v1`, tool: 'checker' }] };
    return { outcome: 'passed', findings: [] };
  };
}

const countOf = (events: RunEvent[], type: RunEvent['type'], id: string) => events.filter((e) => e.type === type && 'taskId' in e && e.taskId === id).length;

describe('run: retries, local updates and budgets', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());
  const dirs = () => ({ dir: tmp.make('af-ws-'), stateDir: tmp.make('af-state-') });

  it('a local update re-runs only the failing task and its descendants; finished work outside is untouched byte for byte and never re-run', async () => {
    const { dir, stateDir } = dirs();
    const events: RunEvent[] = [];
    const snapshot = new Map<string, { bytes: string; mtimeMs: number }>();
    const c2 = { id: 'c', title: 'C', objective: 'c v2 (clarified)', deps: ['a'], files: ['c.txt'] };
    // Candidate 1 touches a finished task outside the neighbourhood (also after its repair round): dropped.
    const updater = new ScriptedToolModel((n, req) =>
      n === 1 || isRepair(req) ? { name: 'submit_update', args: { reason: 'rewrite a too', replace: [c2, { id: 'a', title: 'A', objective: 'a v2', files: ['a.txt'] }] } } : { name: 'submit_update', args: { reason: 'clarify c', replace: [c2] } },
    );
    const out = await startRun({
      dir,
      stateDir,
      plan,
      model: new FakeModel(writeObjective),
      apply: 'auto',
      maxAgents: 2,
      verify: verifier(new Set(['c'])),
      updater: createUpdater({ model: updater, candidates: 2 }),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'plan.updated') for (const f of ['a.txt', 'b.txt', 'e.txt']) {
          const p = path.join(dir, f);
          try {
            snapshot.set(f, { bytes: readFileSync(p, 'utf8'), mtimeMs: statSync(p).mtimeMs });
          } catch {
            // e may not be applied yet: it is compared below only if it was.
          }
        }
      },
    });
    assert.equal(out.exitCode, 0, out.record.reason);
    assert.deepEqual(Object.values(out.record.tasks).map((t) => t.status), Array(5).fill('passed'));
    // c: attempt + retry, then the updated version once; d runs only after the update; a, b, e once each.
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((id) => countOf(events, 'agent.started', id)), [1, 1, 3, 1, 1]);
    assert.equal(readFileSync(path.join(dir, 'c.txt'), 'utf8'), 'c v2 (clarified)\n');
    // a (c's parent) was applied before c started, so it is on disk when the update lands; b and e may still
    // be on their way: they are checked through their patch events (one proposal, one application each).
    assert.ok(snapshot.has('a.txt'), [...snapshot.keys()].join());
    for (const id of ['a', 'b', 'e']) {
      assert.deepEqual(events.filter((e) => e.type === 'patch' && e.taskId === id).map((e) => e.type === 'patch' && e.state), ['proposed', 'applied'], id);
      assert.equal(readFileSync(path.join(dir, `${id}.txt`), 'utf8'), `${id} v1\n`);
    }
    for (const [f, before] of snapshot) {
      assert.equal(readFileSync(path.join(dir, f), 'utf8'), before.bytes, f);
      assert.equal(statSync(path.join(dir, f)).mtimeMs, before.mtimeMs, `${f} was not rewritten`);
    }
    assert.equal(out.record.plan.tasks.find((t) => t.id === 'a')?.objective, 'a v1');
    const updated = events.find((e) => e.type === 'plan.updated');
    assert.ok(updated && updated.type === 'plan.updated');
    assert.deepEqual([updated.taskId, updated.changed, updated.added, updated.removed], ['c', ['c'], [], []]);
    const decisions = events.filter((e) => e.type === 'decision');
    assert.deepEqual(decisions.map((e) => e.type === 'decision' && `${e.point}:${e.choice}`), ['recovery:retry', 'recovery:replan', 'update:candidate-2']);
    const update = decisions[2];
    assert.ok(update.type === 'decision');
    assert.deepEqual(update.options.map((o) => o.valid), [false, true]);
    assert.match(String(update.options[0].error), /outside the failing task's neighbourhood/);
    // the updater's conversation opens with the failing task and carries its findings
    const first = updater.seen[0].find((m) => m.role === 'user')?.content ?? '';
    assert.match(first, /^Task c: C\n[\s\S]*c\.txt:1: c still says v1 \(checker\)/);
    // the updated task's first attempt hears why its previous version failed
    assert.equal(out.record.updates, 1);
    assert.equal(out.record.tasks.c.updates, 1);
    assert.ok(out.record.usage.inputTokens > 0 && events.some((e) => e.type === 'usage' && e.role === 'updater'));
  });

  it('a task that keeps failing uses its update budget, then fails with a clear reason and blocks its dependents', async () => {
    const { dir, stateDir } = dirs();
    let version = 1;
    const updater = new ScriptedToolModel(() => ({ name: 'submit_update', args: { reason: `try ${++version}`, replace: [{ id: 'c', title: 'C', objective: `c v1 try ${version}`, deps: ['a'], files: ['c.txt'] }] } }));
    const events: RunEvent[] = [];
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(writeObjective), verify: verifier(new Set(['c'])), updater: createUpdater({ model: updater, candidates: 1 }), onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 1);
    const t = out.record.tasks;
    assert.deepEqual([t.a.status, t.b.status, t.c.status, t.d.status, t.e.status], ['passed', 'passed', 'failed', 'blocked', 'passed']);
    assert.equal(t.c.updates, 2);
    assert.equal(t.c.attempts, 6, '3 versions x (attempt + retry)');
    assert.match(t.c.reason ?? '', /c\.txt:1: c still says v1 .*1 retry did not fix it and the task's update budget is used up \(2 per task\)/);
    assert.deepEqual(t.c.findings, [{ file: 'c.txt', line: 1, message: 'c still says v1', tool: 'checker' }]);
    assert.match(t.d.reason ?? '', /depends on c, which failed/);
    assert.equal(events.filter((e) => e.type === 'plan.updated').length, 2);
    const last = events.filter((e) => e.type === 'decision').at(-1);
    assert.ok(last?.type === 'decision' && last.choice === 'fail' && last.mode === 'forced');
  });

  it("an updater's declined consent (a host's permission prompt) pauses the run: the failing task waits, cancelled, instead of failing; the resume runs it again", async () => {
    const { dir, stateDir } = dirs();
    const updater: UpdaterHook = async () => {
      throw new ProviderError({ kind: 'consent', provider: 'vscode-lm', baseUrl: '', model: 'm', message: "VS Code's permission was not given" });
    };
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(writeObjective), verify: verifier(new Set(['c'])), updater });
    assert.equal(out.status, 'cancelled');
    assert.equal(out.pausedFor, 'consent');
    assert.match(out.record.reason ?? '', /^VS Code's permission was not given$/);
    assert.equal(out.record.tasks.c.status, 'cancelled');
    assert.ok(!Object.values(out.record.tasks).some((t) => t.status === 'failed' || t.status === 'blocked'), JSON.stringify(out.record.tasks));
    // Allowed now (and c's check passes): the resume finishes the run.
    const resumed = await resumeRun({ stateDir, runId: out.runId, model: new FakeModel(writeObjective), verify: verifier(new Set()) });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.record.tasks.c.status, 'passed');
  });

  it('the engine refuses an update that removes the failing task and its file, even from an updater that skips the checks: the run fails, the file is not there', async () => {
    const { dir, stateDir } = dirs();
    const events: RunEvent[] = [];
    // A hostile UpdaterHook (not the product's updater, which already refuses it): d is removed, d.txt with it.
    const updater: UpdaterHook = async (req) => ({
      chosen: { reason: 'drop d', plan: { ...req.plan, tasks: req.plan.tasks.filter((t) => t.id !== 'd') }, changed: [], added: [], removed: ['d'], affected: [] },
      decision: { options: [], choice: 'candidate-1', mode: 'rule', reason: 'scripted' },
      usage: [],
    });
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(writeObjective), apply: 'auto', verify: verifier(new Set(['d'])), updater, onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.status, 'failed');
    assert.equal(out.record.tasks.d.status, 'failed');
    assert.match(out.record.tasks.d.reason ?? '', /the update was refused: no task would write d\.txt any more/);
    assert.ok(out.record.plan.tasks.some((t) => t.id === 'd'));
    assert.equal(events.filter((e) => e.type === 'plan.updated').length, 0);
    assert.equal(existsSync(path.join(dir, 'd.txt')), false);
  });

  it('an updater that keeps the plan re-runs the failing task as planned, counted against the update budget', async () => {
    const { dir, stateDir } = dirs();
    const c1 = plan.tasks.find((t) => t.id === 'c');
    const updater = new ScriptedToolModel(() => ({ name: 'submit_update', args: { reason: 'the plan is right', replace: [c1] } }));
    const events: RunEvent[] = [];
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(writeObjective), verify: verifier(new Set(['c'])), updater: createUpdater({ model: updater, candidates: 1 }), onEvent: (e) => events.push(e) });
    // c never stops saying v1: the two "plan stands" updates are spent, then it fails (never an endless loop)
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.tasks.c.updates, 2);
    assert.equal(out.record.tasks.c.attempts, 6, '3 runs of the same version x (attempt + retry)');
    assert.equal(events.filter((e) => e.type === 'plan.updated').length, 0);
    assert.ok(events.some((e) => e.type === 'task.status' && e.taskId === 'c' && e.status === 'pending' && /the plan stands, running again: the plan is right/.test(e.reason ?? '')));
  });

  it('the run-wide update budget is shared by every task', async () => {
    const { dir, stateDir } = dirs();
    const updater = new ScriptedToolModel((n, req) => {
      const id = /^Task ([a-z]+):/.exec(String(req.messages[1].content))?.[1] ?? '';
      const t = plan.tasks.find((x) => x.id === id);
      return { name: 'submit_update', args: { reason: 'again', replace: [{ ...t, objective: `${t?.objective} again ${n}` }] } };
    });
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(writeObjective), verify: verifier(new Set(['a', 'b'])), updater: createUpdater({ model: updater, candidates: 1 }), recovery: { updatesPerRun: 3 } });
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.updates, 3);
    const reasons = [out.record.tasks.a.reason, out.record.tasks.b.reason].join('\n');
    assert.match(reasons, /the run's update budget is used up \(3 per run\)/);
  });

  it('without an updater a task fails after its retry; a missing owned file is a finding; retries can be turned off', async () => {
    const { dir, stateDir } = dirs();
    const lazy: Script = (turn) => (turn === 1 ? { calls: [{ name: 'finish', args: { summary: 'nothing to do' } }] } : { calls: [] });
    const one = validPlan({ tasks: [{ id: 'x', title: 'X', objective: 'o', files: ['x.py', 'y.py'] }] });
    const model = new FakeModel({ x: lazy });
    const out = await startRun({ dir, stateDir, plan: one, model });
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.tasks.x.attempts, 2);
    assert.match(out.record.tasks.x.reason ?? '', /x\.py: the task owns this file but did not write it .*y\.py.*1 retry did not fix it and no updater is configured/);
    const retry = model.seen.at(-1)?.find((m) => m.role === 'user')?.content ?? '';
    assert.match(retry, /# Problems found in your previous attempt\nverification failed\. The checks found:\n- x\.py: the task owns this file/);
    const { dir: d2, stateDir: s2 } = dirs();
    const out2 = await startRun({ dir: d2, stateDir: s2, plan: one, model: new FakeModel({ x: lazy }), recovery: { maxRetries: 0 } });
    assert.equal(out2.record.tasks.x.attempts, 1);
    assert.match(out2.record.tasks.x.reason ?? '', /no retry is allowed and no updater is configured/);
  });

  it('the whole-run check sees every staged file; its failure fails the run with its findings', async () => {
    for (const outcome of ['passed', 'failed'] as const) {
      const { dir, stateDir } = dirs();
      const seen: string[][] = [];
      const events: RunEvent[] = [];
      const out = await startRun({
        dir,
        stateDir,
        plan,
        model: new FakeModel(writeObjective),
        onEvent: (e) => events.push(e),
        runCheck: async (view) => {
          seen.push([...view.changes.keys()].sort());
          return { outcome, findings: outcome === 'failed' ? [{ message: '1 test failed', tool: 'pytest' }] : [] };
        },
      });
      assert.deepEqual(seen[0], ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
      // A failure that names no file is put down to every task changed since the last pass: each retries once
      // (the default budget), then, with no updater, the run ends.
      assert.equal(seen.length, outcome === 'passed' ? 1 : 2);
      assert.equal(out.exitCode, outcome === 'passed' ? 0 : 1);
      assert.deepEqual(out.record.check?.outcome, outcome);
      const checked = events.find((e) => e.type === 'run.checked');
      assert.ok(checked?.type === 'run.checked' && checked.outcome === outcome);
      if (outcome === 'failed') {
        assert.match(out.record.reason ?? '', /the test command failed: 1 test failed \(pytest\)/);
        assert.deepEqual(out.record.check?.attributed, ['a', 'b', 'c', 'd', 'e'].map((taskId) => ({ taskId, by: 'changed', files: [] })));
        for (const id of ['a', 'b', 'c', 'd', 'e']) assert.equal(out.record.tasks[id]?.attempts, 2, id);
      }
    }
  });

  it('a failing test command names a task\'s file: only that task runs again, with the lines that name it, and the run passes once it is fixed', async () => {
    const { dir, stateDir } = dirs();
    let calls = 0;
    const checked: string[] = [];
    const model = new FakeModel((turn, messages) => {
      const first = messages.find((m) => m.role === 'user')?.content ?? '';
      const id = taskIdOf(messages);
      if (turn > 1) return { calls: [{ name: 'finish', args: { summary: `${id} done` } }] };
      const fixed = /the test command failed/.test(first) && /c\.txt:1: c is wrong/.test(first);
      return { calls: [{ name: 'write_file', args: { path: `${id}.txt`, content: id === 'c' && !fixed ? 'wrong\n' : 'right\n' } }] };
    });
    const out = await startRun({
      dir,
      stateDir,
      plan,
      model,
      runCheck: async (view) => {
        calls++;
        const bad = [...view.changes].filter(([, c]) => c === 'wrong\n').map(([p]) => p);
        checked.push(bad.join(','));
        if (bad.length === 0) return { outcome: 'passed', findings: [] };
        return { outcome: 'failed', findings: [{ message: '1 test failed', tool: 'node' }], output: `Error: boom\n    at check (${dir}/${bad[0]}:1: c is wrong)\n    at test.js:3:1\n` };
      },
    });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(checked, ['c.txt', '']);
    assert.equal(calls, 2);
    for (const id of ['a', 'b', 'd', 'e']) assert.equal(out.record.tasks[id]?.attempts, 1, `${id} was not run again`);
    assert.equal(out.record.tasks.c?.attempts, 2);
    const attribution = out.record.decisions.find((d) => d.point === 'check.attribution');
    assert.equal(attribution?.choice, 'c');
    assert.deepEqual(attribution?.options, [{ id: 'c', by: 'output', files: ['c.txt'] }]);
  });

  it('a test command that keeps failing ends the run: the retry budget bounds the rounds', async () => {
    const { dir, stateDir } = dirs();
    let calls = 0;
    const out = await startRun({
      dir,
      stateDir,
      plan,
      model: new FakeModel(writeObjective),
      recovery: { maxRetries: 2 },
      runCheck: async () => {
        calls++;
        return { outcome: 'failed', findings: [{ file: 'b.txt', message: 'still broken', tool: 'node' }] };
      },
    });
    assert.equal(out.exitCode, 1);
    // b ran three times (two retries); with no updater nothing runs after that.
    assert.equal(calls, 3);
    assert.equal(out.record.tasks.b?.attempts, 3);
    assert.equal(out.record.tasks.a?.attempts, 1);
    assert.deepEqual(out.record.check?.attributed, [{ taskId: 'b', by: 'output', files: ['b.txt'] }]);
  });

  it('the retries a failing test command spent are kept across a resume: the budget does not start again', async () => {
    const { dir, stateDir } = dirs();
    let calls = 0;
    const ac = new AbortController();
    const failing = async (): Promise<{ outcome: 'failed'; findings: Array<{ file: string; message: string; tool: string }> }> => {
      calls++;
      // Cancelled while the test command checks b's first retry (a window closed, Ctrl+C).
      if (calls === 2) ac.abort();
      return { outcome: 'failed', findings: [{ file: 'b.txt', message: 'still broken', tool: 'node' }] };
    };
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(writeObjective), recovery: { maxRetries: 2 }, runCheck: failing, signal: ac.signal });
    assert.equal(out.status, 'cancelled');
    assert.equal(out.record.tasks.b?.attempts, 2);
    const onDisk = JSON.parse(readFileSync(path.join(stateDir, 'runs', out.runId, 'run.json'), 'utf8')) as { tasks: Record<string, { checkRetries?: number }> };
    assert.equal(onDisk.tasks.b?.checkRetries, 1, 'the retry spent is in the journal');

    const resumed = await resumeRun({ stateDir, runId: out.runId, model: new FakeModel(writeObjective), recovery: { maxRetries: 2 }, runCheck: failing });
    assert.equal(resumed.exitCode, 1);
    // One retry was left: b runs once more (3 attempts in all, not 4), then the run ends.
    assert.equal(resumed.record.tasks.b?.attempts, 3);
    assert.equal(resumed.record.tasks.a?.attempts, 1);
    assert.equal(calls, 4);
  });
});
