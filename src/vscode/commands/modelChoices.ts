/**
 * What "Select Provider and Model…" offers: the models a provider lists now (VS Code's chat models, or the
 * models of an OpenAI-compatible server), else its suggestions, and why a listing failed. No `vscode` import:
 * unit-tested in Node against the loopback fake server.
 */
import { isModelConfigError, isProviderError, listModels, type ProviderDefinition, type ProviderModelInfo } from '../../core/models';
import { isInvalidApiKeyError, isKeyringUnavailableError, type ApiKeys } from '../secrets';

/** What the model picker offers for a provider, and whether it came from the provider itself. */
export interface ModelChoices {
  models: ProviderModelInfo[];
  /** True when the provider listed them now; false: its suggestions (the current name first). */
  live: boolean;
  /** Why a provider that lists its models could not (the picker then asks for a typed name). */
  problem?: string;
}

/** Where a provider's models are listed from: the base URL and the key the user set for it. */
export interface ModelListSource {
  baseUrl?: string;
  apiKey?: string;
}

/**
 * The models to offer for a provider: those it lists live when it can (VS Code's chat models; the models of an
 * OpenAI-compatible server, from its `/models` or Ollama's list), else its suggestions with the current name first.
 */
export async function modelChoices(def: ProviderDefinition, current: string, source: ModelListSource = {}): Promise<ModelChoices> {
  const suggested = (): ProviderModelInfo[] => [...new Set([...(current ? [current] : []), ...def.suggestedModels])].map((id) => ({ id }));
  try {
    const listed = await listModels(def, { ...source, env: {} });
    return listed ? { models: listed, live: true } : { models: suggested(), live: false };
  } catch (e) {
    if (!isProviderError(e) && !isModelConfigError(e)) throw e;
    return { models: suggested(), live: false, problem: e.message };
  }
}

/** The key stored for `provider` as a listing source (none when none is stored or the keyring cannot be read). */
export async function keySource(keys: Pick<ApiKeys, 'get'>, provider: ProviderDefinition): Promise<ModelListSource> {
  if (provider.key.kind === 'none') return {};
  try {
    const apiKey = await keys.get(provider.id);
    return apiKey ? { apiKey } : {};
  } catch (e) {
    if (isKeyringUnavailableError(e) || isInvalidApiKeyError(e)) return {};
    throw e;
  }
}
