/**
 * The New Task editor in a real VS Code (code-server): a task started with a Markdown preview open leaves no
 * empty "Untitled-N" tab behind and keeps the preview; a task whose run stops before it has a plan (no model
 * set) comes back in its editor with the typed text; in Restricted Mode New Task opens no editor at all.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgensFlowExports } from '../../src/extension';
import type { RunResult } from '../../src/vscode/run/runController';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { EXTENSION_ID, closeAllEditors, workspaceFile } from './helpers';

const KEY = 'sk-agensflow-task-editor-1234567890';
const PLAN = { goal: 'notes', tasks: [{ id: 'notes', title: 'Write notes', objective: 'a notes file', files: ['app/notes.txt'] }] };

function handler(req: RecordedRequest): FakeReply {
  if (req.tools.includes('submit_workflow')) return reply.tool('submit_workflow', PLAN);
  if (req.tools.includes('submit_verdict')) return reply.tool('submit_verdict', { pass: true, reasons: ['ok'] });
  const messages = ((req.body as { messages?: { role: string }[] }).messages ?? []);
  if (!messages.some((m) => m.role === 'assistant')) return { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: 'app/notes.txt', content: 'notes\n' } }] };
  return reply.tool('finish', { summary: 'done' });
}

/** Every tab's input, in every group. */
const allTabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
const untitledTabs = (): vscode.Tab[] => allTabs().filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'untitled');

/**
 * Resolves when `doc` holds nothing unsaved: closed, or not dirty (waits on VS Code's events: the extension
 * host hears of a revert or a close a little after the tab is gone, and keeps documents an extension opened
 * for a while after their editors close).
 */
function discarded(doc: vscode.TextDocument): Promise<void> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      if (!doc.isClosed && doc.isDirty) return false;
      for (const sub of subs) sub.dispose();
      resolve();
      return true;
    };
    const subs: vscode.Disposable[] = [];
    subs.push(vscode.workspace.onDidCloseTextDocument(check), vscode.workspace.onDidChangeTextDocument(check));
    check();
  });
}

/** New Task, then the typed task below the header; returns the task editor. */
async function typeTask(text: string): Promise<vscode.TextEditor> {
  await vscode.commands.executeCommand('agensflow.newTask');
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor && editor.document.isUntitled, 'New Task opened an untitled editor');
  const end = editor.document.positionAt(editor.document.getText().length);
  assert.ok(await editor.edit((b) => b.insert(end, text)));
  return editor;
}

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerTaskEditorTests(): void {
  describe('AgensFlow: the New Task editor', function () {
    this.timeout(90_000);
    let server: FakeModelServer | undefined;
    const config = () => vscode.workspace.getConfiguration('agensflow');

    before(async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      server = await FakeModelServer.start({ handler });
      await config().update('provider', 'openai', vscode.ConfigurationTarget.Global);
      await config().update('baseUrl', server.openaiBaseUrl, vscode.ConfigurationTarget.Global);
      await config().update('models.agent', 'fake-model', vscode.ConfigurationTarget.Global);
      await config().update('candidates', 1, vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand('agensflow.setApiKey', 'openai', KEY), true);
      await vscode.extensions.getExtension<AgensFlowExports>(EXTENSION_ID)?.activate();
    });
    after(async () => {
      await closeAllEditors();
      await config().update('models.agent', 'fake-model', vscode.ConfigurationTarget.Global);
      await server?.close();
    });

    it('a task started with a Markdown preview open leaves no Untitled tab, and the preview stays', async () => {
      await closeAllEditors();
      const readme = workspaceFile('README.md');
      fs.writeFileSync(readme.fsPath, '# Notes app\n\nA small app.\n');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(readme));
      await vscode.commands.executeCommand('markdown.showPreviewToSide');
      const previewTabs = (): vscode.Tab[] => allTabs().filter((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType));
      assert.equal(previewTabs().length, 1, 'a Markdown preview is open');
      const editor = await typeTask('write notes');
      // Start Task as the editor title button does, from the task editor's group.
      await vscode.window.showTextDocument(editor.document, editor.viewColumn);
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.startTask');
      assert.equal(result?.status, 'completed');
      assert.deepEqual(untitledTabs().map((t) => t.label), [], 'no Untitled tab is left');
      // Nothing unsaved is left for hot exit to bring back as an empty tab after a reload.
      await discarded(editor.document);
      assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.isDirty).map((d) => d.uri.toString()), [], 'no unsaved untitled buffer is left');
      assert.equal(previewTabs().length, 1, 'the preview is still open');
      assert.ok(!/Untitled/.test(previewTabs()[0]?.label ?? ''), `the preview shows ${previewTabs()[0]?.label}`);
      await closeAllEditors();
      fs.rmSync(readme.fsPath, { force: true });
    });

    it('a task whose run stops before a plan (no model set) comes back in its editor with the typed text', async () => {
      await closeAllEditors();
      await config().update('models.agent', '', vscode.ConfigurationTarget.Global);
      await typeTask('a gobang game\nwith a GUI');
      const requests = server?.requests.length ?? 0;
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.startTask');
      assert.equal(result?.status, 'failed');
      assert.equal(result?.planned, false);
      assert.equal(server?.requests.length, requests, 'nothing was sent');
      const back = vscode.window.activeTextEditor?.document;
      assert.ok(back?.isUntitled, 'the task editor is open again');
      assert.match(back.getText(), /a gobang game\nwith a GUI$/);
      assert.equal(untitledTabs().length, 1, 'one task editor, not the old one emptied beside the new');
      await config().update('models.agent', 'fake-model', vscode.ConfigurationTarget.Global);
      await closeAllEditors();
    });
  });

  describe('AgensFlow: New Task in Restricted Mode', () => {
    it('says so before anything is typed: no task editor opens', async function () {
      if (vscode.workspace.isTrusted) this.skip();
      await closeAllEditors();
      await vscode.commands.executeCommand('agensflow.newTask');
      assert.deepEqual(untitledTabs(), []);
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled));
    });
  });
}
