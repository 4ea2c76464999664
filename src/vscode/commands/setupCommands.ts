/**
 * Setting up a provider: "Set API Key…" (per provider, into SecretStorage) and "Select Provider and Model…"
 * (writes `agensflow.provider`, `agensflow.models.agent` and, for a local server, `agensflow.baseUrl`).
 * Both also take their answers as arguments, for the walkthrough's buttons and for tests.
 */
import * as vscode from 'vscode';
import { apiKeyProblem, keyEnvOf, needsKey, type ProviderDefinition, type ProviderModelInfo, type ProviderRegistry } from '../../core/models';
import { keySource, modelChoices, type ModelListSource } from './modelChoices';
import { isInvalidApiKeyError, isKeyringUnavailableError, KEYCHAIN_HELP_URL, type ApiKeys } from '../secrets';
import { COMMANDS } from './commandIds';
import { VSCODE_LM_PROVIDER_ID } from '../lm/api';
import { SETTINGS_SECTION } from '../settings';
import type { Logger } from '../log';


/** Writes a setting where it takes effect: the workspace when the workspace already sets it, else the user. */
async function writeSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const target = config.inspect(key)?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
}

/** Asks for one of `defs` (the registry's providers, or those that take a key). */
async function pickProvider(defs: readonly ProviderDefinition[], keys: ApiKeys, placeHolder: string): Promise<ProviderDefinition | undefined> {
  const current = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('provider');
  const items = await Promise.all(defs.map(async (def) => ({
    def,
    label: def.label,
    description: [def.id === current ? 'current' : '', def.key.kind !== 'none' && (await keys.stored(def.id)) ? 'key stored' : ''].filter(Boolean).join(', '),
    detail: def.detail,
  })));
  const pick = await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true });
  return pick?.def;
}

/** The provider named by a command's argument, when the registry holds it. */
function providerArgOf(providers: ProviderRegistry, arg: unknown): ProviderDefinition | undefined {
  return typeof arg === 'string' ? providers.get(arg) : undefined;
}

/**
 * Tells the user a key could not be stored or read: an invalid key says what is wrong with it, an unavailable
 * keyring offers VS Code's keychain troubleshooting (nothing falls back to settings or files). Returns
 * whether `e` was one of those; other errors are the caller's.
 */
export function reportKeyError(e: unknown, log: Logger): boolean {
  if (isInvalidApiKeyError(e)) {
    log.warn(e.message);
    void vscode.window.showErrorMessage(`AgensFlow: ${e.message}. Copy the key again and paste only the key.`);
    return true;
  }
  if (isKeyringUnavailableError(e)) {
    log.warn(e.message);
    const TROUBLESHOOT = 'Open Keychain Troubleshooting';
    void vscode.window.showErrorMessage(`AgensFlow: ${e.message}`, TROUBLESHOOT).then((c) => {
      if (c === TROUBLESHOOT) void vscode.env.openExternal(vscode.Uri.parse(KEYCHAIN_HELP_URL));
    });
    return true;
  }
  return false;
}

/**
 * "Set API Key…": stores (or, when left empty, removes) a provider's key, trimmed; a key with an inner space
 * or a non-ASCII character is refused as it is typed and again at save time. Never shows or logs the key.
 */
export function registerSetApiKey(providers: ProviderRegistry, keys: ApiKeys, log: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.setApiKey, async (providerArg?: unknown, keyArg?: unknown): Promise<boolean> => {
    const keyed = providers.list().filter((d) => d.key.kind !== 'none');
    const def = providerArgOf(providers, providerArg) ?? (await pickProvider(keyed, keys, 'The provider whose API key to store'));
    if (!def || def.key.kind === 'none') return false;
    const provider = def.id;
    const key = typeof keyArg === 'string' ? keyArg : await vscode.window.showInputBox({
      title: `AgensFlow: API key for ${def.label}`,
      prompt: `Stored in VS Code's secret storage; it wins over ${keyEnvOf(def) ?? 'the environment'}. Leave empty to remove the stored key.`,
      password: true,
      ignoreFocusOut: true,
      // Empty removes the stored key; anything else must be sendable.
      validateInput: (v) => (v.trim() === '' ? undefined : apiKeyProblem(v)),
    });
    if (key === undefined) return false;
    try {
      await keys.set(provider, key);
    } catch (e) {
      if (reportKeyError(e, log)) return false;
      throw e;
    }
    const removed = key.trim() === '';
    log.info(`${removed ? 'removed' : 'stored'} the API key for ${provider}`);
    if (typeof keyArg !== 'string') void vscode.window.showInformationMessage(`AgensFlow: ${removed ? 'removed the' : 'stored the'} API key for ${def.label}.`);
    return true;
  });
}

