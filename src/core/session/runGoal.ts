/**
 * The one run pipeline both front ends call: from a goal (plan it, let the policy merge chain links), a plan
 * (a plan file) or a run id (resume), it composes the engine, starts or resumes the run and closes the
 * policy. The run id exists before planning, so the planner's events (the candidate decision, its usage) carry
 * it, are journaled with the run and count against its budget like every other model call. Front ends only
 * turn their settings into models and present events and outcomes.
 */
import { buildOverview } from '../context/overview';
import { isBudgetExceededError, isModelAbortedError, isModelConfigError, isProviderError, modelErrorExitCode, type Model } from '../models';
import { toPlan, type ValidPlan } from '../plan';
import { DEFAULT_CANDIDATES, isNoValidPlanError, listWorkspaceFiles, type PlanFeedback, type PlannerResult } from '../planner';
import { assertDir, newRunId, resumeRun, startRun, type RunConnection, type RunEvent, type RunOutcome, type RunSettings, type UsageCall } from '../run';
import type { RunEventInput } from '../run/events';
import { rulesDecision, type ProjectRulesSource } from '../run/projectRules';
import { buildEngineOptions, ledgerOf, type EngineConfig, type EngineWiring, type RunModels } from './engineOptions';
import type { RunLedger } from './ledger';
import { exploreOf, planGoal } from './planGoal';
import { MAX_FEEDBACK_CHARS } from './planFeedbackLimit';
import { askAtGate, checkEditedPlan, gateApplies, PlanReviewCancelledError, type PlanGate, type PlanReviewAnswer } from './planReview';

/** What a run starts from. */
export type RunStart =
  /** Plan `goal` in `dir` (K candidates, the policy's merges), then run the plan. */
  | { goal: string; dir: string }
  /** Run a plan (a plan file, validated by the front end) in `dir`, as written. */
  | { plan: ValidPlan; dir: string; goal?: string }
  /** Continue an interrupted, cancelled or budget-stopped run from its journal; `retry` runs failed tasks again. */
  | { resume: string; retry?: readonly string[] };

/** Everything {@link runGoal} needs. */
export interface RunGoalOptions extends Omit<EngineWiring, 'model' | 'inspector' | 'updater' | 'ledger'> {
  start: RunStart;
  config: EngineConfig;
  /** The roles' models (the planner's is needed to plan a goal). */
  models: RunModels & { planner?: Model };
  /** The run's id (new ones only); default a fresh id. */
  runId?: string;
  maxAgents?: number;
  apply?: 'review' | 'auto';
  maxTurns?: number;
  /** Recorded with a new run for resume (never keys). */
  settings?: Partial<Pick<RunSettings, 'provider' | 'model' | 'baseUrl' | 'config'>>;
  /** Presentation: planning starts with this model, K, this many workspace files and an overview of this many tokens. */
  onPlanning?: (info: { model: Model; candidates: number; files: number; overview: { tokens: number; budget: number } }) => void;
  /** Presentation: the planner's full result (every candidate and its metrics). */
  onPlanned?: (result: PlannerResult) => void;
  /**
   * The plan gate (planned goals only): when it applies, the chosen plan waits for the user's answer before any
   * agent starts (run it, run an edited plan, re-plan with feedback, or cancel). Without it the plan runs at once.
   */
  planGate?: PlanGate;
}

/** Planning ended the run before it had a journal (every candidate invalid, a model error, cancelled, the budget). */
export interface PlanningFailure {
  runId: string;
  exitCode: number;
  status: 'failed' | 'cancelled' | 'budget';
  reason: string;
  /** The planner's or the model layer's typed error, for the front end to present. */
  error: unknown;
  record?: undefined;
}

export type SessionOutcome = RunOutcome | PlanningFailure;

export function isPlanningFailure(o: SessionOutcome): o is PlanningFailure {
  return o.record === undefined;
}

/**
 * The run's events before its journal exists: stamped with the run id, given to the front end at once and
 * kept as the run's prelude, which the engine journals when it starts. Decisions and usage booked here go to
 * the engine's connection once it is connected.
 */
class SessionLink implements RunConnection {
  readonly prelude: RunEvent[] = [];
  private engine: RunConnection | undefined;

  constructor(
    readonly runId: string,
    private readonly onEvent: (e: RunEvent) => void,
  ) {}

  /** An event of this run before the engine started (run.started, the planner's decision and warnings). */
  emit(e: RunEventInput | RunEvent): void {
    const event = { ...e, runId: this.runId, ts: 'ts' in e ? e.ts : Date.now() } as RunEvent;
    this.prelude.push(event);
    try {
      this.onEvent(event);
    } catch {
      // A listener's bug must not stop the run.
    }
  }

  connect(engine: RunConnection): void {
    this.engine = engine;
  }

