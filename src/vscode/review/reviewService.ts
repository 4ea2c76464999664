/**
 * Patch review in the diff editor (the invariants: accepting is one undoable edit, rejecting leaves no
 * trace, user edits are never overwritten):
 * - each file opens in `vscode.diff`: left the workspace file, right the proposed content, a read-only
 *   document of the `agensflow-proposed` scheme served from the run's journal;
 * - "Review Changes" opens every pending file of a run in the multi-file diff (`vscode.changes`);
 * - accepting applies a task's (or one file's) changes as ONE WorkspaceEdit, so Undo reverts it, after the
 *   core's conflict check and a check of unsaved editors; a conflict marks the patch `conflicted` and
 *   writes nothing;
 * - rejecting records the decision only: the workspace is not touched;
 * - a patch's applied files are re-derived whenever it is read (core reconcilePatch): after an Undo (or any
 *   revert) the workspace holds the base content again, so those files are undecided and the patch is
 *   `proposed` again; an Undo in a file accepted in this window re-derives at once and saves the reverted
 *   document, as accepting saved it, so it is not left dirty.
 * The patch file in the journal is the truth for patch states (the engine's resume trusts it too).
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { applyRecorded, checkPatch, processWrites, upstreamProblems, type PatchState, type UpstreamProblem, decide, diskTextReader, fileDecision, hashBytes, isOpen, patchSummary, pendingFiles, reconcilePatch, recordApplyResult, RunJournal, runDir, undoDecision, withWorkspaceLock, type AppliedFile, type PatchCheck, type PatchConflict, type RunEventOf, type TaskPatch, type UndoReport } from '../../core/run';
import type { FilePatch } from '../../core/run/patch';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import { parseProposedUri, PROPOSED_SCHEME, proposedUriParts, remoteSchemaUrls, reviewUriParts, type ProposedSide, type ReviewRef } from './proposedUri';

/** What an accept did. */
export type AcceptOutcome =
  /**
   * `merged`: files merged three ways with the user's saved changes (both kept). `notSaved`: files whose
   * editor holds the accepted text but could not be saved (VS Code said why); the disk has it once they are.
   */
  | { state: 'applied' | 'proposed'; files: string[]; merged: string[]; notSaved?: string[] }
  /** `unsaved`: the files whose editors hold unsaved text the proposal was not based on. */
  | { state: 'conflicted'; conflicts: PatchConflict[]; unsaved: string[] }
  | { state: 'failed'; reason: string }
  | { state: 'nothing'; reason: string };

export interface ReviewDeps {
  /** Journal folder of the runs. */
  stateDir: string;
  log: Logger;
  /** Tells the views a patch's state changed. */
  onPatch: (event: RunEventOf<'patch'>) => void;
}

