import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import { validPlan } from '../plan/helpers';
import { decide, diskTextReader, reconcilePatch, RunJournal, startRun, type TaskPatch } from '../../../src/core/run';
import { FakeModel } from './fakeModel';
import { tempDirs } from './tmp';

const plan = validPlan({
  tasks: [
    { id: 'app', title: 'App', objective: 'o', files: ['a.txt', 'b.txt', 'old.txt'] },
    { id: 'doc', title: 'Doc', objective: 'o', files: ['doc.txt'] },
  ],
});

describe('run/patchReview: per-file decisions shared by the front ends', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  async function proposedRun(): Promise<{ dir: string; stateDir: string; runId: string }> {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    writeFileSync(path.join(dir, 'old.txt'), 'old\n');
    const out = await startRun({ dir, stateDir, plan, model: new FakeModel() });
    assert.equal(out.exitCode, 0, out.record.reason);
    return { dir, stateDir, runId: out.runId };
  }

  it('CLI apply never writes a file rejected in review, applies the rest, and records the patch applied', async () => {
    const { dir, stateDir, runId } = await proposedRun();
    const journal = await RunJournal.open(stateDir, runId);
    const patch = (await journal.loadPatch('app')) as TaskPatch;
    // What VS Code's per-file reject writes: b.txt rejected, the others undecided.
    decide(patch, ['b.txt'], 'rejected');
    await journal.savePatch(patch);
    const io = captureIo({ cwd: dir, env: {} });
    assert.equal(await main(['apply', runId, 'app', '--state', stateDir], io), 0, io.err());
    assert.equal(existsSync(path.join(dir, 'b.txt')), false, 'the rejected file was written');
    assert.equal(readFileSync(path.join(dir, 'a.txt'), 'utf8'), '# a.txt by app\n');
    assert.equal(readFileSync(path.join(dir, 'old.txt'), 'utf8'), '# old.txt by app\n');
    assert.match(io.err(), /app: applied \(a\.txt, old\.txt\); not applied, rejected in review: b\.txt/);
    const after = (await (await RunJournal.open(stateDir, runId)).loadPatch('app')) as TaskPatch;
    assert.equal(after.state, 'applied');
    assert.deepEqual(after.fileStates, { 'a.txt': 'applied', 'b.txt': 'rejected', 'old.txt': 'applied' });
    // Rejecting the other task as a whole leaves the workspace untouched and marks every file.
    const rej = captureIo({ cwd: dir, env: {} });
    assert.equal(await main(['apply', runId, 'doc', '--state', stateDir], rej), 0);
  });

  it('a patch whose applied files hold their base content again is proposed again (Undo, revert); rejected files stay rejected', async () => {
    const { dir, stateDir, runId } = await proposedRun();
    const io = captureIo({ cwd: dir, env: {} });
    assert.equal(await main(['apply', runId, 'app', '--state', stateDir], io), 0, io.err());
    const patch = (await (await RunJournal.open(stateDir, runId)).loadPatch('app')) as TaskPatch;
    assert.equal(patch.state, 'applied');
    const read = diskTextReader(dir);
    assert.deepEqual(await reconcilePatch(patch, read), [], 'nothing reverted yet');
    assert.equal(patch.state, 'applied');
    // Revert the created a.txt (deleted again) and the modified old.txt (base content again).
    unlinkSync(path.join(dir, 'a.txt'));
    writeFileSync(path.join(dir, 'old.txt'), 'old\n');
    assert.deepEqual((await reconcilePatch(patch, read)).sort(), ['a.txt', 'old.txt']);
    assert.equal(patch.state, 'proposed');
    assert.deepEqual(patch.fileStates, { 'b.txt': 'applied' });
    // A file edited after the accept (neither base nor proposal) keeps its decision.
    const p2: TaskPatch = { ...patch, state: 'proposed', fileStates: { 'b.txt': 'rejected' } };
    decide(p2, ['a.txt', 'old.txt'], 'applied');
    writeFileSync(path.join(dir, 'old.txt'), 'edited by the user\n');
    assert.deepEqual(await reconcilePatch(p2, async (f) => (f === 'a.txt' ? undefined : read(f))), []);
    assert.equal(p2.state, 'applied');
  });
});