  decision(e: Parameters<RunConnection['decision']>[0]): void {
    if (this.engine) this.engine.decision(e);
    else this.emit(e);
  }

  verification(mode: Parameters<RunConnection['verification']>[0]): void {
    if (this.engine) this.engine.verification(mode);
    else this.emit({ type: 'verify.mode', ...mode });
  }

  usage(call: UsageCall): void {
    if (this.engine) {
      this.engine.usage(call);
      return;
    }
    const { role, taskId, model, inputTokens, outputTokens, cost, included } = call;
    this.emit({ type: 'usage', ...(taskId !== undefined ? { taskId } : {}), role, model, inputTokens, outputTokens, ...(cost !== undefined ? { cost } : {}), ...(included ? { included } : {}) });
  }
}

/** Exit code and status of a planning failure; `undefined` for an error no front end expects (rethrown). */
function planningEnd(e: unknown, signal: AbortSignal): Pick<PlanningFailure, 'exitCode' | 'status'> | undefined {
  if (isModelAbortedError(e) || signal.aborted) return { exitCode: 130, status: 'cancelled' };
  if (isNoValidPlanError(e)) return { exitCode: 1, status: 'failed' };
  if (isBudgetExceededError(e)) return { exitCode: 1, status: 'budget' };
  if (isProviderError(e) || isModelConfigError(e)) return { exitCode: modelErrorExitCode(e), status: 'failed' };
  return undefined;
}

/**
 * Runs `start` to its end and closes the run's policy (saving what it learned). Setup errors found before the
 * run has an id (a missing folder) are thrown; planning failures are returned after a `run.finished` event.
 */
export async function runGoal(opts: RunGoalOptions): Promise<SessionOutcome> {
  const { start, config, models, policy, onPlanning: _onPlanning, onPlanned: _onPlanned, planGate: _planGate, maxAgents, apply, maxTurns, settings, ...wiring } = opts;
  try {
    const ledger = ledgerOf(config);
    const options = buildEngineOptions(config, {
      ...wiring,
      model: models.agent,
      ...(models.inspector ? { inspector: models.inspector } : {}),
      ...(models.updater ? { updater: models.updater } : {}),
      ...(policy ? { policy } : {}),
      ledger,
    });
    const runOptions = { ...(maxAgents !== undefined ? { maxAgents } : {}), ...(apply !== undefined ? { apply } : {}) };
    if ('resume' in start) return await resumeRun({ ...options, runId: start.resume, ...(start.retry?.length ? { retry: start.retry } : {}), ...runOptions });

    await assertDir(start.dir);
    const runId = opts.runId ?? newRunId();
    const link = new SessionLink(runId, wiring.onEvent);
    ledger.bookTo((call) => link.usage(call));
    const goal = 'goal' in start ? start.goal : undefined;
    link.emit({ type: 'run.started', goal: goal ?? ('plan' in start ? start.plan.goal : undefined), dir: start.dir });
    // Which rule files the run reads is recorded before planning (after the policy's choice of K), so a run
    // that fails to plan still says.
    const recordRules = async (): Promise<void> => {
      if (options.projectRules) link.decision(rulesDecision(await options.projectRules.load(start.dir)));
    };
    let plan: ValidPlan;
    if ('plan' in start) {
      await recordRules();
      plan = start.plan;
    } else {
      const planned = await planStep({ ...opts, start }, link, ledger, options.projectRules, recordRules);
      if ('error' in planned) return planned;
      const gate = opts.planGate;
      const reviewed = gate && gateApplies(gate.when, planned.plan.tasks.length) ? await reviewStep({ ...opts, start }, gate, planned, link, ledger, options.projectRules) : planned;
      if ('error' in reviewed) return reviewed;
      plan = reviewed.plan;
    }
    const connect = options.connect;
    return await startRun({
      ...options,
      // The link hands decisions and usage to the engine from now on.
      connect: (run) => {
        link.connect(run);
        connect?.(run);
      },
      dir: start.dir,
      plan,
      ...(goal !== undefined ? { goal } : {}),
      runId,
      prelude: link.prelude,
      ...runOptions,
      ...(maxTurns !== undefined ? { maxTurns } : {}),
      ...(settings ? { settings } : {}),
    });
  } finally {
    await policy?.close();
  }
}

type Planned = { plan: ValidPlan; result: PlannerResult };

/**
 * The plan gate: shows `first` (a `plan.review.waiting` event and the gate's question) until the user runs it,
 * runs a valid edit of it, or cancels; a re-plan draws new candidates with the user's feedback and shows the
 * new choice. An invalid edit is refused with every problem and the same plan is shown again.
 */
