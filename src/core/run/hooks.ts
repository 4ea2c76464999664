/**
 * The injection points of a run: verification (core/verify provides one), the updater, pricing, and the
 * decision points a coordinator (the learned policy) implements: the model of an attempt, the check, the
 * recovery after a failure, with the outcomes told back.
 */
import type { Plan, Task } from '../plan/schema';
import { isModelConfigError, isProviderError, type Model, type Usage, type UsageLabels } from '../models';
import type { DecisionMode, DecisionOption, Finding, RunEventOf, TaskStatus } from './events';
import type { StagedView } from './staging';
import type { EditFormat } from './tools';

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

/** How one verification runs. */
export interface VerifyContext {
  runId: string;
  signal: AbortSignal;
  /** `false`: the tools alone decide, the inspector is skipped (a certified skip); default it runs after them. */
  inspector?: boolean;
}

/** Checks a task's staged output. Must not throw for a failing check: return `failed` with findings. */
export type VerifyHook = (task: Task, view: StagedView, ctx: VerifyContext) => Promise<VerifyVerdict>;

/** What the agent's `run_checks` tool learns: the verdict of the task's checks and which checks ran (their ids). */
export interface StagedChecks extends VerifyVerdict {
  checks: string[];
}

/**
 * Runs a task's checks (the built-in ones and the user's verifiers, never the inspector) on what its agent
 * has staged so far, for the agent's `run_checks` tool. Wired from the same verification settings as
 * {@link VerifyHook}, so the agent sees what verification will find. Must not throw for a failing check.
 */
export type CheckStagedHook = (task: Task, view: StagedView, ctx: { runId: string; signal: AbortSignal }) => Promise<StagedChecks>;

export interface FailureInfo {
  task: Task;
  /** 1 for the first attempt. */
  attempt: number;
  /** Retries of this version of the task still allowed by the run's budget (the engine's count, the one place it is kept). */
  retriesLeft: number;
  /** Whether an updater is configured, so a re-plan is possible at all (its budgets are the engine's). */
  updater: boolean;
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

/** A decision taken at one of the run's decision points: the `decision` event the engine emits and journals. */
export type DecisionPayload = Omit<RunEventOf<'decision'>, 'runId' | 'ts'>;

/** Where a task stands when a decision hook is asked about its attempt. */
export interface AttemptContext {
  /** 1 for the first attempt of this version of the task. */
  attempt: number;
  /** The plan as it stands (an update changes it). */
  plan: Plan;
}

/** The model of an attempt and the decisions that chose it (shown and journaled before the agent starts). */
export interface ModelChoice {
  model: Model;
  decisions: DecisionPayload[];
}

/** What the edit-format point sees: the attempt, the model serving it, and which of the task's files exist. */
export interface EditFormatContext extends AttemptContext {
  /** The name of the attempt's model. */
  model: string;
  /** The task's own files that exist in its view when the attempt starts (edited rather than created). */
  existing: readonly string[];
}

/** How the attempt's agent changes files, and the decision that chose it. */
export interface EditFormatChoice {
  format: EditFormat;
  decision?: DecisionPayload;
}

/** Whether the inspector runs after the tools for this verification, and the decision that said so. */
export interface CheckChoice {
  skipInspector: boolean;
  decision?: DecisionPayload;
}

/** The recovery wished for a failed attempt, with the decision that chose it (if one was taken). */
export type RecoveryChoice = FailureDecision & { decision?: DecisionPayload };

/**
 * The decision points of a run, called by the engine at named moments; a coordinator (the learned policy)
 * implements them, and the engine emits and journals the decisions they return. Each is optional: without it
 * the engine's rule holds (the `model` option, the full check, retry then re-plan within the budgets).
 */
export interface DecisionHooks {
  /** Before each attempt of a task's agent: the model (prompt protocol included) that serves it. */
  modelForAttempt?(task: Task, ctx: AttemptContext): ModelChoice;
  /** Once the model is chosen: the edit format its agent works with (the tools offered, the prompt's advice). */
  editFormat?(task: Task, ctx: EditFormatContext): EditFormatChoice;
  /** Before verifying an attempt's output: whether the inspector may be skipped. Offered only when an inspector runs. */
  check?(task: Task, ctx: AttemptContext): CheckChoice;
  /** After a failed attempt: retry, re-plan or fail; the engine's budgets bound what it asks for. */
  recovery?(failure: FailureInfo): Promise<RecoveryChoice>;
}

/** How an attempt ended, told to {@link OutcomeHooks.attempt}. */
export interface AttemptOutcome {
  attempt: number;
  /** Whether its output was verified (`false`: the agent gave up, the outcome is `failed`). */
  verified: boolean;
  outcome: VerifyOutcome;
  findings: readonly Finding[];
  /** Dollars its agent's calls cost, when they were priced. */
  costUsd?: number;
  durationMs: number;
}

/** How a run ended, told to {@link OutcomeHooks.run}. */
export interface RunEnd {
  exitCode: number;
  /** Every task's final status. */
  statuses: Readonly<Record<string, TaskStatus>>;
  /** The whole-run check, when it ran in this session. */
  check?: VerifyVerdict;
}

/** The outcomes the engine tells a coordinator, so what it decided can be learned from. Must not throw. */
export interface OutcomeHooks {
  /** A verification ran (told before the attempt's outcome). */
  check?(task: Task, verdict: VerifyVerdict): void;
  /** An attempt ended: verified (passed, failed, unverified), or the agent gave up. Not told for a cancelled or crashed attempt. */
  attempt?(task: Task, outcome: AttemptOutcome): void;
  /** The run ended (just before `run.finished`). */
  run?(end: RunEnd): void;
}

/** Wraps a model so its calls are metered and booked under `labels` (the session's usage ledger). */
export type MeterHook = (model: Model, labels: UsageLabels) => Model;

/** One model call of a run as the journal books it: its role (planner, agent, inspector, updater), task, model and tokens. */
export interface UsageCall {
  role: string;
  taskId?: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Dollars, when the model has a price. */
  cost?: number;
  /** The user's plan pays for the call (VS Code's language models): shown as included, not as $0. */
  included?: true;
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

/**
 * Model errors the user clears outside the run, after which the same request can succeed: VS Code's consent
 * prompt was declined (it asks again at the next request that follows a user action). The run pauses, as a
 * cancelled run, its unfinished tasks left to run again when it is resumed, instead of failing the task.
 */
export function isPausingModelError(e: unknown): boolean {
  return isProviderError(e) && e.kind === 'consent';
}

/** Why a run paused ({@link isPausingModelError}): `consent`, the only kind so far. */
export type PauseReason = 'consent';

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
export type RunCheckHook = (view: { root: string; changes: ReadonlyMap<string, string | null>; signal: AbortSignal }) => Promise<RunCheckVerdict | undefined>;

/** The whole-run check's verdict, with the tail of a failing command's output: the paths it names say which tasks failed it. */
export interface RunCheckVerdict extends VerifyVerdict {
  output?: string;
}
