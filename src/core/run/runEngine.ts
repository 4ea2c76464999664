/**
 * Runs a plan: scheduler + one agent per task + staging + verification hook + patches + journal, emitting
 * typed events throughout. Entry points: {@link startRun} and {@link resumeRun}; the CLI and the VS Code
 * side only pass options and listen to events.
 */
import { promises as fs } from 'node:fs';
import { adjacencyOfNodes, ancestorOrder, dependantIds, weightedRemainingPath } from '../plan/adjacency';
import type { Task } from '../plan/schema';
import { toPlan, type ValidPlan } from '../plan/validPlan';
import { isBudgetExceededError, redactUrl, type Model } from '../models';
import { runAgent } from './agent';
import { agentUserMessage, type OwnFile } from './agentPrompt';
import { describeFsError, type WriteIo } from '../fs/atomicWrite';
import { applyFsOver, type ApplyFs } from './apply';
import { recordApplyResult } from './patchReview';
import { errnoCode, isJournalWriteError, isRunCancelledError, RunConfigError } from './errors';
import { RETRYABLE_STATUSES, type RunEvent, type RunEventInput, type RunEventListener, type RunEventOf, type TaskStatus } from './events';
import { attributeCheckFailure, namingLines } from './attribution';
import { missingOwnedFiles, noChangesFinding, retryFeedback, summarizeFindings } from './findings';
import { isFatalModelError, isPausingModelError, type AgentModelChoice, type PauseReason, type CheckStagedHook, type DecisionHooks, type DecisionPayload, type MeterHook, type OutcomeHooks, type PriceHook, type RunCheckHook, type RunCheckVerdict, type StagedChecks, type UpdaterHook, type UsageCall, type VerifyHook, type VerifyVerdict } from './hooks';
import { DEFAULT_RECOVERY, Recovery, type RecoveryLimits } from './recovery';
import { addCallUsage } from './usageTotals';
import { RunJournal, type VerificationRecord, type DecisionRecord, type RunRecord, type RunSettings, type RunStatus, type TaskRecord, type TaskUsage } from './journal';
import { patchSummary, type TaskPatch } from './patch';
import { applyRecorded } from './review';
import { processWrites, type WriteGuard } from './writeGuard';
import { newRunId } from './runId';
import { runSchedule, type TaskOutcome, type TaskRunContext } from './scheduler';
import { DEFAULT_STAGING_LIMITS, StagingArea, type StagingLimits, type TaskLayer } from './staging';
import { numbered, splitLines } from './tools/readFile';
import { DEFAULT_AGENT_CHECKS_PER_ATTEMPT, type EditFormat, type TaskChecks } from './tools';
import { boundedToolDetail } from './tools/toolDiff';
import { AGENT_OVERVIEW_SHARE, buildOverview, DEFAULT_OVERVIEW_TOKENS } from '../context/overview';
import { rulesDecision, rulesFor, type ProjectRules, type ProjectRulesSource } from './projectRules';

export interface EngineOptions {
  /** Tokens of the repository overview in each agent's first message (default a quarter of the planner's default). */
  overviewTokens?: number;
  /** The agents' model, unless `decide.modelForAttempt` chooses one per attempt. */
  model: AgentModelChoice;
  stateDir: string;
  signal?: AbortSignal;
  verify?: VerifyHook;
  /** The decision points a coordinator (the learned policy) implements; the engine's rules hold where one is absent. */
  decide?: DecisionHooks;
  /** Outcomes told back to that coordinator. */
  outcome?: OutcomeHooks;
  /** The agents' `run_checks`: the task's checks without the inspector; without it the tool says none are available. */
  checkStaged?: CheckStagedHook;
  /** Calls of `run_checks` an agent may make per attempt (default 3; 0 turns the tool off). */
  agentChecksPerAttempt?: number;
  /** The local re-plan after a task's retries are used up (src/core/replan); without it a task just fails. */
  updater?: UpdaterHook;
  /** Retries per task version and update budgets (defaults: 1 retry, 2 updates per task, 6 per run). */
  recovery?: Partial<RecoveryLimits>;
  /** The whole-run check once every task finished (the test command). */
  runCheck?: RunCheckHook;
  price?: PriceHook;
  onEvent?: RunEventListener;
  limits?: Partial<StagingLimits>;
  /**
   * Absolute paths agents never write besides the protected ones (e.g. the `--config` file when it sits in
   * the workspace). The state folder is always among them.
   */
  reserved?: readonly string[];
  /** Max output tokens per agent call. */
  maxTokens?: number;
  /**
   * The project's rule files (AGENTS.md and the like), read once per workspace: each agent is given those that
   * apply to its files, and the run records which were read (a `context.rules` decision, unless the prelude
   * holds one already).
   */
  projectRules?: ProjectRulesSource;
  /**
   * Called once the run has its id (after `run.started`): the session hands the run the usage its ledger books
   * and the decisions it takes before and around the engine.
   */
  connect?: (run: RunConnection) => void;
  /**
   * Settles when the run's hooks are ready (the verification sandbox probed, what crashed runs left swept):
   * awaited once after `connect` and before the first task is scheduled, whatever it resolves to.
   */
  ready?: Promise<unknown>;
  /** Gives back what the run's hooks hold (the verification copies): awaited once when the run ends, before `run.finished`. */
  release?: () => Promise<unknown>;
  /**
   * The composition meters every model call of the run itself (src/core/session: planner, agents, inspector,
   * updater alike) and books each one through {@link RunConnection.usage}: the engine wraps each attempt's
   * agent model with it, and does not book the usage its agents and updater report, so no call counts twice.
   * Without it (a bare engine) the engine books what they report, priced by `price`.
   */
  meter?: MeterHook;
  /**
   * Why the run's token or cost budget is already spent (e.g. by planning), if it is: checked before the first
   * task is scheduled, a reason stops the run (status `budget`) before any agent starts.
   */
  budgetSpent?: () => string | undefined;
  /**
   * Wraps each patch application together with the journal writes that record it (`--apply auto`); default
   * the process-wide {@link processWrites}, which a front end that must quit (a second Ctrl+C) waits for.
   */
  writeGuard?: WriteGuard;
  /** File operations of the journal and of applying (tests inject disk-full and other faults). */
  io?: { write?: WriteIo; apply?: ApplyFs };
}

