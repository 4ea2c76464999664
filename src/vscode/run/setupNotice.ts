/**
 * What VS Code tells the user about a setup problem, in VS Code's words (never the CLI's "--api-key" or
 * "--base-url"), with the buttons that fix it: the command that sets what is missing, Open Settings at the
 * setting, and Retry where trying again is the fix. Chosen by the error's kind and its typed cause, never by
 * its text. Free of `vscode` at run time: unit-tested in Node.
 */
import { isProviderError } from '../../core/models';
import type { RunSetupError } from '../../core/session';
import { COMMANDS } from '../commands/commandIds';

/** One button of a setup message: a command to run (with its arguments), or trying the same start again. */
export type SetupAction =
  | { label: string; kind: 'command'; command: string; args: unknown[] }
  | { label: string; kind: 'retry' };

export interface SetupNotice {
  /** The message, starting with "AgensFlow: ". */
  text: string;
  /** Warnings for states the user chose (Restricted Mode, a run going on); errors otherwise. */
  level: 'error' | 'warning';
  actions: SetupAction[];
}

/** What the notice may name: the provider of the run and how its key can be given. */
export interface SetupNoticeContext {
  /** The provider's id (the Set API Key command's argument). */
  provider?: string;
  /** The provider's name as users know it ("OpenAI"). */
  providerLabel?: string;
  /** The environment variable the provider's key may come from, if any. */
  keyEnv?: string;
  /** Whether the start that failed can be tried again (a Retry button). */
  canRetry: boolean;
}

/** The `workbench.action.openSettings` query of a setting. */
export const OPEN_SETTINGS = 'workbench.action.openSettings';

const command = (label: string, id: string, ...args: unknown[]): SetupAction => ({ label, kind: 'command', command: id, args });

/** The message and buttons for `e`. */
export function setupNotice(e: RunSetupError, ctx: SetupNoticeContext): SetupNotice {
  const cause = isProviderError(e.cause) ? e.cause : undefined;
  const label = ctx.providerLabel ?? cause?.provider ?? ctx.provider ?? 'the provider';
  const provider = ctx.provider ?? cause?.provider;
  const setKey = command('Set API Key', COMMANDS.setApiKey, ...(provider ? [provider] : []));
  const selectModel = command('Select Provider and Model…', COMMANDS.selectModel);
  const retry: SetupAction[] = ctx.canRetry ? [{ label: 'Retry', kind: 'retry' }] : [];
  const error = (text: string, actions: SetupAction[]): SetupNotice => ({ text: `AgensFlow: ${text}`, level: 'error', actions });
  const own = e.message.replace(/^AgensFlow:?\s*/, '');
  switch (e.kind) {
    case 'no-key':
      return error(`No API key for ${label}.${ctx.keyEnv ? ` Store one in VS Code's secret storage, or set ${ctx.keyEnv} in the environment VS Code starts in.` : ''}`, [setKey]);
    case 'rejected-key':
      if (cause?.kind === 'permission') {
        return error(`${label} refused access to model '${cause.model}'${cause.status ? ` (HTTP ${cause.status})` : ''}: this API key may not use it. Choose another model, or store a key that may.`, [selectModel, setKey]);
      }
      return error(`${label} rejected the API key${cause?.status ? ` (HTTP ${cause.status})` : ''}. Store a valid key.`, [setKey, ...retry]);
    case 'unreachable': {
      const where = cause?.baseUrl ? ` at ${cause.baseUrl}` : '';
      const why = cause?.kind === 'timeout' ? 'it did not answer in time' : 'the connection failed';
      return error(`cannot reach ${label}${where}: ${why}. Check that the server runs and that agensflow.baseUrl is right.`, [
        command('Open Settings', OPEN_SETTINGS, 'agensflow.baseUrl'), ...retry, command('Show Log', COMMANDS.showLog),
      ]);
    }
    case 'bad-endpoint':
      return error(own, [selectModel, command('Open Settings', OPEN_SETTINGS, 'agensflow.baseUrl')]);
    case 'no-model':
    case 'unavailable-provider':
    case 'model-unavailable':
      return error(own, [selectModel]);
    case 'no-consent':
      return error(own, ctx.canRetry ? [{ label: 'Try Again', kind: 'retry' }] : []);
    case 'untrusted':
      return { text: `AgensFlow: ${own}`, level: 'warning', actions: [command('Manage Workspace Trust', 'workbench.trust.manage')] };
    case 'busy':
      return { text: `AgensFlow: ${own}`, level: 'warning', actions: [command('Show Graph', COMMANDS.showGraph)] };
    case 'no-folder':
      return error(own, []);
    case 'bad-settings':
      return error(own, [command('Open Settings', OPEN_SETTINGS, 'agensflow'), command('Show Log', COMMANDS.showLog)]);
  }
}
