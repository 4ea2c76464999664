import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StagingArea } from '../../../src/core/run/staging';
import { tempDirs } from './tmp';

describe('run/staging', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  function setup() {
    const ws = tmp.make();
    const outside = tmp.make('af-outside-');
    writeFileSync(path.join(outside, 'target.txt'), 'outside\n');
    writeFileSync(path.join(ws, 'a.py'), 'print(1)\n');
    writeFileSync(path.join(ws, '.env'), 'SECRET=1\n');
    mkdirSync(path.join(ws, '.git', 'hooks'), { recursive: true });
    symlinkSync(path.join(outside, 'target.txt'), path.join(ws, 'escape.txt'));
    symlinkSync(outside, path.join(ws, 'linkdir'));
    const area = new StagingArea(ws);
    const owned = ['a.py', 'new/b.py', 'escape.txt', 'linkdir/x.txt', '.git/hooks/pre-commit', '.vscode/settings.json'];
    return { ws, outside, area, layer: area.openLayer('t1', owned, []) };
  }

  it('refuses escaping, absolute, protected, foreign and symlink-escaping writes, and writes nothing anywhere', async () => {
    const { ws, outside, layer } = setup();
    const cases = ['../x', path.join(outside, 'abs.txt'), '/abs/x', '.git/hooks/pre-commit', '.vscode/settings.json', 'other.py', 'escape.txt', 'linkdir/x.txt', 'sub/../../x'];
    for (const p of cases) {
      const r = await layer.stage(p, 'evil');
      assert.equal(r.ok, false, p);
      assert.equal(!r.ok && r.refused, true, `${p} counts as a refusal`);
    }
    assert.equal(readFileSync(path.join(outside, 'target.txt'), 'utf8'), 'outside\n');
    assert.equal(existsSync(path.join(outside, 'x.txt')), false);
    assert.equal(existsSync(path.join(ws, '.git', 'hooks', 'pre-commit')), false);
    assert.equal(layer.own.size, 0);
  });

  it('stages owned writes without touching the workspace, and reads them back', async () => {
    const { ws, layer } = setup();
    assert.deepEqual(await layer.stage('./a.py', 'print(2)\n'), { ok: true, value: { path: 'a.py', change: 'modified', bytes: 9 } });
    assert.deepEqual(await layer.stage('new/b.py', 'x = 1\n'), { ok: true, value: { path: 'new/b.py', change: 'created', bytes: 6 } });
    assert.equal(readFileSync(path.join(ws, 'a.py'), 'utf8'), 'print(1)\n');
    assert.equal(existsSync(path.join(ws, 'new')), false);
    assert.deepEqual(await layer.read('a.py'), { ok: true, value: 'print(2)\n' });
    const listed = await layer.list('');
    assert.ok(listed.ok && listed.value.files.includes('new/b.py') && !listed.value.files.includes('.env'));
  });

  it('never reads secrets or files outside the workspace', async () => {
    const { layer } = setup();
    for (const p of ['.env', 'sub/.env.local', 'escape.txt', '../x', '/etc/passwd']) {
      const r = await layer.read(p);
      assert.equal(r.ok, false, p);
    }
  });

  it('enforces the per-file and per-task caps', async () => {
    const ws = tmp.make();
    const area = new StagingArea(ws, { maxFileBytes: 10, maxTaskBytes: 15, maxReadBytes: 100, maxListEntries: 10, maxTaskFiles: 10 });
    const layer = area.openLayer('t', ['a', 'b'], []);
    assert.equal((await layer.stage('a', 'x'.repeat(11))).ok, false);
    assert.equal((await layer.stage('a', 'x'.repeat(10))).ok, true);
    assert.equal((await layer.stage('b', 'x'.repeat(6))).ok, false);
    assert.equal((await layer.stage('a', 'x'.repeat(5))).ok, true, 'rewriting a file frees its old size');
    assert.equal((await layer.stage('b', 'x'.repeat(6))).ok, true);
  });

  it('shows upstream patches to dependents, and seals a layer into a patch with diffs', async () => {
    const { ws, area, layer } = setup();
    await layer.stage('a.py', 'print(2)\n');
    await layer.stage('new/b.py', 'x = 1\n');
    const patch = await layer.seal('run1');
    assert.deepEqual(patch.files.map((f) => [f.path, f.change]), [['a.py', 'modified'], ['new/b.py', 'created']]);
    assert.match(patch.files[0].diff, /-print\(1\)\n\+print\(2\)/);
    assert.equal(patch.files[1].baseHash, null);
    area.addFinished(patch);
    const down = area.openLayer('t2', [], ['t1']);
    assert.deepEqual(await down.read('new/b.py'), { ok: true, value: 'x = 1\n' });
    const unrelated = area.openLayer('t3', [], []);
    assert.deepEqual(await unrelated.read('a.py'), { ok: true, value: 'print(1)\n' });
    assert.equal(readFileSync(path.join(ws, 'a.py'), 'utf8'), 'print(1)\n');
  });

  it('deletes only files that exist, and leaves no-op writes out of the patch', async () => {
    const { layer } = setup();
    assert.equal((await layer.stage('new/b.py', null)).ok, false);
    await layer.stage('a.py', 'print(1)\n');
    assert.deepEqual((await layer.seal('r')).files, []);
    assert.equal((await layer.stage('a.py', null)).ok, true);
    assert.deepEqual((await layer.seal('r')).files.map((f) => f.change), ['deleted']);
  });
});