export class ReviewService extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  /** Workspace files accepted in this window (URI string) and their patch: an Undo there re-derives its state. */
  private readonly accepted = new Map<string, { runId: string; taskId: string }>();
  /** Files being resolved in the merge editor (workspace URI string) and their patch: a save re-derives its state. */
  private readonly resolving = new Map<string, { runId: string; taskId: string }>();
  /** The multi-file reviews opened in this window, by title: what each shows, to show it again after a decision. */
  private readonly views = new Map<string, ReviewRef>();
  /** Re-derivations in progress, one chain per patch, so two Undo events never race on one patch file. */
  private readonly refreshing = new Map<string, Promise<void>>();

  constructor(private readonly deps: ReviewDeps) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, this));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.reason !== vscode.TextDocumentChangeReason.Undo) return;
        const ref = this.accepted.get(e.document.uri.toString());
        if (ref) this.refresh(ref.runId, ref.taskId);
      }),
    );
    // Completing a merge saves the file: once no conflict is left in it, the task's changes count as merged.
    this._register(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        const ref = this.resolving.get(doc.uri.toString());
        if (ref) this.refresh(ref.runId, ref.taskId);
      }),
    );
    // Undoing the creation of a file deletes it: no text change is reported for that.
    this._register(
      vscode.workspace.onDidDeleteFiles((e) => {
        for (const uri of e.files) {
          const ref = this.accepted.get(uri.toString());
          if (ref) this.refresh(ref.runId, ref.taskId);
        }
      }),
    );
  }

  /** Re-derives a patch's state now (after an Undo), serialised per patch; failures are logged. */
  private refresh(runId: string, taskId: string): void {
    const key = `${runId}/${taskId}`;
    const next = (this.refreshing.get(key) ?? Promise.resolve())
      .then(async () => {
        const journal = await RunJournal.open(this.deps.stateDir, runId);
        const patch = await this.load(journal, taskId);
        if (patch?.state !== 'conflicted-markers') {
          for (const [uri, ref] of this.resolving) if (ref.runId === runId && ref.taskId === taskId) this.resolving.delete(uri);
        }
      })
      .catch((e: unknown) => this.deps.log.warn(`could not re-check the patch of ${taskId}: ${(e as Error).message ?? String(e)}`));
    this.refreshing.set(key, next);
    void next.then(() => {
      if (this.refreshing.get(key) === next) this.refreshing.delete(key);
    });
  }

  /**
   * Loads a task's patch with its applied files re-derived from the workspace (an unsaved editor's text, else
   * the disk): files back at their base content are undecided again. A change is saved to the journal (the
   * views hear of it) and the reverted editors are saved, so Undo leaves the workspace as it was.
   */
  private async load(journal: RunJournal, taskId: string): Promise<TaskPatch | undefined> {
    const patch = await journal.loadPatch(taskId);
    if (!patch || !patch.files.some((f) => fileDecision(patch, f.path) === 'applied')) return patch;
    const root = journal.record.dir;
    const disk = diskTextReader(root);
    const stateBefore = patch.state;
    const reverted = await reconcilePatch(patch, async (rel) => {
      const doc = this.openDocument(root, rel);
      return doc?.isDirty ? doc.getText() : disk(rel);
    });
    if (reverted.length === 0) {
      // Conflict markers resolved (a completed merge): the state changed without a file going back.
      if (patch.state !== stateBefore) {
        await this.save(journal, patch);
        this.deps.log.info(`${taskId}: the conflicts are resolved; the patch is ${patch.state}`);
      }
      return patch;
    }
    await this.save(journal, patch);
    for (const rel of reverted) {
      const doc = this.openDocument(root, rel);
      const base = patch.files.find((f) => f.path === rel)?.baseHash;
      if (doc?.isDirty && base && hashBytes(doc.getText()) === base && !(await doc.save())) this.deps.log.warn(`could not save ${rel} after its accept was undone`);
    }
    this.deps.log.info(`${taskId}: ${reverted.join(', ')} back as before the accept (Undo); the patch is ${patch.state} again`);
    return patch;
  }

  private openDocument(root: string, rel: string): vscode.TextDocument | undefined {
    const uri = this.workspaceUri(root, rel).toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  }

  /** The read-only content of a proposed document (empty when the patch or file is gone). */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseProposedUri(uri);
    if (!ref) return '';
    const patch = await RunJournal.open(this.deps.stateDir, ref.runId).then((j) => j.loadPatch(ref.taskId)).catch(() => undefined);
    const file = patch?.files.find((f) => f.path === ref.path);
    if (!patch || !file) return '';
    if (ref.side === 'yours') {
      // The user's version that an accept could not merge: what the file held before conflict markers were written.
      const prior = patch.applied?.[file.path]?.prior;
      return typeof prior === 'string' ? Buffer.from(prior, 'base64').toString('utf8') : '';
    }
    return (ref.side === 'after' ? file.after : file.before) ?? '';
  }

  /**
   * The URI of a proposed document: its path is the workspace file's own, so a diff against the file is a
   * modification, not a rename.
   */
  proposedUri(root: string, runId: string, taskId: string, path: string, side: ProposedSide = 'after', asText = false): vscode.Uri {
    return vscode.Uri.from(proposedUriParts({ runId, taskId, path, side, ...(asText ? { asText } : {}) }, this.workspaceUri(root, path).path));
  }

  /** Opens one file's diff: the workspace file (or, for a new file, an empty document) against the proposal. */
  async openDiff(runId: string, taskId: string, path: string): Promise<boolean> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const patch = await this.load(journal, taskId);
    const file = patch?.files.find((f) => f.path === path);
    if (!patch || !file) {
      void vscode.window.showInformationMessage(`Task ${taskId} has no proposed change to ${path}.`);
      return false;
    }
    const [left, right] = this.diffSides(runId, taskId, journal.record.dir, file);
    this.warnRemoteSchemas([{ taskId, file }]);
    // A new file has nothing on disk to compare with: the left side is the (empty) content the run saw.
    const original = left ?? this.proposedUri(journal.record.dir, runId, taskId, path, 'before', right.path.endsWith('.txt') && !path.endsWith('.txt'));
    await vscode.commands.executeCommand('vscode.diff', original, right, `${path} (${taskId}: proposed)`, { preview: true });
    return true;
  }

  /**
   * Opens every pending file of the run's open patches (or of `taskIds`) in the multi-file diff editor.
   * Returns the number of files shown. `quiet`: no message when nothing is left (a refresh after a decision).
   */
  async reviewChanges(runId: string, taskIds?: readonly string[], opts: { quiet?: boolean } = {}): Promise<number> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const wanted = taskIds ? new Set(taskIds) : undefined;
    const pairs: { original: vscode.Uri | undefined; modified: vscode.Uri; label: vscode.Uri }[] = [];
    const shown: { taskId: string; file: FilePatch }[] = [];
    const tasks: string[] = [];
    for (const task of journal.record.plan.tasks) {
      if (wanted && !wanted.has(task.id)) continue;
      const patch = await this.load(journal, task.id);
      if (!patch || !isOpen(patch)) continue;
      const files = pendingFiles(patch);
      if (files.length) tasks.push(task.id);
      for (const file of files) {
        const [original, modified] = this.diffSides(runId, task.id, journal.record.dir, file);
        pairs.push({ original, modified, label: this.workspaceUri(journal.record.dir, file.path) });
        shown.push({ taskId: task.id, file });
      }
    }
    this.warnRemoteSchemas(shown);
    if (pairs.length === 0) {
      if (!opts.quiet) void vscode.window.showInformationMessage('AgensFlow: no proposed changes to review in this run.');
      return 0;
    }
    const title = reviewTitle(runId, taskIds);
    this.views.set(title, { runId, ...(taskIds ? { taskIds: [...taskIds] } : {}) });
    const source = vscode.Uri.from(reviewUriParts({ runId, ...(taskIds ? { taskIds: tasks } : {}) }));
    try {
      // The internal command of VS Code's multi-file diff that takes the editor's own address: the editor title's
      // Accept Task / Reject Task then know which run and tasks the view shows (`vscode.changes` gives it a
      // random one).
      await vscode.commands.executeCommand('_workbench.openMultiDiffEditor', {
        title, multiDiffSourceUri: source, resources: pairs.map((p) => ({ originalUri: p.original, modifiedUri: p.modified })),
      });
    } catch (e) {
      this.deps.log.info(`the multi-file diff with an address is not available (${e instanceof Error ? e.message : String(e)}); opening vscode.changes`);
      await vscode.commands.executeCommand('vscode.changes', title, pairs.map((p) => [p.label, p.original, p.modified]));
    }
    return pairs.length;
  }

  /**
   * Shows the open multi-file reviews of `runId` as they are now: each is closed and, while files of its tasks
   * still wait for a decision, opened again with those files only (an accepted or rejected file leaves the
   * view). A review is recognised by the title it was opened with in this window, else by its files'
   * proposed addresses (a review restored after a reload).
   */
  async refreshViews(runId: string): Promise<void> {
    const open: { tab: vscode.Tab; taskIds: string[] | undefined }[] = [];
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      const diffs = multiDiffPairs(tab);
      if (!diffs) continue;
      const known = [...this.views].find(([title, ref]) => ref.runId === runId && (tab.label === title || tab.label.startsWith(`${title} (`)));
      if (known) open.push({ tab, taskIds: known[1].taskIds });
      else {
        const tasks = reviewTabTasks(diffs, runId);
        if (tasks.length) open.push({ tab, taskIds: tasks });
      }
    }
    for (const { tab, taskIds } of open) {
      await vscode.window.tabGroups.close(tab, true).then(undefined, () => undefined);
      await this.reviewChanges(runId, taskIds, { quiet: true });
    }
  }

  /** Task ids of the run whose patches wait for a decision (in plan order), with their statuses. */
  async openPatches(runId: string): Promise<{ taskId: string; title: string; status: string; files: string[] }[]> {
    // A run that stopped before it had a plan (a planning failure) wrote no journal, so it has no patches.
    if (!existsSync(runDir(this.deps.stateDir, runId))) return [];
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const out: { taskId: string; title: string; status: string; files: string[] }[] = [];
    for (const task of journal.record.plan.tasks) {
      const patch = await this.load(journal, task.id);
      if (patch && isOpen(patch)) out.push({ taskId: task.id, title: task.title, status: journal.record.tasks[task.id]?.status ?? 'pending', files: pendingFiles(patch).map((f) => f.path) });
    }
    return out;
  }

  /**
   * Accepts a task's pending files (or only `paths`) as one WorkspaceEdit, after checking that no file
   * changed since the run read it (on disk or in an unsaved editor). Files written are saved, so the
   * workspace holds them; Undo reverts the whole edit.
   */
  async accept(runId: string, taskId: string, paths?: readonly string[], opts: { markers?: boolean } = {}): Promise<AcceptOutcome> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const patch = await this.load(journal, taskId);
    if (!patch) return { state: 'nothing', reason: `task ${taskId} has no patch` };
    if (!isOpen(patch)) return { state: 'nothing', reason: `the patch of ${taskId} is already ${patch.state}` };
    const pending = pendingFiles(patch, paths);
    const root = journal.record.dir;
    /** Per file written: how (as proposed, or merged with the user's saved changes) and the bytes it replaced. */
    let written: Record<string, AppliedFile> = {};
    // Each file as it will be written: the proposal, or its three-way merge with the user's saved changes.
    let files = pending;
    /** Files written into editors that could not be saved. */
    let notSaved: string[] = [];
    if (pending.length > 0) {
      const check = await this.conflicts(root, patch, pending, opts.markers === true);
      if (!check.ok) return this.conflicted(journal, patch, check.conflicts, root, pending);
      files = pending.map((f) => {
        const t = check.targets.find((x) => x.path === f.path);
        return t && typeof t.content === 'string' && t.content !== f.after ? { ...f, after: t.content } : f;
      });
      written = Object.fromEntries(
        check.targets.map((t) => [t.path, { how: t.how, prior: t.current === null ? null : t.current.toString('base64'), ...(t.how !== 'written' && typeof t.content === 'string' ? { written: t.content } : {}) }]),
      );
      // A writer of the workspace, like the core's applyPatch: a verification copy of a run still going on in
      // this window never sees the edit half-applied or a file vanishing under it.
      const current = new Map(check.targets.map((t) => [t.path, t.current]));
      const result = await withWorkspaceLock(root, 'write', async (): Promise<{ late: PatchConflict[] } | { failed: string } | { stale: string[] } | undefined> => {
        // The user may have typed since the check: look at the editors again, now that nothing else writes.
        const late = this.unsavedConflicts(root, files, []);
        if (late.length) return { late };
        // An editor VS Code has not reloaded yet after the file changed on disk: an edit there could not be saved.
        const stale = files.filter((f) => {
          const doc = this.openDocument(root, f.path);
          const disk = current.get(f.path);
          return doc !== undefined && !doc.isDirty && disk != null && doc.getText() !== disk.toString('utf8').replace(/^\uFEFF/, '');
        }).map((f) => f.path);
        if (stale.length) return { stale };
        const edit = await this.buildEdit(root, taskId, files);
        // After building: the documents the edit replaces are open now, at the versions the edit expects.
        const before = await this.snapshot(root, files);
        // Applied once: a refused edit is diagnosed and undone, never retried.
        if (await vscode.workspace.applyEdit(edit)) {
          notSaved = await this.saveWritten(root, files);
          return undefined;
        }
        return { failed: await this.undoRefusedEdit(root, taskId, files, before) };
      });
      if (result && 'late' in result) return this.conflicted(journal, patch, result.late, root, files);
      if (result && 'stale' in result) return this.acceptOnDisk(journal, patch, pending, result.stale, opts.markers === true);
      if (result) {
        this.deps.log.warn(result.failed);
        return { state: 'failed', reason: result.failed };
      }
    }
    recordApplyResult(patch, { state: 'applied', files: files.map((f) => f.path), written, markers: [] });
    const state = patch.state;
    await this.save(journal, patch);
    for (const f of files) this.accepted.set(this.workspaceUri(root, f.path).toString(), { runId, taskId });
    this.deps.log.info(`accepted ${taskId}: ${files.map((f) => f.path).join(', ') || '(no files)'}${state === 'proposed' ? ' (other files still pending)' : ''}`);
    this.closeDiffs(runId, taskId, files.map((f) => f.path));
    const merged = Object.entries(written).filter(([, a]) => a.how === 'merged').map(([p]) => p);
    return { state: state === 'proposed' ? 'proposed' : 'applied', files: files.map((f) => f.path), merged, ...(notSaved.length ? { notSaved } : {}) };
  }

  /**
   * Accepts through the core's writer (journal first, atomic, all or nothing; Undo Accept undoes it) when an
   * editor of a file is behind the disk: the editors reload from the disk afterwards.
   */
  private async acceptOnDisk(journal: RunJournal, patch: TaskPatch, pending: FilePatch[], stale: string[], markers: boolean): Promise<AcceptOutcome> {
    this.deps.log.info(`accept ${patch.taskId}: ${stale.join(', ')} changed on disk and the editor has not caught up; writing through the journal`);
    const res = await processWrites.run(async () => {
      const r = await applyRecorded(journal, patch, pending, undefined, { markers });
      recordApplyResult(patch, r);
      await this.save(journal, patch);
      return r;
    });
    if (res.state === 'conflicted') return { state: 'conflicted', conflicts: res.conflicts, unsaved: [] };
    if (res.state === 'failed') return { state: 'failed', reason: patch.reason ?? res.error };
    this.closeDiffs(patch.runId, patch.taskId, res.files);
    const merged = Object.entries(res.written).filter(([, a]) => a.how === 'merged').map(([p]) => p);
    return { state: patch.state === 'proposed' ? 'proposed' : 'applied', files: res.files, merged };
  }

  /**
   * Resolves a conflicted task in VS Code's merge editor. The task's changes are accepted with conflict markers
   * (as `apply --merge-markers` does; what the files held before is recorded, so Undo Accept puts the user's
   * version back): files that merge cleanly are written merged, and each overlapping file gets the markers. Each such file then opens in the merge editor (internal command
   * `_open.mergeEditor`): your version on the left, the proposal on the right, the run's base below, the file
   * itself as the result, which the merge editor fills with everything that merges and leaves the overlaps
   * for the user. Completing the merge saves the file; with no marker left the task's changes count as merged.
   * Where the merge editor cannot be opened, the file opens with its markers (VS Code's inline conflict
   * actions). Refused while a file of the patch has unsaved text in an editor.
   */
  async resolveInMergeEditor(runId: string, taskId: string): Promise<{ state: 'opened'; files: string[]; editor: 'merge' | 'text' } | { state: 'nothing'; reason: string }> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const root = journal.record.dir;
    const patch = await this.load(journal, taskId);
    if (!patch) return { state: 'nothing', reason: `task ${taskId} has no patch` };
    if (patch.state !== 'conflicted-markers') {
      if (!isOpen(patch)) return { state: 'nothing', reason: `the patch of ${taskId} is already ${patch.state}` };
      const dirty = pendingFiles(patch).filter((f) => this.openDocument(root, f.path)?.isDirty).map((f) => f.path);
      if (dirty.length) return { state: 'nothing', reason: `${dirty.join(', ')} ${dirty.length === 1 ? 'has' : 'have'} unsaved changes in an editor: save or revert them first` };
      // Accepted as any accept is (one undoable edit, unsaved editors checked), with markers where changes overlap.
      const outcome = await this.accept(runId, taskId, undefined, { markers: true });
      if (outcome.state === 'conflicted') return { state: 'nothing', reason: outcome.conflicts.map((c) => c.reason).join('; ') };
      if (outcome.state === 'failed' || outcome.state === 'nothing') return { state: 'nothing', reason: outcome.reason };
    }
    const after = await (await RunJournal.open(this.deps.stateDir, runId)).loadPatch(taskId);
    if (!after) return { state: 'nothing', reason: `task ${taskId} has no patch` };
    this.deps.onPatch({ type: 'patch', runId, ts: Date.now(), taskId, ...patchSummary(after) });
    const marked = after.files.filter((f) => after.applied?.[f.path]?.how === 'markers' && fileDecision(after, f.path) === 'applied');
    if (marked.length === 0) return { state: 'opened', files: [], editor: 'merge' };
    let editor: 'merge' | 'text' = 'merge';
    for (const f of marked) {
      const output = this.workspaceUri(root, f.path);
      this.resolving.set(output.toString(), { runId, taskId });
      try {
        await vscode.commands.executeCommand('_open.mergeEditor', {
          base: this.proposedUri(root, runId, taskId, f.path, 'before'),
          input1: { uri: this.proposedUri(root, runId, taskId, f.path, 'yours'), title: 'Yours', description: 'your saved version' },
          input2: { uri: this.proposedUri(root, runId, taskId, f.path, 'after'), title: 'Proposed', description: `by task ${taskId}` },
          output,
        });
      } catch (e) {
        this.deps.log.info(`the merge editor is not available (${e instanceof Error ? e.message : String(e)}); opening ${f.path} with its conflict markers`);
        editor = 'text';
        await vscode.window.showTextDocument(output, { preview: false });
      }
    }
    this.deps.log.info(`${taskId}: resolving ${marked.map((f) => f.path).join(', ')} in the ${editor === 'merge' ? 'merge editor' : 'editor (conflict markers)'}`);
    return { state: 'opened', files: marked.map((f) => f.path), editor };
  }

  /**
   * The upstream tasks whose changes are not (cleanly) in the workspace: rejected, conflicted, or with conflict
   * markers to resolve (through proposed patches, transitively), as the CLI's apply holds a task back for.
   */
  async heldBy(runId: string, taskId: string): Promise<UpstreamProblem[]> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const states = new Map<string, PatchState>();
    for (const t of journal.record.plan.tasks) {
      const patch = await this.load(journal, t.id);
      if (patch) states.set(t.id, patch.state);
    }
    return upstreamProblems(journal.record, (id) => states.get(id), taskId);
  }

  /** Tasks of the run with files accepted (`accept`) or rejected (`reject`), in plan order. */
  async decidedTasks(runId: string, kind: 'accept' | 'reject'): Promise<{ taskId: string; title: string; files: string[] }[]> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const wanted = kind === 'accept' ? 'applied' : 'rejected';
    const out: { taskId: string; title: string; files: string[] }[] = [];
    for (const task of journal.record.plan.tasks) {
      const patch = await this.load(journal, task.id);
      const files = patch?.files.filter((f) => fileDecision(patch, f.path) === wanted).map((f) => f.path) ?? [];
      if (files.length || (kind === 'reject' && patch?.state === 'rejected')) out.push({ taskId: task.id, title: task.title, files });
    }
    return out;
  }

  /**
   * Undo Accept (the exact bytes the accept replaced are put back by the core; edits made since are merged or
   * refuse the undo) or Undo Reject (the proposal is back). Refused while a file of the patch has unsaved
   * text in an editor: that text is the user's and the undo writes the disk. `removeEdited`: the user agreed to
   * remove files the accept created that they edited since.
   */
  async undo(runId: string, taskId: string, kind: 'accept' | 'reject', opts: { removeEdited?: boolean } = {}): Promise<UndoReport> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const root = journal.record.dir;
    // An Undo in the editor may have put files back already: re-derived first.
    const patch = await this.load(journal, taskId);
    if (kind === 'accept' && patch) {
      await this.revertOwnUnsaved(root, patch);
      const dirty = patch.files.filter((f) => this.openDocument(root, f.path)?.isDirty).map((f) => f.path);
      if (dirty.length) return { taskId, undone: 'nothing', state: patch.state, files: [], reason: `${dirty.join(', ')} ${dirty.length === 1 ? 'has' : 'have'} unsaved changes in an editor: save or revert them first` };
    }
    const report = await undoDecision(this.deps.stateDir, runId, taskId, { kind, ...(opts.removeEdited ? { removeEdited: true } : {}) });
    if (report.undone === 'nothing') {
      this.deps.log.warn(`undo ${kind} of ${taskId}: ${report.reason ?? 'nothing to undo'}`);
      return report;
    }
    for (const p of report.files) this.accepted.delete(this.workspaceUri(root, p).toString());
    const after = await (await RunJournal.open(this.deps.stateDir, runId)).loadPatch(taskId);
    if (after) this.deps.onPatch({ type: 'patch', runId, ts: Date.now(), taskId, ...patchSummary(after) });
    this.deps.log.info(`undid the ${kind} of ${taskId}: ${report.files.join(', ') || '(no files)'}; the patch is ${report.state} again`);
    return report;
  }

  /**
   * Editors that hold, unsaved, exactly the text an accept put there (its save failed): reverted to the disk
   * before the undo, as nothing of the user's is in them. Any other unsaved text stays and refuses the undo.
   */
  private async revertOwnUnsaved(root: string, patch: TaskPatch): Promise<void> {
    for (const f of patch.files) {
      const applied = patch.applied?.[f.path];
      const doc = this.openDocument(root, f.path);
      if (!applied || !doc?.isDirty || doc.getText() !== (applied.written ?? f.after)) continue;
      await vscode.commands.executeCommand('workbench.action.files.revert', doc.uri).then(undefined, (e: unknown) => this.deps.log.warn(`could not revert ${f.path}: ${String(e)}`));
    }
  }

  /** Rejects a task's pending files (or only `paths`): recorded in the journal; the workspace is untouched. */
  async reject(runId: string, taskId: string, paths?: readonly string[]): Promise<boolean> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const patch = await this.load(journal, taskId);
    if (!patch || !isOpen(patch)) return false;
    const files = pendingFiles(patch, paths).map((f) => f.path);
    decide(patch, files, 'rejected');
    await this.save(journal, patch);
    this.deps.log.info(`rejected ${taskId}: ${files.join(', ') || '(no files)'}`);
    this.closeDiffs(runId, taskId, files);
    return true;
  }

  private workspaceUri(root: string, path: string): vscode.Uri {
    return vscode.Uri.joinPath(vscode.Uri.file(root), ...path.split('/'));
  }

  /**
   * The two sides of a file's diff: the workspace file (none for a file the task creates: the diff shows it as
   * added) and the proposal, at the file's own path so the pair is a modification.
   */
  private diffSides(runId: string, taskId: string, root: string, file: FilePatch): [vscode.Uri | undefined, vscode.Uri] {
    // A proposal naming a remote schema is shown as plain text, so no language support fetches it before acceptance.
    const asText = remoteSchemas(file).length > 0;
    const left = file.change === 'created' ? undefined : this.workspaceUri(root, file.path);
    return [left, this.proposedUri(root, runId, taskId, file.path, 'after', asText)];
  }

  /** Tells the user which proposed files name a remote schema, and that they are shown as plain text. */
  private warnRemoteSchemas(entries: { taskId: string; file: FilePatch }[]): void {
    const named = entries.flatMap(({ taskId, file }) => remoteSchemas(file).map((url) => `${file.path} (${taskId}) → ${url}`));
    if (named.length === 0) return;
    this.deps.log.warn(`proposed files name remote schemas: ${named.join('; ')}`);
    void vscode.window.showWarningMessage(
      `AgensFlow: ${named.length === 1 ? 'a proposed file names' : `${named.length} proposed files name`} a remote schema: ${named.slice(0, 3).join('; ')}${named.length > 3 ? '; …' : ''}. It is shown as plain text, so VS Code does not download the schema before you decide; once accepted, VS Code's JSON support may fetch that address.`,
    );
  }

  /**
   * The core's check (paths still safe; a file saved with changes since the run read it merged three ways, an
   * overlap a conflict) plus unsaved editors.
   */
  private async conflicts(root: string, patch: TaskPatch, files: FilePatch[], markers = false): Promise<PatchCheck> {
    const check = await checkPatch(root, { ...patch, files }, { markers });
    const conflicts = check.ok ? [] : [...check.conflicts];
    const all = [...conflicts, ...this.unsavedConflicts(root, files, conflicts)];
    return all.length || !check.ok ? { ok: false, conflicts: all } : check;
  }

  /**
   * Files whose editor holds unsaved text other than the content the run read: the proposal was made
   * without that text, so applying it would overwrite it. Never saved or overwritten here.
   */
  private unsavedConflicts(root: string, files: FilePatch[], known: readonly PatchConflict[]): PatchConflict[] {
    const out: PatchConflict[] = [];
    for (const f of files) {
      const doc = this.openDocument(root, f.path);
      if (doc?.isDirty && hashBytes(doc.getText()) !== f.baseHash && !known.some((c) => c.path === f.path)) {
        out.push({ path: f.path, reason: `${f.path} has unsaved changes in an editor that the proposal was not based on` });
      }
    }
    return out;
  }

  /** Marks the patch conflicted (nothing written) and says which files hold unsaved edits. */
  private async conflicted(journal: RunJournal, patch: TaskPatch, conflicts: PatchConflict[], root: string, files: FilePatch[]): Promise<AcceptOutcome> {
    patch.state = 'conflicted';
    patch.reason = conflicts.map((c) => c.reason).join('; ');
    await this.save(journal, patch);
    this.deps.log.warn(`accept ${patch.taskId}: conflicted (${patch.reason})`);
    const unsaved = this.unsavedConflicts(root, files, []).map((c) => c.path);
    return { state: 'conflicted', conflicts, unsaved };
  }

  /**
   * Saves the editors of `paths` in the run's folder: only when the user asked to (the "Save My Edits" button
   * of an unsaved-edits conflict). Returns the files saved.
   */
  async saveEditors(runId: string, paths: readonly string[]): Promise<string[]> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const saved: string[] = [];
    for (const path of paths) {
      const doc = this.openDocument(journal.record.dir, path);
      if (doc?.isDirty && (await doc.save())) saved.push(path);
    }
    return saved;
  }

  /** What each file looks like before the edit: its bytes on disk and its open editor, if any. */
  private async snapshot(root: string, files: FilePatch[]): Promise<Map<string, FileSnapshot>> {
    const out = new Map<string, FileSnapshot>();
    for (const f of files) {
      const uri = this.workspaceUri(root, f.path);
      const disk = await vscode.workspace.fs.readFile(uri).then((b) => Buffer.from(b), () => null);
      const doc = this.openDocument(root, f.path);
      out.set(f.path, { disk, ...(doc ? { doc: { text: doc.getText(), dirty: doc.isDirty, version: doc.version } } : {}) });
    }
    return out;
  }

  /**
   * `applyEdit` returned false: VS Code says neither which file nor why, and does not roll back the
   * file operations it did before giving up. Names the files whose edit did not take, with the likely
   * cause, and puts back what the edit did change: only content that is exactly what the edit wrote, so
   * text the user typed meanwhile is never touched. Returns the message for the user.
   */
  private async undoRefusedEdit(root: string, taskId: string, files: FilePatch[], before: Map<string, FileSnapshot>): Promise<string> {
    const causes: string[] = [];
    const restored: string[] = [];
    const unrestored: string[] = [];
    const writable = vscode.workspace.fs.isWritableFileSystem('file') !== false;
    for (const f of files) {
      const snap = before.get(f.path);
      if (!snap) continue;
      const uri = this.workspaceUri(root, f.path);
      const disk = await vscode.workspace.fs.readFile(uri).then((b) => Buffer.from(b), () => null);
      const doc = this.openDocument(root, f.path);
      const after = f.after === null ? null : Buffer.from(f.after, 'utf8');
      const diskChanged = !sameBytes(disk, snap.disk);
      const docChanged = doc !== undefined && snap.doc !== undefined && doc.getText() !== snap.doc.text;
      // The cause, as far as it can be seen from here.
      if (doc && snap.doc && doc.version !== snap.doc.version && doc.getText() !== f.after) causes.push(`${f.path}: its editor changed while the edit was being applied`);
      else if (f.change === 'created' && snap.disk === null && disk !== null && !sameBytes(disk, after)) causes.push(`${f.path}: it was created by something else meanwhile`);
      else if (f.change !== 'created' && f.after !== null && disk === null) causes.push(`${f.path}: it was deleted meanwhile`);
      else if (!writable) causes.push(`${f.path}: the file system is read-only`);
      else if (!(diskChanged && sameBytes(disk, after)) && !(doc && doc.getText() === f.after)) causes.push(`${f.path}: not applied (whole-file replacement)`);
      // Put back only what is exactly the edit's own output.
      try {
        if (diskChanged && sameBytes(disk, after)) {
          if (snap.disk === null) await vscode.workspace.fs.delete(uri);
          else await vscode.workspace.fs.writeFile(uri, snap.disk);
          restored.push(f.path);
        } else if (diskChanged && f.after === null && disk === null && snap.disk !== null) {
          await vscode.workspace.fs.writeFile(uri, snap.disk);
          restored.push(f.path);
        }
        if (doc && docChanged && snap.doc && doc.getText() === f.after) {
          const undo = new vscode.WorkspaceEdit();
          undo.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), snap.doc.text);
          if ((await vscode.workspace.applyEdit(undo)) && !snap.doc.dirty) await doc.save();
          if (!restored.includes(f.path)) restored.push(f.path);
        }
      } catch (e) {
        unrestored.push(`${f.path} (${(e as Error).message ?? String(e)})`);
      }
    }
    const what = causes.length ? causes.join('; ') : `VS Code gave no reason (files: ${files.map((f) => f.path).join(', ')})`;
    const undone = restored.length ? `; put back as before: ${restored.join(', ')}` : '; nothing had changed';
    const left = unrestored.length ? `; COULD NOT put back: ${unrestored.join(', ')} (their earlier content is in the run's journal)` : '';
    return `VS Code refused the edit accepting ${taskId} (${what})${undone}${left}. The patch is still waiting for review; nothing was retried`;
  }

  private async buildEdit(root: string, taskId: string, files: FilePatch[]): Promise<vscode.WorkspaceEdit> {
    const edit = new vscode.WorkspaceEdit();
    const metadata: vscode.WorkspaceEditEntryMetadata = { label: `AgensFlow: accept ${taskId}`, needsConfirmation: false };
    for (const f of files) {
      const uri = this.workspaceUri(root, f.path);
      if (f.after === null) {
        edit.deleteFile(uri, { ignoreIfNotExists: true }, metadata);
      } else if (f.change === 'created' && !(await exists(uri))) {
        edit.createFile(uri, { contents: Buffer.from(f.after, 'utf8') }, metadata);
      } else {
        const doc = await vscode.workspace.openTextDocument(uri);
        if (doc.getText() === f.after) continue; // already as proposed
        edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), f.after, metadata);
      }
    }
    return edit;
  }

  /**
   * Text edits change editors, not disks: saves the files the edit touched so the workspace holds them.
   * Returns those that could not be saved (their editors keep the accepted text, unsaved).
   */
  private async saveWritten(root: string, files: FilePatch[]): Promise<string[]> {
    const notSaved: string[] = [];
    for (const f of files) {
      if (f.after === null) continue;
      const doc = this.openDocument(root, f.path);
      if (doc?.isDirty && !(await doc.save())) {
        this.deps.log.warn(`could not save ${f.path} after accepting it: its editor holds the accepted text, unsaved`);
        notSaved.push(f.path);
      }
    }
    return notSaved;
  }

  private async save(journal: RunJournal, patch: TaskPatch): Promise<void> {
    await journal.savePatch(patch);
    const summary = patchSummary(patch);
    journal.update((r) => {
      const t = r.tasks[patch.taskId];
      if (t) t.patch = summary;
    });
    await journal.flush();
    this.deps.onPatch({ type: 'patch', runId: patch.runId, ts: Date.now(), taskId: patch.taskId, ...summary });
  }

  /** Closes the diff tabs of decided files, so no proposal stays on screen after the decision. */
  private closeDiffs(runId: string, taskId: string, paths: readonly string[]): void {
    const decided = new Set(paths);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => {
      const input = tab.input;
      const uri = input instanceof vscode.TabInputTextDiff ? input.modified : input instanceof vscode.TabInputText ? input.uri : undefined;
      const ref = uri ? parseProposedUri(uri) : undefined;
      return ref !== undefined && ref.runId === runId && ref.taskId === taskId && decided.has(ref.path);
    });
    if (tabs.length) void vscode.window.tabGroups.close(tabs, true).then(undefined, () => undefined);
  }
}

