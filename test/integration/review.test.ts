/**
 * The review in a real VS Code (code-server): the multi-file diff with its Accept/Reject File and Accept/Reject
 * Task (the menu commands called with the URIs VS Code passes them), the view refreshed after every decision,
 * modified files shown as modifications, Undo Accept / Undo Reject as the graph and the sidebar post them, and
 * the notification's Undo button (run through the workbench's own "accept the notification's primary action").
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PatchState } from '../../src/core/run/events';
import type { AcceptOutcome } from '../../src/vscode/review/reviewService';
import type { RunResult } from '../../src/vscode/run/runController';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { closeAllEditors, configure, disk, exportsOf, workspaceFile } from './helpers';

const PLAN = {
  goal: 'review flow',
  tasks: [
    { id: 'pair', title: 'Edit one file and create another', objective: 'two files', files: ['review/a.txt', 'review/b.txt'] },
    { id: 'whole', title: 'Edit a third file', objective: 'one file', files: ['review/c.txt'] },
    { id: 'later', title: 'Edit a fourth file', objective: 'rejected, then back', files: ['review/d.txt'] },
    { id: 'clean', title: 'Append to a file the user edits elsewhere', objective: 'merges cleanly', files: ['review/e.txt'] },
    { id: 'overlap', title: 'Append where the user appends too', objective: 'conflicts', files: ['review/f.txt'] },
    { id: 'again', title: 'Append where the user appends too, then re-run', objective: 'conflicts, then re-run', files: ['review/g.txt'] },
  ],
};

const ORIGINAL: Record<string, string> = {
  'review/a.txt': 'a1\na2\na3\n', 'review/c.txt': 'c1\n', 'review/d.txt': 'd1\n', 'review/e.txt': 'e1\ne2\ne3\ne4\ne5\n', 'review/f.txt': 'f1\n', 'review/g.txt': 'g1\n',
};

/** What the fake agent appends to a file. */
const line = (file: string): string => `proposed ${file}\n`;
/** What the fake agent proposes for a file of the run's first pass (it appends to the original). */
const proposed = (file: string): string => `${ORIGINAL[file] ?? ''}${line(file)}`;

/** Planner: the plan above. Agents: turn 1 writes every owned file, turn 2 finishes. */
function handler(req: RecordedRequest): FakeReply {
  if (req.tools.includes('submit_workflow')) return reply.tool('submit_workflow', PLAN);
  if (req.tools.includes('submit_verdict')) return reply.tool('submit_verdict', { pass: true, reasons: [] });
  const messages = ((req.body as { messages?: { role: string; content?: unknown }[] }).messages ?? []);
  const first = messages.find((m) => m.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : '';
  const id = /^Task ([a-z0-9_-]+): /.exec(text)?.[1];
  const task = PLAN.tasks.find((t) => t.id === id);
  if (!task) return reply.tool('submit_verdict', { pass: true, reasons: [] });
  if (!messages.some((m) => m.role === 'assistant')) {
    // The agent appends its line to the file as it is when the task runs (a re-run sees the user's version).
    return { kind: 'message', toolCalls: task.files.map((p) => ({ name: 'write_file', arguments: { path: p, content: `${disk(p) ?? ''}${line(p)}` } })) };
  }
  return reply.tool('finish', { summary: `${task.id} done` });
}

/** The multi-file diff tabs open now, with their pairs (VS Code 1.96 gives the input as `{ textDiffs }`). */
function multiDiffTabs(): { tab: vscode.Tab; diffs: vscode.TabInputTextDiff[] }[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).flatMap((tab) => {
    const diffs = (tab.input as { textDiffs?: unknown } | undefined)?.textDiffs;
    return Array.isArray(diffs) ? [{ tab, diffs: diffs.filter((d): d is vscode.TabInputTextDiff => d instanceof vscode.TabInputTextDiff) }] : [];
  });
}

