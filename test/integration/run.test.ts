/**
 * The run experience in a real VS Code (code-server): a task planned and run against the loopback fake
 * OpenAI server through the real SDK, the key set with the extension's own command, then the review:
 * the diff shows the proposed content, accepting writes files, Undo reverts them, rejecting leaves no trace,
 * a file changed since the run read it is a conflict and is kept. In Restricted Mode (the driver's
 * `--workspace-trust` launch) nothing runs and no request reaches the model.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AcceptOutcome } from '../../src/vscode/review/reviewService';
import type { RunResult } from '../../src/vscode/run/runController';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { TEST_KEY, closeAllEditors, configure, disk, exportsOf, workspaceFile } from './helpers';

const KEY = TEST_KEY;

const PLAN = {
  goal: 'a tiny app',
  tasks: [
    { id: 'edit', title: 'Edit the existing file', objective: 'rewrite it', files: ['app/existing.txt'] },
    { id: 'create', title: 'Create a file', objective: 'a new file', deps: ['edit'], files: ['app/new.txt'] },
    { id: 'drop', title: 'A file to reject', objective: 'rejected later', files: ['app/rejected.txt'] },
    { id: 'clash', title: 'A file the user also writes', objective: 'conflicts', files: ['app/clash.txt'] },
  ],
};

/** What the fake agent writes into a file. */
const proposed = (file: string, task: string): string => `proposed ${file} by ${task}\n`;

