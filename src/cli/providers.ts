/**
 * The CLI's providers: every provider the core can build. A provider that exists only in another front end is
 * named, so that choosing it says why it cannot run here rather than "unknown provider".
 */
import { coreProviderRegistry, type ProviderRegistry } from '../core/models';

/** A new registry of what the CLI can build, refusing the extension's own providers with the reason. */
export function cliProviders(): ProviderRegistry {
  return coreProviderRegistry().refuse(
    'vscode-lm',
    "it exists only inside VS Code (it uses the chat models VS Code offers, such as Copilot's, through VS Code's Language Model API); use openai, anthropic or openai-compatible here",
  );
}
