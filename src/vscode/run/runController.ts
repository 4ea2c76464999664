/**
 * The extension's run lifecycle: plan a task (a progress notification with Cancel), run a plan, cancel,
 * resume, and show past runs. Runs go through the core's one pipeline, as the CLI's do (runSession.ts, then
 * src/core/session `runGoal`); this class keeps only what VS Code shows: progress, messages whose fix button
 * is chosen by the setup error's kind, the views' store and the log channel, the status bar item and the
 * context keys. In Restricted Mode it refuses to run anything and tells the user how to trust the folder.
 */
import * as vscode from 'vscode';
import { envKeyOf, keyEnvOf, type Model, type ProviderId, type ProviderRegistry } from '../../core/models';
import { isExtensionProviderId } from '../providers';
import type { ValidPlan } from '../../core/plan';
import { isRerunRefusedError, isRunCancelledError, listRuns, newRunId, prepareRerun, RunJournal, type RunEvent, type RunOutcome, type RunSettings } from '../../core/run';
import type { TaskPatch } from '../../core/run/patch';
import { isPlanningFailure, isRunSetupError, setupErrorOf, type PlanGate, type PlanningFailure, type RunPolicy, RunSetupError, type RunStart } from '../../core/session';
import { describeDecision } from '../../protocol/decisionWords';
import type { RunViewStore } from '../../protocol/runViewSource';
import type { WorkbenchContextStore } from '../../protocol/workbenchContext';
import { reportKeyError } from '../commands/setupCommands';
import { isKeyringUnavailableError, type ApiKeys } from '../secrets';
import { COMMANDS } from '../commands/commandIds';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import type { SettingsReader } from './runConfig';
import { isResumable, recordToEvents } from './recordEvents';
import { checkCanRun, runWithSettings } from './runSession';
import { OPEN_SETTINGS, setupNotice } from './setupNotice';
import { contextKeys, statusLine, WALKTHROUGH_CONTEXT, workbenchContextOf, type RunContextKeys, type WalkthroughStep } from './runStatus';

export interface RunControllerDeps {
  store: RunViewStore;
  settings: SettingsReader;
  keys: ApiKeys;
  /** Journal folder: the extension's workspace storage. */
  stateDir: string;
  log: Logger;
  /** The workspace's learned policy (src/vscode/policyService.ts); without it runs use the engine's rules. */
  policy?: { openForRun(agentModels: readonly Model[]): Promise<RunPolicy> };
  /**
   * Asks before the first use of a base URL that the folder's own settings chose (see baseUrlConsent.ts);
   * resolves false when the user declined. Without it every base URL is used.
   */
  confirmBaseUrl?: (provider: ProviderId, baseUrl: string) => Promise<boolean>;
  /** The extension's providers (the core's and its own); default the core's. */
  providers?: ProviderRegistry;
  /** Where the controller says what the window is doing (trust, model, phase, resumable run) for the sidebar. */
  context?: WorkbenchContextStore;
  /**
   * When the folder is trusted: the notice to show at once about a base URL the folder's settings chose and
   * the user has not approved (baseUrlConsent.ts), or undefined.
   */
  folderBaseUrlNotice?: () => string | undefined;
  /** Calls back when the `agensflow.*` settings changed (the sidebar's "Set a model first" goes away). */
  onDidChangeSettings?: (listener: () => void) => { dispose(): void };
  /** The plan gate of a new planned run, per the settings (undefined: the plan runs at once). */
  planGate?: () => PlanGate | undefined;
}

/** How long `deactivate` waits for a cancelled run to persist its journal and stop its processes. */
export const SHUTDOWN_DEADLINE_MS = 3000;

/** What a started run came to (returned by the commands, so tests and other extensions can wait on it). */
export interface RunResult {
  runId: string;
  exitCode: number;
  status: string;
  /**
   * Whether the run got a plan (a plan file or resumed run always has one): false when it stopped before,
   * on a setup problem or while planning, so New Task keeps the task's text.
   */
  planned?: boolean;
}

type Phase = 'idle' | 'planning' | 'running';

