/**
 * S4: a writer killed (SIGKILL) at each step between its temporary file and the rename leaves the previous or
 * the new policy whole, never a torn one; its temporary is removed by the next load and its lock taken over at
 * once. S5: a stale lock from a crashed window is reclaimed with a log line, and so is a lock dated in the
 * future (which could otherwise block saving until that date).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeState, loadPolicy, seededRng } from '../../../src/core/policy';
import { twoOptionDoc } from './helpers';

describe('policy store: crashes and stale locks', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-crash-'));
    file = join(dir, 'policy', 'ws.json');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const opts = (log?: (l: string) => void) => ({ document: twoOptionDoc(), settings: { rng: seededRng(1) }, ...(log ? { log } : {}) });
  const successes = async (): Promise<number> => {
    const r = decodeState(await readFile(file, 'utf8'));
    assert.equal(r.kind, 'ok', 'the file on disk is whole');
    return r.kind === 'ok' ? (r.state.cells['model|kind=edit,size=S']?.arms.a?.s ?? 0) : -1;
  };
  async function learnAndSave(log?: (l: string) => void): Promise<void> {
    const loaded = await loadPolicy(file, opts(log));
    const d = loaded.policy.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
    loaded.policy.record(d.id, { success: true, source: 'verification' });
    const saved = await loaded.store.save(loaded.policy);
    assert.equal(saved.ok, true, saved.message);
  }

  for (const [step, expected] of [['open', 1], ['fsync', 1], ['rename', 1], ['renamed', 2]] as const) {
    it(`S4: killed at "${step}": the ${expected === 1 ? 'previous' : 'new'} file is whole, the temporary cleaned, the lock taken over at once`, async function () {
      this.timeout(60_000);
      await learnAndSave();
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'killed-writer.ts'), file, step], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('at') && resolve()));
      child.kill('SIGKILL');
      await exited;
      assert.equal(await successes(), expected);
      // The killed writer normally leaves its lock behind (its removal is not guaranteed under load).
      const lockLeft = (await readdir(join(dir, 'policy'))).includes('ws.json.lock');
      const log: string[] = [];
      const loaded = await loadPolicy(file, opts((l) => log.push(l)));
      assert.equal(loaded.status, 'loaded');
      assert.deepEqual((await readdir(join(dir, 'policy'))).filter((n) => n.endsWith('.agensflow-tmp')), [], 'stray temporaries removed');
      const started = Date.now();
      await learnAndSave((l) => log.push(l));
      assert.ok(Date.now() - started < 5_000, 'did not wait for the dead writer\'s lock to go stale');
      if (lockLeft) assert.ok(log.some((l) => /holder \(process \d+\) is no longer running/.test(l)), log.join('\n'));
      assert.equal(await successes(), expected + 1);
    });
  }

  it('S5: a stale lock from a crashed window is reclaimed, with a log line', async () => {
    await learnAndSave();
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    const log: string[] = [];
    await learnAndSave((l) => log.push(l));
    assert.equal(await successes(), 2);
    assert.ok(log.some((l) => /reclaiming the stale policy lock .* untouched for 6\d s/.test(l)), log.join('\n'));
  });

  it('S5: a lock dated in the future is removed with a log line saying why, instead of blocking saves until that date', async () => {
    await learnAndSave();
    await mkdir(`${file}.lock`);
    const future = new Date(Date.now() + 3 * 3600_000);
    await utimes(`${file}.lock`, future, future);
    const log: string[] = [];
    await learnAndSave((l) => log.push(l));
    assert.equal(await successes(), 2);
    assert.ok(log.some((l) => /is dated .*in the future \(a clock set back, or a copied folder\): removed/.test(l)), log.join('\n'));
  });
});
