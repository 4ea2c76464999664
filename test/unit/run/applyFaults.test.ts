/**
 * Applying patches when the workspace fights back (failure-cases.md W1, W5, W9, W13): a read-only file, a full
 * disk, a failure in the middle of a mix of creates, deletes and edits, and bytes that must survive as they are.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyFsOver, applyPatch, type ApplyFs } from '../../../src/core/run/apply';
import { RunJournal } from '../../../src/core/run/journal';
import { applyReviewedPatches } from '../../../src/core/run/review';
import { StagingArea } from '../../../src/core/run/staging';
import type { TaskPatch } from '../../../src/core/run/patch';
import { faultyIo, errno } from '../fs/faultyIo';
import { journalWithPatches } from './journalFixture';
import { tempDirs } from './tmp';

/** Every file under `dir` with its bytes (hex), for byte-exact comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[r] = readFileSync(path.join(dir, r)).toString('hex');
    }
  };
  walk('');
  return out;
}

describe('run/apply under workspace faults', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  async function journalWith(ws: string, patch: TaskPatch): Promise<string> {
    const stateDir = tmp.make('af-state-');
    await journalWithPatches(stateDir, ws, [patch]);
    return stateDir;
  }

  async function mixed() {
    const ws = tmp.make('af-ws-');
    writeFileSync(path.join(ws, 'a-gone.txt'), 'delete me\n');
    writeFileSync(path.join(ws, 'b-edit.txt'), 'old b\n');
    writeFileSync(path.join(ws, 'd-edit.txt'), 'old d\n');
    const layer = new StagingArea(ws).openLayer('t', ['a-gone.txt', 'b-edit.txt', 'c/new/file.txt', 'd-edit.txt'], []);
    await layer.stage('a-gone.txt', null);
    await layer.stage('b-edit.txt', 'new b\n');
    await layer.stage('c/new/file.txt', 'created\n');
    await layer.stage('d-edit.txt', 'new d\n');
    return { ws, patch: await layer.seal('20260101-000000-000-abcdef'), before: snapshot(ws) };
  }

  it('W1: a read-only target fails the patch with "cannot write <file>: permission denied", rolls back the rest, keeps the patch', async () => {
    const { ws, patch, before } = await mixed();
    chmodSync(path.join(ws, 'd-edit.txt'), 0o444);
    const stateDir = await journalWith(ws, patch);
    const [report] = await applyReviewedPatches(stateDir, patch.runId);
    assert.equal(report.state, 'proposed', 'kept for a retry');
    assert.match(report.reason ?? '', /cannot write d-edit\.txt: permission denied \(rolled back\)/);
    chmodSync(path.join(ws, 'd-edit.txt'), 0o644);
    assert.deepEqual(snapshot(ws), before, 'the delete, the edit and the created folders were undone');
    const kept = (await (await RunJournal.open(stateDir, patch.runId)).loadPatch('t')) as TaskPatch;
    assert.equal(kept.state, 'proposed');
    assert.equal(kept.applying, undefined);
    // Retry once the file is writable again: it applies.
    assert.equal((await applyReviewedPatches(stateDir, patch.runId))[0].state, 'applied');
    assert.equal(readFileSync(path.join(ws, 'd-edit.txt'), 'utf8'), 'new d\n');
  });

  it('W1: a read-only file system (EROFS) is named as such, and nothing is left changed', async () => {
    const { ws, patch, before } = await mixed();
    const io = faultyIo({ match: (f) => path.basename(f).includes('d-edit.txt'), openError: 'EROFS' });
    const res = await applyPatch(ws, patch, applyFsOver(io));
    assert.deepEqual(res, { state: 'failed', error: 'cannot write d-edit.txt: read-only file system', rolledBack: true });
    assert.deepEqual(snapshot(ws), before);
  });

  it('W5: disk full while writing an accepted patch: failed, original bytes intact, no temporary file, patch kept', async () => {
    const { ws, patch, before } = await mixed();
    const big = 'y'.repeat(200_000);
    (patch.files.find((f) => f.path === 'b-edit.txt') as TaskPatch['files'][number]).after = big;
    const stateDir = await journalWith(ws, patch);
    const reports = await applyReviewedPatches(stateDir, patch.runId, undefined, applyFsOver(faultyIo({ match: (f) => f.includes('b-edit'), freeBytes: 96 * 1024 })));
    assert.equal(reports[0].state, 'proposed');
    assert.match(reports[0].reason ?? '', /cannot write b-edit\.txt: no space left on device \(rolled back\)/);
    assert.deepEqual(snapshot(ws), before, 'no truncated file, no temporary, the delete undone');
  });

  it('W9: a failure after a delete, an edit and a create restores all three (files and folders)', async () => {
    const { ws, patch, before } = await mixed();
    const real = applyFsOver();
    const order: string[] = [];
    const ops: ApplyFs = {
      ...real,
      unlink: async (abs) => {
        order.push(`delete ${path.basename(abs)}`);
        await real.unlink(abs);
      },
      writeFile: async (abs, content) => {
        order.push(`write ${path.basename(abs)}`);
        if (abs.endsWith('d-edit.txt')) throw errno('EIO');
        await real.writeFile(abs, content);
      },
    };
    const res = await applyPatch(ws, patch, ops);
    assert.deepEqual(order, ['delete a-gone.txt', 'write b-edit.txt', 'write file.txt', 'write d-edit.txt'], 'the failing op came last');
    assert.equal(res.state, 'failed');
    assert.ok(res.state === 'failed' && res.rolledBack);
    assert.deepEqual(snapshot(ws), before);
    assert.equal(existsSync(path.join(ws, 'c')), false, 'created folders removed');
  });

  it('W13: CRLF, a BOM and non-UTF-8 bytes round-trip byte-exact through staging, the journal and apply', async () => {
    const ws = tmp.make('af-ws-');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('line one\r\nline two\r\n')]);
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café\n" in Latin-1: not UTF-8
    writeFileSync(path.join(ws, 'win.txt'), bom);
    writeFileSync(path.join(ws, 'latin1.txt'), latin1);
    const layer = new StagingArea(ws).openLayer('t', ['win.txt', 'latin1.txt', 'new.txt'], []);
    const read = await layer.read('win.txt');
    assert.ok(read.ok && read.value.startsWith('\ufeff') && read.value.includes('\r\n'), 'the agent sees the BOM and the CRLFs');
    const refused = await layer.read('latin1.txt');
    assert.ok(!refused.ok && /not UTF-8/.test(refused.error), 'non-UTF-8 text is refused, not mangled');
    await layer.stage('win.txt', read.ok ? read.value.replace('line two', 'line 2') : '');
    await layer.stage('new.txt', '\ufeffnew\r\n');
    const patch = await layer.seal('20260101-000000-000-abcdef');
    const stateDir = await journalWith(ws, patch);
    const reports = await applyReviewedPatches(stateDir, patch.runId);
    assert.equal(reports[0].state, 'applied');
    assert.deepEqual(readFileSync(path.join(ws, 'win.txt')), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('line one\r\nline 2\r\n')]));
    assert.deepEqual(readFileSync(path.join(ws, 'new.txt')), Buffer.from('\ufeffnew\r\n', 'utf8'));
    assert.deepEqual(readFileSync(path.join(ws, 'latin1.txt')), latin1, 'untouched, byte for byte');
  });
});
