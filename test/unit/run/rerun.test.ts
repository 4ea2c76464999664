import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validPlan } from '../plan/helpers';
import { applyReviewedPatches, isRerunRefusedError, prepareRerun, RunJournal, resumeRun, startRun } from '../../../src/core/run';
import { FakeModel, writeOwnedFiles } from './fakeModel';
import { tempDirs } from './tmp';

const plan = validPlan({
  goal: 'edit two files',
  tasks: [
    { id: 'edit', title: 'Edit', objective: 'change line 2', files: ['a.txt'] },
    { id: 'other', title: 'Other', objective: 'another file', files: ['b.txt'] },
  ],
});

describe('run/rerun: Re-run on my version', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('a conflicted task runs again against the user\'s file and its new patch applies; the other task is not re-run', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    writeFileSync(path.join(dir, 'a.txt'), '1\n2\n3\n');
    writeFileSync(path.join(dir, 'b.txt'), 'b\n');
    // The agent rewrites line 2 of whatever a.txt holds when it reads it.
    const rewrite = (_id: string, p: string): string => (p === 'a.txt' ? readFileSync(path.join(dir, p), 'utf8').replace(/^2$/m, 'TWO') : 'B\n');
    const first = await startRun({ dir, stateDir, plan, model: new FakeModel(writeOwnedFiles(rewrite)) });
    // Meanwhile the user changed the same line: the patch cannot be applied.
    writeFileSync(path.join(dir, 'a.txt'), '1\nmine\n3\n');
    const [conflicted] = await applyReviewedPatches(stateDir, first.runId, ['edit']);
    assert.equal(conflicted?.state, 'conflicted');

    await prepareRerun(stateDir, first.runId, 'edit');
    const journal = await RunJournal.open(stateDir, first.runId);
    assert.equal(journal.record.tasks['edit']?.status, 'pending');
    assert.equal(await journal.loadPatch('edit'), undefined, 'the stale proposal is gone, so a resume cannot take it for the result');
    assert.equal(readFileSync(path.join(dir, 'a.txt'), 'utf8'), '1\nmine\n3\n', 'the user\'s file is untouched');

    // The re-run sees the user's version: the agent (rewriting line 2 of what it reads) now finds no "2".
    writeFileSync(path.join(dir, 'a.txt'), '1\nmine\n3\n2\n');
    const again = new FakeModel(writeOwnedFiles(rewrite));
    const out = await resumeRun({ stateDir, runId: first.runId, model: again });
    assert.deepEqual([...new Set(again.seen.map((m) => /^Task ([a-z0-9_-]+): /.exec(m.find((x) => x.role === 'user')?.content ?? '')?.[1]))], ['edit'], 'only the re-run task ran');
    assert.equal(out.record.tasks['other']?.patch?.state, 'proposed', 'the other task keeps its patch');
    const patch = await (await RunJournal.open(stateDir, first.runId)).loadPatch('edit');
    assert.equal(patch?.files[0]?.before, '1\nmine\n3\n2\n', 'the new patch is based on the user\'s version');
    const [applied] = await applyReviewedPatches(stateDir, first.runId, ['edit']);
    assert.equal(applied?.state, 'applied');
    assert.equal(readFileSync(path.join(dir, 'a.txt'), 'utf8'), '1\nmine\n3\nTWO\n');
  });

  it('refuses a task whose changes are decided (undo first), and a task with no patch', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const run = await startRun({ dir, stateDir, plan, model: new FakeModel() });
    await applyReviewedPatches(stateDir, run.runId, ['other']);
    await assert.rejects(prepareRerun(stateDir, run.runId, 'other'), (e: unknown) => isRerunRefusedError(e) && /applied \(b\.txt\): undo that first/.test(e.message));
    assert.ok(await (await RunJournal.open(stateDir, run.runId)).loadPatch('other'), 'a refused re-run drops nothing');
    await assert.rejects(prepareRerun(stateDir, run.runId, 'ghost'), /no task "ghost"/);
  });
});
