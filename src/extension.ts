import * as vscode from 'vscode';
import { RunViewStore } from './protocol/runViewSource';
import { WorkbenchContextStore } from './protocol/workbenchContext';
import type { RunViewState } from './protocol/viewState';
import type { ProviderModelInfo } from './core/models';
import { registerShowLogCommand } from './vscode/commands/showLog';
import { RunCommands } from './vscode/commands/runCommands';
import { registerSelectModel, registerSetApiKey } from './vscode/commands/setupCommands';
import { keySource, modelChoices } from './vscode/commands/modelChoices';
import { registerGraphViews, type GraphViews } from './vscode/graphPanelRegistration';
import { contribute as startContribution } from './vscode/contributions';
import { toDisposable, type IDisposable } from './vscode/lifecycle';
import { LOG_CHANNEL_NAME, createLogger } from './vscode/log';
import { PlanFileValidator } from './vscode/planFile/planFileValidator';
import { PolicyCommands } from './vscode/policyCommands';
import { PolicyService, POLICY_PINS_KEY } from './vscode/policyService';
import { ACTIVATED_CONTEXT, activatedMessage } from './vscode/readiness';
import { ReviewService } from './vscode/review/reviewService';
import { BASE_URL_CONSENT_KEY, confirmBaseUrl } from './vscode/run/baseUrlConsent';
import { RunController } from './vscode/run/runController';
import { extensionProviders } from './vscode/providers';
import { ApiKeys } from './vscode/secrets';
import { AGENSFLOW_SETTINGS, SETTINGS_SECTION, SettingsService, workspaceConfigurationSource } from './vscode/settings';

/** What `deactivate` must finish (the run in progress): set by `activate`, the one piece of module state. */
let shutdown: (() => Promise<unknown>) | undefined;

/** What `activate` returns (`Extension.exports`): what tests and other extensions may inspect. */
export interface AgensFlowExports {
  /** Names of the contributions that failed to start (logged with their error); empty when all is well. */
  readonly failedContributions: readonly string[];
  /** Where this workspace's run journals live (the extension's workspace storage). */
  readonly stateDir: string;
  /** The state of the run the views show. */
  runState(): RunViewState;
  /**
   * The models "Select Provider and Model…" offers for `provider` now (live for providers that list theirs,
   * such as `vscode-lm`), with the agents' current model as the current choice; empty for an unknown provider.
   */
  modelChoices(provider: string): Promise<ProviderModelInfo[]>;
}

/**
 * Composes the extension: the log channel and the services, then each contribution, which starts alone
 * and logs why if it fails (see src/vscode/contributions.ts). Everything is owned by
 * `context.subscriptions`.
 */
