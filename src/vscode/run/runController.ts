/**
 * The extension's run lifecycle: plan a task (a progress notification with Cancel), run a plan, cancel,
 * resume, and show past runs. It composes the run exactly as the CLI does (src/core/session), keeps the
 * journal in the extension's workspace storage, feeds every event to the views' store and the log channel,
 * and keeps the status bar item and the context keys current. In Restricted Mode it refuses to run anything
 * and tells the user how to trust the folder.
 */
import * as vscode from 'vscode';
import { isModelAbortedError, isModelConfigError, isProviderError, isProviderId, type Model, type ModelRole } from '../../core/models';
import type { Plan } from '../../core/plan';
import { isNoValidPlanError } from '../../core/planner';
import { isRunCancelledError, listRuns, newRunId, patchSummary, resumeRun, RunJournal, startRun, type EngineOptions, type RunEvent, type RunOutcome, type RunSettings } from '../../core/run';
import type { TaskPatch } from '../../core/run/patch';
import { composeRun, planGoal, type RunPolicy } from '../../core/session';
import { listWorkspaceFiles } from '../../core/planner';
import type { RunViewStore } from '../../protocol/runViewSource';
import type { ApiKeys } from '../secrets';
import { COMMANDS } from '../commands/commandIds';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import { buildAgentModels, buildRoleModel, engineConfigOf, isRunSetupError, modelSettingsOf, runOptionsOf, type Settings, type SettingsReader } from './runConfig';
import { isResumable, recordToEvents } from './recordEvents';
import { contextKeys, statusLine, type RunContextKeys } from './runStatus';

export interface RunControllerDeps {
  store: RunViewStore;
  settings: SettingsReader;
  keys: ApiKeys;
  /** Journal folder: the extension's workspace storage. */
  stateDir: string;
  log: Logger;
  /** The workspace's learned policy (src/vscode/policyService.ts); without it runs use the engine's rules. */
  policy?: { openForRun(agentModels: readonly Model[]): Promise<RunPolicy> };
}

/** What a started run came to (returned by the commands, so tests and other extensions can wait on it). */
export interface RunResult {
  runId: string;
  exitCode: number;
  status: string;
}

type Phase = 'idle' | 'planning' | 'running';

export class RunController extends Disposable {
  private phase: Phase = 'idle';
  private active: AbortController | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private lastKeys: Partial<RunContextKeys> = {};
  private readonly stateChanged = this._register(new vscode.EventEmitter<void>());
  /** Fires when the phase or the run shown changed. */
  readonly onDidChangeState = this.stateChanged.event;

  constructor(private readonly deps: RunControllerDeps) {
    super();
    this.statusItem = this._register(vscode.window.createStatusBarItem('agensflow.status', vscode.StatusBarAlignment.Left, 50));
    this.statusItem.name = 'AgensFlow';
    this.statusItem.command = COMMANDS.showGraph;
    this.statusItem.show();
    this._register(deps.store.onEvent(() => this.refresh()));
    this.refresh();
  }

  /** The id of the run the views show. */
  get currentRunId(): string | undefined {
    return this.deps.store.snapshot().run?.runId;
  }

  get isBusy(): boolean {
    return this.phase !== 'idle';
  }