/** Planner: the plan above. Agents: turn 1 writes every owned file, turn 2 finishes. */
function handler(req: RecordedRequest): FakeReply {
  if (req.tools.includes('submit_workflow')) return reply.tool('submit_workflow', PLAN);
  const messages = ((req.body as { messages?: { role: string; content?: unknown }[] }).messages ?? []);
  const first = messages.find((m) => m.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : '';
  const id = /^Task ([a-z0-9_-]+): /.exec(text)?.[1];
  const task = PLAN.tasks.find((t) => t.id === id);
  if (!task) return reply.tool('submit_verdict', { pass: true, reasons: [] });
  if (!messages.some((m) => m.role === 'assistant')) {
    return { kind: 'message', toolCalls: task.files.map((p) => ({ name: 'write_file', arguments: { path: p, content: proposed(p, task.id) } })) };
  }
  return reply.tool('finish', { summary: `${task.id} done` });
}

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerRunTests(): void {
  describe('AgensFlow: a run and its review (fake OpenAI server)', function () {
    this.timeout(90_000);
    let server: FakeModelServer;
    let result: RunResult | undefined;

    before(async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      server = await FakeModelServer.start({ handler });
      await configure(server);
      await exportsOf();
    });
    after(async () => {
      await closeAllEditors();
      await server?.close();
    });

    it('plans and runs a task; every request carried the stored key; nothing is written before review', async () => {
      result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'a tiny app');
      assert.ok(result, 'the run did not start');
      const state = (await exportsOf()).runState();
      assert.equal(state.run?.runId, result.runId);
      assert.deepEqual(Object.keys(state.statuses).sort(), ['clash', 'create', 'drop', 'edit']);
      for (const [id, s] of Object.entries(state.statuses)) assert.ok(s === 'passed' || s === 'unverified', `${id} is ${s}`);
      assert.ok(server.requests.length >= 9, `${server.requests.length} requests`);
      for (const r of server.requests) assert.equal(r.apiKey, KEY);
      assert.equal(disk('app/existing.txt'), 'original\n');
      assert.equal(disk('app/new.txt'), undefined);
      for (const id of ['edit', 'create', 'drop', 'clash']) assert.equal(state.tasks[id]?.patch?.state, 'proposed');
    });

    it('opens one file\'s diff: the workspace file against the proposed content', async () => {
      assert.ok(result);
      const shown = await vscode.commands.executeCommand<number>('agensflow.reviewChanges', 'edit', 'app/existing.txt');
      assert.equal(shown, 1);
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert.ok(tab?.input instanceof vscode.TabInputTextDiff, 'no diff editor is active');
      assert.equal(tab.input.original.toString(), workspaceFile('app/existing.txt').toString());
      assert.equal(tab.input.modified.scheme, 'agensflow-proposed');
      const right = await vscode.workspace.openTextDocument(tab.input.modified);
      assert.equal(right.getText(), proposed('app/existing.txt', 'edit'));
      const all = await vscode.commands.executeCommand<number>('agensflow.reviewChanges');
      assert.equal(all, 4, 'the multi-file diff shows every pending file');
      await closeAllEditors();
    });

    it('accepting writes the files; Undo reverts them', async () => {
      const edit = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'edit');
      assert.equal(edit.state, 'applied');
      assert.equal(disk('app/existing.txt'), proposed('app/existing.txt', 'edit'));
      assert.equal((await exportsOf()).runState().tasks.edit?.patch?.state, 'applied');
      const doc = await vscode.workspace.openTextDocument(workspaceFile('app/existing.txt'));
      await vscode.window.showTextDocument(doc);
      // The review saves the reverted file (as accepting saved it) once it has put the patch back to proposed.
      const saved = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidSaveTextDocument((d) => {
          if (d.uri.toString() !== doc.uri.toString()) return;
          sub.dispose();
          resolve();
        });
      });
      await vscode.commands.executeCommand('undo');
      assert.equal(doc.getText(), 'original\n');
      await saved;
      assert.equal(doc.isDirty, false, 'the reverted file is left dirty');
      assert.equal(disk('app/existing.txt'), 'original\n');
      assert.equal((await exportsOf()).runState().tasks.edit?.patch?.state, 'proposed', 'the journal still says applied after Undo');

      const created = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'create');
      assert.equal(created.state, 'applied');
      assert.equal(disk('app/new.txt'), proposed('app/new.txt', 'create'));
      const state = (await exportsOf()).runState();
      assert.equal(state.tasks.create?.patch?.state, 'applied');
      // Undo of a created file deletes it again.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile('app/new.txt')));
      await vscode.commands.executeCommand('undo');
      assert.equal(disk('app/new.txt'), undefined);
      // Re-derived on demand: the review lists the file as pending again, and the patch is proposed.
      assert.equal(await vscode.commands.executeCommand<number>('agensflow.reviewChanges', 'create'), 1);
      assert.equal((await exportsOf()).runState().tasks.create?.patch?.state, 'proposed');
      await closeAllEditors();
    });

    it('rejecting leaves no trace in the workspace', async () => {
      const before = fs.readdirSync(workspaceFile('app').fsPath).sort();
      assert.equal(await vscode.commands.executeCommand('agensflow.rejectTask', 'drop'), true);
      assert.deepEqual(fs.readdirSync(workspaceFile('app').fsPath).sort(), before);
      assert.equal(disk('app/rejected.txt'), undefined);
      const exports = await exportsOf();
      assert.equal(exports.runState().tasks.drop?.patch?.state, 'rejected');
      const journal = JSON.parse(fs.readFileSync(path.join(exports.stateDir, 'runs', result?.runId ?? '', 'patches', 'drop.json'), 'utf8')) as { state: string };
      assert.equal(journal.state, 'rejected');
    });

    it('Undo Reject (palette command) brings the proposal back; Undo Accept puts the file back and the patch is proposed again', async () => {
      assert.equal(await vscode.commands.executeCommand('agensflow.undoReject', 'drop'), true);
      assert.equal((await exportsOf()).runState().tasks.drop?.patch?.state, 'proposed');
      assert.equal(disk('app/rejected.txt'), undefined);
      assert.equal(await vscode.commands.executeCommand<number>('agensflow.reviewChanges', 'drop'), 1, 'the proposal is back in review');
      await closeAllEditors();

      const accepted = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'edit');
      assert.equal(accepted.state, 'applied');
      assert.equal(disk('app/existing.txt'), proposed('app/existing.txt', 'edit'));
      assert.equal(await vscode.commands.executeCommand('agensflow.undoAccept', 'edit'), true);
      assert.equal(disk('app/existing.txt'), 'original\n');
      assert.equal((await exportsOf()).runState().tasks.edit?.patch?.state, 'proposed');
      await closeAllEditors();
    });

    it('a file written since the run read it is a conflict, shown and never overwritten', async () => {
      fs.writeFileSync(workspaceFile('app/clash.txt').fsPath, 'mine\n');
      const outcome = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'clash');
      assert.equal(outcome.state, 'conflicted');
      assert.equal(disk('app/clash.txt'), 'mine\n');
      assert.equal((await exportsOf()).runState().tasks.clash?.patch?.state, 'conflicted');
    });
  });

  describe('AgensFlow in Restricted Mode', () => {
    it('refuses to run a task and sends nothing to the model', async function () {
      if (vscode.workspace.isTrusted) this.skip();
      const server = await FakeModelServer.start({ handler });
      try {
        await configure(server);
        const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'a tiny app');
        assert.equal(result, undefined);
        const plan = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.runPlanFile', workspaceFile('valid.plan.json'));
        assert.equal(plan, undefined);
        assert.equal(server.requests.length, 0);
        // A workspace value of a restricted setting is ignored; the views still work.
        await vscode.commands.executeCommand('agensflow.showGraph');
      } finally {
        await server.close();
      }
    });
  });
}