export function activate(context: vscode.ExtensionContext): AgensFlowExports {
  const started = Date.now();
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel, 'extension');
  log.info(`activating ${context.extension.id} ${String(context.extension.packageJSON.version)} (VS Code ${vscode.version})`);

  const settings = new SettingsService(AGENSFLOW_SETTINGS, workspaceConfigurationSource(vscode.workspace), log.child('settings'));
  context.subscriptions.push(settings);
  const keys = new ApiKeys(context.secrets);
  // The providers of this window: the core's, and those only the extension can build.
  const providers = extensionProviders(vscode);
  // Runs persist with the workspace (a reloaded window continues them); no folder: per user.
  const stateDir = (context.storageUri ?? context.globalStorageUri).fsPath;
  // The views' one source of truth: the run controller and the review push into it.
  const store = new RunViewStore();
  // What the window is doing (trust, model, phase, the run Resume continues): the run controller sets it, the sidebar shows it.
  const workbench = new WorkbenchContextStore();

  const failedContributions: string[] = [];
  const contribute = (name: string, start: () => IDisposable): void => {
    if (!startContribution(context, log, name, start)) failedContributions.push(name);
  };

  contribute('showLog', () => registerShowLogCommand(channel));
  contribute('validatePlanFile', () => new PlanFileValidator(log.child('validatePlanFile')));
  let views: GraphViews | undefined;
  // The run views (sidebar + graph panel), fed by the store.
  contribute('runViews', () => (views = registerGraphViews(context, { log: log.child('views'), source: store, context: workbench })));
  // The learned policy lives beside the journals (workspace storage); a corrupt file is set aside and the user told.
  const policy = new PolicyService({
    stateDir,
    settings: (k) => settings.get(k),
    pins: { get: () => context.workspaceState.get(POLICY_PINS_KEY), update: (pins) => context.workspaceState.update(POLICY_PINS_KEY, pins) },
    warn: (message) => void vscode.window.showWarningMessage(`AgensFlow: ${message}`),
    log: log.child('policy'),
  });
  let review: ReviewService | undefined;
  contribute('review', () => (review = new ReviewService({ stateDir, log: log.child('review'), onPatch: (e) => {
    store.push(e);
    // The user's verdict teaches the policy (a rejected patch is a failure of the choices behind it).
    if (e.state === 'applied' || e.state === 'merged' || e.state === 'rejected') policy.recordReview(e.runId, e.taskId, e.state !== 'rejected').catch((err: unknown) => log.warn(`policy: could not record the review of ${e.taskId}: ${err instanceof Error ? err.message : String(err)}`));
  } })));
  contribute('policyCommands', () => new PolicyCommands(policy, log.child('policy')));
  let controller: RunController | undefined;
  // A base URL the folder's settings chose is named and asked about before its first use.
  const confirm = (provider: Parameters<typeof confirmBaseUrl>[1], baseUrl: string): Promise<boolean> => confirmBaseUrl({
    inspect: () => vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect('baseUrl'),
    memento: { get: () => context.workspaceState.get(BASE_URL_CONSENT_KEY), update: (urls) => context.workspaceState.update(BASE_URL_CONSENT_KEY, urls) },
    ask: async (question) => (await vscode.window.showWarningMessage(`AgensFlow: ${question}`, { modal: true }, 'Use This Address')) === 'Use This Address',
  }, provider, baseUrl);
  contribute('runController', () => (controller = new RunController({ store, settings: (k) => settings.get(k), keys, stateDir, log: log.child('run'), policy, confirmBaseUrl: confirm, providers, context: workbench, onDidChangeSettings: (l) => settings.onDidChange(l) })));
  contribute('runCommands', () => {
    if (!controller || !review) throw new Error('needs the run controller and the review service');
    return new RunCommands({ controller, review, showGraph: (taskId) => views?.showGraph(taskId), log: log.child('commands') });
  });
  contribute('setupCommands', () => {
    const setKey = registerSetApiKey(providers, keys, log.child('setup'));
    const select = registerSelectModel(providers, keys, log.child('setup'));
    return toDisposable(() => {
      setKey.dispose();
      select.dispose();
    });
  });
  // Show the newest run and offer to resume an interrupted one (not awaited: activation only composes).
  controller?.restoreLatest().catch((e: unknown) => log.warn(`could not restore the last run: ${e instanceof Error ? e.message : String(e)}`));
  const running = controller;
  shutdown = running ? () => running.shutdown() : undefined;
  context.subscriptions.push(toDisposable(() => {
    shutdown = undefined;
  }));
  // Every command is registered now: say so, for `when` clauses and for test drivers waiting to use the palette.
  log.info(activatedMessage(context.extension.id, Date.now() - started));
  void vscode.commands.executeCommand('setContext', ACTIVATED_CONTEXT, true);
  return {
    failedContributions,
    stateDir,
    runState: () => store.snapshot(),
    modelChoices: async (provider) => {
      const def = providers.get(provider);
      if (!def) return [];
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      const baseUrl = config.get<string>('baseUrl')?.trim();
      return (await modelChoices(def, config.get<string>('models.agent') ?? '', { ...(baseUrl ? { baseUrl } : {}), ...(await keySource(keys, def)) })).models;
    },
  };
}

/**
 * Called by VS Code when the window closes or reloads, before `context.subscriptions` are disposed: a
 * run in progress is cancelled (its requests aborted, its processes killed) and its journal written, under a
 * short deadline, so the reloaded window shows it as interrupted and can resume it. Everything else is
 * disposed through `context.subscriptions`.
 */
export async function deactivate(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  await stop?.();
}
