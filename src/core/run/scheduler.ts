/**
 * The live scheduler: event-driven over {@link DagState}. A task starts the moment its last dependency is
 * done and an agent slot is free (at most `maxAgents` task agents at once); the best ready task by remaining
 * critical path gets the slot. One agent per task, cloned from its role: concurrent tasks of one role run as
 * "role#1", "role#2", ... The work of a task is injected (`runTask`), so verification and failure handling
 * slot in without changing this file; a task hands its slot back when its agent is done (verification is not
 * an agent) and may ask for one again to retry.
 */
import type { DagNode } from '../plan/adjacency';
import { DagState, type NodeState } from './dagState';
import { RunCancelledError } from './errors';

/** `replanned`: the task's plan was updated ({@link TaskRunContext.replan}); it goes back in the queue. */
export type TaskOutcome = 'done' | 'failed' | 'cancelled' | 'replanned';

export interface TaskRunContext {
  taskId: string;
  /** The clone holding the slot, e.g. "python developer#2". */
  agent: string;
  signal: AbortSignal;
  /** Hands the agent slot back (idempotent). Called automatically when the task ends. */
  releaseAgent(): void;
  /** Waits for a slot again (a retry); resolves to the new clone's name; rejects if the run is cancelled. */
  acquireAgent(): Promise<string>;
  /**
   * Swaps in the graph of a local plan update: `nodes` is the whole new node list, `reset` the tasks that
   * start over (changed, added and their descendants). This task is held until its `runTask` returns
   * `replanned` (then it is queued again if it is still in the graph).
   */
  replan(nodes: readonly DagNode[], reset: readonly string[]): void;
}

export interface ScheduleOptions {
  nodes: readonly DagNode[];
  /** Role of each task (clone names); default "developer". */
  roleOf?: (id: string) => string;
  /** Tasks already done (resume). */
  done?: Iterable<string>;
  /** Tasks that already failed (resume): their dependents are blocked from the start. */
  failed?: Iterable<string>;
  /** Task agents at once; `Infinity` for no cap. */
  maxAgents: number;
  signal?: AbortSignal;
  runTask(ctx: TaskRunContext): Promise<TaskOutcome>;
  /** Status changes the scheduler decides: ready, blocked (with the failed dependency), cancelled. */
  onState?(taskId: string, state: 'ready' | 'blocked' | 'cancelled', reason?: string): void;
  /** `runTask` threw: the task counts as failed. */
  onError?(taskId: string, error: unknown): void;
}

/** Final state of every task. */
export type ScheduleResult = Map<string, NodeState>;

interface Waiter {
  id: string;
  grant(agent: string): void;
  deny(): void;
}

