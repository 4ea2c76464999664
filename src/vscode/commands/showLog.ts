import * as vscode from 'vscode';

/** Command id (design.md, "Names in VS Code"). */
export const SHOW_LOG_COMMAND = 'agensflow.showLog';

/** `agensflow.showLog`: reveals the `AgensFlow` log channel. */
export function registerShowLogCommand(channel: Pick<vscode.LogOutputChannel, 'show'>): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => channel.show(true));
}
