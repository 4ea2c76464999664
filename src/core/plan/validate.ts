import type { PlanError } from './errors';
import { checkWorkspacePath, optionLikeSegment } from './paths';
import { PlanSchema, TaskSchema, type Plan, type Task } from './schema';
import { sealPlan, type ValidPlan } from './validPlan';
import { schemaErrors, schemaMessages } from './zodErrors';

/** The cap on tasks per plan when the caller gives none (`--max-tasks N` changes it). */
export const DEFAULT_MAX_TASKS = 64;

/** Options of {@link validatePlan}. */
export interface ValidateOptions {
  /** More tasks than this is an error (default {@link DEFAULT_MAX_TASKS}). */
  readonly maxTasks?: number;
}

/** The outcome of validation: a frozen, normalised plan, or every error found. */
export type PlanValidation =
  | { readonly ok: true; readonly plan: ValidPlan }
  | { readonly ok: false; readonly errors: readonly PlanError[] };

type JsonPath = (string | number)[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The index of `dep` in the task's deps as written (before de-duplication), for the JSON path. */
function rawDepIndex(input: unknown, taskIndex: number, dep: string, fallback: number): number {
  if (!isRecord(input) || !Array.isArray(input.tasks)) return fallback;
  const raw: unknown = input.tasks[taskIndex];
  if (!isRecord(raw) || !Array.isArray(raw.deps)) return fallback;
  const i = raw.deps.indexOf(dep);
  return i >= 0 ? i : fallback;
}

interface Entry {
  task: Task;
  /** Index in the plan document's `tasks`. */
  index: number;
}

/**
 * Strongly connected components with more than one member (Tarjan, iterative so deep plans cannot
 * overflow the stack). Self loops are reported as `self-dep` before this runs, so they are not edges here.
 */
function cyclicComponents(n: number, succ: readonly number[][]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [node: number, next: number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      if (i < succ[v].length) {
        frame[1] = i + 1;
        const w = succ[v][i];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1) out.push(component);
      }
    }
  }
  return out;
}

/** The shortest cycle through `start` inside one component, as node indices from `start` back to it. */
function cycleThrough(start: number, members: ReadonlySet<number>, succ: readonly number[][]): number[] {
  const parent = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head];
    for (const w of succ[u]) {
      if (w === start) {
        const path = [start];
        for (let x = u; x !== start; x = parent.get(x) as number) path.splice(1, 0, x);
        path.push(start);
        return path;
      }
      if (members.has(w) && !parent.has(w)) {
        parent.set(w, u);
        queue.push(w);
      }
    }
  }
  return [start, start]; // unreachable for a strongly connected component
}

/**
 * Validates a plan document (anything `JSON.parse` returns) against the schema and the graph rules,
 * reporting every error at once: schema errors, absolute / escaping / protected / option-like paths,
 * duplicate ids, a file owned by two tasks, self and unknown deps, cycles (with their path), an empty plan
 * and more tasks than the cap. On success the plan is frozen and its paths normalised.
 */
