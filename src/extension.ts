import * as vscode from 'vscode';
import { registerShowLogCommand } from './vscode/commands/showLog';
import { registerGraphViews } from './vscode/graphPanelRegistration';
import { contribute } from './vscode/contributions';
import { LOG_CHANNEL_NAME, createLogger } from './vscode/log';
import { PlanFileValidator } from './vscode/planFile/planFileValidator';
import { AGENSFLOW_SETTINGS, SettingsService, workspaceConfigurationSource } from './vscode/settings';

/**
 * Composes the extension: the log channel and the services, then each contribution, which starts alone
 * and logs why if it fails (see src/vscode/contributions.ts). Everything is owned by
 * `context.subscriptions`.
 */
export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel, 'extension');
  log.info(`activating ${context.extension.id} ${String(context.extension.packageJSON.version)} (VS Code ${vscode.version})`);

  const settings = new SettingsService(AGENSFLOW_SETTINGS, workspaceConfigurationSource(vscode.workspace), log.child('settings'));
  context.subscriptions.push(settings);

  contribute(context, log, 'showLog', () => registerShowLogCommand(channel));
  contribute(context, log, 'validatePlanFile', () => new PlanFileValidator(log.child('validatePlanFile')));
  // The run views (sidebar + graph panel); the returned GraphViews holds the RunViewStore the engine feeds.
  contribute(context, log, 'runViews', () => registerGraphViews(context, { log: log.child('views') }));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
