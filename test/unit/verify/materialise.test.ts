import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { materialise } from '../../../src/core/verify/materialise';
import { tempDirs } from '../run/tmp';

describe('verify/materialise: odd workspace entries', () => {
  const tmp = tempDirs();
  afterEach(() => {
    tmp.cleanup();
  });

  it('leaves out FIFOs, sockets and unreadable entries instead of failing the copy (every task would be "unverified")', async function () {
    if (process.platform === 'win32') this.skip();
    const ws = tmp.make('af-mat-');
    writeFileSync(path.join(ws, 'a.py'), 'x = 1\n');
    execFileSync('mkfifo', [path.join(ws, 'pipe')]);
    mkdirSync(path.join(ws, 'sub'));
    const sock = net.createServer().listen(path.join(ws, 'sub', 'sock'));
    await new Promise((r) => sock.once('listening', r));
    writeFileSync(path.join(ws, 'locked.txt'), 'no\n');
    chmodSync(path.join(ws, 'locked.txt'), 0o000);
    try {
      const copy = await materialise(ws, [new Map([['b.py', 'y = 2\n']])]);
      try {
        assert.equal(await copy.exists('a.py'), true);
        assert.equal(await copy.exists('b.py'), true);
        assert.equal(existsSync(path.join(copy.root, 'pipe')), false);
        assert.equal(existsSync(path.join(copy.root, 'sub', 'sock')), false);
        assert.equal(existsSync(path.join(copy.root, 'sub')), true);
        if (process.getuid?.() !== 0) assert.equal(existsSync(path.join(copy.root, 'locked.txt')), false);
      } finally {
        await copy.dispose();
      }
    } finally {
      sock.close();
      chmodSync(path.join(ws, 'locked.txt'), 0o600);
    }
  });
});