/** A coordinator's handle on a run (see `EngineOptions.connect`). */
export interface RunConnection {
  readonly runId: string;
  /** Emits a `decision` event and journals it with the run's decisions. */
  decision(e: Omit<RunEventOf<'decision'>, 'runId' | 'ts'>): void;
  /** Books one model call in the journal's totals (and its task's, when it names one) and emits its `usage` event. */
  usage(call: UsageCall): void;
  /** Records the run's verification mode in the journal and emits its `verify.mode` event. */
  verification(mode: VerificationRecord): void;
}

export interface StartOptions extends EngineOptions {
  /** The workspace root. */
  dir: string;
  /** The plan to run: only core/plan's validatePlan (or an update it checked) makes one. */
  plan: ValidPlan;
  goal?: string;
  maxAgents?: number;
  apply?: 'review' | 'auto';
  maxTurns?: number;
  /** Recorded for resume (never keys). */
  settings?: Partial<Pick<RunSettings, 'provider' | 'model' | 'baseUrl' | 'config'>>;
  runId?: string;
  /**
   * Events of this run emitted before its journal existed (the session's `run.started`, the planning
   * decisions and the planner's usage), all with this run's id: written to the event log first, their
   * decisions and usage booked in the record, none emitted again; with a `run.started` among them the engine
   * emits no second one.
   */
  prelude?: readonly RunEvent[];
}

export interface ResumeOptions extends EngineOptions {
  runId: string;
  /** Overrides of the recorded settings. */
  maxAgents?: number;
  apply?: 'review' | 'auto';
  /**
   * Failed (or blocked, or cancelled) tasks the user asked to run again: they start over with a fresh update
   * budget, and so do the tasks blocked behind them (a task still blocked by a failure that stays is blocked
   * again by the schedule). This also continues a run that ended failed.
   */
  retry?: readonly string[];
}


export interface RunOutcome {
  runId: string;
  exitCode: number;
  status: RunStatus;
  record: RunRecord;
  /** Set when the run stopped for something the user clears outside it (status `cancelled`, resumable). */
  pausedFor?: PauseReason;
}

const FINISHED: ReadonlySet<TaskStatus> = new Set(['passed', 'unverified', 'failed', 'blocked']);
const emptyUsage = (): TaskUsage => ({ inputTokens: 0, outputTokens: 0, cost: 0 });

function newTaskRecord(): TaskRecord {
  return { status: 'pending', attempts: 0, usage: emptyUsage(), refusals: 0 };
}

/** Starts a new run of `plan` in `dir`. */
export async function startRun(opts: StartOptions): Promise<RunOutcome> {
  await assertDir(opts.dir);
  const now = Date.now();
  const prelude = opts.prelude ?? [];
  const usage = emptyUsage();
  for (const e of prelude) {
    if (e.type !== 'usage') continue;
    addCallUsage(usage, e);
  }
  const record: RunRecord = {
    version: 1,
    runId: opts.runId ?? newRunId(new Date(now)),
    createdAt: now,
    updatedAt: now,
    goal: opts.goal ?? opts.plan.goal,
    dir: opts.dir,
    status: 'running',
    // The base URL is stored without userinfo or query (where keys hide); a resume must be given it again.
    settings: { maxAgents: opts.maxAgents ?? 4, apply: opts.apply ?? 'review', maxTurns: opts.maxTurns ?? 20, ...opts.settings, ...(opts.settings?.baseUrl ? { baseUrl: redactUrl(opts.settings.baseUrl) } : {}) },
    // The journal's copy: updates replace it, and a resume validates it again when it reads run.json.
    plan: toPlan(opts.plan),
    tasks: Object.fromEntries(opts.plan.tasks.map((t) => [t.id, newTaskRecord()])),
    usage,
    decisions: prelude.flatMap((e) => (e.type === 'decision' ? [decisionRecord(e)] : [])),
    resumes: 0,
  };
  const journal = await RunJournal.create(opts.stateDir, record, opts.io?.write ? { io: opts.io.write } : {});
  return new Engine(journal, opts).run(false, prelude);
}

/** Continues a run after a crash or cancellation: finished tasks stay finished, the others restart clean. */
export async function resumeRun(opts: ResumeOptions): Promise<RunOutcome> {
  const journal = await RunJournal.open(opts.stateDir, opts.runId, opts.io?.write ? { io: opts.io.write } : {});
  await assertDir(journal.record.dir);
  // A task whose patch reached the disk but whose record did not (a crash, or a full disk, between the two)
  // finished: its patch says how its verification ended.
  const finishedOnDisk = new Map<string, TaskPatch>();
  for (const [id, t] of Object.entries(journal.record.tasks)) {
    if (FINISHED.has(t.status)) continue;
    const patch = await journal.loadPatch(id).catch(() => undefined);
    if (patch?.verified && patch.runId === journal.record.runId) finishedOnDisk.set(id, patch);
  }
  const retry = new Set((opts.retry ?? []).filter((id) => RETRYABLE_STATUSES.has(journal.record.tasks[id]?.status ?? 'pending')));
  journal.update((r) => {
    r.status = 'running';
    r.resumes++;
    delete r.exitCode;
    delete r.reason;
    if (opts.maxAgents !== undefined) r.settings.maxAgents = opts.maxAgents;
    if (opts.apply !== undefined) r.settings.apply = opts.apply;
    for (const [id, t] of Object.entries(r.tasks)) {
      const onDisk = finishedOnDisk.get(id);
      if (onDisk?.verified) {
        t.status = onDisk.verified;
        t.patch = patchSummary(onDisk);
      } else if (!FINISHED.has(t.status) || retry.has(id) || (retry.size > 0 && t.status === 'blocked')) {
        if (retry.has(id)) {
          delete t.findings;
          delete t.updates;
          delete t.endedAt;
        }
        t.status = 'pending';
        delete t.reason;
        delete t.patch;
      }
    }
  });
  return new Engine(journal, opts).run(true);
}

