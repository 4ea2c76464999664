/**
 * Issue 11, break 5: a symlink in the workspace that leads outside (`__pycache__ -> /elsewhere`) was
 * copied verbatim into the verification copy, so `py_compile` wrote its `.pyc` outside. Links that leave
 * the workspace are dropped from the copy; links that stay inside are recreated to point into the copy,
 * never at the user's own files.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { materialise, verifyTask } from '../../../src/core/verify';
import { hashTree, makeWorkspace, rmrf } from './helpers';

describe('verify: symlinks in the verification copy', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  const ws = async (files: Record<string, string>): Promise<string> => {
    const d = await makeWorkspace(files);
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) await rmrf(d);
  });

  before(function () {
    if (process.platform === 'win32') this.skip(); // symlinks need privileges there
  });

  it('py_compile cannot write through a planted absolute __pycache__ link (nor a relative one that climbs out)', async () => {
    const outside = await ws({ 'keep.txt': 'outside\n' });
    const dir = await ws({ 'a.py': 'x = 1\n', 'pkg/b.py': 'y = 2\n' });
    await fs.symlink(outside, path.join(dir, '__pycache__'));
    await fs.symlink(path.relative(path.join(dir, 'pkg'), outside), path.join(dir, 'pkg', '__pycache__'));
    const before = [await hashTree(outside), await hashTree(dir)];
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.py', 'pkg/b.py'] });
    assert.equal(r.outcome, 'passed', JSON.stringify(r.checks));
    assert.deepEqual(await fs.readdir(outside), ['keep.txt'], 'a .pyc was written outside the workspace');
    assert.deepEqual([await hashTree(outside), await hashTree(dir)], before);
  });

  it('links inside the workspace lead into the copy; links that leave it, or dangle, are dropped and reported', async () => {
    const outside = await ws({ 'secret.txt': 'outside\n' });
    const dir = await ws({ 'sub/data.txt': 'inside\n' });
    await fs.symlink(path.join(dir, 'sub'), path.join(dir, 'abs-in')); // absolute, inside
    await fs.symlink('sub/data.txt', path.join(dir, 'rel-in.txt')); // relative, inside
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(dir, 'abs-out.txt'));
    await fs.symlink('../../' + path.basename(outside), path.join(dir, 'sub', 'rel-out'));
    await fs.symlink('nowhere', path.join(dir, 'dangling'));
    await fs.symlink('..foo', path.join(dir, 'dotdot-name')); // a name beginning with "..", inside
    await fs.writeFile(path.join(dir, '..foo'), 'dots\n');
    const m = await materialise(dir);
    try {
      const link = (rel: string): Promise<string> => fs.readlink(path.join(m.root, rel));
      for (const rel of ['abs-in', 'rel-in.txt', 'dotdot-name']) {
        const real = await fs.realpath(path.join(m.root, rel));
        assert.ok(real.startsWith(m.root + path.sep), `${rel} -> ${real} is not inside the copy`);
        assert.ok(!path.isAbsolute(await link(rel)), `${rel} is recreated as a relative link`);
      }
      assert.equal(await fs.readFile(path.join(m.root, 'abs-in', 'data.txt'), 'utf8'), 'inside\n');
      assert.equal(await fs.readFile(path.join(m.root, 'dotdot-name'), 'utf8'), 'dots\n');
      for (const rel of ['abs-out.txt', 'sub/rel-out', 'dangling']) {
        await assert.rejects(fs.lstat(path.join(m.root, rel)), { code: 'ENOENT' }, rel);
      }
      assert.deepEqual(m.droppedLinks.map((d) => d.path).sort(), ['abs-out.txt', 'dangling', 'sub/rel-out']);
      // A write through an inside link changes the copy, never the user's folder.
      const before = await hashTree(dir);
      await fs.writeFile(path.join(m.root, 'abs-in', 'data.txt'), 'changed in the copy\n');
      assert.equal(await hashTree(dir), before);
    } finally {
      await m.dispose();
    }
  });
});
