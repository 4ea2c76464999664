/**
 * The extension's side of a run, free of `vscode` at run time so it is unit-tested in Node: whether a run may
 * start (trust, folder, another run), the settings and the stored key turned into the roles' models, the
 * workspace's policy opened, and the run handed to the core's one pipeline (src/core/session `runGoal`). The
 * run controller keeps only what VS Code shows: progress, messages with their fix buttons, the status bar.
 */
import type { Model, ModelRole, ProviderId, ProviderRegistry } from '../../core/models';
import { isExtensionProviderId } from '../providers';
import { patchSummary, RunJournal, type RunEvent, type RunSettings } from '../../core/run';
import { RunSetupError, runGoal, setupErrorOf, type PlanGate, type RunPolicy, type RunStart, type SessionOutcome, type SetupErrorKind } from '../../core/session';
import { buildAgentModels, buildRoleModel, engineConfigOf, modelSettingsOf, runOptionsOf, type Settings, type SettingsReader } from './runConfig';

/** What a run in the extension needs besides the settings. */
export interface RunSessionDeps {
  settings: SettingsReader;
  keys: { get(provider: ProviderId): Promise<string | undefined> };
  /** Journal folder: the extension's workspace storage. */
  stateDir: string;
  /** The environment verifiers and key lookups see. */
  env: NodeJS.ProcessEnv;
  /** The workspace's learned policy; without it runs use the engine's rules. */
  policy?: { openForRun(agentModels: readonly Model[]): Promise<RunPolicy> };
  /** Asks before the first use of a base URL the folder's own settings chose; false: declined. */
  confirmBaseUrl?: (provider: ProviderId, baseUrl: string) => Promise<boolean>;
  /** The extension's providers (the core's and its own); default the core's. */
  providers?: ProviderRegistry;
  warn(message: string): void;
}

/** The workbench facts that decide whether a run may start. */
export interface RunPreconditions {
  trusted: boolean;
  /** The first workspace folder, if any. */
  folder?: { scheme: string; fsPath: string };
  busy: boolean;
}

/** The workspace root to run in, or a RunSetupError saying why nothing may run (`action`: "run a task", ...). */
export function checkCanRun(p: RunPreconditions, action: string): string {
  if (!p.trusted) {
    throw new RunSetupError('untrusted', `AgensFlow cannot ${action} in Restricted Mode: it runs no agent, verifier or test command in a folder you have not trusted. Past runs and graphs can still be viewed.`);
  }
  if (p.folder && p.folder.scheme !== 'file') {
    // A virtual workspace (package.json capabilities.virtualWorkspaces is "limited").
    throw new RunSetupError('no-folder', `AgensFlow cannot ${action}: it is not supported in virtual workspaces (this folder is ${p.folder.scheme}:, not on disk). Its agents stage files, and its checks run, on a folder on disk: clone or open the folder locally.`);
  }
  if (!p.folder) throw new RunSetupError('no-folder', `AgensFlow needs an open folder on disk to ${action}.`);
  if (p.busy) throw new RunSetupError('busy', 'AgensFlow: a run is already going on; cancel it first or wait for it to end.');
  return p.folder.fsPath;
}

/** The command that helps the user fix a setup problem of `kind`. */
export type SetupFix = 'selectModel' | 'setApiKey' | 'manageTrust' | 'showGraph' | 'showLog' | 'retry' | 'none';

export function fixFor(kind: SetupErrorKind): SetupFix {
  switch (kind) {
    case 'no-model':
    case 'unavailable-provider':
    case 'model-unavailable':
    case 'bad-endpoint':
      return 'selectModel';
    case 'no-key':
    case 'rejected-key':
      return 'setApiKey';
    case 'untrusted':
      return 'manageTrust';
    case 'busy':
      return 'showGraph';
    // No consent: VS Code asks again at the next request, so the fix is to try again once the user is ready
    // (a button, so the request follows their action, as VS Code's consent prompt requires).
    case 'no-consent':
      return 'retry';
    case 'no-folder':
      return 'none';
    case 'unreachable':
    case 'bad-settings':
      return 'showLog';
  }
}

