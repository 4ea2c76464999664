import { strict as assert } from 'node:assert';
import { validPlan } from '../plan/helpers';
import { createUpdater } from '../../../src/core/replan';
import { startRun } from '../../../src/core/run';
import type { RunEvent } from '../../../src/core/run/events';
import type { VerifyHook } from '../../../src/core/run/hooks';
import type { Model, ModelRequest, ModelResult } from '../../../src/core/models/types';
import { DagState } from '../../../src/core/run/dagState';
import { ScriptedToolModel } from '../replan/helpers';
import { FakeModel, writeOwnedFiles } from './fakeModel';
import { tempDirs } from './tmp';

/** b and a independent; c after a; d after c. */
const plan = validPlan({
  goal: 'blocks after an update',
  tasks: [
    { id: 'a', title: 'A', objective: 'a v1', files: ['a.txt'] },
    { id: 'b', title: 'B', objective: 'b', files: ['b.txt'] },
    { id: 'c', title: 'C', objective: 'c', deps: ['a'], files: ['c.txt'] },
    { id: 'd', title: 'D', objective: 'd', deps: ['c'], files: ['d.txt'] },
  ],
});

/** A model that answers only once `ready` resolved (so the update lands after b failed, without sleeping). */
class HeldModel implements Model {
  readonly provider = 'openai-compatible' as const;
  readonly name = 'held-updater';
  constructor(
    private readonly inner: Model,
    private readonly ready: Promise<void>,
  ) {}
  async call(req: ModelRequest): Promise<ModelResult> {
    await this.ready;
    return this.inner.call(req);
  }
}

describe('run: blocks pass on through a local plan update', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('a task blocked after an update blocks its own descendants, each naming the failed task (record and events)', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    let bFailed!: () => void;
    const failedB = new Promise<void>((resolve) => (bFailed = resolve));
    // b's agent errors out (no recovery for that); a fails verification once and is re-planned to wait for a
    // new task n that needs b: n, then a, then a's descendants c and d are blocked by b.
    const model = new FakeModel(writeOwnedFiles(), (id) => {
      if (id === 'b') throw new Error('b cannot be done');
    });
    const verify: VerifyHook = async (task) => (task.id === 'a' ? { outcome: 'failed', findings: [{ message: 'a is wrong' }] } : { outcome: 'passed', findings: [] });
    const updater = new HeldModel(
      new ScriptedToolModel(() => ({
        name: 'submit_update',
        args: {
          reason: 'a needs n first',
          replace: [{ id: 'a', title: 'A', objective: 'a v2', deps: ['n'], files: ['a.txt'] }],
          add: [{ id: 'n', title: 'N', objective: 'n', deps: ['b'], files: ['n.txt'] }],
        },
      })),
      failedB,
    );
    const events: RunEvent[] = [];
    const out = await startRun({
      dir,
      stateDir,
      plan,
      model,
      maxAgents: 2,
      verify,
      recovery: { maxRetries: 0 },
      updater: createUpdater({ model: updater, candidates: 1 }),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'task.status' && e.taskId === 'b' && e.status === 'failed') bFailed();
      },
    });
    assert.equal(out.exitCode, 1);
    assert.ok(events.some((e) => e.type === 'plan.updated'));
    const t = out.record.tasks;
    assert.deepEqual(['a', 'b', 'c', 'd', 'n'].map((id) => t[id]?.status), ['blocked', 'failed', 'blocked', 'blocked', 'blocked']);
    for (const id of ['a', 'c', 'd', 'n']) {
      assert.match(t[id].reason ?? '', /\bb\b.*failed/, `${id}: ${t[id].reason}`);
      const last = events.filter((e) => e.type === 'task.status' && e.taskId === id).at(-1);
      assert.ok(last?.type === 'task.status' && last.status === 'blocked' && /\bb\b.*failed/.test(last.reason ?? ''), `${id}: ${JSON.stringify(last)}`);
    }
  });
});

describe('run/dagState: blocks after reshape', () => {
  it('blocks transitively whatever the order of the nodes, and names the failed task', () => {
    const dag = new DagState([
      { id: 'f', deps: [] },
      { id: 'x', deps: [] },
    ]);
    dag.start('f');
    dag.start('x');
    dag.fail('f');
    // The update lists the new task m after its dependants: x needs m, m needs f (failed); y needs x.
    const r = dag.reshape(
      [
        { id: 'f', deps: [] },
        { id: 'y', deps: ['x'] },
        { id: 'x', deps: ['m'] },
        { id: 'm', deps: ['f'] },
      ],
      ['x', 'y', 'm'],
      'x',
    );
    assert.deepEqual(r.ready, []);
    assert.deepEqual(r.blocked.sort(), ['m']);
    assert.equal(dag.blockedBy('m'), 'f');
    const q = dag.requeueBlocking('x');
    assert.equal(q.state, 'blocked');
    assert.deepEqual(q.blocked, ['y']);
    assert.equal(dag.blockedBy('x'), 'f');
    assert.equal(dag.blockedBy('y'), 'f');
    assert.ok(dag.settled());
    assert.deepEqual(dag.unfinished(), []);
  });
});
