/**
 * Break 3 (journal side): a state folder that fills up. A failed journal write is never reported as success,
 * the outcome is announced only after the journal holds it, and a resume neither redoes nor loses the tasks
 * that finished.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validPlan } from '../plan/helpers';
import type { RunEvent } from '../../../src/core/run/events';
import { RunJournal, resumeRun, startRun } from '../../../src/core/run';
import { FakeModel, taskIdOf, writeOwnedFiles } from './fakeModel';
import { faultyIo } from '../fs/faultyIo';
import { tempDirs } from './tmp';

const plan = validPlan({
  tasks: [
    { id: 'a', title: 'A', objective: 'a', files: ['a.txt'] },
    { id: 'b', title: 'B', objective: 'b', files: ['b.txt'] },
    { id: 'c', title: 'C', objective: 'c', deps: ['a', 'b'], files: ['c.txt'] },
  ],
});

describe('run/journal when the state folder is full', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('a record that cannot be written makes the run fail (exit 1, clear reason); run.finished comes after the flush, never with exit 0', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const io = faultyIo({ match: () => false });
    const events: RunEvent[] = [];
    const model = new FakeModel(writeOwnedFiles(), (id) => {
      // The disk fills up once the first agent is at work: every later run.json write fails.
      if (id === 'a') io.setPlan({ match: (f) => f.includes('run.json'), freeBytes: 0 });
    });
    const out = await startRun({ dir, stateDir, plan, model, io: { write: io }, onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 1);
    assert.equal(out.status, 'failed');
    assert.match(out.record.reason ?? '', /run journal could not be saved \(run\.json: no space left on device\)/);
    const finished = events.filter((e) => e.type === 'run.finished');
    assert.equal(finished.length, 1);
    assert.deepEqual(events.at(-1), finished[0], 'run.finished is the last event');
    assert.equal(finished[0].type === 'run.finished' && finished[0].exitCode, 1);
    const onDisk = (await RunJournal.open(stateDir, out.runId)).record;
    assert.notEqual(onDisk.status, 'completed', 'the journal never says success');
    assert.deepEqual(readdirSync(path.join(stateDir, 'runs', out.runId)).filter((n) => n.includes('tmp')), [], 'no temporary left');

    // Space again: the resume sees the three tasks finished (their patches reached the disk) and re-runs none.
    const again = new FakeModel();
    const resumed = await resumeRun({ stateDir, runId: out.runId, model: again });
    assert.equal(again.calls, 0, 'no finished task was run again');
    assert.equal(resumed.exitCode, 0);
    assert.deepEqual(Object.values(resumed.record.tasks).map((t) => [t.status, t.patch?.state]), Array(3).fill(['passed', 'proposed']));
  });

  it('a patch that cannot be saved fails its task (said so), blocks its dependents, and is never half on disk', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const io = faultyIo({ match: (f) => path.basename(f).startsWith('.b.json'), freeBytes: 10 });
    const model = new FakeModel((turn, messages) => writeOwnedFiles((id, p) => (id === 'b' ? 'B'.repeat(50_000) : `# ${p}\n`))(turn, messages));
    const out = await startRun({ dir, stateDir, plan, model, io: { write: io } });
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.tasks.b.status, 'failed');
    assert.match(out.record.tasks.b.reason ?? '', /its patch could not be saved to the run journal: no space left on device/);
    assert.equal(out.record.tasks.c.status, 'blocked');
    assert.equal(out.record.tasks.a.status, 'passed');
    assert.deepEqual(readdirSync(path.join(stateDir, 'runs', out.runId, 'patches')).sort(), ['a.json'], 'no truncated b.json, no temporary');
    void taskIdOf;
  });

  it('with --apply auto, a patch whose apply fails on a full disk is reported, the workspace untouched, exit 1', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const io = faultyIo({ match: (f) => path.basename(f).startsWith('.b.txt'), freeBytes: 96 * 1024 });
    const model = new FakeModel((turn, messages) => writeOwnedFiles((id, p) => (id === 'b' ? 'B'.repeat(200_000) : `# ${p}\n`))(turn, messages));
    const out = await startRun({ dir, stateDir, plan, model, apply: 'auto', io: { write: io } });
    assert.equal(out.exitCode, 1);
    assert.equal(out.record.tasks.b.patch?.state, 'proposed');
    assert.match(out.record.tasks.b.patch?.reason ?? '', /cannot write b\.txt: no space left on device \(rolled back\)/);
    assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'c.txt'], 'b.txt not written, no temporary');
    assert.equal(readFileSync(path.join(dir, 'a.txt'), 'utf8'), '# a.txt\n');
  });
});