/** The journal's record of a `decision` event. */
function decisionRecord(e: Omit<RunEventOf<'decision'>, 'runId' | 'type' | 'ts'> & { ts?: number }): DecisionRecord {
  return { ts: e.ts ?? Date.now(), point: e.point, options: e.options, choice: e.choice, mode: e.mode, reason: e.reason, ...(e.taskId !== undefined ? { taskId: e.taskId } : {}), ...(e.decisionId !== undefined ? { decisionId: e.decisionId } : {}) };
}

/** Throws a RunConfigError unless `dir` is an existing folder (a run's workspace). */
export async function assertDir(dir: string): Promise<void> {
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new RunConfigError(`${dir} is not a folder`);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new RunConfigError(`the folder ${dir} does not exist`);
    throw e;
  }
}

class Engine {
  private readonly record: RunRecord;
  private readonly staging: StagingArea;
  private readonly tasks: Map<string, Task>;
  /** The plan's graph, rebuilt with the task index. */
  private adj = adjacencyOfNodes([]);
  private readonly controller = new AbortController();
  private fatal: string | undefined;
  /** Why the run paused (a declined consent), with the message; it ends `cancelled` and can be resumed. */
  private paused: string | undefined;
  private budget: string | undefined;
  private overview = '';
  private rules: ProjectRules | undefined;
  private readonly durations = new Map<string, number>();
  private applying: Promise<void> = Promise.resolve();
  private readonly recovery: Recovery;
  /** What each task's open attempt has cost so far (its agent's priced calls). */
  private readonly attemptCosts = new Map<string, { cost: number; priced: boolean }>();
  /** The whole-run check of this session, if it ran. */
  private checked: RunCheckVerdict | undefined;
  /** Tasks finished since the whole-run check last passed: a failing check names none of their files, it is put down to them. */
  private readonly changedSinceCheck = new Set<string>();
  /**
   * Retries of a task's current version spent on failures of the whole-run check (its own loop starts from
   * there), kept in the journal so a resume does not start the count again.
   */
  private readonly checkRetries = {
    get: (id: string): number => this.record.tasks[id]?.checkRetries ?? 0,
    set: (id: string, n: number): void =>
      this.journal.update((r) => {
        const t = r.tasks[id];
        if (t) t.checkRetries = n;
      }),
    delete: (id: string): void =>
      this.journal.update((r) => {
        if (r.tasks[id]) delete r.tasks[id].checkRetries;
      }),
  };

  constructor(
    private readonly journal: RunJournal,
    private readonly opts: EngineOptions,
  ) {
    this.record = journal.record;
    // A state folder inside the workspace (`--state .agensflow-state`) holds the journal and the policy: never an agent's to write.
    this.staging = new StagingArea(this.record.dir, { ...DEFAULT_STAGING_LIMITS, ...opts.limits }, [opts.stateDir, ...(opts.reserved ?? [])]);
    this.tasks = new Map();
    this.indexPlan();
    this.recovery = new Recovery(
      { ...DEFAULT_RECOVERY, ...opts.recovery },
      {
        record: this.record,
        journal,
        emit: (e) => this.emit(e),
        decision: (e) => this.decided(e),
        setStatus: (id, status, reason) => this.setStatus(id, status, reason),
        onPlanChanged: () => this.indexPlan(),
        stop: (kind, message) => {
          if (kind === 'fatal') this.fatal = message;
          else if (kind === 'pause') this.paused = message;
          else this.budget = message;
          this.controller.abort();
        },
        reported: (call) => this.reported(call),
      },
      opts.updater,
      opts.decide?.recovery?.bind(opts.decide),
    );
    if (opts.signal) {
      if (opts.signal.aborted) this.controller.abort();
      else opts.signal.addEventListener('abort', () => this.controller.abort(), { once: true });
    }
  }

  /** Rebuilds the task index and the graph from the record's plan (at start and after an update). */
  private indexPlan(): void {
    this.tasks.clear();
    for (const t of this.record.plan.tasks) this.tasks.set(t.id, t);
    this.adj = adjacencyOfNodes(this.record.plan.tasks);
  }

  private emit(e: RunEventInput): void {
    const event = { ...e, runId: this.record.runId, ts: Date.now() } as RunEvent;
    this.journal.logEvent(event);
    try {
      this.opts.onEvent?.(event);
    } catch {
      // A listener's bug must not stop the run.
    }
  }

  /** Emits a decision and journals it with the run's decisions. */
  private decided(e: DecisionPayload): void {
    this.journal.update((r) => {
      r.decisions.push(decisionRecord(e));
    });
    this.emit(e);
  }

