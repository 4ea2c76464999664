/**
 * X5: a run is cancelled and a new run starts at once on the same files, while the old run's model calls are
 * still out (a provider that ignores the abort and answers late). The late answers must not reach the new run
 * (its events, its journal, its files) nor the workspace: the old run ends cancelled with nothing applied.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Model, ModelRequest, ModelResult } from '../../../src/core/models/types';
import { validPlan } from '../plan/helpers';
import { RunJournal, startRun } from '../../../src/core/run';
import type { RunEvent } from '../../../src/core/run/events';
import { FakeModel, taskIdOf } from './fakeModel';
import { tempDirs } from './tmp';

const plan = validPlan({
  tasks: [
    { id: 'a', title: 'A', objective: 'write a', files: ['a.txt'] },
    { id: 'b', title: 'B', objective: 'write b', files: ['b.txt'] },
  ],
});

/** Answers only when released, whatever the abort says: every answer writes STALE into the task's file. */
class LateModel implements Model {
  readonly provider = 'openai-compatible' as const;
  readonly name = 'late-model';
  private held: Array<() => void> = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  async call(req: ModelRequest): Promise<ModelResult> {
    const id = taskIdOf(req.messages);
    await new Promise<void>((resolve) => {
      this.held.push(resolve);
      this.waiters = this.waiters.filter((w) => (this.held.length >= w.n ? (w.resolve(), false) : true));
    });
    const file = `${id}.txt`;
    return {
      text: '',
      toolCalls: [
        { id: `w_${id}`, name: 'write_file', arguments: { path: file, content: 'STALE\n' }, rawArguments: '' },
        { id: `f_${id}`, name: 'finish', arguments: { summary: 'late' }, rawArguments: '' },
      ],
      usage: { inputTokens: 1, outputTokens: 1 },
      stopReason: 'tool_calls',
      model: this.name,
    };
  }
  waitFor(n: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.held.length >= n) resolve();
      else this.waiters.push({ n, resolve });
    });
  }
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

describe('run: cancel, then a new run at once on the same files', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('X5: the old run\'s late answers reach neither the new run nor the workspace; each run\'s events carry its own id', async () => {
    const dir = tmp.make('af-x5-ws-');
    const stateDir = tmp.make('af-x5-state-');
    const late = new LateModel();
    const ac = new AbortController();
    const oldEvents: RunEvent[] = [];
    const oldRun = startRun({ dir, stateDir, plan, model: late, apply: 'auto', signal: ac.signal, onEvent: (e) => oldEvents.push(e) });
    await late.waitFor(2);
    ac.abort();

    const newEvents: RunEvent[] = [];
    const fresh = await startRun({ dir, stateDir, plan, model: new FakeModel(), apply: 'auto', onEvent: (e) => newEvents.push(e) });
    assert.equal(fresh.exitCode, 0);

    late.release(); // the old run's provider answers now, after the cancel and after the new run finished
    const old = await oldRun;
    assert.equal(old.exitCode, 130);
    assert.notEqual(old.runId, fresh.runId);

    for (const f of ['a.txt', 'b.txt']) assert.equal(readFileSync(path.join(dir, f), 'utf8'), `# ${f} by ${f[0]}\n`, `${f} holds the new run's content`);
    assert.ok(newEvents.length > 0 && newEvents.every((e) => e.runId === fresh.runId), 'the new run heard only its own events');
    assert.ok(oldEvents.every((e) => e.runId === old.runId), 'the old run\'s events carry its own id');
    assert.ok(oldEvents.some((e) => e.type === 'task.status' && e.status === 'cancelled'), 'the old run says its tasks were cancelled');
    assert.ok(!oldEvents.some((e) => (e.type === 'patch' && e.state === 'applied') || (e.type === 'task.status' && e.status === 'passed') || e.type === 'file.staged'), 'nothing of the old run was staged, applied or passed');

    const oldJournal = await RunJournal.open(stateDir, old.runId);
    assert.equal(oldJournal.record.status, 'cancelled');
    assert.ok(Object.values(oldJournal.record.tasks).every((t) => t.status === 'cancelled' && !t.patch), 'no task of the old run kept a patch');
    const newJournal = await RunJournal.open(stateDir, fresh.runId);
    assert.equal(newJournal.record.status, 'completed');
  });
});
