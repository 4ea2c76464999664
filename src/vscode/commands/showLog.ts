import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';

/** `agensflow.showLog`: reveals the `AgensFlow` log channel. */
export function registerShowLogCommand(channel: Pick<vscode.LogOutputChannel, 'show'>): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.showLog, () => channel.show(true));
}
