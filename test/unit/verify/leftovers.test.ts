/**
 * Cleanup that survives SIGKILL: a process killed mid-check leaves its view and (without a sandbox) its
 * verifier processes behind; the sweep that the next start or resume runs kills and removes them. The sweep is
 * attacked with records that point at things that are not ours: none of them is touched.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LeaseStore, sandboxSupport, sweepLeftovers } from '../../../src/core/verify';
import { LEASE_ENV, viewName, VIEW_MARKER } from '../../../src/core/verify/leftovers';
import { eventually, processGone, suiteWorkspaces } from './helpers';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'verify', 'verify-and-hang.ts');

/** Pids whose environment carries one of `tokens` (Linux). */
function leaseHolders(tokens: readonly string[]): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${n}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (tokens.some((t) => env.split('\0').includes(`${LEASE_ENV}=${t}`)) && !processGone(Number(n))) out.push(Number(n));
  }
  return out;
}

interface Recorded {
  views: string[];
  processTokens: string[];
  pids: number[];
}

async function recorded(stateDir: string): Promise<Recorded> {
  const dir = path.join(stateDir, 'leftovers');
  const out: Recorded = { views: [], processTokens: [], pids: [] };
  for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
    try {
      const r = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as { kind: string; path?: string; token: string; pid?: number };
      if (r.kind === 'view' && r.path) out.views.push(r.path);
      if (r.kind === 'process') {
        out.processTokens.push(r.token);
        if (r.pid !== undefined) out.pids.push(r.pid);
      }
    } catch {
      // being written
    }
  }
  return out;
}

describe('verify: cleanup after a SIGKILL', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();

  for (const mode of ['sandbox', 'none'] as const) {
    it(`X6: SIGKILL during a check (${mode === 'none' ? 'no sandbox' : "the machine's sandbox"}), then the sweep of the next start: no process and no temporary view is left`, async function () {
      if (process.platform !== 'linux') this.skip();
      if (mode === 'sandbox' && (await sandboxSupport()).sandbox === 'none') {
        console.log(`      skipped: no sandbox on this machine (${(await sandboxSupport()).reason ?? ''})`);
        this.skip();
      }
      const state = await ws({});
      const dir = await ws({ 'a.txt': 'x', '.env': 'TOKEN=1\n' });
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', FIXTURE, state, dir, mode], { stdio: 'ignore' });
      let seen: Recorded = { views: [], processTokens: [], pids: [] };
      // Wait until the verifier runs: its record carries its pid and its lease is in a live process's environment.
      const running = await eventually(() => {
        void recorded(state).then((r) => (seen = r));
        return seen.views.length > 0 && seen.pids.length > 0 && leaseHolders(seen.processTokens).length > 0;
      }, 60_000);
      assert.ok(running, 'the verifier never started');
      const holders = leaseHolders(seen.processTokens);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.ok(seen.views.every((v) => existsSync(v)), 'the view is there after the kill');

      const report = await sweepLeftovers(state);
      for (const pid of holders) assert.ok(await eventually(() => processGone(pid)), `process ${pid} still runs`);
      assert.deepEqual(leaseHolders(seen.processTokens), []);
      for (const v of seen.views) assert.equal(existsSync(v), false, `the view ${v} was left`);
      assert.deepEqual(report.removed.sort(), [...seen.views].sort());
      assert.deepEqual(await fs.readdir(path.join(state, 'leftovers')), [], 'records left');
    });
  }

  it('X6: the sweep never removes what it did not create (a link to a user folder, a folder without our marker, a wrong marker, a foreign name) nor a live run\'s view', async function () {
    if (process.platform === 'win32') this.skip();
    const state = await ws({});
    const user = await ws({ 'precious.txt': 'keep me' });
    const scratch = await ws({});
    const dead = { pid: 2 ** 22 + 12345, start: '1' }; // no such process
    const store = new LeaseStore(state);
    await fs.mkdir(store.dir, { recursive: true });
    const write = (token: string, rec: object): Promise<void> => fs.writeFile(path.join(store.dir, `${token}.json`), JSON.stringify({ token, ...rec }));

    // 1. The recorded path is a symlink (named as ours) to the user's folder.
    const t1 = 'a'.repeat(24);
    const link = path.join(scratch, viewName(t1));
    await fs.symlink(user, link);
    await write(t1, { kind: 'view', path: link, owner: dead });
    // 2. A real folder named as ours, with files but no marker.
    const t2 = 'b'.repeat(24);
    const noMarker = path.join(scratch, viewName(t2));
    await fs.mkdir(noMarker);
    await fs.writeFile(path.join(noMarker, 'work.txt'), 'user data');
    await write(t2, { kind: 'view', path: noMarker, owner: dead });
    // 3. A marker holding another token.
    const t3 = 'c'.repeat(24);
    const wrongMarker = path.join(scratch, viewName(t3));
    await fs.mkdir(wrongMarker);
    await fs.writeFile(path.join(wrongMarker, VIEW_MARKER), 'd'.repeat(24));
    await write(t3, { kind: 'view', path: wrongMarker, owner: dead });
    // 4. The user's own folder, recorded by name.
    const t4 = 'e'.repeat(24);
    await write(t4, { kind: 'view', path: user, owner: dead });
    // 5. A view of a run still going (this process owns it): left alone, record kept.
    const t5 = 'f'.repeat(24);
    const live = path.join(scratch, viewName(t5));
    await fs.mkdir(live);
    await fs.writeFile(path.join(live, VIEW_MARKER), t5);
    await store.record({ kind: 'view', token: t5, path: live });
    // 6. A process record of a dead owner whose token no process carries; an unrelated process must survive.
    const t6 = '1'.repeat(24);
    await write(t6, { kind: 'process', owner: dead, pid: process.pid });
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

    try {
      const report = await sweepLeftovers(state);
      assert.deepEqual(report.removed, []);
      assert.deepEqual(report.killed, []);
      assert.equal(readFileSync(path.join(user, 'precious.txt'), 'utf8'), 'keep me');
      assert.ok((await fs.lstat(link)).isSymbolicLink(), 'the link was removed');
      assert.equal(readFileSync(path.join(noMarker, 'work.txt'), 'utf8'), 'user data');
      assert.ok(existsSync(path.join(wrongMarker, VIEW_MARKER)));
      assert.ok(existsSync(live), "a live run's view was removed");
      assert.ok(!processGone(bystander.pid!), 'an unrelated process was killed');
      assert.ok(existsSync(path.join(store.dir, `${t5}.json`)), "a live run's record was dropped");
      assert.equal(report.skipped.length, 4, JSON.stringify(report.skipped));
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
