import type { Plan, Task } from '../plan/schema';

/**
 * Merging two adjacent tasks before running them (topology compression), as a pure plan transformation.
 * The merged task keeps the first task's id, owns the union of both tasks' files, depends on the union of
 * their dependencies (minus each other), and every task that depended on the second now depends on the first.
 * A merge is refused when another path joins the two tasks (it would create a cycle).
 */
export type MergeResult = { ok: true; plan: Plan; merged: Task } | { ok: false; reason: string };

function reaches(plan: Plan, from: string, to: string, skipDirect: boolean): boolean {
  const dependents = new Map<string, string[]>();
  for (const t of plan.tasks) for (const d of t.deps) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const stack = (dependents.get(from) ?? []).filter((id) => !(skipDirect && id === to));
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop() as string;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(dependents.get(id) ?? []));
  }
  return false;
}

/**
 * Merges `secondId` into `firstId`. They must be adjacent: `second` depends directly on `first`, or neither
 * depends on the other at all; and no path of two or more edges may join them.
 */
export function mergeTasks(plan: Plan, firstId: string, secondId: string): MergeResult {
  const first = plan.tasks.find((t) => t.id === firstId);
  const second = plan.tasks.find((t) => t.id === secondId);
  if (!first || !second) return { ok: false, reason: `unknown task '${!first ? firstId : secondId}'` };
  if (firstId === secondId) return { ok: false, reason: 'a task cannot be merged with itself' };
  if (first.deps.includes(secondId)) return { ok: false, reason: `'${firstId}' depends on '${secondId}': merge them the other way round` };
  if (reaches(plan, firstId, secondId, true)) return { ok: false, reason: `another path leads from '${firstId}' to '${secondId}'; merging would create a cycle` };
  if (reaches(plan, secondId, firstId, false)) return { ok: false, reason: `a path leads from '${secondId}' to '${firstId}'; merging would create a cycle` };
  const merged: Task = {
    id: first.id,
    title: `${first.title} + ${second.title}`,
    objective: `${first.objective}\n\nThen: ${second.objective}`,
    role: first.role,
    deps: [...new Set([...first.deps, ...second.deps])].filter((d) => d !== firstId && d !== secondId),
    files: [...new Set([...first.files, ...second.files])],
    acceptance: [...first.acceptance, ...second.acceptance],
  };
  const tasks = plan.tasks
    .filter((t) => t.id !== secondId)
    .map((t) => (t.id === firstId ? merged : t.deps.includes(secondId) ? { ...t, deps: [...new Set(t.deps.map((d) => (d === secondId ? firstId : d)))] } : t));
  const out: Plan = { ...plan, tasks };
  return { ok: true, plan: out, merged };
}

/** Pairs (first, second) where `second` depends directly on `first` and merging them is legal. */
export function mergeCandidates(plan: Plan): [string, string][] {
  const out: [string, string][] = [];
  for (const t of plan.tasks) for (const d of t.deps) if (mergeTasks(plan, d, t.id).ok) out.push([d, t.id]);
  return out;
}