/** The models of a run's roles from the settings and the stored key; `recorded` (a resumed run's) wins. */
export async function modelsFromSettings(deps: Pick<RunSessionDeps, 'settings' | 'keys' | 'env' | 'confirmBaseUrl' | 'providers'>, recorded?: RunSettings): Promise<Record<ModelRole, Model> & { agents: Model[] }> {
  const overrides: Partial<Settings> = {
    ...(recorded?.provider && isExtensionProviderId(recorded.provider) ? { provider: recorded.provider } : {}),
    ...(recorded?.model ? { 'models.agent': recorded.model } : {}),
    ...(recorded?.baseUrl ? { baseUrl: recorded.baseUrl } : {}),
  };
  const get: SettingsReader = <K extends keyof Settings & string>(k: K): Settings[K] => (k in overrides ? overrides[k] : deps.settings(k)) as Settings[K];
  const provider = get('provider');
  const baseUrl = get('baseUrl').trim();
  // A resumed run's recorded base URL was approved when the run started; a new one set by the folder is asked for.
  if (baseUrl && !recorded?.baseUrl && deps.confirmBaseUrl && !(await deps.confirmBaseUrl(provider, baseUrl))) {
    throw new RunSetupError('bad-endpoint', `not sending model requests to ${baseUrl}: this folder's settings chose that address and you did not approve it. Set agensflow.baseUrl in your user settings, or approve the address when asked.`);
  }
  const key = await deps.keys.get(provider);
  const role = (r: ModelRole): Model => buildRoleModel(get, r, key, deps.env, deps.providers);
  // The agents' models the policy chooses between (the agent's own first).
  return { planner: role('planner'), agent: role('agent'), inspector: role('inspector'), updater: role('updater'), agents: buildAgentModels(get, key, deps.env, deps.providers) };
}

/** One run of the extension: what it starts from, its id (new runs), where events go, presentation hooks. */
export interface SessionRun {
  start: RunStart;
  runId?: string;
  signal: AbortSignal;
  onEvent: (e: RunEvent) => void;
  onPlanning?: (info: { model: Model; candidates: number }) => void;
  /** A resumed run's recorded provider, model and base URL. */
  recorded?: RunSettings;
  /** The plan gate (planned goals): the user reviews the chosen plan before any agent starts. */
  planGate?: PlanGate;
}

/**
 * Runs `run` with the extension's settings through the core's pipeline. Setup problems (no model, no key, a
 * rejected key, bad settings) are thrown as RunSetupError with their kind; a planning failure is returned.
 */
export async function runWithSettings(deps: RunSessionDeps, run: SessionRun): Promise<SessionOutcome> {
  try {
    const models = await modelsFromSettings(deps, run.recorded);
    const policy = await deps.policy?.openForRun(models.agents).catch((e: unknown) => {
      deps.warn(`the learned policy could not be opened: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    const { maxAgents, apply, candidates } = runOptionsOf(deps.settings);
    const outcome = await runGoal({
      start: run.start,
      config: engineConfigOf(deps.settings),
      models,
      stateDir: deps.stateDir,
      signal: run.signal,
      onEvent: run.onEvent,
      env: { ...deps.env },
      maxAgents,
      apply,
      ...(candidates !== undefined ? { candidates } : {}),
      ...(policy ? { policy } : {}),
      ...(run.runId !== undefined ? { runId: run.runId } : {}),
      ...('resume' in run.start ? {} : { settings: modelSettingsOf(deps.settings) }),
      ...(run.planGate ? { planGate: run.planGate } : {}),
      ...(run.onPlanning ? { onPlanning: ({ model, candidates: k }: { model: Model; candidates: number }) => run.onPlanning?.({ model, candidates: k }) } : {}),
    });
    if (policy) for (const m of policy.messages) deps.warn(`policy: ${m}`);
    if (outcome.record) await syncPatchStates(deps.stateDir, outcome.runId).catch((e: unknown) => deps.warn(`could not sync patch states: ${e instanceof Error ? e.message : String(e)}`));
    return outcome;
  } catch (e) {
    throw setupErrorOf(e) ?? e;
  }
}

/**
 * Patches accepted or rejected while the run was going on were written to their patch files, but the engine's
 * own copy of the record may have overwritten their state in run.json: the patch files are the truth.
 */
export async function syncPatchStates(stateDir: string, runId: string): Promise<void> {
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
