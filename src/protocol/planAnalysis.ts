/**
 * The plan figures the views show (design.md, "Metrics"): level of each task, depth, parallelism, dependency
 * complexity and the critical path. The views need them on every `plan.ready`/`plan.updated` without a
 * round trip to the host, so the shared reducer computes them here; the host may pass the core's analyser
 * to {@link applyEvent} instead. Lenient by design: a plan reaching a view was validated by the core, and
 * a dependency that is unknown (or a cycle) must not break drawing, so such edges are ignored.
 */
import type { Plan } from '../core/plan/schema';
import type { PlanMetrics } from './viewState';

/** Computes the figures of a plan; the reducer's default is {@link analysePlan}. */
export type PlanAnalyser = (plan: Plan) => PlanMetrics;

/** Lexicographic comparison of two id sequences, element by element. */
function compareSequences(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Levels of every task: the length of the longest dependency chain ending in it (sources are 1). */
export function planLevels(plan: Plan): Map<string, number> {
  return analyseChains(plan).levels;
}

function analyseChains(plan: Plan): { levels: Map<string, number>; chains: Map<string, string[]>; edges: number } {
  const ids = new Set(plan.tasks.map((t) => t.id));
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const t of plan.tasks) {
    preds.set(t.id, []);
    succs.set(t.id, []);
  }
  let edges = 0;
  for (const t of plan.tasks) {
    for (const d of new Set(t.deps)) {
      if (!ids.has(d) || d === t.id) continue;
      preds.get(t.id)?.push(d);
      succs.get(d)?.push(t.id);
      edges++;
    }
  }
  // Kahn's order; tasks caught in a cycle are never reached and keep level 1.
  const indeg = new Map<string, number>();
  for (const [v, p] of preds) indeg.set(v, p.length);
  const queue = [...ids].filter((v) => indeg.get(v) === 0).sort();
  const levels = new Map<string, number>();
  const chains = new Map<string, string[]>();
  while (queue.length > 0) {
    const v = queue.shift() as string;
    let level = 1;
    let best: string[] = [];
    for (const p of preds.get(v) ?? []) {
      const pl = levels.get(p) ?? 1;
      const pc = chains.get(p) ?? [p];
      if (pl + 1 > level || (pl + 1 === level && compareSequences(pc, best) < 0)) {
        level = pl + 1;
        best = pc;
      }
    }
    levels.set(v, level);
    chains.set(v, [...best, v]);
    for (const s of succs.get(v) ?? []) {
      const left = (indeg.get(s) ?? 0) - 1;
      indeg.set(s, left);
      if (left === 0) queue.push(s);
    }
  }
  for (const v of ids) {
    if (!levels.has(v)) {
      levels.set(v, 1);
      chains.set(v, [v]);
    }
  }
  return { levels, chains, edges };
}

/** The default {@link PlanAnalyser}: design.md's metrics, with its tie-breaking rule for the critical path. */
export function analysePlan(plan: Plan): PlanMetrics {
  const { levels, chains, edges } = analyseChains(plan);
  const n = plan.tasks.length;
  if (n === 0) return { tasks: 0, edges: 0, depth: 0, parallelism: 0, dependencyComplexity: 0, criticalPath: [] };
  const depth = Math.max(...levels.values());
  let criticalPath: string[] | undefined;
  for (const [v, l] of levels) {
    if (l !== depth) continue;
    const c = chains.get(v) ?? [v];
    if (criticalPath === undefined || compareSequences(c, criticalPath) < 0) criticalPath = c;
  }
  const degree = new Map<string, number>(plan.tasks.map((t) => [t.id, 0]));
  const ids = new Set(degree.keys());
  for (const t of plan.tasks) {
    for (const d of new Set(t.deps)) {
      if (!ids.has(d) || d === t.id) continue;
      degree.set(t.id, (degree.get(t.id) ?? 0) + 1);
      degree.set(d, (degree.get(d) ?? 0) + 1);
    }
  }
  const degs = [...degree.values()];
  const mean = degs.reduce((a, b) => a + b, 0) / n;
  const variance = degs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return {
    tasks: n,
    edges,
    depth,
    parallelism: n / depth,
    dependencyComplexity: Math.sqrt(variance),
    criticalPath: criticalPath ?? [],
  };
}
