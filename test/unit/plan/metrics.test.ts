import { strict as assert } from 'node:assert';
import { planMetrics, readyTasks, remainingCriticalPath, taskLevels, toGraph } from '../../../src/core/plan';
import { fromEdges, task, valid } from './helpers';

// The paper's pair and the diamond, as design.md's worked check gives them.
const W1 = (): ReturnType<typeof fromEdges> => fromEdges(['a>c', 'b>c', 'a>d', 'b>d', 'c>d']);
const W2 = (): ReturnType<typeof fromEdges> => fromEdges(['a>c', 'b>c', 'c>d']);
const DIAMOND = (): ReturnType<typeof fromEdges> => fromEdges(['a>b', 'a>c', 'b>d', 'c>d']);

/** Population standard deviation, written out independently of the implementation. */
function std(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
}

describe('plan metrics', () => {
  it('W1: 4 tasks in 3 levels, 5 edges, C_dep 0.5', () => {
    const m = planMetrics(W1());
    // degrees: a 2, b 2, c 3, d 3
    assert.deepEqual(m, { tasks: 4, edges: 5, depth: 3, parallelism: 4 / 3, dependencyComplexity: std([2, 2, 3, 3]), criticalPath: ['a', 'c', 'd'] });
    assert.equal(m.dependencyComplexity, 0.5);
  });

  it('W2: 4 tasks in 3 levels, 3 edges, C_dep about 0.866', () => {
    const m = planMetrics(W2());
    // degrees: a 1, b 1, c 3, d 1
    assert.deepEqual(m, { tasks: 4, edges: 3, depth: 3, parallelism: 4 / 3, dependencyComplexity: std([1, 1, 3, 1]), criticalPath: ['a', 'c', 'd'] });
    assert.ok(Math.abs(m.dependencyComplexity - Math.sqrt(3) / 2) < 1e-12);
  });

  it('the diamond: P_avg 4/3, C_dep 0, critical path through the smaller id', () => {
    assert.deepEqual(planMetrics(DIAMOND()), { tasks: 4, edges: 4, depth: 3, parallelism: 4 / 3, dependencyComplexity: 0, criticalPath: ['a', 'b', 'd'] });
  });

  it('levels are longest paths, not first-reached depths', () => {
    // e is reached from a in one step and in three through b, c: its level is 4.
    const plan = fromEdges(['a>b', 'b>c', 'c>e', 'a>e', 'x>e']);
    assert.deepEqual(Object.fromEntries(taskLevels(plan)), { a: 1, b: 2, c: 3, e: 4, x: 1 });
    assert.equal(planMetrics(plan).depth, 4);
  });

  it('a single task and independent tasks', () => {
    assert.deepEqual(planMetrics(valid([task('solo')])), { tasks: 1, edges: 0, depth: 1, parallelism: 1, dependencyComplexity: 0, criticalPath: ['solo'] });
    const flat = planMetrics(valid([task('z'), task('m'), task('b')]));
    assert.equal(flat.parallelism, 3);
    assert.deepEqual(flat.criticalPath, ['b']);
  });

  it('the critical path is the lexicographically smallest longest chain, not the first found', () => {
    // Two chains of 3: z>b>c and a>y>c, plus a shorter a>c. The smallest sequence starts with a.
    const plan = valid([task('z'), task('b', ['z']), task('y', ['a']), task('a'), task('c', ['b', 'y', 'a'])]);
    assert.deepEqual(planMetrics(plan).criticalPath, ['a', 'y', 'c']);
  });

  it('remaining critical path counts the task and the longest chain to a sink', () => {
    const plan = fromEdges(['a>b', 'b>c', 'a>d']);
    assert.deepEqual(Object.fromEntries(remainingCriticalPath(plan)), { a: 3, b: 2, c: 1, d: 1 });
  });

  it('toGraph gives a graphology DAG with an edge dep -> task', () => {
    const graph = toGraph(DIAMOND());
    assert.equal(graph.order, 4);
    assert.equal(graph.size, 4);
    assert.ok(graph.hasDirectedEdge('a', 'b') && !graph.hasDirectedEdge('b', 'a'));
    assert.equal(graph.getNodeAttribute('d', 'task').id, 'd');
  });
});

describe('readyTasks', () => {
  const plan = (): ReturnType<typeof fromEdges> => fromEdges(['a>c', 'b>c', 'c>d'], ['e']);

  it('starts with the sources', () => {
    assert.deepEqual(readyTasks(plan(), {}), ['a', 'b', 'e']);
  });

  it('waits for every dependency and skips tasks already started or finished', () => {
    assert.deepEqual(readyTasks(plan(), { a: 'passed', b: 'running', e: 'verifying' }), []);
    assert.deepEqual(readyTasks(plan(), new Map([['a', 'passed'], ['b', 'passed'], ['e', 'failed']])), ['c']);
    assert.deepEqual(readyTasks(plan(), { a: 'passed', b: 'passed', c: 'ready', e: 'passed' }), ['c']);
  });

  it('lets unverified dependencies through by default, and not when told otherwise', () => {
    const statuses = { a: 'passed', b: 'unverified', e: 'passed' } as const;
    assert.deepEqual(readyTasks(plan(), statuses), ['c']);
    assert.deepEqual(readyTasks(plan(), statuses, { done: ['passed'] }), []);
  });

  it('never readies the dependants of a failed or blocked task', () => {
    assert.deepEqual(readyTasks(plan(), { a: 'failed', b: 'passed', e: 'passed' }), []);
    assert.deepEqual(readyTasks(plan(), { a: 'passed', b: 'passed', c: 'blocked', e: 'passed' }), []);
  });
});
