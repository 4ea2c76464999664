import * as vscode from 'vscode';

/** The extension under test (design.md: extension id `agensflow.agensflow`). */
export const EXTENSION_ID = 'agensflow.agensflow';

/** The workspace folder the driver opened: a fresh copy of test/integration/fixtures/workspace. */
export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the in-host suite needs an open workspace folder (the driver opens one)');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Resolves with the next diagnostics of `uri` that satisfy `accept` (no sleeping: waits on the event). */
export function nextDiagnostics(uri: vscode.Uri, accept: (d: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const current = vscode.languages.getDiagnostics(uri);
      if (!accept(current)) return;
      sub.dispose();
      resolve(current);
    });
  });
}

/** Closes every editor, discarding unsaved edits, so one test's editors do not steer the next. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
