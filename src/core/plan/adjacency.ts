import type { ValidPlan } from './validPlan';

/**
 * The one place the plan's graph is walked: integer adjacency tables of a list of tasks, with their
 * topological order, levels and remaining chain lengths, and the walks the scheduler (core/run/dagState),
 * the engine and recovery need. The metrics and the scheduler's queries run on these rather than on a
 * graphology graph: at 1,000 tasks and 5,000 edges they take about a millisecond where building the graph
 * alone took more than ten (bench/plan.bench.ts).
 */

/** A task as the graph sees it: its id and the ids it depends on. */
export interface DagNode {
  id: string;
  deps: readonly string[];
}

export interface Adjacency {
  /** Task ids in plan order; a task's number is its index here. */
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Direct dependencies of each task, in `deps` order. */
  readonly preds: readonly (readonly number[])[];
  /** Direct dependants of each task, in plan order. */
  readonly succ: readonly (readonly number[])[];
  /** Kahn's order, sources first. */
  readonly order: readonly number[];
  /** Longest chain ending in each task (sources are 1). */
  readonly level: Int32Array;
  /** Longest chain from each task to a sink, counting the task. */
  readonly remaining: Int32Array;
  readonly edges: number;
}

// A valid plan is deeply frozen, so its tables can be computed once and shared.
const cache = new WeakMap<ValidPlan, Adjacency>();

/** The (cached) adjacency tables of a valid plan. */
export function adjacencyOf(plan: ValidPlan): Adjacency {
  const hit = cache.get(plan);
  if (hit !== undefined) return hit;
  const tables = adjacencyOfNodes(plan.tasks);
  cache.set(plan, tables);
  return tables;
}

/**
 * The adjacency tables of any list of tasks (a plan being run, which an update may have replaced, or a
 * scheduler's nodes). A dependency on an id not in the list is left out of the tables.
 */
export function adjacencyOfNodes(nodes: readonly DagNode[]): Adjacency {
  const n = nodes.length;
  const ids = nodes.map((t) => t.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const preds: number[][] = nodes.map((t) => t.deps.flatMap((d) => {
    const p = index.get(d);
    return p === undefined ? [] : [p];
  }));
  const succ: number[][] = ids.map(() => []);
  let edges = 0;
  preds.forEach((ps, i) => {
    edges += ps.length;
    for (const p of ps) succ[p].push(i);
  });
  // Kahn by generations: a task's level is one more than its latest dependency's.
  const waiting = Int32Array.from(preds, (ps) => ps.length);
  const level = new Int32Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (waiting[i] === 0) {
    level[i] = 1;
    order.push(i);
  }
  for (let head = 0; head < order.length; head++) {
    const u = order[head];
    for (const w of succ[u]) {
      if (level[u] + 1 > level[w]) level[w] = level[u] + 1;
      if (--waiting[w] === 0) order.push(w);
    }
  }
  const remaining = Int32Array.from(longestToSink({ succ, order }, () => 1));
  return { ids, index, preds, succ, order, level, remaining, edges };
}

/** For each task, the heaviest chain from it to a sink, the task included (tasks off `order` get 0). */
function longestToSink(adj: Pick<Adjacency, 'succ' | 'order'>, weight: (i: number) => number): Float64Array {
  const out = new Float64Array(adj.succ.length);
  for (let k = adj.order.length - 1; k >= 0; k--) {
    const u = adj.order[k];
    let longest = 0;
    for (const w of adj.succ[u]) if (out[w] > longest) longest = out[w];
    out[u] = longest + weight(u);
  }
  return out;
}

/** `values` (one per task number) keyed by task id. */
export function valuesById(adj: Pick<Adjacency, 'ids'>, values: ArrayLike<number>): Map<string, number> {
  return new Map(adj.ids.map((id, i) => [id, values[i]]));
}

/**
 * For every node, the length of the longest chain from it to a sink, the node included, each node
 * weighing `weight(id)` (1 by default: counted in tasks). The scheduler's priority, and with measured
 * durations as weights, a run's critical path in time.
 */
export function weightedRemainingPath(nodes: readonly DagNode[], weight: (id: string) => number = () => 1): Map<string, number> {
  const adj = adjacencyOfNodes(nodes);
  return valuesById(adj, longestToSink(adj, (i) => weight(adj.ids[i])));
}

/** The tasks that depend on task `start`, directly or not, as a mask by task number (`start` itself not set). */
export function descendantMask(adj: Adjacency, start: number): Uint8Array {
  const seen = new Uint8Array(adj.ids.length);
  const stack = [start];
  while (stack.length > 0) {
    for (const w of adj.succ[stack.pop() as number]) {
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  return seen;
}

/**
 * The tasks task `start` depends on, directly or not, each listed after its own dependencies (depth first,
 * dependencies in `deps` order): the order in which upstream work is shown to an agent.
 */
export function ancestorOrder(adj: Adjacency, start: number): number[] {
  const seen = new Uint8Array(adj.ids.length);
  const order: number[] = [];
  // An explicit stack of (task, next dependency to look at), so a long chain cannot overflow the call stack.
  const stack: [number, number][] = [[start, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const ps = adj.preds[top[0]];
    if (top[1] < ps.length) {
      const d = ps[top[1]++];
      if (seen[d]) continue;
      seen[d] = 1;
      stack.push([d, 0]);
    } else {
      stack.pop();
      if (stack.length > 0) order.push(top[0]);
    }
  }
  return order;
}

/** The ids of the direct dependants of the task `id`, in plan order (none for an unknown id). */
export function dependantIds(adj: Adjacency, id: string): string[] {
  const i = adj.index.get(id);
  return i === undefined ? [] : adj.succ[i].map((j) => adj.ids[j]);
}
