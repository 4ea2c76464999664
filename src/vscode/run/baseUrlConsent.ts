/**
 * A base URL chosen by the folder's own settings (`.vscode/settings.json` or the `.code-workspace` file) is
 * where the user's API key would go. In Restricted Mode VS Code ignores it (`restrictedConfigurations`);
 * once the user trusts the folder it takes effect without a reload, so before its first use AgensFlow
 * names the address and asks. An approval is kept per address in the workspace's own state (the extension's
 * storage, which the folder cannot write), so the folder changing the address asks again. A base URL from
 * the user's settings is the user's own choice and is never asked about.
 *
 * Free of `vscode` at run time: unit-tested in Node.
 */
import type { ProviderId } from '../../core/models';

/** The workspace-state key of the approved addresses (versioned: an invalid value counts as none). */
export const BASE_URL_CONSENT_KEY = 'agensflow.baseUrlConsent.v1';

/** Where the effective `agensflow.baseUrl` comes from, as `WorkspaceConfiguration.inspect` tells. */
export interface BaseUrlOrigin {
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface BaseUrlConsentDeps {
  /** `getConfiguration('agensflow').inspect('baseUrl')`, read at each check. */
  inspect(): BaseUrlOrigin | undefined;
  /** The approved addresses: a slice of the extension's workspace state. */
  memento: { get(): unknown; update(urls: string[]): PromiseLike<void> };
  /** Asks the user (a modal dialog in VS Code); resolves true to use the address. */
  ask(question: string): PromiseLike<boolean>;
}

/** Whether `baseUrl` (the effective value) was set by the folder rather than by the user. */
export function setByFolder(baseUrl: string, origin: BaseUrlOrigin | undefined): boolean {
  const folderValue = origin?.workspaceFolderValue ?? origin?.workspaceValue;
  return typeof folderValue === 'string' && folderValue.trim() === baseUrl.trim() && baseUrl.trim() !== '';
}

/** The question put to the user. */
export function consentQuestion(provider: ProviderId, baseUrl: string): string {
  const key = provider === 'openai-compatible' ? '' : `, with your ${provider} API key,`;
  return `This folder's settings send AgensFlow's model requests${key} to ${baseUrl}. Use this address? (To choose it yourself, set agensflow.baseUrl in your user settings.)`;
}

/** Approved addresses from a stored value (anything malformed: none). */
function approved(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Resolves true when `baseUrl` may be used: set by the user, or set by the folder and approved (now or
 * before). A decline is not remembered: the next run asks again.
 */
export async function confirmBaseUrl(deps: BaseUrlConsentDeps, provider: ProviderId, baseUrl: string): Promise<boolean> {
  const url = baseUrl.trim();
  if (!setByFolder(url, deps.inspect())) return true;
  const known = approved(deps.memento.get());
  if (known.includes(url)) return true;
  if (!(await deps.ask(consentQuestion(provider, url)))) return false;
  await deps.memento.update([...known, url].slice(-20));
  return true;
}

/**
 * The notice shown when the user trusts the folder and its settings choose a base URL not approved yet: the
 * address takes effect now, so it is named at once (the question still comes before the first request).
 * Undefined when there is nothing to tell.
 */
export function folderBaseUrlNotice(deps: Pick<BaseUrlConsentDeps, 'inspect' | 'memento'>, provider: ProviderId, baseUrl: string): string | undefined {
  const url = baseUrl.trim();
  if (!setByFolder(url, deps.inspect()) || approved(deps.memento.get()).includes(url)) return undefined;
  const key = provider === 'openai-compatible' ? '' : ` with your ${provider} API key`;
  return `This folder's settings set agensflow.baseUrl: now that the folder is trusted, AgensFlow's model requests would go${key} to ${url}. You will be asked before the first one is sent; to choose the address yourself, set agensflow.baseUrl in your user settings.`;
}
