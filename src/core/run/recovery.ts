/**
 * What happens after a task's attempt fails verification: first a bounded retry of the
 * same agent with the findings fed back, then a local re-plan by the updater, limited to the failing task and
 * its descendants not yet finished, within per-task and per-run update budgets, so every run ends. Each
 * choice is a `decision` event with its reason; an applied update is a `plan.updated` event and the tasks it
 * changes start over. Tasks outside the neighbourhood are never reset, finished work is never removed.
 */
import { isBudgetExceededError } from '../models';
import { adjacencyOfNodes, descendantMask } from '../plan/adjacency';
import type { Plan, Task } from '../plan/schema';
import { droppedFiles } from '../plan/update';
import type { DecisionOption, Finding, RunEventInput, TaskStatus } from './events';
import { findingList, retryFeedback } from './findings';
import { isFatalModelError, isPausingModelError, type DecisionHooks, type DecisionPayload, type FailureDecision, type RecoveryChoice, type UpdateProposal, type UpdaterHook, type UsageCall } from './hooks';
import type { RunJournal, RunRecord } from './journal';
import type { StagedView } from './staging';


export interface RecoveryLimits {
  /** Retries of the same agent (with the findings) before the updater is asked. Default 1. */
  maxRetries: number;
  /** Updates a task's failures may cause. Default 2. */
  updatesPerTask: number;
  /** Updates in the whole run. Default 6. */
  updatesPerRun: number;
}

export const DEFAULT_RECOVERY: RecoveryLimits = { maxRetries: 1, updatesPerTask: 2, updatesPerRun: 6 };

/** What the engine lends the recovery logic. */
export interface RecoveryHost {
  record: RunRecord;
  journal: RunJournal;
  emit(e: RunEventInput): void;
  /** Emits a decision and journals it with the run's decisions. */
  decision(e: DecisionPayload): void;
  setStatus(id: string, status: TaskStatus, reason?: string): void;
  /** The record's plan was replaced: rebuild the indexes. */
  onPlanChanged(): void;
  /** Stops the run: a fatal model error (exit 2), the token/cost budget, or a pause the user clears (a declined consent). */
  stop(kind: 'fatal' | 'budget' | 'pause', message: string): void;
  /** Books the usage a hook reported for one of its calls (the engine ignores it when the composition meters every call). */
  reported(call: UsageCall): void;
}

export interface FailedAttempt {
  task: Task;
  /** 1 for the first attempt of this version of the task. */
  attempt: number;
  /** Retries already made of this version. */
  retries: number;
  reason: string;
  findings: Finding[];
  view: StagedView;
  signal: AbortSignal;
}

export type RecoveryStep = { action: 'retry'; feedback: string } | { action: 'replan' } | { action: 'fail'; why?: string };

const FINISHED: ReadonlySet<TaskStatus> = new Set(['passed', 'unverified']);

export class Recovery {
  private updating: Promise<unknown> = Promise.resolve();
  private readonly carried = new Map<string, string>();
  /** The scope the failure hook asked for, per task, for its next update. */
  private readonly scopes = new Map<string, 'task' | 'subtree'>();

  constructor(
    private readonly limits: RecoveryLimits,
    private readonly host: RecoveryHost,
    private readonly updater: UpdaterHook | undefined,
    /** The coordinator's recovery decision point (the learned policy); without it: retry, then re-plan. */
    private readonly hook: DecisionHooks['recovery'],
  ) {}

  /** Feedback for the first attempt of a task an update changed (why its previous version failed). */
  takeCarriedFeedback(taskId: string): string | undefined {
    const f = this.carried.get(taskId);
    this.carried.delete(taskId);
    return f;
  }

  /** Feedback for the next attempt of a task that is run again from outside its own loop (a failing test command). */
  carryFeedback(taskId: string, feedback: string): void {
    this.carried.set(taskId, feedback);
  }

  private updatesOf(taskId: string): number {
    return this.host.record.tasks[taskId]?.updates ?? 0;
  }

  /** Why no update may be made now, or `undefined` when one may. */
  private updateBlocked(taskId: string): string | undefined {
    if (!this.updater) return 'no updater is configured';
    if (this.updatesOf(taskId) >= this.limits.updatesPerTask) return `the task's update budget is used up (${this.limits.updatesPerTask} per task)`;
    if ((this.host.record.updates ?? 0) >= this.limits.updatesPerRun) return `the run's update budget is used up (${this.limits.updatesPerRun} per run)`;
    return undefined;
  }

