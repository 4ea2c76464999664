/**
 * Everything behind the first screen, bundled apart (dist/engine.js) and loaded by the startup entry
 * (src/extension.ts) on first use: a command, the sidebar or the graph panel being shown, or a run to offer to
 * resume. It composes the services (settings, keys, the provider registry with the model SDKs, the policy, the
 * run controller with the engine, verification and tree-sitter behind it) and registers each contribution,
 * which starts alone and logs why if it fails (src/vscode/contributions.ts). Everything is owned by
 * `context.subscriptions`.
 */
import * as vscode from 'vscode';
import type { ProviderModelInfo } from '../core/models';
import type { RunEvent } from '../core/run/events';
import { RunViewStore } from '../protocol/runViewSource';
import { WorkbenchContextStore } from '../protocol/workbenchContext';
import type { RunViewState } from '../protocol/viewState';
import { keySource, modelChoices } from './commands/modelChoices';
import { RunCommands } from './commands/runCommands';
import { registerSelectModel, registerSetApiKey } from './commands/setupCommands';
import { contribute as startContribution } from './contributions';
import { registerGraphViews, type GraphViews } from './graphPanelRegistration';
import { toDisposable, type IDisposable } from './lifecycle';
import type { Logger } from './log';
import { PlanFileValidator } from './planFile/planFileValidator';
import { PlanGateService } from './planGate/planGateService';
import { PolicyCommands } from './policyCommands';
import { PolicyService, POLICY_PINS_KEY } from './policyService';
import { extensionProviders } from './providers';
import { ReviewService } from './review/reviewService';
import { BASE_URL_CONSENT_KEY, confirmBaseUrl, folderBaseUrlNotice } from './run/baseUrlConsent';
import { RunController } from './run/runController';
import { ApiKeys } from './secrets';
import { AGENSFLOW_SETTINGS, SETTINGS_SECTION, SettingsService, workspaceConfigurationSource } from './settings';
import type { ViewRegistrar } from './viewIds';

/** What the startup entry hands over: its log, where runs live, and where the run views register. */
export interface EngineShell {
  readonly log: Logger;
  /** Where this workspace's run journals live (the extension's workspace storage). */
  readonly stateDir: string;
  /** Registers the sidebar provider and the graph panel serializer behind the startup entry's stand-ins. */
  readonly views: ViewRegistrar;
}

/** The composed extension, as the startup entry sees it. */
export interface Engine {
  /** Names of the contributions that failed to start (logged with their error). */
  readonly failedContributions: readonly string[];
  runState(): RunViewState;
  /** Calls `listener` after each event of the run the views show. */
  onRunEvent(listener: (event: RunEvent) => void): { dispose(): void };
  modelChoices(provider: string): Promise<ProviderModelInfo[]>;
  /** Cancels a run in progress and writes its journal (the window is closing). */
  shutdown(): Promise<unknown>;
}