  /** Tells the coordinator an outcome; its bug must not stop the run. */
  private tell(what: string, f: (hooks: OutcomeHooks) => void): void {
    const hooks = this.opts.outcome;
    if (!hooks) return;
    try {
      f(hooks);
    } catch (e) {
      this.emit({ type: 'log', level: 'warn', message: `the ${what} outcome could not be told: ${(e as Error).message ?? String(e)}` });
    }
  }

  /** Books one model call in the record (the run's totals and its task's) and emits its `usage` event. */
  private book(call: UsageCall): void {
    const attempt = call.role === 'agent' && call.taskId !== undefined ? this.attemptCosts.get(call.taskId) : undefined;
    if (attempt && call.cost !== undefined) {
      attempt.cost += call.cost;
      attempt.priced = true;
    }
    this.journal.update((r) => {
      const task = call.taskId !== undefined ? r.tasks[call.taskId] : undefined;
      for (const u of task ? [task.usage, r.usage] : [r.usage]) addCallUsage(u, call);
    });
    this.emit({ type: 'usage', ...(call.taskId !== undefined ? { taskId: call.taskId } : {}), role: call.role, model: call.model, inputTokens: call.inputTokens, outputTokens: call.outputTokens, ...(call.cost !== undefined ? { cost: call.cost } : {}), ...(call.included ? { included: true } : {}) });
  }

  /** Usage an agent or a hook reported: booked unless the composition meters every call itself. */
  private reported(call: UsageCall): void {
    if (this.opts.meter) return;
    const cost = this.opts.price?.(call.model, { inputTokens: call.inputTokens, outputTokens: call.outputTokens });
    this.book({ ...call, ...(cost !== undefined ? { cost } : {}) });
  }

  private setStatus(taskId: string, status: TaskStatus, reason?: string): void {
    this.journal.update((r) => {
      const t = r.tasks[taskId];
      t.status = status;
      if (reason) t.reason = reason;
      else delete t.reason;
    });
    this.emit({ type: 'task.status', taskId, status, ...(reason ? { reason } : {}) });
  }

  /** The model of a task's attempt: the coordinator's choice (its decisions shown first), else the `model` option; metered. */
  private modelFor(task: Task, attempt: number): Model {
    const choose = this.opts.decide?.modelForAttempt;
    let model: Model;
    if (choose) {
      const choice = choose.call(this.opts.decide, task, { attempt, plan: this.record.plan });
      for (const d of choice.decisions) this.decided(d);
      model = choice.model;
    } else {
      model = typeof this.opts.model === 'function' ? this.opts.model(task) : this.opts.model;
    }
    return this.opts.meter ? this.opts.meter(model, { role: 'agent', taskId: task.id }) : model;
  }

  /**
   * The edit format of an attempt: the coordinator's choice for this model and the task's files as they stand
   * (which of them exist, so are edited rather than created), else `search-replace`.
   */
  private async editFormatFor(task: Task, attempt: number, model: Model, layer: TaskLayer): Promise<EditFormat> {
    const choose = this.opts.decide?.editFormat;
    if (!choose) return 'search-replace';
    const existing: string[] = [];
    for (const file of task.files) if ((await layer.readFile(file).catch(() => undefined)) !== undefined) existing.push(file);
    const choice = choose.call(this.opts.decide, task, { attempt, plan: this.record.plan, model: model.name, existing });
    if (choice.decision) this.decided(choice.decision);
    return choice.format;
  }

  /** Tells the coordinator how an attempt ended, with what its agent's calls cost and how long it took. */
  private attemptEnded(task: Task, attempt: number, started: number, verified: boolean, verdict: VerifyVerdict): void {
    const cost = this.attemptCosts.get(task.id);
    this.attemptCosts.delete(task.id);
    const durationMs = Date.now() - started;
    this.tell('attempt', (o) => o.attempt?.(task, { attempt, verified, outcome: verdict.outcome, findings: verdict.findings, ...(cost?.priced ? { costUsd: cost.cost } : {}), durationMs }));
  }

  /** Every task `id` depends on, directly or not, each after its own dependencies. */
  private ancestors(id: string): string[] {
    const at = this.adj.index.get(id);
    return at === undefined ? [] : ancestorOrder(this.adj, at).map((i) => this.adj.ids[i]);
  }