/** The workspace-relative path of a proposed (or workspace) document. */
function relOf(uri: vscode.Uri): string {
  return uri.path.slice(workspaceFile('').path.replace(/\/$/, '').length + 1);
}

/**
 * What the open multi-file reviews show: the count of their tab labels ("… (3 files)") and the paths of their
 * pairs (VS Code lists only files with both sides there, so a created file counts but is not listed).
 */
function shown(): { files: number; pairs: string[] } {
  const tabs = multiDiffTabs();
  const files = tabs.reduce((n, t) => n + Number(/\((\d+) files?\)$/.exec(t.tab.label)?.[1] ?? 0), 0);
  return { files, pairs: tabs.flatMap((t) => t.diffs.map((d) => relOf(d.modified))).sort() };
}

/** Resolves once `check()` holds, re-checking on every change of the tabs (no sleeping). */
function tabsSettle(check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (!check()) return;
      sub.dispose();
      resolve();
    });
  });
}

/** Resolves with the next `patch` event of `taskId` in `state` (or at once when the view already says so). */
async function patchState(taskId: string, state: PatchState): Promise<void> {
  const exports = await exportsOf();
  if (exports.runState().tasks[taskId]?.patch?.state === state) return;
  await new Promise<void>((resolve) => {
    const sub = exports.onRunEvent((e) => {
      if (e.type !== 'patch' || e.taskId !== taskId || e.state !== state) return;
      sub.dispose();
      resolve();
    });
  });
}

/**
 * The proposed side of a file, as VS Code passes it to a menu command of that editor: from the open review's
 * pairs, else (a created file, which the tab's pairs leave out) as the review builds it.
 */
function proposedUriOf(rel: string, runId: string, taskId: string): vscode.Uri {
  const found = multiDiffTabs().flatMap((t) => t.diffs).find((d) => d.modified.scheme === 'agensflow-proposed' && relOf(d.modified) === rel);
  if (found) return found.modified;
  const query = new URLSearchParams({ run: runId, task: taskId, side: 'after', path: rel }).toString();
  return vscode.Uri.from({ scheme: 'agensflow-proposed', path: workspaceFile(rel).path, query });
}