/** A file's state before an accept's edit. */
interface FileSnapshot {
  disk: Buffer | null;
  doc?: { text: string; dirty: boolean; version: number };
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** The remote schemas a file's proposed (or, for the left side, previous) content names. */
function remoteSchemas(file: FilePatch): string[] {
  return [...new Set([...remoteSchemaUrls(file.after ?? ''), ...remoteSchemaUrls(file.before ?? '')])];
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The title of a multi-file review (VS Code's tab label adds the file count). */
function reviewTitle(runId: string, taskIds: readonly string[] | undefined): string {
  return taskIds ? `AgensFlow: changes of ${taskIds.join(', ')}` : `AgensFlow: changes of run ${runId}`;
}

/**
 * The pairs of a multi-file diff tab (those with both sides: VS Code leaves out added and deleted files), or
 * undefined for any other tab. VS Code 1.96 hands extensions such a tab's input as an object with `textDiffs`,
 * though its type is not in the stable API's typings yet.
 */
function multiDiffPairs(tab: vscode.Tab): vscode.TabInputTextDiff[] | undefined {
  const diffs = (tab.input as { textDiffs?: unknown } | undefined)?.textDiffs;
  return Array.isArray(diffs) ? diffs.filter((d): d is vscode.TabInputTextDiff => d instanceof vscode.TabInputTextDiff) : undefined;
}

/** The tasks of run `runId` whose proposed files the pairs of a multi-file diff show. */
function reviewTabTasks(diffs: readonly vscode.TabInputTextDiff[], runId: string): string[] {
  const tasks = new Set<string>();
  for (const d of diffs) {
    const ref = parseProposedUri(d.modified);
    if (ref?.runId === runId) tasks.add(ref.taskId);
  }
  return [...tasks];
}