  async run(resumed: boolean, prelude: readonly RunEvent[] = []): Promise<RunOutcome> {
    const startedAt = Date.now();
    for (const e of prelude) this.journal.logEvent(e);
    if (!prelude.some((e) => e.type === 'run.started')) this.emit({ type: 'run.started', goal: this.record.goal, dir: this.record.dir });
    this.opts.connect?.({
      runId: this.record.runId,
      decision: (e) => this.decided(e),
      usage: (call) => this.book(call),
      verification: (mode) => {
        this.journal.update((r) => {
          r.verification = mode;
        });
        this.emit({ type: 'verify.mode', ...mode });
      },
    });
    await this.opts.ready?.catch(() => undefined);
    this.emit({ type: 'plan.ready', plan: this.record.plan });
    this.overview = (await buildOverview(this.record.dir, { budget: this.opts.overviewTokens ?? Math.round(DEFAULT_OVERVIEW_TOKENS * AGENT_OVERVIEW_SHARE) })).text;
    if (this.opts.projectRules) {
      this.rules = await this.opts.projectRules.load(this.record.dir);
      if (!prelude.some((e) => e.type === 'decision' && e.point === 'context.rules')) {
        const d = rulesDecision(this.rules);
        this.journal.update((r) => {
          r.decisions.push(decisionRecord(d));
        });
        this.emit(d);
      }
    }
    const done: string[] = [];
    const failed: string[] = [];
    if (resumed) {
      for (const t of this.record.plan.tasks) {
        const rec = this.record.tasks[t.id];
        if (rec.status === 'passed' || rec.status === 'unverified') {
          const patch = await this.journal.loadPatch(t.id);
          if (patch) {
            this.staging.addFinished(patch);
            // A patch cut off mid-apply is finished whatever the mode; with --apply auto every passed one is applied.
            if (patch.state === 'proposed' && (patch.applying !== undefined || (rec.status === 'passed' && this.record.settings.apply === 'auto'))) {
              await this.applyTaskPatch(patch);
            } else if (rec.patch?.state !== patch.state) {
              // The patch file is written before the record: after a crash between the two, it is the truth.
              this.journal.update((r) => {
                r.tasks[t.id].patch = patchSummary(patch);
              });
            }
          }
          done.push(t.id);
        } else if (rec.status === 'failed') {
          failed.push(t.id);
        }
        this.emit({ type: 'task.status', taskId: t.id, status: rec.status });
      }
    }
    const settings = this.record.settings;
    const spent = this.opts.budgetSpent?.();
    if (spent) this.budget = spent;
    for (const id of done) this.changedSinceCheck.add(id);
    const schedule = (doneIds: string[], failedIds: string[]) =>
      runSchedule({
        nodes: this.record.plan.tasks,
        roleOf: (id) => this.tasks.get(id)?.role ?? 'developer',
        done: doneIds,
        failed: failedIds,
        maxAgents: settings.maxAgents > 0 ? settings.maxAgents : Infinity,
        signal: this.controller.signal,
        runTask: (ctx) => this.runTask(ctx),
        onState: (id, state, reason) => this.setStatus(id, state, reason),
        onError: (id, e) => this.setStatus(id, 'failed', `internal error: ${(e as Error).message ?? String(e)}`),
      });
    if (!spent) {
      await schedule(done, failed);
      await this.runWholeCheck();
      // A failing test command goes back to the tasks it is put down to; every round spends their retry or update budgets, so this ends.
      while (await this.recoverFromCheck()) {
        const ids = (s: ReadonlySet<TaskStatus>): string[] => Object.entries(this.record.tasks).filter(([, t]) => s.has(t.status)).map(([id]) => id);
        await schedule(ids(new Set(['passed', 'unverified'])), ids(new Set(['failed'])));
        await this.runWholeCheck();
      }
    }
    const makespanMs = Date.now() - startedAt;
    const weights = weightedRemainingPath(this.record.plan.tasks, (id) => this.durations.get(id) ?? 0);
    const criticalPathMs = Math.max(0, ...weights.values());
    const cancelled = this.opts.signal?.aborted === true || this.paused !== undefined;
    const statuses = Object.values(this.record.tasks);
    const allPassed = statuses.every((t) => t.status === 'passed') && (this.record.check === undefined || this.record.check.outcome === 'passed');
    const allApplied = settings.apply !== 'auto' || statuses.every((t) => !t.patch || t.patch.state === 'applied' || t.patch.state === 'merged' || t.patch.files.length === 0);
    let status: RunStatus = cancelled ? 'cancelled' : this.budget ? 'budget' : allPassed && allApplied && !this.fatal ? 'completed' : 'failed';
    let exitCode = cancelled ? 130 : this.fatal ? 2 : status === 'completed' ? 0 : 1;
    const checkFailed = this.record.check && this.record.check.outcome !== 'passed' ? summarizeFindings(`the test command ${this.record.check.outcome === 'failed' ? 'failed' : 'could not run'}`, this.record.check.findings) : undefined;
    let reason = this.paused ?? this.fatal ?? this.budget ?? (cancelled ? 'cancelled by the user' : checkFailed);
    const finish = (): void =>
      this.journal.update((r) => {
        r.status = status;
        r.exitCode = exitCode;
        if (reason) r.reason = reason;
        r.makespanMs = makespanMs;
        r.criticalPathMs = criticalPathMs;
      });
    finish();
    // The outcome is announced only once the journal holds it: a run whose journal could not be saved is a
    // failure, whatever its tasks did (a resume would otherwise redo or lose them).
    try {
      await this.journal.flush();
    } catch (e) {
      if (!isJournalWriteError(e)) throw e;
      if (status === 'completed') status = 'failed';
      if (exitCode === 0) exitCode = 1;
      reason = `${e.message}${reason ? `; ${reason}` : ''}`;
      this.emit({ type: 'log', level: 'error', message: reason });
      finish();
      await this.journal.flush().catch(() => undefined);
    }
    await this.opts.release?.().catch(() => undefined);
    const checked = this.checked;
    this.tell('run', (o) => o.run?.({ exitCode, statuses: Object.fromEntries(Object.entries(this.record.tasks).map(([id, t]) => [id, t.status])), ...(checked ? { check: checked } : {}) }));
    this.emit({ type: 'run.finished', exitCode, status, ...(reason ? { reason } : {}) });
    await this.journal.flushEvents();
    return { runId: this.record.runId, exitCode, status, record: this.record, ...(this.paused !== undefined && status === 'cancelled' ? { pausedFor: 'consent' as const } : {}) };
  }

  /** The whole-run check (test command) once every task passed or is unverified, on workspace + all patches. */
  private async runWholeCheck(): Promise<void> {
    const hook = this.opts.runCheck;
    if (!hook || this.controller.signal.aborted) return;
    if (!Object.values(this.record.tasks).every((t) => t.status === 'passed' || t.status === 'unverified')) return;
    let result: RunCheckVerdict | undefined;
    try {
      result = await hook({ root: this.record.dir, changes: this.staging.allFinished(), signal: this.controller.signal });
    } catch (e) {
      result = { outcome: 'unverified', findings: [{ message: `the test command could not run: ${(e as Error).message ?? String(e)}` }] };
    }
    if (!result || this.controller.signal.aborted) return;
    const check = { outcome: result.outcome, findings: result.findings.slice(0, 50) };
    this.journal.update((r) => {
      r.check = check;
    });
    this.checked = { ...check, ...(result.output !== undefined ? { output: result.output } : {}) };
    if (check.outcome === 'passed') this.changedSinceCheck.clear();
    this.emit({ type: 'run.checked', outcome: check.outcome, findings: check.findings });
  }

