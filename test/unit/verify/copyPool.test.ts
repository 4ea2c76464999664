/**
 * Copy views are made once per run and brought back in step for every later task (copyPool.ts): what a
 * check or a staged layer left is gone, what the user changed meanwhile is there, and nothing is written
 * through what a check planted.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startRun } from '../../../src/core/run';
import { buildEngineOptions } from '../../../src/core/session/engineOptions';
import { VerifyRuntime } from '../../../src/core/verify';
import { validPlan } from '../plan/helpers';
import { FakeModel, taskIdOf } from '../run/fakeModel';
import { hashTree, suiteWorkspaces, unsandboxed } from './helpers';

const at = (root: string, rel: string): string => path.join(root, ...rel.split('/'));
const read = (root: string, rel: string): Promise<string> => fs.readFile(at(root, rel), 'utf8');

describe('verify: copy views reused across a run', function () {
  this.timeout(60_000);
  const ws = suiteWorkspaces();
  let runtime: VerifyRuntime;
  beforeEach(() => {
    runtime = unsandboxed();
  });
  afterEach(() => runtime.clear());

  it("C6: the next task's view is the same copy without the previous task's staged files and the checks' writes", async () => {
    const dir = await ws({ 'src/a.py': 'a = 1\n', 'src/b.py': 'b = 1\n', 'README.md': 'r\n' });
    const v1 = await runtime.view(dir, [new Map([['src/a.py', 'a = 2\n'], ['src/new.py', 'n\n'], ['README.md', null]])]);
    assert.equal(await read(v1.root, 'src/a.py'), 'a = 2\n');
    assert.equal(existsSync(at(v1.root, 'README.md')), false);
    // What checks write: a cache folder, a new file, a file changed in place.
    await fs.mkdir(at(v1.root, 'src/__pycache__'));
    await fs.writeFile(at(v1.root, 'src/__pycache__/a.pyc'), 'x');
    await fs.writeFile(at(v1.root, 'out.txt'), 'x');
    await fs.writeFile(at(v1.root, 'src/b.py'), 'b = 9\n');
    await v1.dispose();
    const v2 = await runtime.view(dir, [new Map([['src/b.py', 'b = 3\n']])]);
    try {
      assert.equal(v2.tempDir, v1.tempDir, 'the copy was made again instead of reused');
      assert.equal(await read(v2.root, 'src/a.py'), 'a = 1\n');
      assert.equal(await read(v2.root, 'src/b.py'), 'b = 3\n');
      assert.equal(await read(v2.root, 'README.md'), 'r\n');
      for (const gone of ['src/new.py', 'src/__pycache__', 'out.txt']) assert.equal(existsSync(at(v2.root, gone)), false, gone);
    } finally {
      await v2.dispose();
    }
  });

  it('C6: a file a check changed in place, with its size and modification time set back, is still restored', async () => {
    const dir = await ws({ 'src/a.py': 'a = 1\n' });
    const v1 = await runtime.view(dir, []);
    const file = at(v1.root, 'src/a.py');
    const st = await fs.stat(file);
    await fs.writeFile(file, 'a = 7\n');
    await fs.utimes(file, st.atime, st.mtime);
    await v1.dispose();
    const v2 = await runtime.view(dir, []);
    try {
      assert.equal(await read(v2.root, 'src/a.py'), 'a = 1\n');
    } finally {
      await v2.dispose();
    }
  });

  it("W3: the user's changes during the run are in the next view: a changed, a deleted and a new file", async () => {
    const dir = await ws({ 'src/a.py': 'a = 1\n', 'src/gone.py': 'g\n' });
    const v1 = await runtime.view(dir, []);
    await v1.dispose();
    await fs.writeFile(path.join(dir, 'src/a.py'), 'a = 100\n');
    await fs.rm(path.join(dir, 'src/gone.py'));
    await fs.mkdir(path.join(dir, 'lib'));
    await fs.writeFile(path.join(dir, 'lib/c.py'), 'c\n');
    const v2 = await runtime.view(dir, []);
    try {
      assert.equal(await read(v2.root, 'src/a.py'), 'a = 100\n');
      assert.equal(existsSync(at(v2.root, 'src/gone.py')), false);
      assert.equal(await read(v2.root, 'lib/c.py'), 'c\n');
    } finally {
      await v2.dispose();
    }
  });

  it('C6 (attack): a folder or file a check replaced by a link to outside is never written through (the outside stays as it was)', async () => {
    const outside = await ws({ 'victim.py': 'precious\n', 'pkg/x.py': 'precious\n' });
    const before = await hashTree(outside);
    const dir = await ws({ 'src/a.py': 'a = 1\n', 'pkg/x.py': 'x = 1\n' });
    const v1 = await runtime.view(dir, []);
    await fs.rm(at(v1.root, 'src/a.py'));
    await fs.symlink(path.join(outside, 'victim.py'), at(v1.root, 'src/a.py'));
    await fs.rm(at(v1.root, 'pkg'), { recursive: true });
    await fs.symlink(path.join(outside, 'pkg'), at(v1.root, 'pkg'));
    await v1.dispose();
    const v2 = await runtime.view(dir, [new Map([['pkg/x.py', 'x = 2\n']])]);
    try {
      assert.ok((await fs.lstat(at(v2.root, 'src/a.py'))).isFile());
      assert.ok((await fs.lstat(at(v2.root, 'pkg'))).isDirectory());
      assert.equal(await read(v2.root, 'src/a.py'), 'a = 1\n');
      assert.equal(await read(v2.root, 'pkg/x.py'), 'x = 2\n');
    } finally {
      await v2.dispose();
    }
    assert.equal(await hashTree(outside), before);
  });

  it('tasks verifying at once get copies of their own; clear() removes the idle ones', async () => {
    const dir = await ws({ 'a.py': 'a\n' });
    const [v1, v2] = await Promise.all([runtime.view(dir, [new Map([['a.py', 'one\n']])]), runtime.view(dir, [new Map([['a.py', 'two\n']])])]);
    assert.notEqual(v1.tempDir, v2.tempDir);
    assert.deepEqual([await read(v1.root, 'a.py'), await read(v2.root, 'a.py')], ['one\n', 'two\n']);
    await v1.dispose();
    await v2.dispose();
    await runtime.clear();
    assert.equal(existsSync(v1.tempDir), false);
    assert.equal(existsSync(v2.tempDir), false);
  });

  it('X6/C10: a run in copy mode gives its copies back when it ends: no copy and no record of one is left', async () => {
    const dir = await ws({ 'keep.py': 'k = 1\n' });
    const out = await ws({});
    const stateDir = await ws({});
    const cwdFile = path.join(out, 'cwd');
    const plan = validPlan({ tasks: [{ id: 'a', title: 'A', objective: 'a', files: ['a.py'] }, { id: 'b', title: 'B', objective: 'b', deps: ['a'], files: ['b.py'] }] });
    const model = new FakeModel((turn, messages) => (turn === 1 ? { calls: [{ name: 'write_file', args: { path: `${taskIdOf(messages)}.py`, content: 'x = 1\n' } }] } : { calls: [{ name: 'finish', args: { summary: 'done' } }] }));
    const verifyRuntime = new VerifyRuntime({ stateDir, support: { view: 'copy', sandbox: 'none', reason: 'test', tools: {} } });
    const where = { id: 'where', glob: '*.py', command: ['python3', '-c', `import os; open(${JSON.stringify(cwdFile)}, 'a').write(os.getcwd() + '\\n')`] };
    const options = buildEngineOptions({ verifiers: [where], inspector: false }, { model, stateDir, signal: new AbortController().signal, onEvent: () => undefined, verifyRuntime });
    const r = await startRun({ ...options, dir, plan });
    assert.equal(r.exitCode, 0, JSON.stringify(r.record.tasks));
    const roots = (await fs.readFile(cwdFile, 'utf8')).trim().split('\n');
    assert.equal(roots.length, 2);
    assert.equal(roots[0], roots[1], 'the second task did not reuse the copy');
    assert.equal(existsSync(roots[0]!), false, 'the copy outlived the run');
    assert.deepEqual(await fs.readdir(path.join(stateDir, 'leftovers')).catch(() => []), []);
  });
});
