/**
 * The extension's provider registry: the core's providers, extended with those only the extension can build
 * (`vscode-lm`, VS Code's Language Model API). package.json's `agensflow.provider` enum and the settings schema
 * list exactly these ids (a unit test keeps them equal).
 */
import { coreProviderRegistry, PROVIDERS, type ProviderRegistry } from '../core/models';
import { VSCODE_LM_PROVIDER_ID, type LmApi } from './lm/api';
import { vscodeLmProvider } from './lm/provider';

/** The ids the extension registers, in the order of package.json's enum. */
export const EXTENSION_PROVIDER_IDS: readonly string[] = Object.freeze([...PROVIDERS, VSCODE_LM_PROVIDER_ID]);

/** Whether `id` names a provider of the extension. */
export function isExtensionProviderId(id: unknown): id is string {
  return typeof id === 'string' && EXTENSION_PROVIDER_IDS.includes(id);
}

/** A new registry of every provider the extension offers; `api` is the `vscode` module (a fake in Node tests). */
export function extensionProviders(api: LmApi): ProviderRegistry {
  return coreProviderRegistry().register(vscodeLmProvider(api));
}
