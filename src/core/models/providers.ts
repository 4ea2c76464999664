/**
 * The providers the core can build everywhere (the CLI and the extension alike). Adding one: its adapter
 * file exporting a {@link ProviderDefinition}, one line here, and its id in package.json's `agensflow.provider`
 * enum (a unit test keeps the two equal).
 */
import { anthropicProvider } from './anthropic';
import { openaiCompatibleProvider, openaiProvider } from './openai';
import { ProviderRegistry, type ProviderDefinition } from './provider';

export const CORE_PROVIDERS: readonly ProviderDefinition[] = Object.freeze([openaiProvider, openaiCompatibleProvider, anthropicProvider]);

/** A new registry holding the core's providers, for a front end to extend. */
export function coreProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry(CORE_PROVIDERS);
}
