import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validPlan } from '../plan/helpers';
import type { RunEvent } from '../../../src/core/run/events';
import { applyReviewedPatches, listRuns, RunJournal, resumeRun, startRun } from '../../../src/core/run';
import { FakeModel, taskIdOf, writeOwnedFiles, type Script } from './fakeModel';
import { tempDirs } from './tmp';
import { ProviderError } from '../../../src/core/models';
import type { VerifyHook } from '../../../src/core/run/hooks';

const plan4 = validPlan({
  goal: 'a tiny app',
  tasks: [
    { id: 'model', title: 'Model', objective: 'the data model', role: 'python developer', files: ['app/model.py'] },
    { id: 'view', title: 'View', objective: 'the view', role: 'python developer', files: ['app/view.py'] },
    { id: 'ctrl', title: 'Controller', objective: 'glue', role: 'python developer', deps: ['model', 'view'], files: ['app/main.py'] },
    { id: 'docs', title: 'Docs', objective: 'readme', role: 'writer', deps: ['ctrl'], files: ['README.md'] },
  ],
});

describe('run/engine', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  function dirs() {
    return { dir: tmp.make('af-ws-'), stateDir: tmp.make('af-state-') };
  }

  it('runs a plan in review mode: patches proposed, workspace untouched, journal and events complete', async () => {
    const { dir, stateDir } = dirs();
    const events: RunEvent[] = [];
    const model = new FakeModel();
    const out = await startRun({ dir, stateDir, plan: plan4, model, onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(readdirSync(dir), [], 'review mode writes nothing');
    assert.ok(events.every((e) => e.runId === out.runId));
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'run.finished', exitCode: 0, status: 'completed' });
    const started = events.filter((e) => e.type === 'agent.started');
    assert.equal(started.length, 4);
    // dependency order: ctrl starts after model and view passed; docs after ctrl.
    const idx = (pred: (e: RunEvent) => boolean) => events.findIndex(pred);
    const passed = (id: string) => idx((e) => e.type === 'task.status' && e.taskId === id && e.status === 'passed');
    const start = (id: string) => idx((e) => e.type === 'agent.started' && e.taskId === id);
    assert.ok(start('ctrl') > passed('model') && start('ctrl') > passed('view') && start('docs') > passed('ctrl'));
    // the agent's first user message opens with "Task <id>: <title>" and carries its upstream context.
    const ctrlFirst = model.seen.find((m) => taskIdOf(m) === 'ctrl')?.find((m) => m.role === 'user')?.content ?? '';
    assert.match(ctrlFirst, /^Task ctrl: Controller\n/);
    assert.match(ctrlFirst, /## model: Model\nSummary: model done\nFiles: app\/model.py/);
    assert.match(ctrlFirst, /docs: readme/);
    const journal = await RunJournal.open(stateDir, out.runId);
    assert.equal(journal.record.status, 'completed');
    assert.deepEqual(Object.values(journal.record.tasks).map((t) => [t.status, t.patch?.state]), Array(4).fill(['passed', 'proposed']));
    assert.equal(journal.record.usage.inputTokens, 80);
    const [listed] = await listRuns(stateDir);
    assert.equal(listed.runId, out.runId);
    assert.equal(listed.tasks, 4);
    const reports = await applyReviewedPatches(stateDir, out.runId, ['model']);
    assert.deepEqual(reports.map((r) => r.state), ['applied']);
    assert.equal(readFileSync(path.join(dir, 'app/model.py'), 'utf8'), '# app/model.py by model\n');
    assert.equal(existsSync(path.join(dir, 'README.md')), false);
  });

  it('applies verified patches with --apply auto, and downstream agents read upstream staged files', async () => {
    const { dir, stateDir } = dirs();
    const reads: string[] = [];
    const scripts: Record<string, Script> = {
      docs: (turn) => {
        if (turn === 1) return { calls: [{ name: 'read_file', args: { path: 'app/main.py' } }] };
        if (turn === 2) return { calls: [{ name: 'write_file', args: { path: 'README.md', content: 'docs\n' } }, { name: 'finish', args: { summary: 'ok' } }] };
        return { calls: [] };
      },
    };
    const model = new FakeModel((turn, messages) => {
      const id = taskIdOf(messages);
      if (id === 'docs' && turn === 2) reads.push(String(messages.at(-1)?.content));
      return (scripts[id] ?? writeOwnedFiles())(turn, messages);
    });
    const out = await startRun({ dir, stateDir, plan: plan4, model, apply: 'auto' });
    assert.equal(out.exitCode, 0, JSON.stringify(out.record.tasks));
    assert.deepEqual(reads, ['     1\t# app/main.py by ctrl']);
    for (const f of ['app/model.py', 'app/view.py', 'app/main.py', 'README.md']) assert.ok(existsSync(path.join(dir, f)), f);
  });

  it('keeps at most maxAgents agent calls in flight and reaches min(maxAgents, ready)', async () => {
    const { dir, stateDir } = dirs();
    const wide = validPlan({ tasks: Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, title: `T${i}`, objective: 'o', files: [`f${i}.txt`] })) });
    const model = new FakeModel();
    const gate = model.gate();
    const run = startRun({ dir, stateDir, plan: wide, model, maxAgents: 3 });
    await gate.waitFor(3);
    assert.equal(model.inFlight, 3);
    gate.open();
    const out = await run;
    assert.equal(out.exitCode, 0);
    assert.equal(model.maxInFlight, 3);
  });

  it('refuses writes outside the task, counts them, tells the agent, and the task still succeeds', async () => {
    const { dir, stateDir } = dirs();
    const plan = validPlan({ tasks: [{ id: 'a', title: 'A', objective: 'o', files: ['a.txt'] }, { id: 'b', title: 'B', objective: 'o', files: ['b.txt'] }] });
    const toolResults: string[] = [];
    const model = new FakeModel({
      a: (turn, messages) => {
        if (turn === 1)
          return {
            calls: [
              { name: 'write_file', args: { path: '../x', content: 'x' } },
              { name: 'write_file', args: { path: 'b.txt', content: 'x' } },
              { name: 'write_file', args: { path: '.vscode/settings.json', content: '{}' } },
              { name: 'read_file', args: { path: 'nope.txt' } },
              { name: 'write_file', args: { path: 'a.txt' } },
              { name: 'write_file', args: { path: 'a.txt', content: 'A\n' } },
            ],
          };
        toolResults.push(...messages.filter((m) => m.role === 'tool').map((m) => m.content));
        return { calls: [{ name: 'finish', args: { summary: 'a' } }] };
      },
    });
    const events: RunEvent[] = [];
    const out = await startRun({ dir, stateDir, plan, model, apply: 'auto', onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 0);
    assert.equal(out.record.tasks.a.refusals, 3);
    assert.equal(events.filter((e) => e.type === 'write.refused').length, 3);
    assert.equal(toolResults.filter((t) => t.startsWith('error:')).length, 5);
    assert.match(toolResults[4], /invalid arguments for write_file: content/);
    assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.txt']);
    assert.equal(readFileSync(path.join(dir, 'b.txt'), 'utf8'), '# b.txt by b\n');
    assert.equal(existsSync(path.join(path.dirname(dir), 'x')), false);
  });

  it('verify hook: a failed check goes to the failure hook, a retry reopens the conversation, dependents of a failure are blocked', async () => {
    const { dir, stateDir } = dirs();
    const plan = validPlan({
      tasks: [
        { id: 'a', title: 'A', objective: 'o', files: ['a.txt'] },
        { id: 'b', title: 'B', objective: 'o', files: ['b.txt'] },
        { id: 'c', title: 'C', objective: 'o', deps: ['b'], files: ['c.txt'] },
      ],
    });
    const model = new FakeModel();
    const attempts: Record<string, number> = {};
    const out = await startRun({
      dir,
      stateDir,
      plan,
      model,
      verify: async (task, view) => {
        attempts[task.id] = (attempts[task.id] ?? 0) + 1;
        assert.equal(await view.readFile(task.files[0]), `# ${task.files[0]} by ${task.id}\n`);
        if (task.id === 'b') return { outcome: 'failed', findings: [{ file: 'b.txt', line: 1, message: 'bad' }] };
        return { outcome: attempts[task.id] === 1 ? 'failed' : 'passed', findings: [] };
      },
      decide: { recovery: async (info) => (info.task.id === 'a' && info.attempt === 1 ? { action: 'retry', feedback: 'fix it' } : { action: 'fail' }) },
    });
    assert.equal(out.exitCode, 1);
    assert.deepEqual(Object.fromEntries(Object.entries(out.record.tasks).map(([k, v]) => [k, v.status])), { a: 'passed', b: 'failed', c: 'blocked' });
    assert.equal(out.record.tasks.a.attempts, 2);
    assert.match(out.record.tasks.b.reason ?? '', /b\.txt:1: bad/);
    const retryFirst = model.seen.filter((m) => taskIdOf(m) === 'a').at(-1)?.find((m) => m.role === 'user')?.content ?? '';
    assert.match(retryFirst, /^Task a: A\n[\s\S]*# Problems found in your previous attempt\nfix it/);
  });

  it('cancellation aborts in-flight calls, discards layers, marks the journal cancelled, exit 130, workspace unchanged', async () => {
    const { dir, stateDir } = dirs();
    writeFileSync(path.join(dir, 'app-keep.txt'), 'mine\n');
    const model = new FakeModel();
    const gate = model.gate();
    const ac = new AbortController();
    const run = startRun({ dir, stateDir, plan: plan4, model, apply: 'auto', signal: ac.signal });
    await gate.waitFor(2);
    ac.abort();
    const out = await run;
    assert.equal(out.exitCode, 130);
    assert.deepEqual(readdirSync(dir), ['app-keep.txt']);
    const journal = await RunJournal.open(stateDir, out.runId);
    assert.equal(journal.record.status, 'cancelled');
    assert.ok(Object.values(journal.record.tasks).every((t) => t.status === 'cancelled' && !t.patch));
  });

  it('resume: finished tasks stay finished (not re-run), interrupted ones restart clean', async () => {
    const { dir, stateDir } = dirs();
    const first = new FakeModel();
    const gate = first.gate();
    const ac = new AbortController();
    // model and view pass; ctrl is held, then the run is cut short.
    const heldCtrl = new FakeModel((turn, messages) => writeOwnedFiles()(turn, messages));
    const model = {
      provider: first.provider,
      name: first.name,
      call: (req: Parameters<FakeModel['call']>[0]) => (taskIdOf(req.messages) === 'ctrl' ? first.call(req) : heldCtrl.call(req)),
    };
    const run = startRun({ dir, stateDir, plan: plan4, model, signal: ac.signal });
    await gate.waitFor(1);
    ac.abort();
    const cut = await run;
    assert.equal(cut.exitCode, 130);
    assert.deepEqual(Object.fromEntries(Object.entries(cut.record.tasks).map(([k, v]) => [k, v.status])), { model: 'passed', view: 'passed', ctrl: 'cancelled', docs: 'cancelled' });
    const again = new FakeModel();
    const out = await resumeRun({ stateDir, runId: cut.runId, model: again, apply: 'auto' });
    assert.equal(out.exitCode, 0);
    assert.deepEqual([...new Set(again.seen.map(taskIdOf))].sort(), ['ctrl', 'docs']);
    for (const f of ['app/model.py', 'app/view.py', 'app/main.py', 'README.md']) assert.ok(existsSync(path.join(dir, f)), f);
    assert.equal(out.record.resumes, 1);
  });

  it('retry: a run that ended failed runs the failed task again, and the tasks blocked behind it; others stay as they were', async () => {
    const { dir, stateDir } = dirs();
    // ctrl fails its checks the first time (no retries, no updater), so docs is blocked and the run fails.
    let fixed = false;
    const verify = async (t: { id: string }): Promise<{ outcome: 'passed' | 'failed'; findings: { message: string }[] }> =>
      t.id === 'ctrl' && !fixed ? { outcome: 'failed', findings: [{ message: 'main.py: NameError' }] } : { outcome: 'passed', findings: [] };
    const first = await startRun({ dir, stateDir, plan: plan4, model: new FakeModel(), verify, recovery: { maxRetries: 0, updatesPerTask: 0, updatesPerRun: 0 } });
    assert.equal(first.status, 'failed');
    assert.deepEqual(Object.fromEntries(Object.entries(first.record.tasks).map(([k, v]) => [k, v.status])), { model: 'passed', view: 'passed', ctrl: 'failed', docs: 'blocked' });
    // A plain resume has nothing to run; a retry of ctrl runs ctrl and docs, not the passed tasks.
    fixed = true;
    const again = new FakeModel();
    const events: RunEvent[] = [];
    const out = await resumeRun({ stateDir, runId: first.runId, model: again, verify, retry: ['ctrl'], onEvent: (e) => events.push(e) });
    assert.equal(out.status, 'completed', JSON.stringify(out.record.tasks));
    assert.deepEqual([...new Set(again.seen.map(taskIdOf))].sort(), ['ctrl', 'docs']);
    assert.equal(out.record.tasks.ctrl?.findings, undefined, 'the old findings are gone with the old attempt');
    assert.ok(events.some((e) => e.type === 'task.status' && e.taskId === 'ctrl' && e.status === 'pending'), 'the views see it start over');
    // A task id that did not fail is left alone.
    const noop = await resumeRun({ stateDir, runId: first.runId, model: new FakeModel(), verify, retry: ['model', 'nope'] });
    assert.equal(noop.record.tasks.model?.status, 'passed');
  });

  it('a fatal model error (rejected key) stops the run with exit 2', async () => {
    const { dir, stateDir } = dirs();
    const model = new FakeModel(() => {
      throw new ProviderError({ kind: 'auth', provider: 'openai', baseUrl: 'http://x', model: 'm', message: '401 bad key' });
    });
    const out = await startRun({ dir, stateDir, plan: plan4, model });
    assert.equal(out.exitCode, 2);
    assert.ok(Object.values(out.record.tasks).every((t) => t.status !== 'passed'));
  });

  it('a declined consent (a host\'s permission prompt) pauses the run: no task failed, no retry spent, resumable; the resume runs the task again', async () => {
    const { dir, stateDir } = dirs();
    let declined = 0;
    const model = new FakeModel((turn, messages) => {
      if (taskIdOf(messages) === 'view' && declined === 0) {
        declined++;
        throw new ProviderError({ kind: 'consent', provider: 'vscode-lm', baseUrl: '', model: 'm', message: "VS Code's permission was not given" });
      }
      return writeOwnedFiles()(turn, messages);
    });
    const out = await startRun({ dir, stateDir, plan: plan4, model });
    assert.equal(out.status, 'cancelled');
    assert.equal(out.pausedFor, 'consent');
    assert.match(out.record.reason ?? '', /permission was not given/);
    const statuses = Object.values(out.record.tasks).map((t) => t.status);
    assert.ok(!statuses.includes('failed') && !statuses.includes('blocked'), JSON.stringify(out.record.tasks));
    assert.equal(out.record.tasks.view?.status, 'cancelled');
    assert.equal(declined, 1);
    const resumed = await resumeRun({ stateDir, runId: out.runId, model });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.pausedFor, undefined);
    assert.equal(resumed.record.tasks.view?.status, 'passed');
  });

  it("an inspector's declined consent pauses the run too: the task waits, cancelled, and the resume verifies it", async () => {
    const { dir, stateDir } = dirs();
    const plan = validPlan({ tasks: [{ id: 'a', title: 'A', objective: 'o', files: ['a.txt'] }] });
    let declined = 0;
    const verify: VerifyHook = async () => {
      if (declined++ === 0) throw new ProviderError({ kind: 'consent', provider: 'vscode-lm', baseUrl: '', model: 'm', message: "VS Code's permission was not given" });
      return { outcome: 'passed', findings: [] };
    };
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel(), verify });
    assert.equal(out.pausedFor, 'consent');
    assert.equal(out.record.tasks.a?.status, 'cancelled');
    const resumed = await resumeRun({ stateDir, runId: out.runId, model: new FakeModel(), verify });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.record.tasks.a?.status, 'passed');
  });

  it('an agent\'s first message holds its own files as it sees them: it can edit in its first turn; a new file is named new; a file past the budget is named, not shown', async () => {
    const { dir, stateDir } = dirs();
    writeFileSync(path.join(dir, 'lib.py'), 'def greet(name):\n    return "hi " + name\n');
    writeFileSync(path.join(dir, 'big.py'), 'x = 1\n'.repeat(10_000));
    writeFileSync(path.join(dir, '.env'), 'SECRET=1\n');
    const plan = validPlan({ tasks: [{ id: 'a', title: 'A', objective: 'say hello', files: ['lib.py', 'new.py', 'big.py'] }] });
    // The agent edits lib.py from what its first message shows, without reading it first.
    const model = new FakeModel((turn, messages) => {
      if (turn > 1) return { calls: [{ name: 'finish', args: { summary: 'done' } }] };
      const first = messages.find((m) => m.role === 'user')?.content ?? '';
      const shown = /## lib\.py \(2 lines\)\n\s+1\t(.*)\n\s+2\t(.*)\n/.exec(first);
      if (!shown) return { calls: [{ name: 'finish', args: { summary: 'lib.py not shown' } }] };
      return { calls: [{ name: 'edit_file', args: { path: 'lib.py', edits: [{ old_string: shown[2], new_string: shown[2].replace('hi', 'hello') }] } }, { name: 'write_file', args: { path: 'new.py', content: 'N = 1\n' } }] };
    });
    const out = await startRun({ dir, stateDir, plan, model });
    const first = model.seen[0]?.find((m) => m.role === 'user')?.content ?? '';
    assert.match(first, /# Your files as they are now \(numbered as read_file shows them; the numbers are not part of the files\)\n## lib\.py \(2 lines\)\n {5}1\tdef greet\(name\):\n {5}2\t {4}return "hi " \+ name\n## new\.py: new \(it does not exist yet\)\n## big\.py \(10000 lines\): too long to show here/);
    assert.doesNotMatch(first, /SECRET/);
    assert.equal(model.calls, 2, 'no read_file turn was needed');
    assert.equal(out.record.tasks.a.status, 'passed', out.record.tasks.a.reason);
    const patch = await (await RunJournal.open(stateDir, out.runId)).loadPatch('a');
    assert.equal(patch?.files.find((f) => f.path === 'lib.py')?.after, 'def greet(name):\n    return "hello " + name\n');
  });

  it('an agent that never finishes fails after its turn cap', async () => {
    const { dir, stateDir } = dirs();
    const plan = validPlan({ tasks: [{ id: 'a', title: 'A', objective: 'o', files: ['a.txt'] }] });
    const model = new FakeModel(() => ({ text: 'thinking...', calls: [] }));
    const out = await startRun({ dir, stateDir, plan, model, maxTurns: 3 });
    assert.equal(out.exitCode, 1);
    // 3 turns, then the one default retry's 3 turns.
    assert.equal(model.calls, 6);
    assert.match(out.record.tasks.a.reason ?? '', /did not finish within 3 turns/);
  });

  it('a task that owns files and finishes without changing any fails with "no changes made" and goes through recovery; a task owning none may finish with a summary', async () => {
    const { dir, stateDir } = dirs();
    writeFileSync(path.join(dir, 'a.txt'), 'same\n');
    const plan = validPlan({
      tasks: [
        { id: 'a', title: 'A', objective: 'o', files: ['a.txt'] },
        { id: 'r', title: 'R', objective: 'report only', files: [] },
      ],
    });
    // `a` rewrites its file to the same bytes, then finishes: no change.
    const model = new FakeModel((turn, messages) =>
      taskIdOf(messages) === 'a' && turn === 1 ? { calls: [{ name: 'write_file', args: { path: 'a.txt', content: 'same\n' } }] } : { calls: [{ name: 'finish', args: { summary: 'done' } }] },
    );
    const decided: string[] = [];
    const out = await startRun({ dir, stateDir, plan, model, decide: { recovery: async (info) => (decided.push(`${info.task.id}:${info.findings.map((f) => f.message).join()}`), { action: 'fail' }) } });
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.tasks.a.status, 'failed');
    assert.match(out.record.tasks.a.reason ?? '', /no changes made/);
    assert.deepEqual(decided, ['a:no changes made: the task owns files but finished without changing any of them']);
    assert.equal(out.record.tasks.r.status, 'passed');
  });
});