/** Composes the services and registers every contribution (every command of package.json, the run views). */
export function compose(context: vscode.ExtensionContext, shell: EngineShell): Engine {
  const { log, stateDir } = shell;
  const settings = new SettingsService(AGENSFLOW_SETTINGS, workspaceConfigurationSource(vscode.workspace), log.child('settings'));
  context.subscriptions.push(settings);
  const keys = new ApiKeys(context.secrets);
  // The providers of this window: the core's, and those only the extension can build.
  const providers = extensionProviders(vscode);
  // The views' one source of truth: the run controller and the review push into it.
  const store = new RunViewStore();
  // What the window is doing (trust, model, phase, the run Resume continues): the run controller sets it, the sidebar shows it.
  const workbench = new WorkbenchContextStore();

  const failedContributions: string[] = [];
  const contribute = (name: string, start: () => IDisposable): void => {
    if (!startContribution(context, log, name, start)) failedContributions.push(name);
  };

  let validator: PlanFileValidator | undefined;
  contribute('validatePlanFile', () => (validator = new PlanFileValidator(log.child('validatePlanFile'))));
  let views: GraphViews | undefined;
  // The run views (sidebar + graph panel), fed by the store.
  contribute('runViews', () => (views = registerGraphViews(context, { log: log.child('views'), source: store, context: workbench, register: shell.views })));
  // The learned policy lives beside the journals (workspace storage); a corrupt file is set aside and the user told.
  const policy = new PolicyService({
    stateDir,
    settings: (k) => settings.get(k),
    pins: { get: () => context.workspaceState.get(POLICY_PINS_KEY), update: (pins) => context.workspaceState.update(POLICY_PINS_KEY, pins) },
    warn: (message) => void vscode.window.showWarningMessage(`AgensFlow: ${message}`),
    log: log.child('policy'),
    pricingOf: (id) => providers.get(id)?.pricing,
  });
  let review: ReviewService | undefined;
  contribute('review', () => (review = new ReviewService({ stateDir, log: log.child('review'), onPatch: (e) => {
    store.push(e);
    // The user's verdict teaches the policy (a rejected patch is a failure of the choices behind it).
    if (e.state === 'applied' || e.state === 'merged' || e.state === 'rejected') policy.recordReview(e.runId, e.taskId, e.state !== 'rejected').catch((err: unknown) => log.warn(`policy: could not record the review of ${e.taskId}: ${err instanceof Error ? err.message : String(err)}`));
  } })));
  contribute('policyCommands', () => new PolicyCommands(policy, log.child('policy'), context.extensionUri));
  let controller: RunController | undefined;
  // A base URL the folder's settings chose is named and asked about before its first use.
  const consent = {
    inspect: () => vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect('baseUrl'),
    memento: { get: () => context.workspaceState.get(BASE_URL_CONSENT_KEY), update: (urls: string[]) => context.workspaceState.update(BASE_URL_CONSENT_KEY, urls) },
    ask: async (question: string) => (await vscode.window.showWarningMessage(`AgensFlow: ${question}`, { modal: true }, 'Use This Address')) === 'Use This Address',
  };
  const confirm = (provider: Parameters<typeof confirmBaseUrl>[1], baseUrl: string): Promise<boolean> => confirmBaseUrl(consent, provider, baseUrl);
  const folderNotice = (): string | undefined => folderBaseUrlNotice(consent, settings.get('provider'), settings.get('baseUrl'));
  // The plan gate: a planned run's plan waits for the user's review when agensflow.reviewPlan asks for it.
  let planGate: PlanGateService | undefined;
  contribute('planGate', () => (planGate = new PlanGateService({ settings: (k) => settings.get(k), log: log.child('planGate'), stateDir, ...(validator ? { validator } : {}), showGraph: () => views?.showGraph() })));
  contribute('runController', () => (controller = new RunController({ store, settings: (k) => settings.get(k), keys, stateDir, log: log.child('run'), policy, confirmBaseUrl: confirm, folderBaseUrlNotice: folderNotice, providers, context: workbench, onDidChangeSettings: (l) => settings.onDidChange(l), planGate: () => planGate?.gate() })));
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
  // Show the newest run and offer to resume an interrupted one (not awaited: composing only composes).
  controller?.restoreLatest().catch((e: unknown) => log.warn(`could not restore the last run: ${e instanceof Error ? e.message : String(e)}`));
  const running = controller;
  return {
    failedContributions,
    runState: () => store.snapshot(),
    onRunEvent: (listener) => store.onEvent(listener),
    modelChoices: async (provider) => {
      const def = providers.get(provider);
      if (!def) return [];
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      // Only the user's own base URL: the stored key never goes to an address a folder's settings chose.
      const baseUrl = config.inspect<string>('baseUrl')?.globalValue?.trim();
      return (await modelChoices(def, config.get<string>('models.agent') ?? '', { ...(baseUrl ? { baseUrl } : {}), ...(await keySource(keys, def)) })).models;
    },
    shutdown: async () => running?.shutdown(),
  };
}