async function reviewStep(o: RunGoalOptions & { start: { goal: string; dir: string } }, gate: PlanGate, first: Planned, link: SessionLink, ledger: RunLedger, rules: ProjectRulesSource | undefined): Promise<{ plan: ValidPlan } | PlanningFailure> {
  let shown = first;
  let round = 1;
  let problems: string[] | undefined;
  for (;;) {
    const { chosen, candidates } = shown.result;
    link.emit({ type: 'plan.review.waiting', plan: toPlan(shown.plan), round, chosen, candidates: candidates.length, ...(problems ? { problems } : {}) });
    let answer: PlanReviewAnswer;
    try {
      answer = await askAtGate(gate, { runId: link.runId, plan: shown.plan, candidates, chosen, round, ...(problems ? { problems } : {}) }, o.signal);
    } catch (e) {
      link.emit({ type: 'run.finished', exitCode: 2, status: 'failed', reason: `the plan review failed: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    if (answer.kind === 'cancel') {
      link.emit({ type: 'plan.review.decided', action: 'cancel', round });
      const reason = 'cancelled at the plan review (no agent started)';
      link.emit({ type: 'run.finished', exitCode: 130, status: 'cancelled', reason });
      return { runId: link.runId, exitCode: 130, status: 'cancelled', reason, error: new PlanReviewCancelledError() };
    }
    if (answer.kind === 'run') {
      if (answer.edited === undefined) {
        link.emit({ type: 'plan.review.decided', action: 'run', round });
        return { plan: shown.plan };
      }
      const checked = checkEditedPlan(answer.edited, { goal: o.start.goal, ...(o.maxTasks !== undefined ? { maxTasks: o.maxTasks } : {}) });
      if (!checked.ok) {
        problems = checked.problems;
        link.emit({ type: 'plan.review.decided', action: 'edit-refused', round, problems });
        continue;
      }
      link.emit({ type: 'plan.review.decided', action: 'run-edited', round });
      return { plan: checked.plan };
    }
    const text = answer.feedback.trim().slice(0, MAX_FEEDBACK_CHARS);
    link.emit({ type: 'plan.review.decided', action: 'replan', round, ...(text ? { feedback: text } : {}) });
    // The rules were recorded with the first plan; a re-plan reads the same ones.
    const next = await planStep(o, link, ledger, rules, async () => {}, text ? { text, previous: toPlan(shown.plan) } : undefined);
    if ('error' in next) return next;
    shown = next;
    round++;
    problems = undefined;
  }
}

/** Plans the goal: K (pinned, else the policy's), the candidates through the metered planner, the policy's merges. */
async function planStep(o: RunGoalOptions & { start: { goal: string; dir: string } }, link: SessionLink, ledger: RunLedger, rules: ProjectRulesSource | undefined, recordRules: () => Promise<void>, feedback?: PlanFeedback): Promise<Planned | PlanningFailure> {
  const { goal, dir } = o.start;
  const planner = o.models.planner ?? o.models.agent;
  try {
    const listing = await listWorkspaceFiles(dir);
    const overview = await buildOverview(dir, o.config.overviewTokens !== undefined ? { budget: o.config.overviewTokens } : {});
    let k = o.candidates;
    if (o.policy) {
      const chosen = o.policy.chooseCandidates(goal, listing.files.length, o.candidates);
      link.decision(chosen.decision);
      k = chosen.k;
    }
    await recordRules();
    o.onPlanning?.({ model: planner, candidates: k ?? DEFAULT_CANDIDATES, files: overview.files, overview: { tokens: overview.tokens, budget: overview.budget } });
    const planned = await planGoal({
      goal, dir, model: ledger.model(planner, { role: 'planner' }), runId: link.runId, signal: o.signal, listing, overview,
      ...(rules ? { rules } : {}),
      explore: exploreOf(o.config),
      onEvent: (e) => link.emit(e),
      ...(k !== undefined ? { candidates: k } : {}),
      ...(o.maxTasks !== undefined ? { maxTasks: o.maxTasks } : {}),
      ...(feedback ? { feedback } : {}),
    });
    o.onPlanned?.(planned.result);
    // Merges of chain links apply to planned graphs only; a plan file runs as written.
    if (!o.policy) return { plan: planned.result.plan, result: planned.result };
    const merged = o.policy.mergePlan(planned.result.plan);
    for (const d of merged.decisions) link.decision(d);
    return { plan: merged.plan, result: planned.result };
  } catch (e) {
    const end = planningEnd(e, o.signal);
    const reason = end?.status === 'cancelled' ? 'cancelled while planning' : e instanceof Error ? e.message : String(e);
    link.emit({ type: 'run.finished', exitCode: end?.exitCode ?? 2, status: end?.status ?? 'failed', reason });
    if (!end) throw e;
    return { runId: link.runId, ...end, reason, error: e };
  }
}
