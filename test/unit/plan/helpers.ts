import { validatePlan, type ValidPlan } from '../../../src/core/plan';

/** A minimal task document. */
export function task(id: string, deps: string[] = [], files: string[] = []): { id: string; title: string; objective: string; deps: string[]; files: string[] } {
  return { id, title: id.toUpperCase(), objective: `do ${id}`, deps, files };
}

/** Validates a plan document that the test knows is valid (the engine runs only validated plans), failing loudly otherwise. */
export function validPlan(input: unknown): ValidPlan {
  const result = validatePlan(input, { maxTasks: 10_000 });
  if (!result.ok) throw new Error(`expected a valid plan: ${JSON.stringify(result.errors)}`);
  return result.plan;
}

/** Validates a plan of `tasks` that the test knows is valid, failing loudly otherwise. */
export function valid(tasks: unknown[], goal?: string): ValidPlan {
  return validPlan(goal === undefined ? { tasks } : { goal, tasks });
}

/** A plan from edges written `a>c` (a before c); every named node becomes a task, in order of first mention, then `extra`. */
export function fromEdges(edges: string[], extra: string[] = []): ValidPlan {
  const deps = new Map<string, string[]>();
  for (const e of edges) {
    const [from, to] = e.split('>');
    if (!deps.has(from)) deps.set(from, []);
    deps.set(to, [...(deps.get(to) ?? []), from]);
  }
  for (const id of extra) if (!deps.has(id)) deps.set(id, []);
  return valid([...deps].map(([id, d]) => task(id, d)));
}
