import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import { applyPatch } from '../../../src/core/run/apply';
import { hasConflictMarkers, mergeThreeWay } from '../../../src/core/run/merge3';
import { rejectPatches, RunJournal, undoDecision, type TaskPatch } from '../../../src/core/run';
import { StagingArea } from '../../../src/core/run/staging';
import { journalWithPatches } from './journalFixture';
import { tempDirs } from './tmp';

/** A 3,800-line source file, as in the report that asked for three-way apply. */
const BIG = Array.from({ length: 3800 }, (_, i) => `const line${i + 1} = ${i + 1};\n`).join('');

const RUN = '20260101-000000-000-abcdef';

async function stage(ws: string, taskId: string, files: Record<string, string | null>, runId = RUN): Promise<TaskPatch> {
  const layer = new StagingArea(ws).openLayer(taskId, Object.keys(files), []);
  for (const [p, content] of Object.entries(files)) await layer.stage(p, content);
  return layer.seal(runId);
}

describe('run/apply: three-way merge onto files the user changed', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('a comment at line 2 and a patch at line 803 of a 3,800-line file merge: applied, the user edit kept, state merged', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'big.ts'), BIG);
    const patch = await stage(ws, 'fix', { 'big.ts': BIG.replace('const line803 = 803;\n', 'const line803 = 8030; // fixed\n') });
    const mine = BIG.replace('const line2 = 2;\n', 'const line2 = 2;\n// my comment\n');
    writeFileSync(path.join(ws, 'big.ts'), mine);
    const res = await applyPatch(ws, patch);
    assert.equal(res.state, 'applied');
    assert.equal(res.state === 'applied' && res.written['big.ts']?.how, 'merged');
    const now = readFileSync(path.join(ws, 'big.ts'), 'utf8');
    assert.equal(now, mine.replace('const line803 = 803;\n', 'const line803 = 8030; // fixed\n'));
    // The bytes it replaced are kept exactly, for Undo.
    assert.equal(res.state === 'applied' && Buffer.from(res.written['big.ts']!.prior!, 'base64').toString('utf8'), mine);
  });

  it('CLI: the clean merge is reported "merged with your changes", exit 0, and the journal says merged', async () => {
    const ws = tmp.make();
    const stateDir = tmp.make('af-state-');
    writeFileSync(path.join(ws, 'big.ts'), BIG);
    const patch = await stage(ws, 'fix', { 'big.ts': BIG.replace('const line803 = 803;\n', 'const line803 = 0;\n') });
    await journalWithPatches(stateDir, ws, [patch]);
    writeFileSync(path.join(ws, 'big.ts'), `// header\n${BIG}`);
    const io = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], io), 0, io.err());
    assert.match(io.err(), /fix: merged with your changes \(big\.ts\)\n/);
    const j = await RunJournal.open(stateDir, RUN);
    assert.equal(j.record.tasks['fix']?.patch?.state, 'merged');
    assert.equal((await j.loadPatch('fix'))?.state, 'merged');
    assert.ok(readFileSync(path.join(ws, 'big.ts'), 'utf8').startsWith('// header\nconst line1 = 1;\n'));
  });

  it('overlapping changes write nothing (all files of the task), and the conflict names the file and its lines', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'a.txt'), 'one\ntwo\nthree\nfour\n');
    writeFileSync(path.join(ws, 'b.txt'), 'b\n');
    const patch = await stage(ws, 't', { 'a.txt': 'one\nTWO (agent)\nthree\nfour\n', 'b.txt': 'b2\n' });
    writeFileSync(path.join(ws, 'a.txt'), 'one\ntwo (mine)\nthree\nfour\n');
    const res = await applyPatch(ws, patch);
    assert.equal(res.state, 'conflicted');
    const c = res.state === 'conflicted' ? res.conflicts[0] : undefined;
    assert.equal(c?.path, 'a.txt');
    assert.deepEqual(c?.hunks, [{ yours: { start: 2, end: 2 }, base: { start: 2, end: 2 }, proposed: { start: 2, end: 2 } }]);
    assert.match(c?.reason ?? '', /a\.txt changed since the run read it, and the changes overlap: your line 2 against the proposal's line 2/);
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'one\ntwo (mine)\nthree\nfour\n');
    assert.equal(readFileSync(path.join(ws, 'b.txt'), 'utf8'), 'b\n', 'the other file of the task is not written either');
  });

  it('CLI: a conflict exits 1 naming file and lines; a second apply retries it and still exits 1 (never "nothing to apply")', async () => {
    const ws = tmp.make();
    const stateDir = tmp.make('af-state-');
    writeFileSync(path.join(ws, 'a.txt'), 'one\ntwo\nthree\n');
    const patch = await stage(ws, 't', { 'a.txt': 'one\nTWO\nthree\n' });
    await journalWithPatches(stateDir, ws, [patch]);
    writeFileSync(path.join(ws, 'a.txt'), 'one\n2\nthree\n');
    const first = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], first), 1);
    assert.match(first.err(), /t: conflicted \(a\.txt\)\n {2}a\.txt: your line 2 and the proposal's line 2 overlap/);
    assert.match(first.err(), /1 patch still conflicted/);
    const second = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], second), 1);
    assert.doesNotMatch(second.err(), /nothing to apply/);
    assert.match(second.err(), /1 patch still conflicted/);
    // Once the user's change no longer overlaps, the same command merges it.
    writeFileSync(path.join(ws, 'a.txt'), 'zero\none\ntwo\nthree\n');
    const third = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], third), 0, third.err());
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'zero\none\nTWO\nthree\n');
  });

  it('CLI --merge-markers writes conflict markers (never silently: state, file and lines named, exit 1); resolving them makes the patch merged', async () => {
    const ws = tmp.make();
    const stateDir = tmp.make('af-state-');
    writeFileSync(path.join(ws, 'a.txt'), 'one\ntwo\nthree\n');
    const patch = await stage(ws, 't', { 'a.txt': 'one\nTWO\nthree\n' });
    await journalWithPatches(stateDir, ws, [patch]);
    writeFileSync(path.join(ws, 'a.txt'), 'one\n2\nthree\n');
    const io = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--merge-markers', '--state', stateDir], io), 1);
    assert.match(io.err(), /t: conflicted-markers \(a\.txt\)/);
    assert.match(io.err(), /a\.txt: conflict markers written around your line 2/);
    assert.match(io.err(), /1 patch has conflict markers to resolve \(edit them out, then apply again to record the patch merged\)/);
    const text = readFileSync(path.join(ws, 'a.txt'), 'utf8');
    assert.equal(text, 'one\n<<<<<<< a.txt (yours)\n2\n||||||| base\ntwo\n=======\nTWO\n>>>>>>> a.txt (proposed)\nthree\n');
    // Still unresolved: a plain apply says so and exits 1.
    const again = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], again), 1);
    assert.match(again.err(), /conflict markers to resolve in a\.txt/);
    // Resolved by the user: the next apply records it merged and exits 0.
    writeFileSync(path.join(ws, 'a.txt'), 'one\nTWO and 2\nthree\n');
    const done = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], done), 0, done.err());
    assert.equal((await (await RunJournal.open(stateDir, RUN)).loadPatch('t'))?.state, 'merged');
    // The resolution is what the accept left: Undo Accept puts the user's version from before it back exactly.
    assert.equal((await undoDecision(stateDir, RUN, 't')).undone, 'accept');
    assert.equal(readFileSync(path.join(ws, 'a.txt'), 'utf8'), 'one\n2\nthree\n');
  });

  it('a dependent of a conflicted patch is held back with the reason (exit 1), not applied silently; --force applies it', async () => {
    const ws = tmp.make();
    const stateDir = tmp.make('af-state-');
    writeFileSync(path.join(ws, 'lib.txt'), 'v1\n');
    const lib = await stage(ws, 'lib', { 'lib.txt': 'v2\n' });
    const tests = await stage(ws, 'tests', { 'lib.test.txt': 'expects v2\n' });
    const docs = await stage(ws, 'docs', { 'docs.txt': 'about tests\n' });
    await journalWithPatches(stateDir, ws, [lib, tests, docs], { tests: ['lib'], docs: ['tests'] });
    writeFileSync(path.join(ws, 'lib.txt'), 'mine\n');
    const io = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, '--state', stateDir], io), 1);
    assert.match(io.err(), /tests: proposed \(lib\.test\.txt\): not applied: it depends on lib \(conflicted\)/);
    assert.match(io.err(), /docs: proposed \(docs\.txt\): not applied: it depends on tests \(itself held back\)/);
    assert.match(io.err(), /1 patch still conflicted .*; 2 held back by an upstream patch/);
    assert.throws(() => readFileSync(path.join(ws, 'lib.test.txt')), /ENOENT/);
    const forced = captureIo({ cwd: ws, env: {} });
    assert.equal(await main(['apply', RUN, 'tests', '--force', '--state', stateDir], forced), 0, forced.err());
    assert.equal(readFileSync(path.join(ws, 'lib.test.txt'), 'utf8'), 'expects v2\n');
  });

  it('a dependent of a rejected patch is held back too; one of an applied patch is applied', async () => {
    const ws = tmp.make();
    const stateDir = tmp.make('af-state-');
    const a = await stage(ws, 'a', { 'a.txt': 'a\n' });
    const b = await stage(ws, 'b', { 'b.txt': 'b\n' });
    const c = await stage(ws, 'c', { 'c.txt': 'c\n' });
    await journalWithPatches(stateDir, ws, [a, b, c], { b: ['a'] });
    const rej = captureIo({ cwd: ws, env: {} });
    // Reject a through the core (what VS Code's Reject does), then apply everything.
    await rejectPatches(stateDir, RUN, ['a']);
    assert.equal(await main(['apply', RUN, '--state', stateDir], rej), 1);
    assert.match(rej.err(), /b: proposed \(b\.txt\): not applied: it depends on a \(rejected\)/);
    assert.match(rej.err(), /c: applied \(c\.txt\)/);
  });
});

describe('run/merge3 (node-diff3 underneath)', () => {
  it('keeps CRLF line ends and a missing final newline', () => {
    const r = mergeThreeWay('a\r\nb\r\nc', 'x\r\nb\r\nc', 'a\r\nb\r\nC');
    assert.deepEqual(r, { clean: true, text: 'x\r\nb\r\nC' });
  });
  it('the same change on both sides is no conflict', () => {
    assert.deepEqual(mergeThreeWay('a\nb\n', 'a\nB\n', 'a\nB\n'), { clean: true, text: 'a\nB\n' });
  });
  it('markers are recognised until resolved', () => {
    const r = mergeThreeWay('a\nb\n', 'a\n1\n', 'a\n2\n');
    assert.equal(r.clean, false);
    assert.ok(!r.clean && hasConflictMarkers(r.withMarkers));
    assert.equal(hasConflictMarkers('a\n=======\nb\n'), false);
  });
});
