import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import { applyReviewedPatches, rejectPatches, RunJournal, undoDecision, type TaskPatch } from '../../../src/core/run';
import { StagingArea } from '../../../src/core/run/staging';
import { journalWithPatches } from './journalFixture';
import { tempDirs } from './tmp';

const RUN = '20260101-000000-000-abcdef';

async function stage(ws: string, taskId: string, files: Record<string, string | null>): Promise<TaskPatch> {
  const layer = new StagingArea(ws).openLayer(taskId, Object.keys(files), []);
  for (const [p, content] of Object.entries(files)) await layer.stage(p, content);
  return layer.seal(RUN);
}

describe('run/undo: Undo Accept and Undo Reject', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  async function setup(files: Record<string, string>, proposal: Record<string, string | null>) {
    const ws = tmp.make();
    const stateDir = tmp.make('af-state-');
    for (const [p, c] of Object.entries(files)) writeFileSync(path.join(ws, p), c);
    const patch = await stage(ws, 't', proposal);
    await journalWithPatches(stateDir, ws, [patch]);
    return { ws, stateDir };
  }

  it('undo of an accept restores the exact bytes (CRLF, BOM), deletes the created file, brings back the deleted one; apply redoes it', async () => {
    const crlf = '\uFEFFa\r\nb\r\n';
    const { ws, stateDir } = await setup({ 'a.txt': crlf, 'gone.txt': 'bye\n' }, { 'a.txt': '\uFEFFa\r\nB\r\n', 'gone.txt': null, 'new.txt': 'new\n' });
    assert.equal((await applyReviewedPatches(stateDir, RUN))[0]?.state, 'applied');
    const r = await undoDecision(stateDir, RUN, 't');
    assert.equal(r.undone, 'accept');
    assert.equal(r.state, 'proposed');
    assert.ok(readFileSync(path.join(ws, 'a.txt')).equals(Buffer.from(crlf, 'utf8')));
    assert.equal(readFileSync(path.join(ws, 'gone.txt'), 'utf8'), 'bye\n');
    assert.equal(existsSync(path.join(ws, 'new.txt')), false);
    const j = await RunJournal.open(stateDir, RUN);
    assert.equal(j.record.tasks['t']?.patch?.state, 'proposed');
    // Redo: the proposal applies again.
    assert.equal((await applyReviewedPatches(stateDir, RUN))[0]?.state, 'applied');
    assert.equal(readFileSync(path.join(ws, 'new.txt'), 'utf8'), 'new\n');
  });

  it('undo of a merged accept puts back the user version it merged into (not the run base)', async () => {
    const { ws, stateDir } = await setup({ 'a.txt': '1\n2\n3\n4\n5\n' }, { 'a.txt': '1\n2\n3\n4\nFIVE\n' });
    writeFileSync(path.join(ws, 'a.txt'), 'one\n2\n3\n4\n5\n');
    assert.equal((await applyReviewedPatches(stateDir, RUN))[0]?.state, 'merged');
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'one\n2\n3\n4\nFIVE\n');
    assert.equal((await undoDecision(stateDir, RUN, 't')).undone, 'accept');
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'one\n2\n3\n4\n5\n');
  });

  it('refuses with a conflict (nothing written) when the user edited the lines the undo would change; keeps a later edit elsewhere', async () => {
    const { ws, stateDir } = await setup({ 'a.txt': '1\n2\n3\n4\n5\n6\n', 'b.txt': 'b\n' }, { 'a.txt': '1\n2\n3\n4\n5\nSIX\n', 'b.txt': 'B\n' });
    await applyReviewedPatches(stateDir, RUN);
    writeFileSync(path.join(ws, 'a.txt'), '1\n2\n3\n4\n5\nSIX!\n');
    const refused = await undoDecision(stateDir, RUN, 't');
    assert.equal(refused.undone, 'nothing');
    assert.equal(refused.state, 'applied');
    assert.equal(refused.conflicts?.[0]?.path, 'a.txt');
    assert.match(refused.reason ?? '', /a\.txt was edited since the accept where the undo would change it: your line 6/);
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), '1\n2\n3\n4\n5\nSIX!\n');
    assert.equal(readFileSync(path.join(ws, 'b.txt'), 'utf8'), 'B\n', 'all or nothing: b.txt not undone either');
    // An edit away from the patch's lines is kept while the accept is taken out.
    writeFileSync(path.join(ws, 'a.txt'), 'ONE\n2\n3\n4\n5\nSIX\n');
    const ok = await undoDecision(stateDir, RUN, 't');
    assert.equal(ok.undone, 'accept');
    assert.deepEqual(ok.merged, ['a.txt']);
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'ONE\n2\n3\n4\n5\n6\n');
    assert.equal(readFileSync(path.join(ws, 'b.txt'), 'utf8'), 'b\n');
  });

  it('a created file edited since is not removed: reported as edited; removed when the caller says so', async () => {
    const { ws, stateDir } = await setup({}, { 'new.txt': 'new\n' });
    await applyReviewedPatches(stateDir, RUN);
    writeFileSync(path.join(ws, 'new.txt'), 'new\nmy notes\n');
    const r = await undoDecision(stateDir, RUN, 't');
    assert.equal(r.undone, 'nothing');
    assert.deepEqual(r.edited, ['new.txt']);
    assert.equal(readFileSync(path.join(ws, 'new.txt'), 'utf8'), 'new\nmy notes\n');
    const io = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['undo', RUN, 't', '--state', stateDir], io), 1);
    assert.match(io.err(), /t: not undone, now applied: not undone: new\.txt was created by the accept and edited since/);
    const forced = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['undo', RUN, 't', '--remove-edited', '--state', stateDir], forced), 0, forced.err());
    assert.equal(existsSync(path.join(ws, 'new.txt')), false);
  });

  it('Undo Reject brings the proposal back (workspace untouched); CLI undo --reject, then apply applies it', async () => {
    const { ws, stateDir } = await setup({ 'a.txt': 'a\n' }, { 'a.txt': 'A\n' });
    await rejectPatches(stateDir, RUN, ['t']);
    assert.equal((await RunJournal.open(stateDir, RUN)).record.tasks['t']?.patch?.state, 'rejected');
    const io = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['undo', RUN, '--reject', '--state', stateDir], io), 0, io.err());
    assert.match(io.err(), /t: reject undone, now proposed \(a\.txt\)/);
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'a\n');
    const apply = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], apply), 0, apply.err());
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'A\n');
    const undo = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['undo', RUN, '--state', stateDir], undo), 0, undo.err());
    assert.match(undo.err(), /t: accept undone, now proposed \(a\.txt\)/);
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'a\n');
    const none = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['undo', RUN, '--state', stateDir], none), 0);
    assert.match(none.err(), /nothing to undo/);
  });

  it('break 4: a file swapped for a symlink to outside after the accept is refused by the undo; the outside file keeps its bytes', async () => {
    const { ws, stateDir } = await setup({ 'a.txt': 'a\n' }, { 'a.txt': 'A\n' });
    await applyReviewedPatches(stateDir, RUN);
    const outside = tmp.make('af-outside-');
    writeFileSync(path.join(outside, 'secret.txt'), 'A\n');
    rmSync(path.join(ws, 'a.txt'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'a.txt'));
    const r = await undoDecision(stateDir, RUN, 't');
    assert.equal(r.undone, 'nothing');
    assert.equal(readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'A\n');
  });
});