/** {@link modelChoices} as the picker's items. */
function modelItems(listed: readonly ProviderModelInfo[], current: string): vscode.QuickPickItem[] {
  return listed.map((m): vscode.QuickPickItem => ({
    label: m.id,
    description: [m.id === current ? 'current' : '', m.label && m.label !== m.id ? m.label : ''].filter(Boolean).join(' · '),
    ...(m.detail ? { detail: m.detail } : {}),
  }));
}

/** "Select Provider and Model…": provider, then (for a local server) its base URL, then the agents' model. */
export function registerSelectModel(providers: ProviderRegistry, keys: ApiKeys, log: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.selectModel, async (providerArg?: unknown, modelArg?: unknown, baseUrlArg?: unknown): Promise<boolean> => {
    const def = providerArgOf(providers, providerArg) ?? (await pickProvider(providers.list(), keys, 'The model provider for every role'));
    if (!def) return false;
    const provider = def.id;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    let baseUrl: string | undefined = typeof baseUrlArg === 'string' ? baseUrlArg : undefined;
    // A provider with no default endpoint (a local server) needs one from the user.
    if (baseUrl === undefined && def.baseUrl.used && def.baseUrl.default === undefined) {
      baseUrl = await vscode.window.showInputBox({
        title: 'AgensFlow: base URL of the server',
        value: config.get<string>('baseUrl') || 'http://localhost:11434/v1',
        prompt: 'Given to the SDK unchanged: http://localhost:11434/v1 for Ollama, http://localhost:1234/v1 for LM Studio',
        ignoreFocusOut: true,
        validateInput: (v) => (/^https?:\/\/[^\s]+$/.test(v.trim()) ? undefined : 'An http:// or https:// URL'),
      });
      if (baseUrl === undefined) return false;
    }
    let model = typeof modelArg === 'string' ? modelArg : undefined;
    if (model === undefined) {
      const current = config.get<string>('models.agent') ?? '';
      const OTHER = 'Another model…';
      // Listed from the address the user just confirmed (or passed), with the key stored for this provider.
      const source: ModelListSource = { ...(baseUrl?.trim() ? { baseUrl: baseUrl.trim() } : {}), ...(await keySource(keys, def)) };
      const choices = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `AgensFlow: listing the models of ${def.label}` },
        () => modelChoices(def, current, source),
      );
      const items = modelItems(choices.models, current);
      if (choices.live && items.length === 0 && def.id === VSCODE_LM_PROVIDER_ID) {
        // A live list that is empty: nothing to choose until a model provider (e.g. GitHub Copilot) is set up.
        const OTHER_PROVIDER = 'Choose Another Provider…';
        const choice = await vscode.window.showWarningMessage(`AgensFlow: ${def.label}: VS Code offers no chat model now. Install and sign in to GitHub Copilot (or another extension that provides chat models), or choose another provider.`, OTHER_PROVIDER);
        if (choice) await vscode.commands.executeCommand(COMMANDS.selectModel);
        return false;
      }
      if (choices.problem) log.warn(`could not list the models of ${def.label}: ${choices.problem}`);
      // A server that listed nothing, or could not list, leaves a typed name (saying why).
      const typedOnly = items.length === 0 || choices.problem !== undefined;
      const pick = typedOnly ? { label: OTHER } : await vscode.window.showQuickPick([...items, { label: OTHER, description: 'type a name' }], { placeHolder: 'The model of the agents (the planner, inspector and updater use it unless set apart)', ignoreFocusOut: true });
      if (!pick) return false;
      const example = provider === 'openai-compatible' ? 'As the server names it, e.g. qwen2.5-coder:7b' : 'e.g. gpt-4.1-mini';
      const why = choices.problem ? `Could not list the server's models (${choices.problem}). ` : choices.live && items.length === 0 ? 'The server lists no model. ' : '';
      model = pick.label !== OTHER ? pick.label : await vscode.window.showInputBox({ title: 'AgensFlow: model name', value: current, prompt: `${why}${example}`, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A model name') });
      if (!model) return false;
    }
    await writeSetting('provider', provider);
    if (baseUrl !== undefined) await writeSetting('baseUrl', baseUrl.trim());
    await writeSetting('models.agent', model.trim());
    log.info(`provider ${provider}, agent model ${model.trim()}${baseUrl ? `, base URL ${baseUrl.trim()}` : ''}`);
    const env = keyEnvOf(def);
    if (needsKey(def) && env && (await keys.stored(provider)) === false && !process.env[env] && typeof modelArg !== 'string') {
      const choice = await vscode.window.showInformationMessage(`AgensFlow: ${def.label} needs an API key (none is stored and ${env} is not set).`, 'Set API Key…');
      if (choice) await vscode.commands.executeCommand(COMMANDS.setApiKey, provider);
    }
    return true;
  });
}
