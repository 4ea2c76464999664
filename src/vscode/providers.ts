/**
 * The extension's provider registry: the core's providers, extended with those only the extension can build.
 * package.json's `agensflow.provider` enum and the settings schema list exactly these ids (a unit test keeps
 * them equal).
 */
import { coreProviderRegistry, PROVIDERS, type ProviderRegistry } from '../core/models';

/** The ids the extension registers, in the order of package.json's enum. */
export const EXTENSION_PROVIDER_IDS: readonly string[] = Object.freeze([...PROVIDERS]);

/** Whether `id` names a provider of the extension. */
export function isExtensionProviderId(id: unknown): id is string {
  return typeof id === 'string' && EXTENSION_PROVIDER_IDS.includes(id);
}

/** A new registry of every provider the extension offers. */
export function extensionProviders(): ProviderRegistry {
  return coreProviderRegistry();
}