  /** Chooses retry, re-plan or fail for a failed attempt (the hook's wish, bounded by the budgets). */
  async decide(f: FailedAttempt): Promise<RecoveryStep> {
    const retryLeft = f.retries < this.limits.maxRetries;
    const blocked = this.updateBlocked(f.task.id);
    let wish: FailureDecision;
    let mode: 'rule' | 'forced' = 'rule';
    if (this.hook) {
      const { decision, ...chosen } = await this.hook({ task: f.task, attempt: f.attempt, retriesLeft: Math.max(0, this.limits.maxRetries - f.retries), updater: this.updater !== undefined, reason: f.reason, findings: f.findings, view: f.view, signal: f.signal }).catch((): RecoveryChoice => ({ action: 'fail' }));
      if (decision) this.host.decision(decision);
      wish = chosen as FailureDecision;
    } else {
      wish = retryLeft ? { action: 'retry', feedback: retryFeedback(f.reason, f.findings) } : { action: 'replan' };
    }
    let step: RecoveryStep;
    let why: string;
    const budgets = `update ${this.updatesOf(f.task.id) + 1} of ${this.limits.updatesPerTask} for the task, ${(this.host.record.updates ?? 0) + 1} of ${this.limits.updatesPerRun} for the run`;
    if (wish.action === 'retry' && retryLeft) {
      step = wish;
      why = `retry ${f.retries + 1} of ${this.limits.maxRetries} with the findings fed back`;
    } else if (wish.action === 'fail' && this.hook) {
      step = { action: 'fail' };
      why = 'the failure hook gave up';
    } else if (blocked === undefined) {
      if (wish.action === 'retry') mode = 'forced';
      step = { action: 'replan' };
      if (wish.action === 'replan' && wish.scope) this.scopes.set(f.task.id, wish.scope);
      else this.scopes.delete(f.task.id);
      why = `${wish.action === 'retry' ? 'retries are used up' : f.retries ? `the retry did not fix it` : 're-plan'}: local re-plan (${budgets})`;
    } else {
      if (wish.action !== 'fail') mode = 'forced';
      const retried = f.retries ? `${f.retries} ${f.retries === 1 ? 'retry' : 'retries'} did not fix it` : retryLeft ? 'no retry was chosen' : 'no retry is allowed';
      step = { action: 'fail', why: `${retried} and ${blocked}` };
      why = step.why as string;
    }
    const options: DecisionOption[] = [
      { id: 'retry', available: retryLeft, retriesLeft: Math.max(0, this.limits.maxRetries - f.retries) },
      { id: 'replan', available: blocked === undefined, ...(blocked ? { why: blocked } : {}) },
      { id: 'fail', available: true },
    ];
    // The recovery hook (the learned policy) returns its own decision; the engine adds one only when its budgets
    // overrode the wish, so each choice is recorded once, with the reason that actually held.
    if (!this.hook || step.action !== wish.action) this.recordDecision(f.task.id, 'recovery', options, step.action, mode, why);
    return step;
  }

  private recordDecision(taskId: string, point: string, options: DecisionOption[], choice: string, mode: 'rule' | 'forced', reason: string): void {
    this.host.decision({ type: 'decision', taskId, point, options, choice, mode, reason });
  }

  /**
   * Asks the updater for a local re-plan of the failing task and applies the best candidate. Updates are
   * serialised: each sees the plan as the previous one left it. `swap` tells the scheduler the new graph.
   */
  replan(task: Task, reason: string, findings: readonly Finding[], signal: AbortSignal, swap: (nodes: Plan['tasks'], reset: string[]) => void): Promise<{ ok: true } | { ok: false; why: string }> {
    const run = this.updating.then(() => this.replanNow(task, reason, findings, signal, swap));
    this.updating = run.catch(() => undefined);
    return run;
  }

  private editableOf(taskId: string, scope: 'task' | 'subtree' = 'subtree'): string[] {
    if (scope === 'task') return [taskId];
    const plan = this.host.record.plan;
    const adj = adjacencyOfNodes(plan.tasks);
    const start = adj.index.get(taskId);
    if (start === undefined) return [];
    const below = descendantMask(adj, start);
    // Descendants not yet finished (with a patch applied or not): those are the only ones an update may touch.
    return plan.tasks.filter((t, i) => i === start || (below[i] === 1 && !FINISHED.has(this.host.record.tasks[t.id]?.status ?? 'pending'))).map((t) => t.id);
  }

