import type { ValidPlan } from './validPlan';

/**
 * Integer adjacency tables of a valid plan, with its topological order, levels and remaining chain
 * lengths. The metrics and the scheduler's queries run on these rather than on a graphology graph:
 * at 1,000 tasks and 5,000 edges they take about a millisecond where building the graph alone took more
 * than ten (bench/plan.bench.ts).
 */
export interface Adjacency {
  /** Task ids in plan order; a task's number is its index here. */
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Direct dependencies of each task. */
  readonly preds: readonly (readonly number[])[];
  /** Direct dependants of each task. */
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
  const n = plan.tasks.length;
  const ids = plan.tasks.map((t) => t.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const preds: number[][] = plan.tasks.map((t) => t.deps.map((d) => index.get(d) as number));
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
  const remaining = new Int32Array(n);
  for (let k = order.length - 1; k >= 0; k--) {
    const u = order[k];
    let longest = 0;
    for (const w of succ[u]) if (remaining[w] > longest) longest = remaining[w];
    remaining[u] = longest + 1;
  }
  const tables: Adjacency = { ids, index, preds, succ, order, level, remaining, edges };
  cache.set(plan, tables);
  return tables;
}
