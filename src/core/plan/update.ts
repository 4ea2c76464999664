import { z } from 'zod';
import { canonicalPlanJson } from './canonical';
import type { PlanError } from './errors';
import { descendantsOf, parentsOf } from './graph';
import { TaskSchema, type Task } from './schema';
import { validatePlan, type ValidateOptions } from './validate';
import type { ValidPlan, ValidTask } from './validPlan';
import { schemaErrors, schemaMessages } from './zodErrors';

/**
 * A local re-plan: the argument of the updater's `submit_update` tool. `replace` rewrites
 * existing tasks (same id), `add` appends new ones, `remove` drops tasks by id.
 */
export const PlanUpdateSchema = z.object({
  reason: z.string().min(1),
  replace: z.array(TaskSchema).default([]),
  add: z.array(TaskSchema).default([]),
  remove: z.array(z.string()).default([]),
});

/** A parsed plan update. */
export type PlanUpdate = z.output<typeof PlanUpdateSchema>;
/** A plan update as a model writes it. */
export type PlanUpdateInput = z.input<typeof PlanUpdateSchema>;

/** The part of the plan an updater may rewrite when a task fails. */
export interface Neighbourhood {
  /** The failing task. */
  readonly taskId: string;
  /** Its direct dependencies (plan order). */
  readonly parents: readonly string[];
  /** Every task that depends on it, directly or not (plan order). */
  readonly descendants: readonly string[];
  /** The task, its descendants and its parents, in plan order. */
  readonly ids: readonly string[];
  /** Those tasks, in plan order. */
  readonly tasks: readonly ValidTask[];
}

/**
 * The neighbourhood of a failing task: the task, its descendants and its direct parents.
 * @throws UnknownTaskError when the plan has no such task.
 */
export function neighbourhood(plan: ValidPlan, taskId: string): Neighbourhood {
  const parentList = parentsOf(plan, taskId);
  const parentSet = new Set(parentList);
  const descendantList = descendantsOf(plan, taskId);
  const inside = new Set([taskId, ...descendantList, ...parentSet]);
  const tasks = plan.tasks.filter((t) => inside.has(t.id));
  return {
    taskId,
    parents: parentList,
    descendants: descendantList,
    ids: tasks.map((t) => t.id),
    tasks,
  };
}

/** Options of {@link applyPlanUpdate}. */
export interface UpdateOptions extends ValidateOptions {
  /** When given, only these tasks may be replaced or removed (e.g. a {@link Neighbourhood}'s `ids`). */
  readonly allowed?: Iterable<string>;
}

/** The outcome of {@link applyPlanUpdate}. */
export type UpdateResult =
  | {
      readonly ok: true;
      readonly plan: ValidPlan;
      /** Replaced tasks whose content differs from before (an identical replacement is no change). */
      readonly changed: readonly string[];
      readonly added: readonly string[];
      readonly removed: readonly string[];
      /** `changed`, `added` and every task downstream of them in the new plan: the statuses to reset. */
      readonly affected: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly PlanError[] };

type Origin = { kind: 'kept' } | { kind: 'replace' | 'add'; at: number };

/**
 * Applies an update (anything the `submit_update` tool received) to a valid plan. The result is validated
 * like any plan; tasks not replaced or removed are carried over unchanged. Removing a task that a
 * remaining task still depends on is an error (`removed-dep`) unless that task is removed or rewired too.
 * Error paths point into the update document (`['replace', 0, 'deps', 1]`) where they can.
 */