  /**
   * After a failing whole-run check: puts it down to tasks (those whose files its output names, else those
   * changed since it last passed), records that, and lets each retry or re-plan with the findings through the
   * recovery decision, within the same budgets as a failed verification. True when some task runs again.
   */
  private async recoverFromCheck(): Promise<boolean> {
    const check = this.checked;
    const signal = this.controller.signal;
    if (check?.outcome !== 'failed' || signal.aborted || this.fatal || this.budget) return false;
    const finished = this.record.plan.tasks.filter((t) => this.record.tasks[t.id]?.status === 'passed' || this.record.tasks[t.id]?.status === 'unverified');
    const attributed = attributeCheckFailure(check.findings, check.output ?? '', finished, this.changedSinceCheck);
    if (attributed.length === 0) return false;
    this.journal.update((r) => {
      if (r.check) r.check.attributed = attributed;
    });
    this.decided({
      type: 'decision',
      point: 'check.attribution',
      options: attributed.map((a) => ({ id: a.taskId, by: a.by, ...(a.files.length ? { files: a.files } : {}) })),
      choice: attributed.map((a) => a.taskId).join(','),
      mode: 'rule',
      reason:
        attributed[0]?.by === 'output'
          ? `the failing test output names ${attributed.map((a) => `${a.files.join(', ')} (task ${a.taskId})`).join('; ')}`
          : `the failing test output names no task's file: put down to the tasks changed since the test command last passed (${attributed.map((a) => a.taskId).join(', ')})`,
    });
    const reason = 'the test command failed';
    let again = false;
    for (const a of attributed) {
      const task = this.tasks.get(a.taskId);
      if (!task || signal.aborted) continue;
      const findings = [...namingLines(check.output ?? '', a.files, check.findings[0]?.tool), ...check.findings].slice(0, 30);
      const retries = this.checkRetries.get(task.id);
      const view = this.staging.openLayer(task.id, task.files, [...this.ancestors(task.id), task.id]);
      const applied = this.record.tasks[task.id]?.patch;
      const step = await this.recovery.decide({ task, attempt: this.record.tasks[task.id]?.attempts ?? 1, retries, reason, findings, view, signal });
      if (signal.aborted) return false;
      // With --apply auto its patch is on disk already: the next attempt changes that version.
      if (step.action !== 'fail' && (applied?.state === 'applied' || applied?.state === 'merged')) this.staging.forgetBases(applied.files);
      if (step.action === 'retry') {
        this.checkRetries.set(task.id, retries + 1);
        this.recovery.carryFeedback(task.id, step.feedback || retryFeedback(reason, findings));
        this.runAgain(task.id, `${reason}: retry with its output`);
        again = true;
      } else if (step.action === 'replan') {
        const updated = await this.recovery.replan(task, reason, findings, signal, () => undefined);
        if (updated.ok) {
          this.checkRetries.delete(task.id);
          again = true;
        }
      }
    }
    return again;
  }

  /** Sets a finished task back to pending (its patch withdrawn from the record) so the next schedule runs it again. */
  private runAgain(taskId: string, reason: string): void {
    this.changedSinceCheck.delete(taskId);
    this.journal.update((r) => {
      const t = r.tasks[taskId];
      delete t.patch;
      delete t.endedAt;
    });
    this.setStatus(taskId, 'pending', reason);
  }