/** Runs the DAG to completion (or cancellation); resolves once no task is in flight. */
export function runSchedule(opts: ScheduleOptions): Promise<ScheduleResult> {
  const dag = new DagState(opts.nodes, opts.done ?? []);
  const max = Math.max(1, opts.maxAgents);
  const signal = opts.signal ?? new AbortController().signal;
  const roleOf = opts.roleOf ?? (() => 'developer');
  const clonesInUse = new Map<string, Set<number>>();
  const waiters: Waiter[] = [];
  let slotsInUse = 0;
  let tasksInFlight = 0;

  return new Promise<ScheduleResult>((resolve) => {
    /** Why `id` is blocked, naming the failed (or cancelled) task at the root of the block. */
    const blockReason = (id: string): string => {
      const root = dag.blockedBy(id);
      if (root === undefined) return 'depends on a task that failed';
      return `depends on ${root}, which ${dag.stateOf(root) === 'cancelled' ? 'was cancelled' : 'failed'}`;
    };

    const finishIfIdle = (): void => {
      if (tasksInFlight > 0) return;
      if (!signal.aborted && dag.next() !== undefined) return;
      for (const id of dag.unfinished()) {
        dag.fail(id, 'cancelled');
        opts.onState?.(id, 'cancelled', signal.aborted ? 'the run was cancelled' : 'never became ready');
      }
      signal.removeEventListener('abort', onAbort);
      resolve(new Map(dag.nodes.map((n) => [n.id, dag.stateOf(n.id)])));
    };

    const takeClone = (id: string): { name: string; free(pumpAfter?: boolean): void } => {
      const role = roleOf(id);
      const used = clonesInUse.get(role) ?? new Set<number>();
      clonesInUse.set(role, used);
      let n = 1;
      while (used.has(n)) n++;
      used.add(n);
      slotsInUse++;
      let freed = false;
      return {
        name: `${role}#${n}`,
        free: (pumpAfter = true) => {
          if (freed) return;
          freed = true;
          used.delete(n);
          slotsInUse--;
          if (pumpAfter) pump();
        },
      };
    };

    const launch = (id: string): void => {
      dag.start(id);
      tasksInFlight++;
      let clone = takeClone(id);
      const ctx: TaskRunContext = {
        taskId: id,
        agent: clone.name,
        signal,
        releaseAgent: () => clone.free(),
        acquireAgent: () =>
          new Promise<string>((grant, deny) => {
            clone.free();
            if (signal.aborted) return deny(new RunCancelledError());
            waiters.push({
              id,
              grant: () => {
                clone = takeClone(id);
                ctx.agent = clone.name;
                grant(clone.name);
              },
              deny: () => deny(new RunCancelledError()),
            });
            pump();
          }),
        replan: (nodes, reset) => {
          const r = dag.reshape(nodes, reset, id);
          for (const b of r.blocked) opts.onState?.(b, 'blocked', blockReason(b));
          for (const x of r.ready) opts.onState?.(x, 'ready');
        },
      };
      let outcome: Promise<TaskOutcome>;
      try {
        outcome = opts.runTask(ctx);
      } catch (e) {
        outcome = Promise.reject(e);
      }
      outcome
        .catch((e: unknown): TaskOutcome => {
          if (signal.aborted) return 'cancelled';
          opts.onError?.(id, e);
          return 'failed';
        })
        .then((result) => {
          // Free the slot without refilling it yet: the children this task unblocks must compete for it.
          clone.free(false);
          tasksInFlight--;
          if (result === 'done') {
            for (const r of dag.complete(id)) opts.onState?.(r, 'ready');
          } else if (result === 'replanned') {
            const now = dag.requeueBlocking(id);
            if (now.state === 'ready') opts.onState?.(id, 'ready');
            else if (now.state === 'blocked') for (const b of [id, ...now.blocked]) opts.onState?.(b, 'blocked', blockReason(b));
          } else {
            for (const b of dag.fail(id, result === 'cancelled' ? 'cancelled' : 'failed')) {
              opts.onState?.(b, result === 'cancelled' ? 'cancelled' : 'blocked', `depends on ${id}, which ${result === 'cancelled' ? 'was cancelled' : 'failed'}`);
            }
          }
          pump();
          finishIfIdle();
        });
    };

    const pump = (): void => {
      if (signal.aborted) return;
      while (slotsInUse < max) {
        const fresh = dag.next();
        let wi = -1;
        for (let i = 0; i < waiters.length; i++) if (wi < 0 || dag.compare(waiters[i].id, waiters[wi].id) < 0) wi = i;
        const retry = wi >= 0 ? waiters[wi] : undefined;
        if (retry && (fresh === undefined || dag.compare(retry.id, fresh) <= 0)) {
          waiters.splice(wi, 1);
          retry.grant('');
        } else if (fresh !== undefined) {
          launch(fresh);
        } else {
          break;
        }
      }
    };

    const onAbort = (): void => {
      for (const w of waiters.splice(0)) w.deny();
      finishIfIdle();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    for (const f of opts.failed ?? []) for (const b of dag.fail(f)) opts.onState?.(b, 'blocked', `depends on ${f}, which failed`);
    for (const id of dag.ready()) opts.onState?.(id, 'ready');
    pump();
    finishIfIdle();
  });
}
