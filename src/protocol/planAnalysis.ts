/**
 * The plan figures the views show: level of each task, depth, parallelism, dependency
 * complexity and the critical path. The views need them on every `plan.ready`/`plan.updated` without a
 * round trip to the host, so the shared reducer computes them here, with the core's own tables and metrics
 * (plain TypeScript, bundled into the webview), so the two can never disagree. Lenient by design: a plan
 * reaching a view was validated by the core, but a dependency that is unknown or on the task itself must not
 * break drawing, so such edges are dropped first.
 */
import { adjacencyOf } from '../core/plan/adjacency';
import { planMetrics } from '../core/plan/metrics';
import type { Plan } from '../core/plan/schema';
import type { ValidPlan } from '../core/plan/validPlan';
import type { PlanMetrics } from './viewState';

/** Computes the figures of a plan; the reducer's default is {@link analysePlan}. */
export type PlanAnalyser = (plan: Plan) => PlanMetrics;

/**
 * The plan with only the dependencies the core's tables accept (known, not the task itself, once each).
 * The cast is the one place the views treat a plan as validated: the host sends only plans the core checked.
 */
function asGraph(plan: Plan): ValidPlan {
  const ids = new Set(plan.tasks.map((t) => t.id));
  return { ...plan, tasks: plan.tasks.map((t) => ({ ...t, deps: [...new Set(t.deps)].filter((d) => ids.has(d) && d !== t.id) })) } as unknown as ValidPlan;
}

/** Levels of every task: the length of the longest dependency chain ending in it (sources are 1). */
export function planLevels(plan: Plan): Map<string, number> {
  const { ids, level } = adjacencyOf(asGraph(plan));
  // A task caught in a cycle (never in a plan the core validated) is drawn on the first level.
  return new Map(ids.map((id, i) => [id, Math.max(1, level[i] ?? 1)]));
}

/** The default {@link PlanAnalyser}: the core's {@link planMetrics}. */
export function analysePlan(plan: Plan): PlanMetrics {
  const m = planMetrics(asGraph(plan));
  return { ...m, criticalPath: [...m.criticalPath] };
}