  private async runTask(ctx: TaskRunContext): Promise<TaskOutcome> {
    const initial = this.tasks.get(ctx.taskId);
    if (!initial) return 'failed';
    const task: Task = initial;
    const started = Date.now();
    const signal = ctx.signal;
    // After a plan update the task's first attempt hears why the previous version failed.
    let feedback = this.recovery.takeCarriedFeedback(task.id);
    const upstreamIds = this.ancestors(task.id);
    // Retries spent on this version's failures of the test command count against the same budget.
    let retries = this.checkRetries.get(task.id);
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        try {
          await ctx.acquireAgent();
        } catch {
          this.setStatus(task.id, 'cancelled', 'the run was cancelled');
          return 'cancelled';
        }
      }
      const attemptStarted = Date.now();
      const model = this.modelFor(task, attempt);
      this.attemptCosts.set(task.id, { cost: 0, priced: false });
      const layer = this.staging.openLayer(task.id, task.files, upstreamIds);
      const editFormat = await this.editFormatFor(task, attempt, model, layer);
      let total = 0;
      this.journal.update((r) => {
        const t = r.tasks[task.id];
        t.attempts += 1;
        total = t.attempts;
        t.agent = ctx.agent;
        t.startedAt ??= started;
      });
      this.emit({ type: 'agent.started', taskId: task.id, role: task.role, agent: ctx.agent, model: model.name, attempt: total });
      this.setStatus(task.id, 'running');
      let result;
      try {
        result = await runAgent({
          model,
          layer,
          firstMessage: agentUserMessage({ ...this.contextFor(task, feedback), ownFiles: await ownFilesOf(task, layer) }),
          maxTurns: this.record.settings.maxTurns,
          maxTokens: this.opts.maxTokens,
          editFormat,
          checks: this.checksFor(task, layer),
          signal,
          onEvent: (e) => this.onAgentEvent(task.id, e),
        });
      } catch (e) {
        if (signal.aborted || isRunCancelledError(e)) {
          this.setStatus(task.id, 'cancelled', 'the run was cancelled');
          return 'cancelled';
        }
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        if (isPausingModelError(e)) {
          // The task did nothing wrong: it waits, with the run, for the user to act, and runs again on resume.
          this.paused = e instanceof Error ? e.message : message;
          this.controller.abort();
          this.emit({ type: 'log', level: 'warn', taskId: task.id, message });
          this.setStatus(task.id, 'cancelled', this.paused);
          return 'cancelled';
        }
        if (isFatalModelError(e)) {
          this.fatal = message;
          this.controller.abort();
        } else if (isBudgetExceededError(e)) {
          this.budget = e.message;
          this.controller.abort();
        }
        this.emit({ type: 'log', level: 'error', taskId: task.id, message });
        this.finishTask(task.id, started, 'failed', message);
        return 'failed';
      }
      ctx.releaseAgent();
      let verdict: VerifyVerdict;
      if (!result.ok) {
        verdict = { outcome: 'failed', findings: [{ message: result.reason }] };
        this.attemptEnded(task, attempt, attemptStarted, false, verdict);
      } else {
        this.journal.update((r) => {
          r.tasks[task.id].summary = result.summary;
        });
        this.setStatus(task.id, 'verifying');
        const missing = [...(await missingOwnedFiles(task, layer)), ...noChangesFinding(task, (await layer.seal(this.record.runId)).files.length)];
        if (missing.length > 0) verdict = { outcome: 'failed', findings: missing };
        else verdict = this.opts.verify ? await this.runVerify(task, attempt, layer, signal) : { outcome: 'passed', findings: [] };
        if (signal.aborted) {
          this.setStatus(task.id, 'cancelled', 'the run was cancelled');
          return 'cancelled';
        }
        this.emit({ type: 'task.verified', taskId: task.id, outcome: verdict.outcome, findings: verdict.findings });
        this.attemptEnded(task, attempt, attemptStarted, true, verdict);
      }
      this.journal.update((r) => {
        const t = r.tasks[task.id];
        if (verdict.findings.length) t.findings = verdict.findings.slice(0, 50);
        else delete t.findings;
      });
      if (verdict.outcome === 'failed') {
        const reason = result.ok ? 'verification failed' : result.reason;
        const next = await this.recovery.decide({ task, attempt, retries, reason, findings: verdict.findings, view: layer, signal });
        if (signal.aborted) {
          this.setStatus(task.id, 'cancelled', 'the run was cancelled');
          return 'cancelled';
        }
        if (next.action === 'retry') {
          retries++;
          feedback = next.feedback;
          continue;
        }
        if (next.action === 'replan') {
          const updated = await this.recovery.replan(task, reason, verdict.findings, signal, (nodes, reset) => ctx.replan(nodes, reset));
          if (updated.ok) {
            this.checkRetries.delete(task.id);
            return 'replanned';
          }
          if (signal.aborted) {
            this.setStatus(task.id, 'cancelled', 'the run was cancelled');
            return 'cancelled';
          }
          this.finishTask(task.id, started, 'failed', `${summarizeFindings(reason, verdict.findings)}; ${updated.why}`);
          return 'failed';
        }
        this.finishTask(task.id, started, 'failed', `${summarizeFindings(reason, verdict.findings)}${next.why ? `; ${next.why}` : ''}`);
        return 'failed';
      }
      const patch = await layer.seal(this.record.runId);
      patch.verified = verdict.outcome;
      // On disk before the task counts as finished: a patch the journal cannot hold is lost work, said so.
      try {
        await this.journal.savePatch(patch);
      } catch (e) {
        const why = `its patch could not be saved to the run journal: ${describeFsError(e)}`;
        this.emit({ type: 'log', level: 'error', taskId: task.id, message: why });
        this.finishTask(task.id, started, 'failed', why);
        return 'failed';
      }
      this.staging.addFinished(patch);
      this.journal.update((r) => {
        r.tasks[task.id].patch = { state: 'proposed', files: patch.files.map((f) => f.path) };
      });
      this.emit({ type: 'patch', taskId: task.id, state: 'proposed', files: patch.files.map((f) => f.path) });
      this.changedSinceCheck.add(task.id);
      this.finishTask(task.id, started, verdict.outcome, verdict.outcome === 'unverified' ? summarizeFindings('not verified', verdict.findings) : undefined);
      if (verdict.outcome === 'passed' && this.record.settings.apply === 'auto') await this.applyTaskPatch(patch);
      return 'done';
    }
  }

  /** The check decision point, then the verification it chose (the inspector skipped only on the coordinator's word). */
  private async runVerify(task: Task, attempt: number, layer: Parameters<VerifyHook>[1], signal: AbortSignal): Promise<VerifyVerdict> {
    const check = this.opts.decide?.check?.call(this.opts.decide, task, { attempt, plan: this.record.plan });
    if (check?.decision) this.decided(check.decision);
    let verdict: VerifyVerdict;
    try {
      verdict = await (this.opts.verify as VerifyHook)(task, layer, { runId: this.record.runId, signal, ...(check?.skipInspector ? { inspector: false } : {}) });
    } catch (e) {
      if (isPausingModelError(e) && e instanceof Error) {
        // The inspector's model may not be used yet (a declined consent): the run pauses, the task waits.
        this.paused = e.message;
        this.controller.abort();
      }
      return { outcome: 'unverified', findings: [{ message: `verification could not run: ${(e as Error).message ?? String(e)}` }] };
    }
    this.tell('check', (o) => o.check?.(task, verdict));
    return verdict;
  }

  /**
   * The agent's `run_checks` on this attempt's layer: what verification would find now, the engine's own
   * checks first (an owned file not written, no change made), then the check hook's.
   */
  private checksFor(task: Task, layer: TaskLayer): TaskChecks | undefined {
    const hook = this.opts.checkStaged;
    if (!hook) return undefined;
    return {
      limit: this.opts.agentChecksPerAttempt ?? DEFAULT_AGENT_CHECKS_PER_ATTEMPT,
      run: async (signal) => {
        const own = [...(await missingOwnedFiles(task, layer)), ...noChangesFinding(task, (await layer.seal(this.record.runId)).files.length)];
        let r: StagedChecks;
        try {
          r = await hook(task, layer, { runId: this.record.runId, signal });
        } catch (e) {
          r = { outcome: 'unverified', findings: [{ message: `the checks could not run: ${(e as Error).message ?? String(e)}` }], checks: [] };
        }
        return own.length ? { outcome: 'failed', findings: [...own, ...r.findings], checks: r.checks } : r;
      },
    };
  }

  private finishTask(taskId: string, started: number, status: TaskStatus, reason?: string): void {
    const ended = Date.now();
    this.durations.set(taskId, ended - started);
    this.journal.update((r) => {
      r.tasks[taskId].endedAt = ended;
    });
    this.setStatus(taskId, status, reason);
  }

  /** Applies a passed task's patch now (`--apply auto`), one patch at a time, and records the new state. */
  private applyTaskPatch(patch: TaskPatch): Promise<void> {
    const guarded = (): Promise<void> => (this.opts.writeGuard ?? processWrites).run(() => this.applyNow(patch));
    const next = this.applying.then(guarded);
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async applyNow(patch: TaskPatch): Promise<void> {
    if (patch.files.length === 0) {
      patch.state = 'applied';
    } else {
      const ops = this.opts.io?.apply ?? (this.opts.io?.write ? applyFsOver(this.opts.io.write) : undefined);
      recordApplyResult(patch, await applyRecorded(this.journal, patch, patch.files, ops));
    }
    // Recorded before anything else happens: the journal says what the workspace now holds.
    await this.journal.savePatch(patch).catch(() => undefined); // a failure is remembered; flush() reports it
    this.journal.update((r) => {
      r.tasks[patch.taskId].patch = patchSummary(patch);
    });
    await this.journal.persist();
    this.emit({ type: 'patch', taskId: patch.taskId, ...patchSummary(patch) });
  }

  private contextFor(task: Task, feedback: string | undefined) {
    return {
      plan: this.record.plan,
      task,
      upstream: task.deps.flatMap((d) => {
        const t = this.tasks.get(d);
        const rec = this.record.tasks[d];
        return t ? [{ task: t, summary: rec?.summary, files: rec?.patch?.files ?? [] }] : [];
      }),
      downstream: dependantIds(this.adj, task.id).flatMap((id) => this.tasks.get(id) ?? []),
      overview: this.overview,
      rules: this.rules ? rulesFor(this.rules, task.files) : [],
      feedback,
    };
  }

  private onAgentEvent(taskId: string, e: Parameters<NonNullable<Parameters<typeof runAgent>[0]['onEvent']>>[0]): void {
    switch (e.type) {
      case 'text':
        this.emit({ type: 'agent.text', taskId, delta: e.delta });
        break;
      case 'reset':
        this.emit({ type: 'agent.reset', taskId, reason: e.reason, discard: e.discard });
        break;
      case 'tool':
        this.emit({ type: 'agent.tool', taskId, tool: e.tool, ok: e.ok, ...(e.path !== undefined ? { path: e.path } : {}), ...(e.error ? { error: e.error } : {}), ...boundedToolDetail(e) });
        break;
      case 'staged':
        this.emit({ type: 'file.staged', taskId, path: e.path, change: e.change, bytes: e.bytes });
        break;
      case 'refused':
        this.journal.update((r) => {
          r.tasks[taskId].refusals++;
        });
        this.emit({ type: 'write.refused', taskId, path: e.path, reason: e.reason });
        break;
      case 'usage':
        this.reported({ role: 'agent', taskId, model: e.model, inputTokens: e.usage.inputTokens, outputTokens: e.usage.outputTokens });
        break;
    }
  }
}

