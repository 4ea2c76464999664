/**
 * The plan gate: after planning and before any agent starts, a front end may show the chosen plan and its
 * candidates to the user, who runs it, runs an edited version of it, asks for a new plan with feedback, or
 * cancels. The core owns the loop (events, validation of an edited plan, re-planning, cancellation); a front
 * end supplies only the question (`review`), so the loop is tested without VS Code. The CLI has no gate: it
 * has `plan` then `run --plan`.
 */
import { DEFAULT_MAX_TASKS, parsePlanText, toPlan, validatePlan, type ValidPlan } from '../plan';
import type { PlanCandidate } from '../planner';

/** When the gate applies: never (the default), always, or when the chosen plan has more than `aboveTasks` tasks. */
export type PlanReviewWhen = 'never' | 'always' | { aboveTasks: number };

/** Whether a planned run with `tasks` tasks stops at the gate. */
export function gateApplies(when: PlanReviewWhen, tasks: number): boolean {
  if (when === 'never') return false;
  if (when === 'always') return true;
  return tasks > when.aboveTasks;
}

/** What the user is shown at the gate. */
export interface PlanReviewRequest {
  runId: string;
  /** The plan that runs if the user says Run (the chosen candidate, after the policy's merges). */
  plan: ValidPlan;
  /** Every candidate drawn this round, valid or not, with its metrics or reasons. */
  candidates: readonly PlanCandidate[];
  /** The chosen candidate's number (1-based). */
  chosen: number;
  /** 1 for the first plan, one more per re-plan. */
  round: number;
  /** Why the user's last edited plan was refused (each problem of the plan validator), when it was. */
  problems?: readonly string[];
}

/** The user's answer at the gate. */
export type PlanReviewAnswer =
  /** Run the shown plan, or `edited`: the text of an edited plan (JSON), validated as `run --plan` validates a plan file. */
  | { kind: 'run'; edited?: string }
  /** Draw a new plan; `feedback` goes to the planner with the shown plan. */
  | { kind: 'replan'; feedback: string }
  | { kind: 'cancel' };

/** The gate of a run: when it applies and how the user is asked (resolving when they answer; `signal` aborts with the run). */
export interface PlanGate {
  when: PlanReviewWhen;
  review(request: PlanReviewRequest, signal: AbortSignal): Promise<PlanReviewAnswer>;
}

/** The user cancelled the run at the plan gate (no agent started, nothing was written). */
export class PlanReviewCancelledError extends Error {
  override readonly name = 'PlanReviewCancelledError' as const;
  constructor() {
    super('cancelled at the plan review: no agent started');
  }
}

export function isPlanReviewCancelledError(e: unknown): e is PlanReviewCancelledError {
  return e instanceof Error && e.name === 'PlanReviewCancelledError';
}

export { MAX_FEEDBACK_CHARS } from './planFeedbackLimit';

/**
 * An edited plan checked with the plan core's validator (the one `run --plan` uses): the plan, with the run's
 * goal kept when the edit has none, or every problem at once.
 */
export function checkEditedPlan(text: string, opts: { goal?: string; maxTasks?: number }): { ok: true; plan: ValidPlan } | { ok: false; problems: string[] } {
  const result = parsePlanText(text, { maxTasks: opts.maxTasks ?? DEFAULT_MAX_TASKS });
  if (!result.ok) return { ok: false, problems: result.errors.map((e) => e.message) };
  if (result.plan.goal !== undefined || opts.goal === undefined) return { ok: true, plan: result.plan };
  // The same plan with the run's goal: valid again, sealed again.
  const withGoal = validatePlan({ ...toPlan(result.plan), goal: opts.goal }, { maxTasks: opts.maxTasks ?? DEFAULT_MAX_TASKS });
  return withGoal.ok ? { ok: true, plan: withGoal.plan } : { ok: false, problems: withGoal.errors.map((e) => e.message) };
}

/** Waits for the user's answer, or for the run to be cancelled (then `cancel`). */
export function askAtGate(gate: PlanGate, request: PlanReviewRequest, signal: AbortSignal): Promise<PlanReviewAnswer> {
  if (signal.aborted) return Promise.resolve({ kind: 'cancel' });
  return new Promise<PlanReviewAnswer>((resolve, reject) => {
    const onAbort = (): void => resolve({ kind: 'cancel' });
    signal.addEventListener('abort', onAbort, { once: true });
    gate.review(request, signal).then(
      (answer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(signal.aborted ? { kind: 'cancel' } : answer);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
