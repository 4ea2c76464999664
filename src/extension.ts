import * as vscode from 'vscode';
import { registerShowLogCommand } from './vscode/commands/showLog';
import { registerGraphViews } from './vscode/graphPanelRegistration';
import { contribute as startContribution } from './vscode/contributions';
import type { IDisposable } from './vscode/lifecycle';
import { LOG_CHANNEL_NAME, createLogger } from './vscode/log';
import { PlanFileValidator } from './vscode/planFile/planFileValidator';
import { AGENSFLOW_SETTINGS, SettingsService, workspaceConfigurationSource } from './vscode/settings';

/** What `activate` returns (`Extension.exports`): what tests and other extensions may inspect. */
export interface AgensFlowExports {
  /** Names of the contributions that failed to start (logged with their error); empty when all is well. */
  readonly failedContributions: readonly string[];
}

/**
 * Composes the extension: the log channel and the services, then each contribution, which starts alone
 * and logs why if it fails (see src/vscode/contributions.ts). Everything is owned by
 * `context.subscriptions`.
 */
export function activate(context: vscode.ExtensionContext): AgensFlowExports {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel, 'extension');
  log.info(`activating ${context.extension.id} ${String(context.extension.packageJSON.version)} (VS Code ${vscode.version})`);

  const settings = new SettingsService(AGENSFLOW_SETTINGS, workspaceConfigurationSource(vscode.workspace), log.child('settings'));
  context.subscriptions.push(settings);

  const failedContributions: string[] = [];
  const contribute = (name: string, start: () => IDisposable): void => {
    if (!startContribution(context, log, name, start)) failedContributions.push(name);
  };

  contribute('showLog', () => registerShowLogCommand(channel));
  contribute('validatePlanFile', () => new PlanFileValidator(log.child('validatePlanFile')));
  // The run views (sidebar + graph panel); the returned GraphViews holds the RunViewStore the engine feeds.
  contribute('runViews', () => registerGraphViews(context, { log: log.child('views') }));
  return { failedContributions };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
