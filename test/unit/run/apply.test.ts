import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, checkPatch, type ApplyFs } from '../../../src/core/run/apply';
import { StagingArea } from '../../../src/core/run/staging';
import { tempDirs } from './tmp';
import { writeFileVerified } from '../../../src/core/fs/atomicWrite';
import { promises as fs } from 'node:fs';

describe('run/apply', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  async function staged() {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'keep.txt'), 'old\n');
    writeFileSync(path.join(ws, 'gone.txt'), 'bye\n');
    const layer = new StagingArea(ws).openLayer('t', ['keep.txt', 'gone.txt', 'deep/new.txt'], []);
    await layer.stage('keep.txt', 'new\n');
    await layer.stage('gone.txt', null);
    await layer.stage('deep/new.txt', 'hello\n');
    return { ws, patch: await layer.seal('r') };
  }

  it('applies created, modified and deleted files', async () => {
    const { ws, patch } = await staged();
    const res = await applyPatch(ws, patch);
    assert.equal(res.state, 'applied');
    assert.equal(readFileSync(path.join(ws, 'keep.txt'), 'utf8'), 'new\n');
    assert.equal(existsSync(path.join(ws, 'gone.txt')), false);
    assert.equal(readFileSync(path.join(ws, 'deep/new.txt'), 'utf8'), 'hello\n');
  });

  it('marks the patch conflicted, and writes nothing, when the user edited a file since the run read it', async () => {
    const { ws, patch } = await staged();
    writeFileSync(path.join(ws, 'keep.txt'), 'user edit\n');
    const res = await applyPatch(ws, patch);
    assert.equal(res.state, 'conflicted');
    assert.deepEqual(res.state === 'conflicted' && res.conflicts.map((c) => c.path), ['keep.txt']);
    assert.equal(readFileSync(path.join(ws, 'keep.txt'), 'utf8'), 'user edit\n');
    assert.equal(existsSync(path.join(ws, 'gone.txt')), true);
    assert.equal(existsSync(path.join(ws, 'deep')), false);
  });

  it('detects a created file that appeared and a modified file that vanished (a deletion already done is fine)', async () => {
    const { ws, patch } = await staged();
    rmSync(path.join(ws, 'keep.txt'));
    rmSync(path.join(ws, 'gone.txt'));
    await fs.mkdir(path.join(ws, 'deep'));
    writeFileSync(path.join(ws, 'deep/new.txt'), 'theirs\n');
    const chk = await checkPatch(ws, patch);
    assert.equal(chk.ok, false);
    assert.deepEqual(!chk.ok && chk.conflicts.map((c) => c.path).sort(), ['deep/new.txt', 'keep.txt']);
    assert.match(!chk.ok ? chk.conflicts[1].reason : '', /no longer exists/);
  });

  it('rolls back files already written when a later write fails', async () => {
    const { ws, patch } = await staged();
    const failing: ApplyFs = {
      writeFile: async (abs, content) => {
        if (abs.endsWith('keep.txt')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        await writeFileVerified(abs, content);
      },
      restoreFile: (abs, content) => writeFileVerified(abs, content),
      unlink: (abs) => fs.unlink(abs),
    };
    const res = await applyPatch(ws, patch, failing);
    assert.equal(res.state, 'failed');
    assert.ok(res.state === 'failed' && res.rolledBack && /keep\.txt/.test(res.error));
    assert.equal(readFileSync(path.join(ws, 'keep.txt'), 'utf8'), 'old\n');
    assert.equal(readFileSync(path.join(ws, 'gone.txt'), 'utf8'), 'bye\n');
    assert.equal(existsSync(path.join(ws, 'deep')), false, 'created folders removed');
  });

  it('re-checks symlinks at apply time: a file replaced by a link to outside is refused, its target untouched', async () => {
    const { ws, patch } = await staged();
    const outside = tmp.make('af-outside-');
    writeFileSync(path.join(outside, 't.txt'), 'old\n');
    rmSync(path.join(ws, 'keep.txt'));
    symlinkSync(path.join(outside, 't.txt'), path.join(ws, 'keep.txt'));
    const res = await applyPatch(ws, patch);
    assert.equal(res.state, 'conflicted');
    assert.equal(readFileSync(path.join(outside, 't.txt'), 'utf8'), 'old\n');
    assert.equal(existsSync(path.join(ws, 'deep')), false);
  });
});

describe('run/apply idempotence', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());
  it('treats a patch already in the workspace (applied before a crash) as applied, not conflicted', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'a.txt'), 'old\n');
    const layer = new StagingArea(ws).openLayer('t', ['a.txt', 'b.txt'], []);
    await layer.stage('a.txt', 'new\n');
    await layer.stage('b.txt', 'b\n');
    const patch = await layer.seal('r');
    assert.equal((await applyPatch(ws, patch)).state, 'applied');
    assert.equal((await applyPatch(ws, patch)).state, 'applied');
    writeFileSync(path.join(ws, 'a.txt'), 'user\n');
    assert.equal((await applyPatch(ws, patch)).state, 'conflicted');
  });
});