  /** Plans `goal` in the workspace (progress notification with Cancel), then runs the plan. */
  async startGoal(goal: string): Promise<RunResult | undefined> {
    const root = this.prepare('run a task');
    if (!root) return undefined;
    const models = this.models(['planner', 'agent']);
    const planner = await models.then((m) => m.planner, (e: unknown) => this.reportSetup(e));
    if (!planner) return undefined;
    const runId = newRunId();
    const ac = this.begin('planning');
    this.deps.store.push({ type: 'run.started', runId, ts: Date.now(), goal, dir: root });
    this.deps.log.info(`run ${runId}: planning "${goal.slice(0, 200)}" with ${planner.provider} ${planner.name}`);
    const options = runOptionsOf(this.deps.settings);
    // The learned policy chooses K unless the candidates setting pins it, and may merge chain links.
    const policy = await this.openPolicy(await models.then((m) => m.agents, () => [planner]));
    const candidates = policy ? policy.chooseCandidates(goal, (await listWorkspaceFiles(root).catch(() => ({ files: [] }))).files.length, options.candidates) : options.candidates;
    let plan: Plan;
    try {
      plan = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'AgensFlow', cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => ac.abort());
          try {
            progress.report({ message: `planning with ${planner.name} (${candidates ?? 3} candidate plans)…` });
            const planned = await planGoal({
              goal, dir: root, model: planner, runId, signal: ac.signal, onEvent: (e) => this.onEvent(e),
              ...(candidates !== undefined ? { candidates } : {}),
            });
            return policy ? policy.mergePlan(planned.plan) : planned.plan;
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (e) {
      this.end();
      await policy?.close();
      return this.planningFailed(runId, e);
    }
    return this.execute(runId, ac, async (engine) => startRun({ ...engine, dir: root, plan, goal, runId, ...this.startOptions() }), undefined, policy);
  }

  /** Runs a validated plan (from a plan file) in the workspace. */
  async startPlan(plan: Plan): Promise<RunResult | undefined> {
    const root = this.prepare('run a plan');
    if (!root) return undefined;
    const runId = newRunId();
    const ac = this.begin('running');
    return this.execute(runId, ac, async (engine) => startRun({ ...engine, dir: root, plan, runId, ...this.startOptions() }));
  }

  /** Continues an interrupted or cancelled run from its journal. */
  async resume(runId: string): Promise<RunResult | undefined> {
    if (!this.prepare('resume a run')) return undefined;
    let journal: RunJournal;
    try {
      journal = await RunJournal.open(this.deps.stateDir, runId);
    } catch (e) {
      void vscode.window.showErrorMessage(`AgensFlow: cannot resume run ${runId}: ${describe(e)}`);
      return undefined;
    }
    if (!isResumable(journal.record)) {
      void vscode.window.showInformationMessage(`AgensFlow: run ${runId} ${journal.record.status}; there is nothing to resume.`);
      return undefined;
    }
    const ac = this.begin('running');
    const { maxAgents, apply } = runOptionsOf(this.deps.settings);
    return this.execute(runId, ac, async (engine) => resumeRun({ ...engine, runId, maxAgents, apply }), journal.record.settings);
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
    for (const e of recordToEvents(journal.record, patches)) this.deps.store.push(e);
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
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        `AgensFlow cannot ${action} in Restricted Mode: it runs no agent, verifier or test command in a folder you have not trusted. Past runs and graphs can still be viewed.`,
        'Manage Workspace Trust',
      ).then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`AgensFlow needs an open folder on disk to ${action}.`);
      return undefined;
    }
    if (this.isBusy) {
      void vscode.window.showWarningMessage('AgensFlow: a run is already going on; cancel it first or wait for it to end.', 'Show Graph').then((c) => {
        if (c) void vscode.commands.executeCommand(COMMANDS.showGraph);
      });
      return undefined;
    }
    return folder.uri.fsPath;
  }

  private startOptions(): { maxAgents: number; apply: 'review' | 'auto'; settings: ReturnType<typeof modelSettingsOf> } {
    const { maxAgents, apply } = runOptionsOf(this.deps.settings);
    return { maxAgents, apply, settings: modelSettingsOf(this.deps.settings) };
  }

  /**
   * Builds the models of `roles` with the stored key of the provider (the model layer's key rules);
   * `recorded` (a resumed run's provider, model and base URL) wins over the settings.
   */
  private async models<R extends ModelRole>(roles: readonly R[], recorded?: RunSettings): Promise<Record<R, Model> & { agents: Model[] }> {
    const overrides: Partial<Settings> = {
      ...(recorded?.provider && isProviderId(recorded.provider) ? { provider: recorded.provider } : {}),
      ...(recorded?.model ? { 'models.agent': recorded.model } : {}),
      ...(recorded?.baseUrl ? { baseUrl: recorded.baseUrl } : {}),
    };
    const get: SettingsReader = <K extends keyof Settings & string>(k: K): Settings[K] => (k in overrides ? overrides[k] : this.deps.settings(k)) as Settings[K];
    const key = await this.deps.keys.get(get('provider'));
    const out = {} as Record<R, Model>;
    for (const role of roles) out[role] = buildRoleModel(get, role, key, process.env);
    // The agents' models the policy chooses between (the agent's own first).
    return { ...out, agents: buildAgentModels(get, key, process.env) };
  }

  private begin(phase: Phase): AbortController {
    const ac = new AbortController();
    this.active = ac;
    this.phase = phase;
    this.refresh();
    return ac;
  }

  private end(): void {
    this.active = undefined;
    this.phase = 'idle';
    this.refresh();
  }

  /** The run's policy, or none when it cannot be opened (the run then uses the engine's rules). */
  private async openPolicy(agentModels: readonly Model[]): Promise<RunPolicy | undefined> {
    return this.deps.policy?.openForRun(agentModels).catch((e: unknown) => {
      this.deps.log.warn(`the learned policy could not be opened: ${describe(e)}`);
      return undefined;
    });
  }

  private async execute(runId: string, ac: AbortController, run: (engine: EngineOptions) => Promise<RunOutcome>, recorded?: RunSettings, planned?: RunPolicy): Promise<RunResult | undefined> {
    let models: Record<'agent' | 'inspector' | 'updater', Model> & { agents: Model[] };
    try {
      models = await this.models(['agent', 'inspector', 'updater'], recorded);
    } catch (e) {
      this.end();
      await planned?.close();
      this.reportSetup(e);
      return undefined;
    }
    this.phase = 'running';
    this.refresh();
    const policy = planned ?? (await this.openPolicy(models.agents));
    // The composition shared with the CLI (src/core/session): inspector, updater with K, recovery budgets,
    // policy, verifiers and test command, from the settings.
    const { candidates } = runOptionsOf(this.deps.settings);
    const engine = composeRun(engineConfigOf(this.deps.settings), {
      models, stateDir: this.deps.stateDir, signal: ac.signal, onEvent: (e) => this.onEvent(e), env: { ...process.env },
      ...(candidates !== undefined ? { candidates } : {}),
      ...(policy ? { policy } : {}),
    });
    try {
      const outcome = await run(engine);
      await syncPatchStates(this.deps.stateDir, outcome.runId).catch((e: unknown) => this.deps.log.warn(`could not sync patch states: ${describe(e)}`));
      this.deps.log.info(`run ${outcome.runId}: ${outcome.status} (exit ${outcome.exitCode})`);
      this.announce(outcome);
      return { runId: outcome.runId, exitCode: outcome.exitCode, status: outcome.status };
    } catch (e) {
      if (isRunCancelledError(e)) return { runId, exitCode: 130, status: 'cancelled' };
      this.deps.log.error(`run ${runId} failed`, e);
      if (isModelConfigError(e) || isRunSetupError(e)) this.reportSetup(e);
      else void vscode.window.showErrorMessage(`AgensFlow: the run stopped: ${describe(e)}`, 'Show Log').then((c) => c && vscode.commands.executeCommand(COMMANDS.showLog));
      return { runId, exitCode: 2, status: 'failed' };
    } finally {
      this.end();
      const problem = await policy?.close();
      if (problem) this.deps.log.warn(`policy: ${problem}`);
    }
  }

  private planningFailed(runId: string, e: unknown): RunResult {
    const cancelled = isModelAbortedError(e) || ((e as Error | undefined)?.name === 'AbortError');
    const exitCode = cancelled ? 130 : isNoValidPlanError(e) ? 1 : 2;
    const reason = cancelled ? 'cancelled while planning' : describe(e);
    this.deps.store.push({ type: 'run.finished', runId, ts: Date.now(), exitCode, status: cancelled ? 'cancelled' : 'failed', reason });
    if (cancelled) {
      this.deps.log.info(`run ${runId}: planning cancelled`);
    } else if (isModelConfigError(e) || (isProviderError(e) && (e.kind === 'auth' || e.kind === 'permission'))) {
      this.deps.log.warn(`run ${runId}: planning failed: ${reason}`);
      this.reportSetup(e);
    } else {
      this.deps.log.error(`run ${runId}: planning failed`, e);
      void vscode.window.showErrorMessage(`AgensFlow: planning failed: ${reason.split('\n')[0]}`, 'Show Log').then((c) => c && vscode.commands.executeCommand(COMMANDS.showLog));
    }
    return { runId, exitCode, status: cancelled ? 'cancelled' : 'failed' };
  }

  /** Tells the user what to set, with a button that opens the right command. Returns undefined. */
  private reportSetup(e: unknown): undefined {
    const message = describe(e);
    const fix = isRunSetupError(e) ? e.fix : /key/i.test(message) ? 'setApiKey' : 'selectModel';
    const button = fix === 'setApiKey' ? 'Set API Key…' : 'Select Provider and Model…';
    void vscode.window.showErrorMessage(`AgensFlow: ${message}`, button).then((c) => {
      if (c) void vscode.commands.executeCommand(COMMANDS[fix]);
    });
    return undefined;
  }

  private announce(outcome: RunOutcome): void {
    const tasks = Object.values(outcome.record.tasks);
    const n = (s: string): number => tasks.filter((t) => t.status === s).length;
    const toReview = tasks.filter((t) => t.patch && t.patch.state === 'proposed' && t.patch.files.length > 0).length;
    const summary = `${n('passed')} passed, ${n('unverified')} unverified, ${n('failed')} failed, ${n('blocked')} blocked`;
    const buttons = toReview ? ['Review Changes', 'Show Graph'] : ['Show Graph'];
    const text = outcome.status === 'cancelled'
      ? `AgensFlow: run cancelled (${summary}). Resume it with "AgensFlow: Resume Run".`
      : `AgensFlow: run ${outcome.status}: ${summary}${toReview ? `; ${toReview} patch${toReview === 1 ? '' : 'es'} to review` : ''}.`;
    const show = outcome.status === 'completed' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(text, ...buttons).then((c) => {
      if (c === 'Review Changes') void vscode.commands.executeCommand(COMMANDS.reviewChanges);
      else if (c === 'Show Graph') void vscode.commands.executeCommand(COMMANDS.showGraph);
    });
  }

  /** One event of the run: to the views and the log (model text only at trace level). */
  private onEvent(event: RunEvent): void {
    // The view already shows this run since planning began: keep its planning decisions.
    if (event.type === 'run.started' && this.deps.store.snapshot().run?.runId === event.runId && this.phase !== 'idle' && this.deps.store.snapshot().plan === null) {
      return;
    }
    this.deps.store.push(event);
    logEvent(this.deps.log, event);
  }

  private refresh(): void {
    const state = this.deps.store.snapshot();
    const line = statusLine(state, this.phase);
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

/**
 * Patches accepted or rejected while the run was going on were written to their patch files, but the engine's
 * own copy of the record may have overwritten their state in run.json: the patch files are the truth.
 */
async function syncPatchStates(stateDir: string, runId: string): Promise<void> {
  const journal = await RunJournal.open(stateDir, runId);
  for (const t of journal.record.plan.tasks) {
    const patch = await journal.loadPatch(t.id);
    const rec = journal.record.tasks[t.id];
    if (!patch || !rec || rec.patch?.state === patch.state) continue;
    journal.update((r) => {
      const task = r.tasks[t.id];
      if (task) task.patch = patchSummary(patch);
    });
  }
  await journal.flush();
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
      log.debug(`run ${e.runId}${task} ${e.tool}${e.path ? ` ${e.path}` : ''}${e.ok ? '' : ` failed: ${e.error ?? ''}`}`);
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
    case 'decision':
      log.info(`run ${e.runId}${task} decision ${e.point}: ${e.choice} (${e.mode}) because ${e.reason}`);
      return;
    case 'plan.updated':
      log.info(`run ${e.runId}${task} plan updated: ${e.reason}`);
      return;
    case 'patch':
      log.info(`run ${e.runId}${task} patch ${e.state}: ${e.files.join(', ')}${e.reason ? ` (${e.reason})` : ''}`);
      return;
    case 'run.checked':
      log.info(`run ${e.runId} test command: ${e.outcome}`);
      return;
    case 'run.finished':
      log.info(`run ${e.runId} finished: ${e.status} (exit ${e.exitCode})${e.reason ? `: ${e.reason}` : ''}`);
      return;
  }
}
