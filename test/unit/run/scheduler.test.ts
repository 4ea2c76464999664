import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { weightedRemainingPath, type DagNode } from '../../../src/core/plan/adjacency';
import { DagState } from '../../../src/core/run/dagState';
import { runSchedule, type TaskOutcome } from '../../../src/core/run/scheduler';

/** A manually released task: the test decides when each running task finishes. */
function controllable() {
  const running = new Map<string, (o: TaskOutcome) => void>();
  const log: string[] = [];
  const agents = new Map<string, string>();
  let onStart: (() => void) | undefined;
  return {
    log,
    agents,
    running,
    runTask: (ctx: { taskId: string; agent: string }) =>
      new Promise<TaskOutcome>((resolve) => {
        log.push(`start ${ctx.taskId}`);
        agents.set(ctx.taskId, ctx.agent);
        running.set(ctx.taskId, (o) => {
          running.delete(ctx.taskId);
          log.push(`end ${ctx.taskId}`);
          resolve(o);
        });
        onStart?.();
      }),
    /** Resolves once `n` tasks are running. */
    whenRunning: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (running.size >= n) {
            onStart = undefined;
            resolve();
          }
        };
        onStart = check;
        check();
      }),
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('run/dagState', () => {
  it('ranks ready tasks by remaining critical path, then id', () => {
    const nodes: DagNode[] = [
      { id: 'a', deps: [] },
      { id: 'b', deps: [] },
      { id: 'c', deps: ['b'] },
      { id: 'd', deps: ['c'] },
      { id: 'e', deps: [] },
    ];
    assert.deepEqual(Object.fromEntries(weightedRemainingPath(nodes)), { a: 1, b: 3, c: 2, d: 1, e: 1 });
    const s = new DagState(nodes);
    assert.deepEqual(s.ready(), ['b', 'a', 'e']);
    s.start('b');
    assert.deepEqual(s.complete('b'), ['c']);
    assert.deepEqual(s.fail('c'), ['d']);
    assert.equal(s.stateOf('d'), 'blocked');
  });

  it('property: any completion order respects dependencies and finishes every task', () => {
    const dag = fc.integer({ min: 1, max: 25 }).chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
      ),
    );
    fc.assert(
      fc.property(dag, ([n, edges, picks]) => {
        const nodes: DagNode[] = Array.from({ length: n }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}`, deps: [] as string[] }));
        for (const [x, y] of edges) if (x < y && !nodes[y].deps.includes(nodes[x].id)) (nodes[y].deps as string[]).push(nodes[x].id);
        const s = new DagState(nodes);
        const done = new Set<string>();
        const running: string[] = [];
        let k = 0;
        while (done.size < n) {
          for (let id = s.next(); id !== undefined; id = s.next()) {
            for (const d of nodes.find((x) => x.id === id)?.deps ?? []) assert.ok(done.has(d), `${id} started before ${d}`);
            s.start(id);
            running.push(id);
          }
          assert.ok(running.length > 0, 'progress');
          const [id] = running.splice(picks[k++ % picks.length] % running.length, 1);
          s.complete(id);
          done.add(id);
        }
        assert.ok(s.settled());
      }),
    );
  });
});

describe('run/scheduler', () => {
  it('starts a task the moment its last dependency finishes (no waves)', async () => {
    // a (long) and b run at once; c depends only on b, so it starts while a still runs.
    const nodes: DagNode[] = [
      { id: 'a', deps: [] },
      { id: 'b', deps: [] },
      { id: 'c', deps: ['b'] },
      { id: 'd', deps: ['a', 'c'] },
    ];
    const t = controllable();
    const done = runSchedule({ nodes, maxAgents: 4, runTask: t.runTask });
    await t.whenRunning(2);
    t.running.get('b')?.('done');
    await t.whenRunning(2);
    assert.deepEqual([...t.running.keys()].sort(), ['a', 'c']);
    t.running.get('c')?.('done');
    await flush();
    assert.equal(t.running.has('d'), false, 'd waits for a');
    t.running.get('a')?.('done');
    await t.whenRunning(1);
    t.running.get('d')?.('done');
    const final = await done;
    assert.deepEqual([...final.values()], ['done', 'done', 'done', 'done']);
    assert.deepEqual(t.log, ['start b', 'start a', 'end b', 'start c', 'end c', 'end a', 'start d', 'end d']);
  });

  it('never runs more than maxAgents, fills every slot it can, and gives slots to the longest remaining path first', async () => {
    const nodes: DagNode[] = [
      { id: 'x1', deps: [] },
      { id: 'x2', deps: [] },
      { id: 'x3', deps: [] },
      { id: 'long', deps: [] },
      { id: 'tail', deps: ['long'] },
    ];
    const t = controllable();
    let peak = 0;
    const done = runSchedule({
      nodes,
      maxAgents: 2,
      runTask: (ctx) => {
        const p = t.runTask(ctx);
        peak = Math.max(peak, t.running.size);
        return p;
      },
    });
    await t.whenRunning(2);
    assert.deepEqual([...t.running.keys()], ['long', 'x1']);
    while (t.running.size) {
      await t.whenRunning(Math.min(2, t.running.size));
      await flush();
      const [first] = [...t.running.keys()];
      t.running.get(first)?.('done');
      await flush();
    }
    await done;
    assert.equal(peak, 2);
  });

  it('clones an agent per concurrent task of one role and reuses freed numbers', async () => {
    const nodes: DagNode[] = [
      { id: 'p1', deps: [] },
      { id: 'p2', deps: [] },
      { id: 'w1', deps: [] },
      { id: 'p3', deps: ['w1'] },
    ];
    const roles: Record<string, string> = { p1: 'python developer', p2: 'python developer', p3: 'python developer', w1: 'writer' };
    const t = controllable();
    const done = runSchedule({ nodes, maxAgents: 4, roleOf: (id) => roles[id], runTask: t.runTask });
    await t.whenRunning(3);
    assert.deepEqual(Object.fromEntries(t.agents), { p1: 'python developer#1', p2: 'python developer#2', w1: 'writer#1' });
    t.running.get('p1')?.('done');
    t.running.get('w1')?.('done');
    await t.whenRunning(2);
    assert.equal(t.agents.get('p3'), 'python developer#1');
    t.running.get('p2')?.('done');
    t.running.get('p3')?.('done');
    await done;
  });

  it('blocks every descendant of a failed task and still finishes the rest', async () => {
    const nodes: DagNode[] = [
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['b'] },
      { id: 'z', deps: [] },
    ];
    const states: string[] = [];
    const final = await runSchedule({
      nodes,
      maxAgents: 1,
      runTask: async (ctx) => (ctx.taskId === 'a' ? 'failed' : 'done'),
      onState: (id, s) => states.push(`${id}:${s}`),
    });
    assert.deepEqual(Object.fromEntries(final), { a: 'failed', b: 'blocked', c: 'blocked', z: 'done' });
    assert.ok(states.includes('b:blocked') && states.includes('c:blocked'));
  });

  it('on abort starts nothing more, waits for running tasks and marks the rest cancelled', async () => {
    const nodes: DagNode[] = [
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
    ];
    const ac = new AbortController();
    const t = controllable();
    const done = runSchedule({ nodes, maxAgents: 2, signal: ac.signal, runTask: t.runTask });
    await t.whenRunning(1);
    ac.abort();
    t.running.get('a')?.('cancelled');
    const final = await done;
    assert.deepEqual(Object.fromEntries(final), { a: 'cancelled', b: 'cancelled' });
    assert.deepEqual(t.log, ['start a', 'end a']);
  });

  it('a task can hand its slot back while verifying and take one again to retry', async () => {
    const nodes: DagNode[] = [
      { id: 'a', deps: [] },
      { id: 'b', deps: [] },
    ];
    const order: string[] = [];
    let releaseB: (() => void) | undefined;
    const bDone = new Promise<void>((r) => (releaseB = r));
    await runSchedule({
      nodes,
      maxAgents: 1,
      runTask: async (ctx) => {
        order.push(`${ctx.taskId} ${ctx.agent}`);
        if (ctx.taskId === 'a') {
          ctx.releaseAgent(); // "verifying": b may run now
          await bDone;
          order.push(`a retry as ${await ctx.acquireAgent()}`);
        } else {
          releaseB?.();
        }
        return 'done';
      },
    });
    assert.deepEqual(order, ['a developer#1', 'b developer#1', 'a retry as developer#1']);
  });
});

describe('run/scheduler slot hand-over', () => {
  it('a finished task\'s slot goes to the best task, including the children it just unblocked', async () => {
    // a -> b -> c is the long chain; x is short. With one slot: a, then b (unblocked by a) before x.
    const nodes: DagNode[] = [
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['b'] },
      { id: 'x', deps: [] },
    ];
    const order: string[] = [];
    await runSchedule({
      nodes,
      maxAgents: 1,
      runTask: async (ctx) => {
        order.push(ctx.taskId);
        return 'done';
      },
    });
    assert.deepEqual(order, ['a', 'b', 'c', 'x']);
  });
});
