import { DirectedGraph } from 'graphology';
import { topologicalGenerations, topologicalSort } from 'graphology-dag';
import type { TaskStatus } from '../run/events';
import { UnknownTaskError } from './errors';
import type { ValidPlan, ValidTask } from './validPlan';

/** Node attributes of a plan graph. */
export interface PlanNode {
  readonly task: ValidTask;
}

/** A plan as a graphology DAG: one node per task (key = id), an edge dep -> task for every dependency. */
export type PlanGraph = DirectedGraph<PlanNode>;

/** Builds a fresh graphology DAG of a valid plan (the caller may mutate it). */
export function toGraph(plan: ValidPlan): PlanGraph {
  const graph: PlanGraph = new DirectedGraph<PlanNode>();
  for (const task of plan.tasks) graph.addNode(task.id, { task });
  for (const task of plan.tasks) for (const dep of task.deps) graph.addDirectedEdge(dep, task.id);
  return graph;
}

// A valid plan is frozen, so its graph and derived tables can be computed once and shared.
const graphs = new WeakMap<ValidPlan, PlanGraph>();
const levelTables = new WeakMap<ValidPlan, ReadonlyMap<string, number>>();
const remainingTables = new WeakMap<ValidPlan, ReadonlyMap<string, number>>();

/** The shared, cached graph of a plan: never mutate it. */
export function graphOf(plan: ValidPlan): PlanGraph {
  let graph = graphs.get(plan);
  if (graph === undefined) {
    graph = toGraph(plan);
    graphs.set(plan, graph);
  }
  return graph;
}

/**
 * The level of every task: the length of the longest dependency chain ending in it (sources are 1).
 * Kahn's generations are exactly these levels: a task joins the generation after its last dependency.
 */
export function taskLevels(plan: ValidPlan): ReadonlyMap<string, number> {
  let levels = levelTables.get(plan);
  if (levels === undefined) {
    const table = new Map<string, number>();
    topologicalGenerations(graphOf(plan)).forEach((generation, i) => {
      for (const id of generation) table.set(id, i + 1);
    });
    levels = table;
    levelTables.set(plan, levels);
  }
  return levels;
}

/**
 * For every task, the length of the longest chain from it to a sink, counting the task itself: the
 * scheduler's priority (a task on the critical path gets the depth of the plan).
 */
export function remainingCriticalPath(plan: ValidPlan): ReadonlyMap<string, number> {
  let remaining = remainingTables.get(plan);
  if (remaining === undefined) {
    const graph = graphOf(plan);
    const table = new Map<string, number>();
    const order = topologicalSort(graph);
    for (let i = order.length - 1; i >= 0; i--) {
      let longest = 0;
      graph.forEachOutNeighbor(order[i], (next) => {
        longest = Math.max(longest, table.get(next) ?? 0);
      });
      table.set(order[i], longest + 1);
    }
    remaining = table;
    remainingTables.set(plan, remaining);
  }
  return remaining;
}

/** Statuses by task id, as a map or a plain record. A task with no entry counts as `pending`. */
export type StatusLookup = ReadonlyMap<string, TaskStatus> | Readonly<Record<string, TaskStatus>>;

function statusOf(statuses: StatusLookup, id: string): TaskStatus | undefined {
  if (statuses instanceof Map) return statuses.get(id);
  const record = statuses as Readonly<Record<string, TaskStatus>>;
  return Object.prototype.hasOwnProperty.call(record, id) ? record[id] : undefined;
}

/** Options of {@link readyTasks}. */
export interface ReadyOptions {
  /**
   * Statuses that let a dependant start. Default `passed` and `unverified`: an unverified task finished
   * its work and only a check could not run, so its dependants proceed (the run still ends unverified).
   */
  readonly done?: Iterable<TaskStatus>;
}

/**
 * The tasks that may start now: not yet started (`pending`, `ready` or absent) and every dependency done.
 * In plan order; the scheduler orders them by {@link remainingCriticalPath}.
 */
export function readyTasks(plan: ValidPlan, statuses: StatusLookup, opts: ReadyOptions = {}): string[] {
  const done = new Set<TaskStatus>(opts.done ?? ['passed', 'unverified']);
  const ready: string[] = [];
  for (const task of plan.tasks) {
    const own = statusOf(statuses, task.id);
    if (own !== undefined && own !== 'pending' && own !== 'ready') continue;
    if (task.deps.every((dep) => {
      const s = statusOf(statuses, dep);
      return s !== undefined && done.has(s);
    })) {
      ready.push(task.id);
    }
  }
  return ready;
}

/** Every task that depends on `taskId`, directly or not (not the task itself), in plan order. */
export function descendantsOf(plan: ValidPlan, taskId: string): string[] {
  const graph = graphOf(plan);
  if (!graph.hasNode(taskId)) throw new UnknownTaskError(taskId);
  const seen = new Set<string>();
  const stack = [taskId];
  while (stack.length > 0) {
    graph.forEachOutNeighbor(stack.pop() as string, (next) => {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    });
  }
  return plan.tasks.filter((t) => seen.has(t.id)).map((t) => t.id);
}