/** Characters of numbered file text a task's first message carries at most (about 6,000 tokens). */
const OWN_FILES_MAX_CHARS = 24_000;

/**
 * The task's own files as it sees them (read through its layer, as read_file would, which records the base
 * its patch is made from), for its first message: whole files in the plan's order while they fit the budget;
 * a file that does not fit is named with its length, one that does not exist yet as new.
 */
export async function ownFilesOf(task: Pick<Task, 'files'>, layer: Pick<TaskLayer, 'readView'>, maxChars = OWN_FILES_MAX_CHARS): Promise<OwnFile[]> {
  const out: OwnFile[] = [];
  let left = maxChars;
  for (const p of task.files) {
    const r = await layer.readView(p);
    if (!r.ok) {
      if (r.refused) continue; // a path the task may not read (a secret): not mentioned
      out.push(r.missing ? { path: p, shown: 'new' } : { path: p, shown: 'unreadable', reason: r.error });
      continue;
    }
    const lines = r.value.text === '' ? [] : splitLines(r.value.text);
    const text = lines.map((l, i) => numbered(i + 1, l)).join('\n');
    if (r.value.note !== undefined || text.length > left) {
      out.push(r.value.note !== undefined ? { path: r.value.path, shown: 'too-long' } : { path: r.value.path, shown: 'too-long', lines: lines.length });
      continue;
    }
    left -= text.length;
    out.push({ path: r.value.path, shown: 'text', numbered: text, lines: lines.length });
  }
  return out;
}
