import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgensFlowExports } from '../../src/extension';
import type { FakeModelServer } from '../fixtures/fake-servers';

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

/** The extension's exports (activating it if needed). */
export async function exportsOf(): Promise<AgensFlowExports> {
  const ext = vscode.extensions.getExtension<AgensFlowExports>(EXTENSION_ID);
  assert.ok(ext);
  const exports = await ext.activate();
  // The engine loads on first use; what these tests read needs it.
  await exports.ready();
  return exports;
}

/** A workspace file's text on disk, or undefined when it does not exist. */
export function disk(rel: string): string | undefined {
  const file = workspaceFile(rel).fsPath;
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** The key the suites store with the extension's own Set API Key command. */
export const TEST_KEY = 'sk-agensflow-test-key-1234567890';

/** Points the extension at the loopback fake OpenAI server, one plan candidate, and stores the test key. */
export async function configure(server: FakeModelServer): Promise<void> {
  const config = vscode.workspace.getConfiguration('agensflow');
  await config.update('provider', 'openai', vscode.ConfigurationTarget.Global);
  await config.update('baseUrl', server.openaiBaseUrl, vscode.ConfigurationTarget.Global);
  await config.update('models.agent', 'fake-model', vscode.ConfigurationTarget.Global);
  await config.update('candidates', 1, vscode.ConfigurationTarget.Global);
  assert.equal(await vscode.commands.executeCommand('agensflow.setApiKey', 'openai', TEST_KEY), true);
}
