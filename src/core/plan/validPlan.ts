import type { Plan, Task } from './schema';

declare const validPlanBrand: unique symbol;

/** A task of a validated plan: read-only, files normalised and unique within the task. */
export type ValidTask = Readonly<Omit<Task, 'deps' | 'files' | 'acceptance'>> & {
  readonly deps: readonly string[];
  readonly files: readonly string[];
  readonly acceptance: readonly string[];
};

/**
 * A plan that passed {@link validatePlan}: an acyclic graph with unique ids, known deps, normalised and
 * uniquely owned paths. Deeply frozen at run time; only validation (and applying an update) creates one.
 */
export type ValidPlan = Readonly<Omit<Plan, 'tasks'>> & {
  readonly tasks: readonly ValidTask[];
  readonly [validPlanBrand]: true;
};

function freezeDeep<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null) freezeDeep(v);
  }
  return value;
}

/** Brands and freezes a plan the caller has fully validated. Internal to src/core/plan. */
export function sealPlan(plan: Plan): ValidPlan {
  return freezeDeep(plan) as unknown as ValidPlan;
}

/** A mutable deep copy of a valid plan, e.g. for an event payload or a file (typed as the zod output). */
export function toPlan(plan: ValidPlan): Plan {
  return structuredClone(plan) as unknown as Plan;
}
