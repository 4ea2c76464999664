/**
 * Turns the `agensflow.*` settings and the stored key into what a run needs: the models per role and the
 * engine configuration. Free of `vscode` at run time so it is unit-tested in Node.
 */
import { createModel, envKeyOf, keyEnvOf, type Model, type ModelRole, type ProviderId, type ProviderRegistry } from '../../core/models';
import { RunSetupError, type EngineConfig } from '../../core/session';
import type { SettingValues } from '../settings';
import type { AGENSFLOW_SETTINGS } from '../settings';

export type Settings = SettingValues<typeof AGENSFLOW_SETTINGS>;
/** Reads one setting (the settings service's `get`). */
export type SettingsReader = <K extends keyof Settings & string>(key: K) => Settings[K];

/** Setup problems are the core's typed errors with a kind (src/core/session/setupError.ts). */
export { RunSetupError, isRunSetupError } from '../../core/session';

/** The model name of `role`: its own setting, else the agent's; throws when neither is set. */
export function modelNameOf(get: SettingsReader, role: ModelRole): string {
  const own = get(`models.${role}`).trim();
  const name = own || get('models.agent').trim();
  if (!name) throw new RunSetupError('no-model', 'No model is set: choose a provider and model first.');
  return name;
}

/**
 * The agents' models the learned policy chooses between, cheapest first: `models.agent`, then
 * `models.agentAlternatives` (e.g. a stronger model to escalate to), without repeats.
 */
export function agentModelNamesOf(get: SettingsReader): string[] {
  const names = [modelNameOf(get, 'agent'), ...get('models.agentAlternatives').map((n) => n.trim())];
  return [...new Set(names.filter((n) => n.length > 0))];
}

/** What is recorded with a run for resume (never keys). */
export interface ModelSettingsRecord {
  provider: ProviderId;
  model: string;
  baseUrl?: string;
}

/** The provider settings as recorded with a run. */
export function modelSettingsOf(get: SettingsReader): ModelSettingsRecord {
  const baseUrl = get('baseUrl').trim();
  return { provider: get('provider'), model: modelNameOf(get, 'agent'), ...(baseUrl ? { baseUrl } : {}) };
}

/**
 * Builds the model of `role` (the model layer applies the key rules: the stored key wins, else the
 * environment; `openai-compatible` never reads the environment). Throws the model layer's
 * `ModelConfigError` for a missing key or a bad base URL.
 */
export function buildRoleModel(get: SettingsReader, role: ModelRole, apiKey: string | undefined, env: Readonly<Record<string, string | undefined>>, providers?: ProviderRegistry): Model {
  const baseUrl = get('baseUrl').trim();
  const provider = get('provider');
  // No stored key and none in the environment (e.g. deleted in another window): say so before any request.
  const def = providers?.get(provider);
  const envKey = def ? keyEnvOf(def) : envKeyOf(provider);
  if (envKey && !apiKey && (env[envKey] ?? '').trim() === '') {
    throw new RunSetupError('no-key', `No API key configured for ${provider}: set one with "AgensFlow: Set API Key…" (or set ${envKey} in the environment VS Code starts in).`);
  }
  const maxOutputTokens = get('models.maxOutputTokens');
  return createModel({
    ...(providers ? { providers } : {}),
    provider,
    model: modelNameOf(get, role),
    ...(maxOutputTokens > 0 ? { maxOutputTokens } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    env,
  });
}

/** Every agent model of {@link agentModelNamesOf}, built as {@link buildRoleModel} builds the agent's. */
export function buildAgentModels(get: SettingsReader, apiKey: string | undefined, env: Readonly<Record<string, string | undefined>>, providers?: ProviderRegistry): Model[] {
  return agentModelNamesOf(get).map((name) => {
    const withAgent: SettingsReader = <K extends keyof Settings & string>(k: K): Settings[K] => (k === 'models.agent' ? name : get(k)) as Settings[K];
    return buildRoleModel(withAgent, 'agent', apiKey, env, providers);
  });
}

/** The engine configuration (verifiers, test command, timeout, agents' checks, budget, prices, recovery budgets) from the settings. */
export function engineConfigOf(get: SettingsReader): EngineConfig {
  const tokens = get('budget.tokens');
  const cost = get('budget.cost');
  const testCommand = get('testCommand');
  const verifiers = get('verifiers');
  const prices = get('prices');
  return {
    ...(verifiers.length ? { verifiers: [...verifiers] } : {}),
    ...(testCommand !== null ? { testCommand } : {}),
    verifyTimeoutMs: get('verifyTimeoutMs'),
    agentChecksPerAttempt: get('agentChecksPerAttempt'),
    overviewTokens: get('context.overviewTokens'),
    ...(tokens > 0 || cost > 0 ? { budget: { ...(tokens > 0 ? { tokens } : {}), ...(cost > 0 ? { cost } : {}) } } : {}),
    ...(Object.keys(prices).length ? { prices } : {}),
    recovery: { maxRetries: get('recovery.maxRetries'), updatesPerTask: get('recovery.updatesPerTask'), updatesPerRun: get('recovery.updatesPerRun') },
    context: { projectRules: get('context.projectRules') },
    planner: { exploreTurns: get('planner.exploreTurns'), exploreTokens: get('planner.exploreTokens') },
  };
}

/** The run options read from settings: agents at once, candidates (undefined: the policy chooses), apply mode. */
export function runOptionsOf(get: SettingsReader): { maxAgents: number; candidates?: number; apply: 'review' | 'auto' } {
  const candidates = get('candidates');
  return { maxAgents: get('maxAgents'), ...(candidates > 0 ? { candidates } : {}), apply: get('apply') };
}