export function applyPlanUpdate(plan: ValidPlan, update: unknown, opts: UpdateOptions = {}): UpdateResult {
  const parsed = PlanUpdateSchema.safeParse(update, { error: schemaMessages });
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error, update) };
  const { replace, add, remove } = parsed.data;
  const errors: PlanError[] = [];
  const existing = new Set(plan.tasks.map((t) => t.id));
  const allowed = opts.allowed === undefined ? undefined : new Set(opts.allowed);
  const removed = new Set<string>();
  const replaced = new Map<string, { task: Task; at: number }>();
  const added = new Map<string, { task: Task; at: number }>();

  remove.forEach((id, j) => {
    if (!existing.has(id)) {
      errors.push({ code: 'unknown-task', message: `cannot remove "${id}": no such task`, taskIds: [id], path: ['remove', j] });
    } else if (allowed !== undefined && !allowed.has(id)) {
      errors.push({ code: 'outside-neighbourhood', message: `cannot remove "${id}": it is outside the failing task's neighbourhood`, taskIds: [id], path: ['remove', j] });
    } else {
      removed.add(id);
    }
  });
  replace.forEach((task, j) => {
    const path = ['replace', j, 'id'];
    if (!existing.has(task.id)) {
      errors.push({ code: 'unknown-task', message: `cannot replace "${task.id}": no such task (use add)`, taskIds: [task.id], path });
    } else if (allowed !== undefined && !allowed.has(task.id)) {
      errors.push({ code: 'outside-neighbourhood', message: `cannot replace "${task.id}": it is outside the failing task's neighbourhood`, taskIds: [task.id], path });
    } else if (removed.has(task.id)) {
      errors.push({ code: 'duplicate-id', message: `task "${task.id}" is both replaced and removed`, taskIds: [task.id], path });
    } else if (replaced.has(task.id)) {
      errors.push({ code: 'duplicate-id', message: `task "${task.id}" is replaced twice`, taskIds: [task.id], path });
    } else {
      replaced.set(task.id, { task, at: j });
    }
  });
  add.forEach((task, j) => {
    const path = ['add', j, 'id'];
    if (existing.has(task.id)) {
      errors.push({ code: 'duplicate-id', message: `cannot add "${task.id}": the plan has it already (use replace)`, taskIds: [task.id], path });
    } else if (added.has(task.id)) {
      errors.push({ code: 'duplicate-id', message: `task "${task.id}" is added twice`, taskIds: [task.id], path });
    } else {
      added.set(task.id, { task, at: j });
    }
  });

  // The new task list: plan order, replacements in place, additions at the end.
  const tasks: (Task | ValidTask)[] = [];
  const origins: Origin[] = [];
  for (const task of plan.tasks) {
    if (removed.has(task.id)) continue;
    const r = replaced.get(task.id);
    tasks.push(r ? r.task : task);
    origins.push(r ? { kind: 'replace', at: r.at } : { kind: 'kept' });
  }
  for (const { task, at } of added.values()) {
    tasks.push(task);
    origins.push({ kind: 'add', at });
  }

  tasks.forEach((task, i) => {
    const origin = origins[i];
    task.deps.forEach((dep, k) => {
      if (!removed.has(dep)) return;
      errors.push({
        code: 'removed-dep',
        message: `task "${task.id}" depends on "${dep}", which the update removes: remove "${task.id}" too or rewire its deps`,
        taskIds: [task.id, dep],
        ...(origin.kind === 'kept' ? {} : { path: [origin.kind, origin.at, 'deps', k] }),
      });
    });
  });
  if (errors.length > 0) return { ok: false, errors };

  const result = validatePlan({ ...plan, tasks }, opts);
  if (!result.ok) {
    return {
      ok: false,
      errors: result.errors.map((e) => {
        const [head, i, ...rest] = e.path ?? [];
        const origin = head === 'tasks' && typeof i === 'number' ? origins[i] : undefined;
        const { path: _drop, ...withoutPath } = e;
        return origin !== undefined && origin.kind !== 'kept' ? { ...e, path: [origin.kind, origin.at, ...rest] } : withoutPath;
      }),
    };
  }

  const next = result.plan;
  const before = new Map(plan.tasks.map((t) => [t.id, t]));
  const taskJson = (t: ValidTask): string => canonicalPlanJson({ tasks: [t] } as unknown as ValidPlan);
  const changed = next.tasks
    .filter((t) => replaced.has(t.id))
    .filter((t) => taskJson(t) !== taskJson(before.get(t.id) as ValidTask))
    .map((t) => t.id);
  const addedIds = [...added.keys()];
  const affectedSet = new Set<string>();
  for (const id of [...changed, ...addedIds]) {
    affectedSet.add(id);
    for (const d of descendantsOf(next, id)) affectedSet.add(d);
  }
  return {
    ok: true,
    plan: next,
    changed,
    added: addedIds,
    removed: plan.tasks.filter((t) => removed.has(t.id)).map((t) => t.id),
    affected: next.tasks.filter((t) => affectedSet.has(t.id)).map((t) => t.id),
  };
}

/**
 * Files that the tasks `ids` owned in `before` and no task owns in `after`: work an update would drop
 * without anyone doing it, so the run could end "completed" without a file the plan promised.
 */
export function droppedFiles(before: { readonly tasks: readonly { readonly id: string; readonly files: readonly string[] }[] }, after: { readonly tasks: readonly { readonly files: readonly string[] }[] }, ids: Iterable<string>): Array<{ taskId: string; file: string }> {
  const owned = new Set(after.tasks.flatMap((t) => t.files));
  const wanted = new Set(ids);
  return before.tasks.filter((t) => wanted.has(t.id)).flatMap((t) => t.files.filter((f) => !owned.has(f)).map((file) => ({ taskId: t.id, file })));
}
