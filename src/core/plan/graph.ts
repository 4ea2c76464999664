import { DirectedGraph } from 'graphology';
import { adjacencyOf, descendantMask, valuesById } from './adjacency';
import { UnknownTaskError } from './errors';
import type { ValidPlan, ValidTask } from './validPlan';

/** Node attributes of a plan graph. */
export interface PlanNode {
  readonly task: ValidTask;
}

/** A plan as a graphology DAG: one node per task (key = id), an edge dep -> task for every dependency. */
export type PlanGraph = DirectedGraph<PlanNode>;

/** Builds a fresh graphology DAG of a valid plan, for callers that want graphology's algorithms or layout. */
export function toGraph(plan: ValidPlan): PlanGraph {
  const graph: PlanGraph = new DirectedGraph<PlanNode>();
  for (const task of plan.tasks) graph.addNode(task.id, { task });
  for (const task of plan.tasks) for (const dep of task.deps) graph.addDirectedEdge(dep, task.id);
  return graph;
}

/** The level of every task: the length of the longest dependency chain ending in it (sources are 1). */
export function taskLevels(plan: ValidPlan): ReadonlyMap<string, number> {
  const adj = adjacencyOf(plan);
  return valuesById(adj, adj.level);
}

/**
 * For every task, the length of the longest chain from it to a sink, counting the task itself: the
 * scheduler's priority (a task on the critical path gets the depth of the plan).
 */
export function remainingCriticalPath(plan: ValidPlan): ReadonlyMap<string, number> {
  const adj = adjacencyOf(plan);
  return valuesById(adj, adj.remaining);
}

/**
 * Statuses by task id, as a map or a plain record. A task with no entry counts as `pending`. The statuses
 * are the run's (core/run's `TaskStatus`); the plan names only `pending`, `ready`, `passed` and `unverified`,
 * so it takes them as strings rather than import the run.
 */
export type StatusLookup<S extends string = string> = ReadonlyMap<string, S> | Readonly<Record<string, S>>;

function statusOf<S extends string>(statuses: StatusLookup<S>, id: string): S | undefined {
  if (statuses instanceof Map) return statuses.get(id);
  const record = statuses as Readonly<Record<string, S>>;
  return Object.prototype.hasOwnProperty.call(record, id) ? record[id] : undefined;
}

/** Options of {@link readyTasks}. */
export interface ReadyOptions<S extends string = string> {
  /**
   * Statuses that let a dependant start. Default `passed` and `unverified`: an unverified task finished
   * its work and only a check could not run, so its dependants proceed (the run still ends unverified).
   */
  readonly done?: Iterable<S>;
}

/**
 * The tasks that may start now: not yet started (`pending`, `ready` or absent) and every dependency done.
 * In plan order; the scheduler orders them by {@link remainingCriticalPath}.
 */
export function readyTasks<S extends string>(plan: ValidPlan, statuses: StatusLookup<S>, opts: ReadyOptions<S> = {}): string[] {
  const done = new Set<string>(opts.done ?? ['passed', 'unverified']);
  const ready: string[] = [];
  for (const task of plan.tasks) {
    const own = statusOf(statuses, task.id);
    if (own !== undefined && own !== 'pending' && own !== 'ready') continue;
    const depsDone = task.deps.every((dep) => {
      const s = statusOf(statuses, dep);
      return s !== undefined && done.has(s);
    });
    if (depsDone) ready.push(task.id);
  }
  return ready;
}

/**
 * Every task that depends on `taskId`, directly or not (not the task itself), in plan order.
 * @throws UnknownTaskError when the plan has no such task.
 */
export function descendantsOf(plan: ValidPlan, taskId: string): string[] {
  const adj = adjacencyOf(plan);
  const start = adj.index.get(taskId);
  if (start === undefined) throw new UnknownTaskError(taskId);
  const below = descendantMask(adj, start);
  return adj.ids.filter((_, i) => below[i] === 1);
}

/**
 * The direct dependencies of a task, in plan order.
 * @throws UnknownTaskError when the plan has no such task.
 */
export function parentsOf(plan: ValidPlan, taskId: string): string[] {
  const { ids, index, preds } = adjacencyOf(plan);
  const at = index.get(taskId);
  if (at === undefined) throw new UnknownTaskError(taskId);
  return [...preds[at]].sort((a, b) => a - b).map((i) => ids[i]);
}
