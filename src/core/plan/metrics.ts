import { adjacencyOf } from './adjacency';
import type { ValidPlan } from './validPlan';

/**
 * The metrics of a plan (as in Flow, ICLR 2025; levels by longest path). The keys are exactly the
 * JSON the CLI's `metrics` command prints.
 */
export interface PlanMetrics {
  /** |V| */
  readonly tasks: number;
  /** |E|: distinct dependencies. */
  readonly edges: number;
  /** T: the largest level (sources are level 1). */
  readonly depth: number;
  /** P_avg = |V| / T, the mean number of tasks per level. */
  readonly parallelism: number;
  /** C_dep: population standard deviation of each task's in-degree + out-degree. */
  readonly dependencyComplexity: number;
  /** The ids along one longest chain, first to last; of equal chains the lexicographically smallest. */
  readonly criticalPath: readonly string[];
}

/** Population standard deviation (0 for no values). */
function populationStdDev(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / values.length;
  return Math.sqrt(variance);
}

/** Computes {@link PlanMetrics} as defined on its fields. */
export function planMetrics(plan: ValidPlan): PlanMetrics {
  const { ids, preds, succ, level, remaining, edges } = adjacencyOf(plan);
  let depth = 0;
  for (const l of level) if (l > depth) depth = l;

  // The lexicographically smallest longest chain: every longest chain starts at a task whose remaining
  // length is the depth and steps to a dependant with one less; all such chains are equally long, so the
  // smallest id at each step gives the smallest sequence. Ids compare by UTF-16 code units, not locale.
  const smallest = (candidates: Iterable<number>, want: number): number | undefined => {
    let best: number | undefined;
    for (const i of candidates) if (remaining[i] === want && (best === undefined || ids[i] < ids[best])) best = i;
    return best;
  };
  const criticalPath: string[] = [];
  let current = smallest(ids.keys(), depth);
  while (current !== undefined) {
    criticalPath.push(ids[current]);
    current = smallest(succ[current], depth - criticalPath.length);
  }

  return {
    tasks: ids.length,
    edges,
    depth,
    parallelism: depth === 0 ? 0 : ids.length / depth,
    dependencyComplexity: populationStdDev(ids.map((_, i) => preds[i].length + succ[i].length)),
    criticalPath,
  };
}