export class RunController extends Disposable {
  private phase: Phase = 'idle';
  private active: AbortController | undefined;
  /** Settles when the run (or planning) in progress has ended and its journal is written. */
  private idle: Promise<void> = Promise.resolve();
  private settle: (() => void) | undefined;
  /** The provider whose stored key the run in progress uses. */
  private runProvider: ProviderId | undefined;
  /** The window is closing (`shutdown`): a cancelled run is interrupted, not cancelled by the user. */
  private closing = false;
  private readonly statusItem: vscode.StatusBarItem;
  private lastKeys: Partial<RunContextKeys> = {};
  /** The run shown was found interrupted (its journal said running while no window ran it). */
  private interruptedRunId: string | undefined;
  private readonly doneSteps = new Set<WalkthroughStep>();
  private readonly stateChanged = this._register(new vscode.EventEmitter<void>());
  /** Fires when the phase or the run shown changed. */
  readonly onDidChangeState = this.stateChanged.event;

  constructor(private readonly deps: RunControllerDeps) {
    super();
    this.statusItem = this._register(vscode.window.createStatusBarItem('agensflow.status', vscode.StatusBarAlignment.Left, 50));
    this.statusItem.name = 'AgensFlow';
    this.statusItem.command = COMMANDS.showGraph;
    this.statusItem.show();
    this._register(deps.store.onEvent((e) => {
      // A verdict on a patch, from any button: the walkthrough's "Review the changes" is done.
      if (e.type === 'patch' && (e.state === 'applied' || e.state === 'merged' || e.state === 'rejected')) this.markStep('reviewed');
      this.refresh();
    }));
    // A key deleted in another window: stop the run now rather than let its agents fail one by one.
    this._register(deps.keys.onDidChange((provider) => {
      void this.keyChanged(provider);
      void this.refreshKeyContext();
    }));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.refresh();
      const notice = deps.folderBaseUrlNotice?.();
      if (notice) {
        deps.log.warn(notice);
        void vscode.window.showWarningMessage(`AgensFlow: ${notice}`, 'Open Settings').then((c) => {
          if (c) void vscode.commands.executeCommand(OPEN_SETTINGS, 'agensflow.baseUrl');
        });
      }
    }));
    if (deps.onDidChangeSettings) this._register(deps.onDidChangeSettings(() => {
      this.refresh();
      void this.refreshKeyContext();
    }));
    this.refresh();
    void this.refreshKeyContext();
  }

  /**
   * Sets the context key of a walkthrough step done (its `onContext` completion event ticks it): steps done
   * through a notification's or a view's button run no command the walkthrough can see.
   */
  markStep(step: WalkthroughStep): void {
    if (this.doneSteps.has(step)) return;
    this.doneSteps.add(step);
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT[step], true);
  }

  /** Ticks the walkthrough's "Store your API key" once the provider's key is stored, however it was. */
  private async refreshKeyContext(): Promise<void> {
    if (await this.deps.keys.stored(this.deps.settings('provider')).catch(() => undefined)) this.markStep('keyStored');
  }

  private async keyChanged(provider: ProviderId): Promise<void> {
    if (!this.active || this.runProvider !== provider) return;
    const key = await this.deps.keys.get(provider).catch(() => undefined);
    if (key !== undefined || !this.active || this.runProvider !== provider) {
      if (key !== undefined) this.deps.log.info(`the API key for ${provider} changed; the run in progress keeps the one it started with, the next uses the new one`);
      return;
    }
    this.deps.log.warn(`the API key for ${provider} was removed while a run used it: stopping the run`);
    this.active.abort();
    const label = this.deps.providers?.get(provider)?.label ?? provider;
    void vscode.window.showErrorMessage(
      `AgensFlow: the API key for ${label} was removed (perhaps in another window), so the run was stopped. Store a key, then resume the run.`,
      'Set API Key',
    ).then((c) => {
      if (c) void vscode.commands.executeCommand(COMMANDS.setApiKey, provider);
    });
  }

  /**
   * For `deactivate`: cancels the run or planning in progress and waits, at most `deadlineMs`, for it to end:
   * its agents' requests aborted, its verification processes killed, its journal written. Resolves whether it
   * ended in time.
   */
  async shutdown(deadlineMs = SHUTDOWN_DEADLINE_MS): Promise<boolean> {
    if (!this.active) return true;
    this.deps.log.info('window closing: cancelling the run in progress');
    this.closing = true;
    const runId = this.currentRunId;
    this.active.abort();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.idle.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (!ended) {
      this.deps.log.warn(`the run did not end within ${deadlineMs} ms of the window closing; its journal shows it as interrupted`);
      return false;
    }
    // Not cancelled by the user: the journal says "interrupted" (still running, as after a crash), so the
    // next window shows it so and offers to resume it.
    if (runId) await markInterrupted(this.deps.stateDir, runId).catch((e: unknown) => this.deps.log.warn(`could not mark run ${runId} interrupted: ${describe(e)}`));
    return true;
  }

  /** The id of the run the views show. */
  get currentRunId(): string | undefined {
    return this.deps.store.snapshot().run?.runId;
  }

  get isBusy(): boolean {
    return this.phase !== 'idle';
  }

  /**
   * Whether a run may start now; when not, tells the user why and how to fix it (Restricted Mode, no folder
   * on disk, a run going on). New Task asks this before the user types, and before the typed task's editor closes.
   */
  canStart(action = 'run a task'): boolean {
    return this.prepare(action) !== undefined;
  }

  /** Plans `goal` in the workspace (progress notification with Cancel), then runs the plan. */
  async startGoal(goal: string): Promise<RunResult | undefined> {
    const root = this.prepare('run a task');
    if (!root) return undefined;
    return this.launch({ goal, dir: root });
  }

  /** Runs a plan (from a plan file) in the workspace. */
  async startPlan(plan: ValidPlan): Promise<RunResult | undefined> {
    const root = this.prepare('run a plan');
    if (!root) return undefined;
    return this.launch({ plan, dir: root });
  }

  /** Continues an interrupted or cancelled run from its journal. */
  /** Continues a run; `retry` names failed tasks to run again (which also continues a run that ended failed). */
  async resume(runId: string, retry: readonly string[] = []): Promise<RunResult | undefined> {
    if (!this.prepare('resume a run')) return undefined;
    let journal: RunJournal;
    try {
      journal = await RunJournal.open(this.deps.stateDir, runId);
    } catch (e) {
      void vscode.window.showErrorMessage(`AgensFlow: cannot resume run ${runId}: ${describe(e)}`);
      return undefined;
    }
    const again = retry.filter((id) => ['failed', 'blocked', 'cancelled'].includes(journal.record.tasks[id]?.status ?? ''));
    if (!isResumable(journal.record) && again.length === 0) {
      void vscode.window.showInformationMessage(`AgensFlow: run ${runId} ${journal.record.status}; there is nothing to resume.`);
      return undefined;
    }
    return this.launch({ resume: runId, ...(again.length ? { retry: again } : {}) }, journal.record.settings);
  }

  /**
   * "Re-run on my version": runs one task of a run again, from the start, against the files as they are now
   * (its stale proposal dropped), by resuming the run with that task pending. Refused with a message while the
   * task's changes are decided, and like any start in Restricted Mode or while a run is going on.
   */
  async rerun(runId: string, taskId: string): Promise<RunResult | undefined> {
    if (!this.prepare('re-run a task')) return undefined;
    try {
      await prepareRerun(this.deps.stateDir, runId, taskId);
    } catch (e) {
      if (!isRerunRefusedError(e)) throw e;
      void vscode.window.showWarningMessage(`AgensFlow: ${e.message}.`);
      return undefined;
    }
    this.deps.log.info(`re-running ${taskId} of run ${runId} on the current files`);
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    return this.launch({ resume: runId }, journal.record.settings);
  }

  /** Stops the run (or the planning) in progress; finished tasks and their patches are kept. */
  cancel(): boolean {
    if (!this.active) return false;
    this.deps.log.info('cancelling the run');
    this.active.abort();
    return true;
  }

  /** Shows a journaled run in the views (statuses, files, patches, decisions). */
  async show(runId: string): Promise<void> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const patches = new Map<string, TaskPatch>();
    for (const t of journal.record.plan.tasks) {
      const p = await journal.loadPatch(t.id).catch(() => undefined);
      if (p) patches.set(t.id, p);
    }
    // Shown while no run goes on in this window, a journal that still says running was interrupted.
    const interrupted = !this.isBusy && journal.record.status === 'running';
    this.interruptedRunId = interrupted ? runId : undefined;
    for (const e of recordToEvents(journal.record, patches, { interrupted: !this.isBusy })) this.deps.store.push(e);
    this.refresh();
  }

  /**
   * After a reload: shows the newest run and, when it was interrupted (its journal still says running and no
   * run is going on in this window), offers to resume it.
   */
  async restoreLatest(): Promise<void> {
    const runs = await listRuns(this.deps.stateDir);
    const latest = runs[0];
    if (!latest || this.isBusy) return;
    await this.show(latest.runId);
    if (latest.status !== 'running') return;
    const finished = (latest.counts.passed ?? 0) + (latest.counts.unverified ?? 0) + (latest.counts.failed ?? 0) + (latest.counts.blocked ?? 0);
    const choice = await vscode.window.showInformationMessage(
      `AgensFlow: the run "${(latest.goal ?? latest.runId).slice(0, 80)}" was interrupted (${finished} of ${latest.tasks} tasks finished). Resume it?`,
      'Resume', 'Show Graph',
    );
    if (choice === 'Resume') await this.resume(latest.runId);
    else if (choice === 'Show Graph') await vscode.commands.executeCommand(COMMANDS.showGraph);
  }

  /** Past runs, newest first (for the Resume and Open Run pickers). */
  listRuns(): ReturnType<typeof listRuns> {
    return listRuns(this.deps.stateDir);
  }

  /** Refuses in Restricted Mode (saying why and how to trust), without a folder, or while a run is going on. */
  private prepare(action: string): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    try {
      return checkCanRun({ trusted: vscode.workspace.isTrusted, ...(folder ? { folder: { scheme: folder.uri.scheme, fsPath: folder.uri.fsPath } } : {}), busy: this.isBusy }, action);
    } catch (e) {
      if (isRunSetupError(e)) return this.reportSetup(e);
      throw e;
    }
  }

  /**
   * Runs `start` through the core's pipeline with the settings' models: a progress notification with Cancel
   * while a goal is planned, every event to the views and the log, the outcome announced.
   */
  private async launch(start: RunStart, recorded?: RunSettings): Promise<RunResult> {
    const goal = 'plan' in start || 'resume' in start ? undefined : start.goal;
    const planning = goal !== undefined;
    const ac = this.begin(planning ? 'planning' : 'running');
    const provider = recorded?.provider;
    this.runProvider = isExtensionProviderId(provider) ? provider : this.deps.settings('provider');
    const runId = 'resume' in start ? start.resume : newRunId();
    const progress = planning ? this.planningProgress(ac) : undefined;
    const planGate = planning ? this.deps.planGate?.() : undefined;
    const onEvent = (e: RunEvent): void => {
      if (e.type === 'plan.ready') planned = true;
      // The plan waiting for review is shown in the views; the planning notification has done its work.
      if (e.type === 'plan.review.waiting') progress?.done();
      if (e.type === 'plan.ready' || e.type === 'run.finished') {
        progress?.done();
        if (this.phase === 'planning') {
          this.phase = 'running';
          this.refresh();
        }
      }
      this.deps.store.push(e);
      logEvent(this.deps.log, e);
    };
    if (goal !== undefined) this.deps.log.info(`run ${runId}: planning "${goal.slice(0, 200)}"`);
    // The same start again (a notice's Retry): once the user has fixed what stopped it.
    const retry = (): void => void ('resume' in start ? this.resume(start.resume) : 'plan' in start ? this.startPlan(start.plan) : this.startGoal(start.goal));
    let planned = !planning;
    try {
      const outcome = await runWithSettings(
        { settings: this.deps.settings, keys: this.deps.keys, stateDir: this.deps.stateDir, env: process.env, ...(this.deps.policy ? { policy: this.deps.policy } : {}), ...(this.deps.confirmBaseUrl ? { confirmBaseUrl: this.deps.confirmBaseUrl } : {}), ...(this.deps.providers ? { providers: this.deps.providers } : {}), warn: (m) => this.deps.log.warn(m) },
        {
          start, signal: ac.signal, onEvent,
          ...('resume' in start ? {} : { runId }),
          ...(recorded ? { recorded } : {}),
          ...(planGate ? { planGate } : {}),
          ...(progress ? { onPlanning: ({ model, candidates }: { model: Model; candidates: number }) => progress.report(`planning with ${model.name} (${candidates} candidate plans)…`) } : {}),
        },
      );
      if (isPlanningFailure(outcome)) return this.planningFailed(outcome, retry);
      const interrupted = this.closing && outcome.status === 'cancelled';
      this.deps.log.info(`run ${outcome.runId}: ${interrupted ? 'interrupted (the window is closing)' : outcome.pausedFor ? `paused (${outcome.pausedFor})` : outcome.status} (exit ${outcome.exitCode})`);
      // A consent declined by an agent pauses the run: Try Again resumes it, its task asking again.
      if (outcome.pausedFor && !interrupted) this.reportSetup(new RunSetupError('no-consent', outcome.record.reason ?? 'VS Code\'s permission to use the model was not given'), () => void this.resume(outcome.runId));
      else if (!interrupted) this.announce(outcome);
      return { runId: outcome.runId, exitCode: outcome.exitCode, status: interrupted ? 'interrupted' : outcome.status, planned: true };
    } catch (e) {
      if (isRunCancelledError(e)) return { runId, exitCode: 130, status: this.closing ? 'interrupted' : 'cancelled', planned };
      if (isKeyringUnavailableError(e) && reportKeyError(e, this.deps.log)) return { runId, exitCode: 2, status: 'failed', planned };
      this.deps.log.error(`run ${runId} failed`, e);
      const setup = setupErrorOf(e);
      if (setup) this.reportSetup(setup, retry);
      else void vscode.window.showErrorMessage(`AgensFlow: the run stopped: ${describe(e)}`, 'Show Log').then((c) => c && vscode.commands.executeCommand(COMMANDS.showLog));
      return { runId, exitCode: 2, status: 'failed', planned };
    } finally {
      progress?.done();
      this.end();
      this.settled();
    }
  }

  /** The run has ended and everything it writes is written (`shutdown` waits for this). */
  private settled(): void {
    this.settle?.();
    this.settle = undefined;
  }

  /** The progress notification of planning (its Cancel aborts the run); `done` closes it. */
  private planningProgress(ac: AbortController): { report(message: string): void; done(): void } {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let reporter: vscode.Progress<{ message?: string }> | undefined;
    let pending: string | undefined = 'planning…';
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AgensFlow', cancellable: true }, async (progress, token) => {
      reporter = progress;
      if (pending) progress.report({ message: pending });
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        await finished;
      } finally {
        sub.dispose();
      }
    });
    return {
      report: (message) => {
        pending = message;
        reporter?.report({ message });
      },
      done: () => finish(),
    };
  }

  private begin(phase: Phase): AbortController {
    const ac = new AbortController();
    this.active = ac;
    this.phase = phase;
    this.idle = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
    this.refresh();
    return ac;
  }

  private end(): void {
    this.active = undefined;
    this.runProvider = undefined;
    this.phase = 'idle';
    this.refresh();
  }

  /** `retry` starts the same task again (offered where trying again is the fix, e.g. after a declined consent). */
  private planningFailed(failure: PlanningFailure, retry: () => void): RunResult {
    const { runId, exitCode, status, reason, error } = failure;
    const setup = setupErrorOf(error);
    if (status === 'cancelled') {
      this.deps.log.info(`run ${runId}: planning cancelled`);
    } else if (setup) {
      this.deps.log.warn(`run ${runId}: planning failed: ${reason}`);
      this.reportSetup(setup, retry);
    } else {
      this.deps.log.error(`run ${runId}: planning failed`, error);
      void vscode.window.showErrorMessage(`AgensFlow: planning failed: ${reason.split('\n')[0]}`, 'Retry', 'Show Log').then((c) => {
        if (c === 'Retry') retry();
        else if (c === 'Show Log') void vscode.commands.executeCommand(COMMANDS.showLog);
      });
    }
    return { runId, exitCode, status: status === 'cancelled' ? 'cancelled' : 'failed', planned: false };
  }

  /**
   * Tells the user what to set, in VS Code's words, with the buttons that fix it (setupNotice.ts): the command
   * that sets what is missing (for this run's provider), Open Settings, and Retry when `retry` is given.
   * Returns undefined.
   */
  private reportSetup(e: RunSetupError, retry?: () => void): undefined {
    const id = this.runProvider ?? this.deps.settings('provider');
    const def = this.deps.providers?.get(id);
    const keyEnv = def ? keyEnvOf(def) : envKeyOf(id);
    const notice = setupNotice(e, { provider: id, ...(def ? { providerLabel: def.label } : {}), ...(keyEnv ? { keyEnv } : {}), canRetry: retry !== undefined });
    const show = notice.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(notice.text, ...notice.actions.map((a) => a.label)).then((choice) => {
      const action = notice.actions.find((a) => a.label === choice);
      if (!action) return;
      if (action.kind === 'retry') retry?.();
      else void vscode.commands.executeCommand(action.command, ...action.args);
    });
    return undefined;
  }

  private announce(outcome: RunOutcome): void {
    const tasks = Object.values(outcome.record.tasks);
    const n = (s: string): number => tasks.filter((t) => t.status === s).length;
    const toReview = tasks.filter((t) => t.patch && t.patch.state === 'proposed' && t.patch.files.length > 0).length;
    const summary = `${n('passed')} passed, ${n('unverified')} unverified, ${n('failed')} failed, ${n('blocked')} blocked`;
    const resumable = isResumable(outcome.record);
    const buttons = [...(resumable ? ['Resume'] : []), ...(toReview ? ['Review Changes'] : []), 'Show Graph'];
    const text = outcome.status === 'cancelled'
      ? `AgensFlow: run cancelled (${summary})${toReview ? `; ${toReview} patch${toReview === 1 ? '' : 'es'} to review` : ''}.`
      : `AgensFlow: run ${outcome.status}: ${summary}${toReview ? `; ${toReview} patch${toReview === 1 ? '' : 'es'} to review` : ''}.`;
    const show = outcome.status === 'completed' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(text, ...buttons).then((c) => {
      if (c === 'Resume') void vscode.commands.executeCommand(COMMANDS.resumeRun, outcome.runId);
      else if (c === 'Review Changes') void vscode.commands.executeCommand(COMMANDS.reviewChanges);
      else if (c === 'Show Graph') void vscode.commands.executeCommand(COMMANDS.showGraph);
    });
  }

  private refresh(): void {
    const state = this.deps.store.snapshot();
    if (this.interruptedRunId !== undefined && state.run?.runId !== this.interruptedRunId) this.interruptedRunId = undefined;
    this.deps.context?.set(workbenchContextOf(state, this.phase, {
      trusted: vscode.workspace.isTrusted,
      model: this.deps.settings('models.agent'),
      interrupted: this.interruptedRunId !== undefined,
    }));
    const line = statusLine(state, this.phase, this.interruptedRunId !== undefined);
    if (this.statusItem.text !== line.text) this.statusItem.text = line.text;
    this.statusItem.tooltip = line.tooltip;
    const keys = contextKeys(state, this.phase);
    let changed = false;
    for (const [k, v] of Object.entries(keys) as [keyof RunContextKeys, boolean][]) {
      if (this.lastKeys[k] === v) continue;
      this.lastKeys[k] = v;
      changed = true;
      void vscode.commands.executeCommand('setContext', k, v);
    }
    if (changed) this.stateChanged.fire();
  }

  override dispose(): void {
    this.active?.abort();
    super.dispose();
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Logs one run event at a level fitting it: streamed model text only at trace. */
export function logEvent(log: Logger, e: RunEvent): void {
  const task = 'taskId' in e && e.taskId ? ` ${e.taskId}` : '';
  switch (e.type) {
    case 'agent.text':
      log.trace(`run ${e.runId}${task} text: ${e.delta}`);
      return;
    case 'agent.reset':
      log.debug(`run ${e.runId}${task} model call restarted (${e.reason}): ${e.discard} characters of text discarded`);
      return;
    case 'agent.tool':
      log.debug(`run ${e.runId}${task} ${e.ok && e.summary ? e.summary : `${e.tool}${e.path ? ` ${e.path}` : ''}`}${e.ok ? '' : ` failed: ${e.error ?? ''}`}`);
      return;
    case 'usage':
      log.debug(`run ${e.runId}${task} usage ${e.role} ${e.model}: ${e.inputTokens} in, ${e.outputTokens} out`);
      return;
    case 'file.staged':
      log.debug(`run ${e.runId}${task} staged ${e.change} ${e.path} (${e.bytes} bytes)`);
      return;
    case 'log':
      log[e.level](`run ${e.runId}${task} ${e.message}`);
      return;
    case 'run.started':
      log.info(`run ${e.runId} started in ${e.dir}`);
      return;
    case 'plan.ready':
      log.info(`run ${e.runId} plan: ${e.plan.tasks.length} tasks`);
      return;
    case 'task.status':
      log.info(`run ${e.runId}${task} ${e.status}${e.reason ? `: ${e.reason}` : ''}`);
      return;
    case 'agent.started':
      log.info(`run ${e.runId}${task} agent ${e.agent} (${e.role}, ${e.model}) attempt ${e.attempt}`);
      return;
    case 'write.refused':
      log.warn(`run ${e.runId}${task} refused a write to ${e.path}: ${e.reason}`);
      return;
    case 'task.verified':
      log.info(`run ${e.runId}${task} verified: ${e.outcome}${e.findings.length ? ` (${e.findings.length} findings: ${e.findings.slice(0, 3).map((f) => f.message).join('; ')})` : ''}`);
      return;
    case 'decision': {
      // The plain sentence at info; the figures (point, choice, mode, reason) at debug, for whoever raises the level.
      const words = describeDecision(e);
      log.info(`run ${e.runId}${task} ${words.summary}`);
      log.debug(`run ${e.runId}${task} decision ${e.point}: ${e.choice} (${e.mode}): ${words.details}`);
      return;
    }
    case 'plan.updated':
      log.info(`run ${e.runId}${task} plan updated: ${e.reason}`);
      return;
    case 'patch':
      log.info(`run ${e.runId}${task} patch ${e.state}: ${e.files.join(', ')}${e.reason ? ` (${e.reason})` : ''}`);
      return;
    case 'run.checked':
      log.info(`run ${e.runId} test command: ${e.outcome}`);
      return;
    case 'plan.review.waiting':
      log.info(`run ${e.runId} plan ${e.round} (${e.plan.tasks.length} tasks) waits for review${e.problems?.length ? `; the edit was refused: ${e.problems.join('; ')}` : ''}`);
      return;
    case 'plan.review.decided':
      log.info(`run ${e.runId} plan review: ${e.action}${e.feedback ? ` with feedback "${e.feedback.slice(0, 200)}"` : ''}`);
      return;
    case 'run.finished':
      log.info(`run ${e.runId} finished: ${e.status} (exit ${e.exitCode})${e.reason ? `: ${e.reason}` : ''}`);
      return;
  }
}

/** The journal's reason of a run stopped because the window closed (shown by the views after a reload). */
export const INTERRUPTED_REASON = 'interrupted: the window was closed or reloaded during the run';

/**
 * A run cancelled because the window closed is recorded as interrupted: still `running`, as after a crash,
 * which is what a reloaded window offers to resume. Its tasks' statuses stay as the engine left them.
 */
async function markInterrupted(stateDir: string, runId: string): Promise<void> {
  const journal = await RunJournal.open(stateDir, runId);
  if (journal.record.status !== 'cancelled') return;
  journal.update((r) => {
    r.status = 'running';
    r.reason = INTERRUPTED_REASON;
    delete r.exitCode;
  });
  await journal.flush();
}
