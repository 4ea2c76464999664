import { graphOf, remainingCriticalPath, taskLevels } from './graph';
import type { ValidPlan } from './validPlan';

/**
 * The metrics of a plan (design.md; Flow, ICLR 2025, levels by longest path). The keys are exactly the
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

/** Population standard deviation (0 for fewer than two values). */
function populationStdDev(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / values.length;
  return Math.sqrt(variance);
}

/**
 * The lexicographically smallest longest chain. Every longest chain starts at a task whose remaining
 * length is the depth, and each step goes to a successor whose remaining length is one less; all such
 * chains are equally long, so taking the smallest id at each step gives the smallest sequence.
 * Ids compare by UTF-16 code units (`<`), not by locale.
 */
function smallestLongestChain(plan: ValidPlan, depth: number): string[] {
  const remaining = remainingCriticalPath(plan);
  const graph = graphOf(plan);
  const smallest = (ids: Iterable<string>, want: number): string | undefined => {
    let best: string | undefined;
    for (const id of ids) if (remaining.get(id) === want && (best === undefined || id < best)) best = id;
    return best;
  };
  const chain: string[] = [];
  let current = smallest(remaining.keys(), depth);
  while (current !== undefined) {
    chain.push(current);
    current = smallest(graph.outNeighbors(current), depth - chain.length);
  }
  return chain;
}

/** Computes {@link PlanMetrics} from the definitions in design.md. */
export function planMetrics(plan: ValidPlan): PlanMetrics {
  const graph = graphOf(plan);
  const levels = taskLevels(plan);
  let depth = 0;
  for (const level of levels.values()) depth = Math.max(depth, level);
  const degrees = plan.tasks.map((t) => graph.degree(t.id));
  return {
    tasks: plan.tasks.length,
    edges: graph.size,
    depth,
    parallelism: depth === 0 ? 0 : plan.tasks.length / depth,
    dependencyComplexity: populationStdDev(degrees),
    criticalPath: smallestLongestChain(plan, depth),
  };
}
