/** The injection points of a run: verification (core/verify provides one), failure handling, pricing. */
import type { Plan, Task } from '../plan/schema';
import { isModelConfigError, isProviderError, type Model, type Usage } from '../models';
import type { DecisionMode, DecisionOption, Finding, TaskStatus } from './events';
import type { StagedView } from './staging';

/** A verification's outcome: `failed` if a check failed, else `unverified` if one could not run, else `passed`. */
export type VerifyOutcome = 'passed' | 'failed' | 'unverified';

/**
 * What the engine learns from verifying a task: the outcome and the findings to act on. core/verify's
 * `VerifyResult` is the fuller tool report (every check with its output) that a verify hook reduces to this.
 */
export interface VerifyVerdict {
  outcome: VerifyOutcome;
  findings: Finding[];
}

/** Checks a task's staged output. Must not throw for a failing check: return `failed` with findings. */
export type VerifyHook = (task: Task, view: StagedView, ctx: { runId: string; signal: AbortSignal }) => Promise<VerifyVerdict>;

export interface FailureInfo {
  task: Task;
  /** 1 for the first attempt. */
  attempt: number;
  /** Retries of this version of the task still allowed by the run's budget (the engine's count, the one place it is kept). */
  retriesLeft: number;
  /** Why the attempt failed: the agent gave up, or verification failed. */
  reason: string;
  findings: Finding[];
  view: StagedView;
  signal: AbortSignal;
}

/**
 * What to do with a failed attempt: give up, run the agent again with feedback (a new conversation), or ask
 * the updater for a local re-plan. The engine enforces its budgets whatever the hook says: a retry beyond
 * `maxRetries` becomes a re-plan, a re-plan beyond the update budgets becomes a failure.
 */
export type FailureDecision =
  | { action: 'fail' }
  | { action: 'retry'; feedback: string }
  /** `scope: 'task'` lets the update touch only the failing task; the default is the task and its unfinished descendants. */
  | { action: 'replan'; scope?: 'task' | 'subtree' };
export type FailureHook = (info: FailureInfo) => Promise<FailureDecision>;

/** One model call of a run as the journal books it: its role (planner, agent, inspector, updater), task, model and tokens. */
export interface UsageCall {
  role: string;
  taskId?: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Dollars, when the model has a price. */
  cost?: number;
}

/** Cost in the user's currency of one call, or `undefined` when no price is known. */
export type PriceHook = (model: string, usage: Usage) => number | undefined;

/** Which model serves a task's agent. */
export type AgentModelChoice = Model | ((task: Task) => Model);

/**
 * Model errors that no other task can get past (a rejected key, a model or endpoint that does not exist,
 * bad settings): the run stops and exits 2.
 */
export function isFatalModelError(e: unknown): boolean {
  if (isModelConfigError(e)) return true;
  return isProviderError(e) && (e.kind === 'auth' || e.kind === 'permission' || e.kind === 'not-found');
}

/** What the updater is given when a task failed after its retries (its tool is `submit_update`). */
export interface UpdateRequest {
  /** The plan as it stands. */
  plan: Plan;
  /** The failing task. */
  taskId: string;
  /** Ids the update may replace or remove: the failing task and its descendants not yet applied. */
  editable: readonly string[];
  /** Every task's status (the updater sees statuses, objectives and findings, never other tasks' files). */
  statuses: Readonly<Record<string, TaskStatus>>;
  /** Summaries the finished tasks gave (the failing task's parents are shown with theirs). */
  summaries: Readonly<Record<string, string | undefined>>;
  /** Why the last attempt failed, and its findings. */
  reason: string;
  findings: readonly Finding[];
  /** Attempts made so far at this task (retries included). */
  attempts: number;
  signal: AbortSignal;
}

/** A candidate's line in the decision event: its id, validity and metrics. */
export type UpdateCandidateOption = DecisionOption;

/** The chosen update: the new plan and what it changes. */
export interface ChosenUpdate {
  reason: string;
  plan: Plan;
  changed: string[];
  added: string[];
  removed: string[];
  /** Changed and added tasks with all their descendants in the new plan: the tasks to reset. */
  affected: string[];
}

/** The updater's answer: the best valid candidate (if any), every candidate for the audit, the tokens spent. */
export interface UpdateProposal {
  chosen?: ChosenUpdate;
  /** Why there is no update (every candidate invalid, the model failed). */
  error?: string;
  decision: { options: UpdateCandidateOption[]; choice: string; mode: DecisionMode; reason: string };
  usage: Array<{ model: string; inputTokens: number; outputTokens: number }>;
}

/**
 * The local re-plan (src/core/replan): draws K candidate updates of the failing task's neighbourhood and
 * returns the best one. Recoverable problems are results (`error`); model errors that stop a run (a rejected
 * key, the budget) are thrown.
 */
export type UpdaterHook = (request: UpdateRequest) => Promise<UpdateProposal>;

/**
 * The whole-run check after every task finished (the configured test command): sees the workspace plus the
 * staged changes of every task. `undefined` when nothing is configured.
 */
export type RunCheckHook = (view: { root: string; changes: ReadonlyMap<string, string | null>; signal: AbortSignal }) => Promise<VerifyVerdict | undefined>;