  private async replanNow(task: Task, reason: string, findings: readonly Finding[], signal: AbortSignal, swap: (nodes: Plan['tasks'], reset: string[]) => void): Promise<{ ok: true } | { ok: false; why: string }> {
    const blocked = this.updateBlocked(task.id);
    if (blocked) return { ok: false, why: blocked };
    const record = this.host.record;
    const editable = this.editableOf(task.id, this.scopes.get(task.id));
    let proposal: UpdateProposal;
    try {
      proposal = await (this.updater as UpdaterHook)({
        plan: record.plan,
        taskId: task.id,
        editable,
        statuses: Object.fromEntries(Object.entries(record.tasks).map(([id, t]) => [id, t.status])),
        summaries: Object.fromEntries(Object.entries(record.tasks).map(([id, t]) => [id, t.summary])),
        reason,
        findings,
        attempts: record.tasks[task.id]?.attempts ?? 0,
        signal,
      });
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (isFatalModelError(e)) this.host.stop('fatal', message);
      else if (isPausingModelError(e)) this.host.stop('pause', e instanceof Error ? e.message : message);
      else if (isBudgetExceededError(e)) this.host.stop('budget', e.message);
      return { ok: false, why: `the updater failed: ${message}` };
    }
    this.countUsage(task.id, proposal);
    this.recordDecision(task.id, 'update', proposal.decision.options, proposal.decision.choice, proposal.decision.mode === 'forced' ? 'forced' : 'rule', proposal.decision.reason);
    const chosen = proposal.chosen;
    if (!chosen) return { ok: false, why: `no valid update: ${proposal.error ?? 'the updater proposed none'}` };
    // Defence in depth: the updater validated locality; the engine checks it again against its own view.
    const allowed = new Set(editable);
    const outside = [...chosen.changed, ...chosen.removed].filter((id) => !allowed.has(id));
    const added = new Set(chosen.added);
    // Descendants may be reset (they build on the changed task) even when only the task itself may be edited.
    const resettable = new Set(this.editableOf(task.id));
    const resetOutside = chosen.affected.filter((id) => !resettable.has(id) && !added.has(id));
    if (outside.length || resetOutside.length) return { ok: false, why: `the update was refused: it touches tasks outside the failing task's neighbourhood (${[...outside, ...resetOutside].join(', ')})` };
    // No change at all: the plan stands and the failing task runs again as planned (counted as an update).
    const stands = chosen.changed.length === 0 && chosen.added.length === 0 && chosen.removed.length === 0;
    if (!stands && !chosen.changed.includes(task.id) && !chosen.removed.includes(task.id)) return { ok: false, why: 'the update was refused: it neither changes nor removes the failing task' };
    // Work may move to another task but never vanish: a run that ends "completed" must have written every file.
    const dropped = droppedFiles(record.plan, chosen.plan, [...chosen.changed, ...chosen.removed]);
    if (dropped.length) return { ok: false, why: `the update was refused: no task would write ${dropped.map((d) => d.file).join(', ')} any more` };
    const affected = stands ? [task.id] : chosen.affected;

    const previousFailure = `${reason}${findings.length ? `:\n${findingList(findings)}` : ''}`;
    this.host.journal.update((r) => {
      r.plan = chosen.plan;
      r.updates = (r.updates ?? 0) + 1;
      for (const id of chosen.removed) delete r.tasks[id];
      for (const id of chosen.added) r.tasks[id] = { status: 'pending', attempts: 0, usage: { inputTokens: 0, outputTokens: 0, cost: 0 }, refusals: 0 };
      const own = r.tasks[task.id];
      if (own) own.updates = (own.updates ?? 0) + 1;
      for (const id of affected) {
        const t = r.tasks[id];
        if (!t) continue;
        delete t.reason;
        delete t.summary;
        delete t.patch;
        delete t.endedAt;
      }
    });
    // On disk before anything acts on it: a run killed from here on resumes with the updated plan.
    await this.host.journal.persist();
    this.host.onPlanChanged();
    if (stands) {
      this.carried.set(task.id, `The plan was reviewed after this task failed and stands unchanged: ${chosen.reason}\nThe previous attempt failed: ${previousFailure}`);
    } else {
      this.host.emit({ type: 'plan.updated', taskId: task.id, reason: chosen.reason, changed: chosen.changed, added: chosen.added, removed: chosen.removed, plan: chosen.plan });
      for (const id of chosen.changed) this.carried.set(id, `The plan was updated after a failure of task ${task.id}: ${chosen.reason}\nThe previous attempt failed: ${previousFailure}`);
    }
    for (const id of affected) this.host.setStatus(id, 'pending', id === task.id ? `${stands ? 'the plan stands, running again' : 're-planned'}: ${chosen.reason}` : undefined);
    swap(chosen.plan.tasks, affected);
    return { ok: true };
  }

  private countUsage(taskId: string, proposal: UpdateProposal): void {
    for (const u of proposal.usage) this.host.reported({ role: 'updater', taskId, model: u.model, inputTokens: u.inputTokens, outputTokens: u.outputTokens });
  }
}
