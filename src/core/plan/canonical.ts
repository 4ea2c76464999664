import type { ValidPlan } from './validPlan';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * The canonical JSON of a plan, the last tie-break of candidate selection: keys sorted, tasks by id, and
 * each task's `deps` and `files` sorted because they are sets (`acceptance` keeps its order: it is a list
 * the model wrote). Two plans that mean the same graph and text have the same canonical JSON.
 */
export function canonicalPlanJson(plan: ValidPlan): string {
  const tasks = [...plan.tasks]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((t) => ({ ...t, deps: [...t.deps].sort(), files: [...t.files].sort() }));
  return JSON.stringify(sortKeys({ ...plan, tasks }));
}