/** The user edits a file in its editor and saves it, as a person would. */
async function userSaves(rel: string, text: string): Promise<void> {
  const uri = workspaceFile(rel);
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save());
  assert.equal(disk(rel), text);
}

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerReviewTests(): void {
  describe('AgensFlow: review in the multi-file diff, Undo from the graph and the notifications', function () {
    this.timeout(90_000);
    let server: FakeModelServer;
    let runId = '';

    before(async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      fs.mkdirSync(workspaceFile('review').fsPath, { recursive: true });
      for (const [rel, text] of Object.entries(ORIGINAL)) fs.writeFileSync(workspaceFile(rel).fsPath, text);
      server = await FakeModelServer.start({ handler });
      await configure(server);
      await closeAllEditors();
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'review flow');
      assert.ok(result, 'the run did not start');
      runId = result.runId;
      for (const t of PLAN.tasks) assert.equal((await exportsOf()).runState().tasks[t.id]?.patch?.state, 'proposed');
    });
    after(async () => {
      await closeAllEditors();
      await server?.close();
    });

    it('opens every pending file in one multi-file diff: modified files as modifications (same path both sides), a new file as added', async () => {
      assert.equal(await vscode.commands.executeCommand<number>('agensflow.reviewChanges'), 7);
      await tabsSettle(() => shown().files === 7);
      // The created file has no left side (shown as added), so VS Code leaves it out of the tab's pairs.
      assert.deepEqual(shown().pairs, ['review/a.txt', 'review/c.txt', 'review/d.txt', 'review/e.txt', 'review/f.txt', 'review/g.txt']);
      const [{ diffs }] = multiDiffTabs();
      for (const d of diffs) {
        assert.equal(d.modified.scheme, 'agensflow-proposed');
        assert.equal(d.original.toString(), workspaceFile(relOf(d.modified)).toString());
        assert.equal(d.original.path, d.modified.path, `${relOf(d.modified)}: the pair differs in path, so VS Code would show a rename`);
      }
      assert.equal((await vscode.workspace.openTextDocument(proposedUriOf('review/a.txt', runId, 'pair'))).getText(), proposed('review/a.txt'));
    });

    it('Accept File and Reject File (the proposed side\'s menus) decide one file each; the view drops it after each decision', async () => {
      const accepted = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptFile', proposedUriOf('review/a.txt', runId, 'pair'));
      assert.equal(accepted.state, 'proposed', 'the task\'s other file still waits');
      assert.equal(disk('review/a.txt'), proposed('review/a.txt'));
      await tabsSettle(() => shown().files === 6);
      assert.deepEqual(shown().pairs, ['review/c.txt', 'review/d.txt', 'review/e.txt', 'review/f.txt', 'review/g.txt']);

      assert.equal(await vscode.commands.executeCommand('agensflow.rejectFile', proposedUriOf('review/b.txt', runId, 'pair')), true);
      assert.equal(disk('review/b.txt'), undefined, 'a rejected file is not created');
      await tabsSettle(() => shown().files === 5);
      assert.deepEqual(shown().pairs, ['review/c.txt', 'review/d.txt', 'review/e.txt', 'review/f.txt', 'review/g.txt']);
      await patchState('pair', 'applied');
    });

    it('Accept Task in the title of a one-task review (its own address) applies the task and closes the emptied view', async () => {
      await closeAllEditors();
      assert.equal(await vscode.commands.executeCommand<number>('agensflow.reviewChanges', 'whole'), 1);
      await tabsSettle(() => shown().files === 1);
      const view = vscode.Uri.from({ scheme: 'agensflow-review', path: `/${runId}`, query: 'tasks=whole' });
      const outcome = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', view);
      assert.equal(outcome.state, 'applied');
      assert.equal(disk('review/c.txt'), proposed('review/c.txt'));
      await tabsSettle(() => multiDiffTabs().length === 0);
      await patchState('whole', 'applied');
    });

    it('Undo Accept as the graph posts it (the task id) puts the exact bytes back; the patch waits for review again', async () => {
      assert.equal(await vscode.commands.executeCommand('agensflow.undoAccept', 'whole'), true);
      assert.equal(disk('review/c.txt'), ORIGINAL['review/c.txt']);
      await patchState('whole', 'proposed');
    });

    it('Reject Task, then Undo Reject as the graph posts it: the proposal is back and the file never changed', async () => {
      assert.equal(await vscode.commands.executeCommand('agensflow.rejectTask', 'later'), true);
      await patchState('later', 'rejected');
      assert.equal(disk('review/d.txt'), ORIGINAL['review/d.txt']);
      assert.equal(await vscode.commands.executeCommand('agensflow.undoReject', 'later'), true);
      await patchState('later', 'proposed');
      assert.equal(disk('review/d.txt'), ORIGINAL['review/d.txt']);
    });

    it('the notification after Accept Task has an Undo button that takes the accept back', async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      const outcome = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'later');
      assert.equal(outcome.state, 'applied');
      assert.equal(disk('review/d.txt'), proposed('review/d.txt'));
      const undone = patchState('later', 'proposed');
      // The newest notification is the accept's ("applied later (1 file)", Undo): its button, as a click would.
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      await undone;
      assert.equal(disk('review/d.txt'), ORIGINAL['review/d.txt']);
    });

    it('merge path: a file saved with the user\'s changes elsewhere is merged on accept; both edits are kept', async () => {
      await userSaves('review/e.txt', 'E1 (mine)\ne2\ne3\ne4\ne5\n');
      const outcome = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'clean');
      assert.equal(outcome.state, 'applied');
      assert.ok(outcome.state === 'applied');
      assert.deepEqual(outcome.merged, ['review/e.txt']);
      assert.equal(disk('review/e.txt'), `E1 (mine)\ne2\ne3\ne4\ne5\n${line('review/e.txt')}`);
      await patchState('clean', 'merged');
    });

    it('an overlap writes nothing; Resolve in Merge Editor opens the merge editor; completing the merge makes the patch merged, and Undo Accept gives the user\'s version back', async () => {
      await closeAllEditors();
      const mine = 'f1\nmine\n';
      await userSaves('review/f.txt', mine);
      const outcome = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'overlap');
      assert.equal(outcome.state, 'conflicted');
      assert.equal(disk('review/f.txt'), mine, 'nothing written');
      await patchState('overlap', 'conflicted');

      assert.equal(await vscode.commands.executeCommand('agensflow.resolveConflict', 'overlap'), true);
      await patchState('overlap', 'conflicted-markers');
      const file = workspaceFile('review/f.txt');
      // The merge editor: yours, the proposal and the base as inputs, the file itself as the result.
      const isMerge = (input: unknown): boolean => {
        const m = input as { result?: vscode.Uri; input1?: vscode.Uri; input2?: vscode.Uri; base?: vscode.Uri } | undefined;
        return m?.result?.toString() === file.toString() && m.input1?.scheme === 'agensflow-proposed' && m.input2?.scheme === 'agensflow-proposed' && m.base?.scheme === 'agensflow-proposed';
      };
      await tabsSettle(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => isMerge(t.input))));
      const merge = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => isMerge(t.input))?.input as { input1: vscode.Uri; input2: vscode.Uri; base: vscode.Uri };
      assert.equal((await vscode.workspace.openTextDocument(merge.input1)).getText(), mine, 'left: your version');
      assert.equal((await vscode.workspace.openTextDocument(merge.input2)).getText(), proposed('review/f.txt'), 'right: the proposal');
      assert.equal((await vscode.workspace.openTextDocument(merge.base)).getText(), ORIGINAL['review/f.txt'], 'base: what the run read');

      // The merge editor fills the result with what merges (the markers go, the overlap is left to decide).
      const doc = await vscode.workspace.openTextDocument(file);
      if (doc.getText().includes('<<<<<<<')) {
        await new Promise<void>((resolve) => {
          const sub = vscode.workspace.onDidChangeTextDocument((e) => {
            if (e.document !== doc || doc.getText().includes('<<<<<<<')) return;
            sub.dispose();
            resolve();
          });
        });
      }
      // The user takes both sides and completes the merge (which saves the file).
      const resolved = `f1\nmine\n${line('review/f.txt')}`;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(file, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), resolved);
      assert.ok(await vscode.workspace.applyEdit(edit));
      const merged = patchState('overlap', 'merged');
      assert.ok(await doc.save());
      await merged;
      assert.equal(disk('review/f.txt'), resolved);
      await closeAllEditors();

      assert.equal(await vscode.commands.executeCommand('agensflow.undoAccept', 'overlap'), true);
      assert.equal(disk('review/f.txt'), mine, 'Undo Accept puts the user\'s version back exactly');
    });

    it('Re-run on My Version: the conflicted task runs again against the user\'s file, and its new patch applies', async () => {
      const mine = 'g1\nmine\n';
      await userSaves('review/g.txt', mine);
      assert.equal((await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'again')).state, 'conflicted');
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.rerunTask', 'again');
      assert.ok(result, 'the re-run did not start');
      assert.equal(result.runId, runId, 'the same run continues');
      assert.equal((await exportsOf()).runState().tasks.again?.patch?.state, 'proposed');
      assert.equal(disk('review/g.txt'), mine, 'a re-run writes nothing before review');
      const outcome = await vscode.commands.executeCommand<AcceptOutcome>('agensflow.acceptTask', 'again');
      assert.equal(outcome.state, 'applied');
      assert.equal(disk('review/g.txt'), `${mine}${line('review/g.txt')}`, 'the new proposal was made on the user\'s version');
    });
  });
}
