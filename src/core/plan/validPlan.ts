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
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) freezeDeep(v);
    Object.freeze(value);
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
