import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, type ApplyFs } from '../../../src/core/run/apply';
import { StagingArea } from '../../../src/core/run/staging';
import { withWorkspaceLock, workspaceLockState } from '../../../src/core/run/workspaceLock';
import { materialise } from '../../../src/core/verify/materialise';
import { tempDirs } from './tmp';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Turns the event loop until `cond` holds (bounded: a state that never comes fails the test). */
async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const waiters = (dir: string, n: number): Promise<void> => until(`${n} waiter(s) on the lock of ${dir}`, async () => (await workspaceLockState(dir)).waiting >= n);

describe('run/workspaceLock: patches applied and workspace copies never overlap', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('readers share the folder; a writer waits for them, and a reader arriving after the writer waits for it', async () => {
    const ws = tmp.make();
    const order: string[] = [];
    const r1 = deferred();
    const r2 = deferred();
    const first = withWorkspaceLock(ws, 'read', async () => {
      order.push('r1 in');
      await r1.promise;
      order.push('r1 out');
    });
    const second = withWorkspaceLock(ws, 'read', async () => {
      order.push('r2 in');
      await r2.promise;
      order.push('r2 out');
    });
    await until('both readers are in', () => order.length === 2);
    const writer = withWorkspaceLock(ws, 'write', async () => void order.push('w'));
    await waiters(ws, 1);
    const late = withWorkspaceLock(ws, 'read', async () => void order.push('r3'));
    await waiters(ws, 2);
    r1.resolve();
    r2.resolve();
    await Promise.all([first, second, writer, late]);
    // The two readers may enter in either order (each takes the cross-process lock file asynchronously); both are
    // in before either leaves, and the writer and the late reader come after both, in that order.
    assert.deepEqual(order.slice(0, 2).sort(), ['r1 in', 'r2 in']);
    assert.deepEqual(order.slice(2), ['r1 out', 'r2 out', 'w', 'r3']);
    assert.deepEqual(await workspaceLockState(ws), { readers: 0, writer: false, waiting: 0 }, 'released however it ended');
  });

  it('releases the folder when the holder throws', async () => {
    const ws = tmp.make();
    await assert.rejects(withWorkspaceLock(ws, 'write', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await withWorkspaceLock(ws, 'write', () => Promise.resolve(7)), 7);
  });

  it('a verification copy started while a patch is being written sees the workspace after the patch, never its temporary file', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'rules.py'), 'X = 1\n');
    const release = deferred();
    // What write-file-atomic does: a temporary beside the target, renamed over it when written.
    const writing = withWorkspaceLock(ws, 'write', async () => {
      writeFileSync(path.join(ws, 'gui.py.1162487437'), 'GUI = 2\n');
      await release.promise;
      renameSync(path.join(ws, 'gui.py.1162487437'), path.join(ws, 'gui.py'));
    });
    const copy = materialise(ws);
    await waiters(ws, 1);
    release.resolve();
    await writing;
    const m = await copy;
    try {
      assert.deepEqual(readdirSync(m.root).sort(), ['gui.py', 'rules.py']);
      assert.equal(readFileSync(path.join(m.root, 'gui.py'), 'utf8'), 'GUI = 2\n');
    } finally {
      await m.dispose();
    }
  });

  it('applying a patch waits for a copy in progress', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'keep.txt'), 'old\n');
    const layer = new StagingArea(ws).openLayer('t', ['keep.txt'], []);
    await layer.stage('keep.txt', 'new\n');
    const patch = await layer.seal('r');
    let copying = true;
    const written: string[] = [];
    const ops: ApplyFs = {
      writeFile: async (abs, content) => {
        assert.equal(copying, false, 'a file was written while the workspace was being copied');
        written.push(path.basename(abs));
        writeFileSync(abs, content);
      },
      restoreFile: async (abs, content) => writeFileSync(abs, content),
      unlink: async () => undefined,
    };
    const done = deferred();
    const reading = withWorkspaceLock(ws, 'read', () => done.promise);
    const applying = applyPatch(ws, patch, ops);
    await waiters(ws, 1);
    assert.deepEqual(written, []);
    copying = false;
    done.resolve();
    await reading;
    assert.equal((await applying).state, 'applied');
    assert.deepEqual(written, ['keep.txt']);
    assert.equal(readFileSync(path.join(ws, 'keep.txt'), 'utf8'), 'new\n');
  });

  it('break 9: a second process on the same folder waits for the first one\'s patch, its copy never overlaps it', async function () {
    this.timeout(60_000);
    const ws = tmp.make();
    const marker = path.join(tmp.make('af-marker-'), 'holding');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lock-holder-child.ts'), ws, marker], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
    let overlapped: boolean | undefined;
    const mine = withWorkspaceLock(ws, 'read', async () => {
      overlapped = existsSync(marker);
    });
    try {
      await until('this process waiting for the other one', async () => overlapped !== undefined || (await workspaceLockState(ws)).otherProcesses === 'waiting');
      assert.equal(overlapped, undefined, 'entered while the other process held the folder');
    } finally {
      child.stdin.end('release\n');
    }
    await mine;
    assert.equal(overlapped, false, 'the other process had let go before this one went in');
    assert.equal(await exited, 0);
    assert.deepEqual(await workspaceLockState(ws), { readers: 0, writer: false, waiting: 0 });
  });
});
