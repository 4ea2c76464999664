/**
 * X4 and break 9's second half: cancelling (or killing) while a patch is being applied. A cancel finishes the
 * patch being applied, all of it, records it, and starts no other; a kill leaves a journal that says the patch
 * was being applied, and the next apply finishes it. Never half a patch with a journal saying "proposed".
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validPlan } from '../plan/helpers';
import { applyFsOver, type ApplyFs } from '../../../src/core/run/apply';
import { RunJournal } from '../../../src/core/run/journal';
import type { TaskPatch } from '../../../src/core/run/patch';
import { applyReviewedPatches } from '../../../src/core/run/review';
import { startRun } from '../../../src/core/run/runEngine';
import { StagingArea } from '../../../src/core/run/staging';
import { processWrites } from '../../../src/core/run/writeGuard';
import { FakeModel } from './fakeModel';
import { journalWithPatches } from './journalFixture';
import { tempDirs } from './tmp';

const RUN = '20260101-000000-000-abcdef';

/** Apply operations that stop before writing `name` until `open()` is called; `reached` resolves there. */
function gatedOps(name: string): { ops: ApplyFs; reached: Promise<void>; open: () => void } {
  const real = applyFsOver();
  let open!: () => void;
  let arrive!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrive = r));
  return {
    ops: {
      ...real,
      writeFile: async (abs, content) => {
        if (path.basename(abs) === name) {
          arrive();
          await gate;
        }
        await real.writeFile(abs, content);
      },
    },
    reached,
    open,
  };
}

describe('cancelling or killing while a patch is being applied', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  async function patchOf(ws: string, taskId: string, files: Record<string, string>): Promise<TaskPatch> {
    for (const f of Object.keys(files)) writeFileSync(path.join(ws, f), `old ${f}\n`);
    const layer = new StagingArea(ws).openLayer(taskId, Object.keys(files), []);
    for (const [f, c] of Object.entries(files)) await layer.stage(f, c);
    return layer.seal(RUN);
  }

  it('X4 (agensflow apply): a cancel mid-patch finishes that patch, all of it, records it, and starts no other', async () => {
    const ws = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const p1 = await patchOf(ws, 't1', { 'a.txt': 'new a\n', 'b.txt': 'new b\n', 'c.txt': 'new c\n' });
    const p2 = await patchOf(ws, 't2', { 'd.txt': 'new d\n' });
    await journalWithPatches(stateDir, ws, [p1, p2]);
    const ac = new AbortController();
    const g = gatedOps('b.txt');
    const applying = applyReviewedPatches(stateDir, RUN, undefined, g.ops, { signal: ac.signal });
    await g.reached;
    assert.equal(processWrites.busy, true, 'an interrupt would wait');
    const onDisk = (await (await RunJournal.open(stateDir, RUN)).loadPatch('t1')) as TaskPatch;
    assert.equal(typeof onDisk.applying, 'number', 'the journal says the patch is being applied');
    ac.abort();
    g.open();
    const reports = await applying;
    assert.deepEqual(reports.map((r) => [r.taskId, r.state]), [['t1', 'applied']]);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((f) => readFileSync(path.join(ws, `${f}.txt`), 'utf8')), ['new a\n', 'new b\n', 'new c\n', 'old d.txt\n']);
    const j = await RunJournal.open(stateDir, RUN);
    assert.deepEqual([j.record.tasks.t1.patch?.state, j.record.tasks.t2.patch?.state], ['applied', 'proposed']);
    assert.equal(((await j.loadPatch('t1')) as TaskPatch).applying, undefined);
  });

  it('X4 (--apply auto): cancelling the run while a patch is applied leaves it whole and recorded as applied', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const plan = validPlan({ tasks: [{ id: 'a', title: 'A', objective: 'a', files: ['x/1.txt', 'x/2.txt', 'x/3.txt'] }] });
    const g = gatedOps('2.txt');
    const ac = new AbortController();
    const running = startRun({ dir, stateDir, plan, model: new FakeModel(), apply: 'auto', signal: ac.signal, io: { apply: g.ops } });
    await g.reached;
    assert.equal(processWrites.busy, true);
    ac.abort();
    g.open();
    const out = await running;
    assert.equal(out.exitCode, 130);
    assert.deepEqual(readdirSync(path.join(dir, 'x')).sort(), ['1.txt', '2.txt', '3.txt'], 'all or nothing: all');
    const j = await RunJournal.open(stateDir, out.runId);
    assert.equal(j.record.tasks.a.patch?.state, 'applied', 'the journal tells the truth');
    assert.equal(((await j.loadPatch('a')) as TaskPatch).applying, undefined);
  });

  it('X4 (kill -9 mid-apply): the journal says "being applied", and the next apply finishes the patch; the temporary is cleaned', async function () {
    this.timeout(60_000);
    const ws = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const p = await patchOf(ws, 't', { 'a.txt': 'new a\n', 'b.txt': 'new b\n', 'c.txt': 'new c\n' });
    await journalWithPatches(stateDir, ws, [p]);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'apply-killed-child.ts'), stateDir, RUN, 'b.txt'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('paused') && resolve()));
    child.kill('SIGKILL');
    await exited;
    // What the crash left: half the patch on disk, and a journal that says so (not "proposed" and silent).
    assert.deepEqual(['a', 'b', 'c'].map((f) => readFileSync(path.join(ws, `${f}.txt`), 'utf8')), ['new a\n', 'old b.txt\n', 'old c.txt\n']);
    assert.ok(readdirSync(ws).some((n) => n.endsWith('.agensflow-tmp')), 'the killed writer left its temporary');
    const cut = (await (await RunJournal.open(stateDir, RUN)).loadPatch('t')) as TaskPatch;
    assert.equal(typeof cut.applying, 'number');
    // The next apply finishes it: files already written are recognised by their hash.
    const reports = await applyReviewedPatches(stateDir, RUN);
    assert.deepEqual(reports.map((r) => r.state), ['applied']);
    assert.deepEqual(['a', 'b', 'c'].map((f) => readFileSync(path.join(ws, `${f}.txt`), 'utf8')), ['new a\n', 'new b\n', 'new c\n']);
    assert.deepEqual(readdirSync(ws).sort(), ['a.txt', 'b.txt', 'c.txt'], 'no temporary left');
    const j = await RunJournal.open(stateDir, RUN);
    assert.equal(j.record.tasks.t.patch?.state, 'applied');
    assert.equal(((await j.loadPatch('t')) as TaskPatch).applying, undefined);
  });
});