export function validatePlan(input: unknown, opts: ValidateOptions = {}): PlanValidation {
  const maxTasks = opts.maxTasks ?? DEFAULT_MAX_TASKS;
  const errors: PlanError[] = [];
  const parsed = PlanSchema.safeParse(input, { error: schemaMessages });

  let entries: Entry[];
  let taskCount: number;
  if (parsed.success) {
    entries = parsed.data.tasks.map((task, index) => ({ task, index }));
    taskCount = entries.length;
  } else {
    errors.push(...schemaErrors(parsed.error, input));
    if (!isRecord(input) || !Array.isArray(input.tasks)) return { ok: false, errors };
    // Keep going with the tasks that are well formed alone, so graph errors are reported in the same pass.
    entries = [];
    input.tasks.forEach((raw: unknown, index: number) => {
      const task = TaskSchema.safeParse(raw);
      if (task.success) entries.push({ task: task.data, index });
    });
    taskCount = input.tasks.length;
  }

  if (taskCount === 0) {
    errors.push({ code: 'empty-plan', message: 'the plan has no tasks', taskIds: [], path: ['tasks'] });
  }
  if (taskCount > maxTasks) {
    errors.push({
      code: 'too-many-tasks',
      message: `the plan has ${taskCount} tasks, more than the cap of ${maxTasks} (--max-tasks)`,
      taskIds: [],
      path: ['tasks'],
    });
  }

  // Every id written in the document, well formed or not, so a dep on a malformed task is not "unknown".
  const knownIds = new Set<string>();
  if (isRecord(input) && Array.isArray(input.tasks)) {
    for (const raw of input.tasks as unknown[]) if (isRecord(raw) && typeof raw.id === 'string') knownIds.add(raw.id);
  }

  // Unique ids: the first occurrence takes part in the graph checks, later ones are errors.
  const firstIndex = new Map<string, number>();
  const unique: Entry[] = [];
  for (const entry of entries) {
    const first = firstIndex.get(entry.task.id);
    if (first === undefined) {
      firstIndex.set(entry.task.id, entry.index);
      unique.push(entry);
    } else {
      errors.push({
        code: 'duplicate-id',
        message: `task id "${entry.task.id}" is used by tasks[${first}] and tasks[${entry.index}]`,
        taskIds: [entry.task.id],
        path: ['tasks', entry.index, 'id'],
      });
    }
  }

  // Paths: normalised, refused when absolute / escaping / protected / option-like, owned by at most one task.
  const normalised = new Map<Entry, string[]>();
  const owner = new Map<string, { taskId: string; path: string; at: JsonPath }>(); // key: path ignoring case
  for (const entry of entries) {
    const files: string[] = [];
    entry.task.files.forEach((file, j) => {
      const check = checkWorkspacePath(file);
      const path: JsonPath = ['tasks', entry.index, 'files', j];
      if (!check.ok) {
        errors.push({ code: check.problem, message: `task "${entry.task.id}": ${check.reason}`, taskIds: [entry.task.id], path });
        return;
      }
      const dash = optionLikeSegment(check.path);
      if (dash !== undefined) {
        errors.push({
          code: 'option-like-path',
          message: `task "${entry.task.id}": "${file}" has a name beginning with "-" ("${dash}"), which a tool would read as an option; rename it`,
          taskIds: [entry.task.id],
          path,
        });
        return;
      }
      if (files.includes(check.path)) return; // `a.py` and `./a.py` in one task name one file
      files.push(check.path);
      const key = check.path.toLowerCase();
      const prior = owner.get(key);
      if (prior !== undefined) {
        const same = prior.taskId === entry.task.id;
        errors.push({
          code: 'duplicate-owner',
          message: same
            ? `task "${entry.task.id}" lists "${prior.path}" and "${check.path}", one file on a case-insensitive disk`
            : `"${check.path}" is owned by tasks "${prior.taskId}" and "${entry.task.id}"; a file has one owner (paths compare ignoring case)`,
          taskIds: same ? [entry.task.id] : [prior.taskId, entry.task.id],
          path,
        });
        return;
      }
      owner.set(key, { taskId: entry.task.id, path: check.path, at: path });
    });
    normalised.set(entry, files);
  }
  // A path cannot be a file of one task and a folder of another's (or the same task's) file.
  for (const [key, { taskId, path, at }] of owner) {
    const parts = key.split('/');
    for (let k = 1; k < parts.length; k++) {
      const folder = owner.get(parts.slice(0, k).join('/'));
      if (folder === undefined) continue;
      errors.push({
        code: 'file-folder-conflict',
        message: `"${path}" (task "${taskId}") lies inside "${folder.path}", which task "${folder.taskId}" owns as a file`,
        taskIds: folder.taskId === taskId ? [taskId] : [folder.taskId, taskId],
        path: at,
      });
      break;
    }
  }

  // Dependencies.
  const position = new Map<string, number>(unique.map((e, i) => [e.task.id, i]));
  const succ: number[][] = unique.map(() => []);
  unique.forEach((entry, i) => {
    entry.task.deps.forEach((dep, k) => {
      const path: JsonPath = ['tasks', entry.index, 'deps', rawDepIndex(input, entry.index, dep, k)];
      if (dep === entry.task.id) {
        errors.push({ code: 'self-dep', message: `task "${dep}" depends on itself`, taskIds: [dep], path });
      } else if (!knownIds.has(dep)) {
        errors.push({
          code: 'unknown-dep',
          message: `task "${entry.task.id}" depends on "${dep}", which is not in the plan`,
          taskIds: [entry.task.id],
          path,
        });
      } else {
        const from = position.get(dep);
        if (from !== undefined) succ[from].push(i);
      }
    });
  });

  for (const component of cyclicComponents(unique.length, succ)) {
    const ids = component.map((i) => unique[i].task.id);
    const start = component.reduce((a, b) => (unique[b].task.id < unique[a].task.id ? b : a));
    const cycle = cycleThrough(start, new Set(component), succ);
    const cycleIds = cycle.map((i) => unique[i].task.id);
    const startEntry = unique[start];
    const closing = cycleIds[cycleIds.length - 2]; // `start` depends on this one
    const others = ids.filter((id) => !cycleIds.includes(id)).sort();
    errors.push({
      code: 'cycle',
      message:
        `dependency cycle ${cycleIds.join(' -> ')} (each task must finish before the next)` +
        (others.length > 0 ? `; also on cycles with them: ${others.join(', ')}` : ''),
      taskIds: [...cycleIds.slice(0, -1), ...others],
      path: ['tasks', startEntry.index, 'deps', rawDepIndex(input, startEntry.index, closing, startEntry.task.deps.indexOf(closing))],
    });
  }

  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  const plan: Plan = { ...parsed.data, tasks: entries.map((e) => ({ ...e.task, files: normalised.get(e) ?? [] })) };
  return { ok: true, plan: sealPlan(plan) };
}
