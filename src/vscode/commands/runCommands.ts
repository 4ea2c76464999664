/**
 * The run and review commands: New Task…, Run Plan From File…, Show Graph,
 * Cancel Run, Resume Run, Open Run…, Review Changes, Accept/Reject Task, Accept/Reject File, Accept All
 * Verified, Reject All, Undo Accept, Undo Reject. Every decision is confirmed by a short notification with
 * its counts and an Undo button. Each command also takes its subject as an argument (the webviews and the walkthrough
 * pass a task id; tests pass a goal or a plan file), and those that start a run resolve with its result.
 */
import * as vscode from 'vscode';
import { parsePlanText } from '../../core/plan';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import type { RunController, RunResult } from '../run/runController';
import { parseProposedUri, parseReviewUri } from '../review/proposedUri';
import type { AcceptOutcome, ReviewService } from '../review/reviewService';
import type { UndoReport, UpstreamProblem } from '../../core/run';
import { COMMANDS } from './commandIds';
import { TaskDocuments, taskTextOf } from './taskDocument';

export interface RunCommandDeps {
  controller: RunController;
  review: ReviewService;
  /** Opens or reveals the graph panel. */
  showGraph: (taskId?: string) => void;
  log: Logger;
}

const TASK_ID = /^[a-z0-9_-]{1,64}$/;

export class RunCommands extends Disposable {
  private readonly documents = this._register(new TaskDocuments());
  /** The text of a task that did not get a plan (a setup problem, planning failed): New Task opens with it. */
  private draft = '';

  constructor(private readonly deps: RunCommandDeps) {
    super();
    const c = COMMANDS;
    const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
      this._register(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          deps.log.error(`${id} failed`, e);
          void vscode.window.showErrorMessage(`AgensFlow: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }));
    };
    reg(c.newTask, (goal) => this.newTask(goal));
    reg(c.startTask, () => this.startTask());
    reg(c.runPlanFile, (uri) => this.runPlanFile(uri));
    reg(c.showGraph, (taskId) => deps.showGraph(typeof taskId === 'string' && TASK_ID.test(taskId) ? taskId : undefined));
    reg(c.cancelRun, () => {
      if (!deps.controller.cancel()) void vscode.window.showInformationMessage('AgensFlow: no run is going on.');
    });
    reg(c.resumeRun, (runId, retry) => this.resumeRun(runId, retry));
    reg(c.openRun, (runId) => this.openRun(runId));
    reg(c.reviewChanges, (taskId, path) => this.reviewChanges(taskId, path));
    reg(c.acceptTask, (arg) => this.decideTask(arg, 'accept'));
    reg(c.rejectTask, (arg) => this.decideTask(arg, 'reject'));
    reg(c.acceptFile, (uri) => this.decideFile(uri, 'accept'));
    reg(c.rejectFile, (uri) => this.decideFile(uri, 'reject'));
    reg(c.acceptAllVerified, () => this.acceptAllVerified());
    reg(c.rejectAll, (confirmed) => this.rejectAll(confirmed === true));
    reg(c.undoAccept, (arg) => this.undo(arg, 'accept'));
    reg(c.undoReject, (arg) => this.undo(arg, 'reject'));
    reg(c.resolveConflict, (arg) => this.resolveConflict(arg));
    reg(c.rerunTask, (arg) => this.rerunTask(arg));
  }

  /**
   * With a goal: plans and runs it. Without: opens a task document to write the goal in, holding the text of
   * a task that did not get a plan, or with `{ draft }` (the graph's Edit on a failed task) that text, to edit
   * before starting again; unless no run could start now (Restricted Mode): that is said before typing.
   */
  private async newTask(goal: unknown): Promise<RunResult | undefined> {
    if (typeof goal === 'string' && goal.trim()) return this.start(() => this.deps.controller.startGoal(goal.trim()));
    if (!vscode.workspace.isTrusted && !this.deps.controller.canStart()) return undefined;
    const draft = typeof goal === 'object' && goal !== null && 'draft' in goal && typeof goal.draft === 'string' ? goal.draft : this.draft;
    await this.documents.create(draft);
    return undefined;
  }

  /**
   * Starts the task written in the active task document. The document stays open when the run cannot start
   * (Restricted Mode, a run going on); it is closed once the run starts, and opened again with the same text
   * when the run stops before it has a plan (no model, no key, an unreachable server).
   */
  private async startTask(): Promise<RunResult | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.documents.isTaskDocument(editor.document)) {
      return this.newTask(undefined);
    }
    const goal = taskTextOf(editor.document.getText());
    if (!goal) {
      void vscode.window.showWarningMessage('AgensFlow: describe the task first (below the first line).');
      return undefined;
    }
    if (!this.deps.controller.canStart()) return undefined;
    await this.documents.discard(editor.document);
    const result = await this.start(() => this.deps.controller.startGoal(goal));
    if (result?.planned) {
      this.draft = '';
    } else {
      this.draft = goal;
      // The typed task is not lost: its editor comes back with the text while the notice says what to fix.
      if (result?.status !== 'cancelled') await this.documents.create(goal);
    }
    return result;
  }

  /** Runs a plan file: the argument, else the active JSON editor, else one picked in a dialog. */
  private async runPlanFile(arg: unknown): Promise<RunResult | undefined> {
    let uri = arg instanceof vscode.Uri ? arg : undefined;
    const active = vscode.window.activeTextEditor?.document;
    if (!uri && active && active.uri.scheme === 'file' && active.uri.path.endsWith('.json')) uri = active.uri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Plan (JSON)': ['json'] }, openLabel: 'Run Plan', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const parsed = parsePlanText(text);
    if (!parsed.ok) {
      // The validator places every problem in the file (diagnostics) and says what is wrong.
      await vscode.commands.executeCommand(COMMANDS.validatePlanFile, uri);
      void vscode.window.showErrorMessage(`AgensFlow: ${vscode.workspace.asRelativePath(uri)} is not a valid plan; see the Problems panel.`);
      return undefined;
    }
    return this.start(() => this.deps.controller.startPlan(parsed.plan));
  }

  /**
   * Starts a run with the graph panel in view (when the run may start at all: trusted, nothing running). When
   * the run shown until now still has patches waiting for review, says so, with Review and Discard: the new
   * run replaces it in the views, and those patches would otherwise be easy to forget.
   */
  private start(run: () => Promise<RunResult | undefined>): Promise<RunResult | undefined> {
    const startable = vscode.workspace.isTrusted && !this.deps.controller.isBusy;
    if (startable) this.deps.showGraph();
    const earlier = startable ? this.deps.controller.currentRunId : undefined;
    if (earlier) void this.remindUnreviewed(earlier).catch((e: unknown) => this.deps.log.warn(`could not check run ${earlier} for unreviewed patches: ${e instanceof Error ? e.message : String(e)}`));
    return run();
  }

  /** The reminder of an earlier run's unreviewed patches: Review opens them, Discard rejects them (with Undo). */
  private async remindUnreviewed(runId: string): Promise<void> {
    const open = await this.deps.review.openPatches(runId);
    if (open.length === 0) return;
    const n = open.length;
    const choice = await vscode.window.showWarningMessage(
      `AgensFlow: the earlier run ${runId} still has ${n} patch${n === 1 ? '' : 'es'} waiting for review (${open.map((p) => p.taskId).join(', ')}).`,
      'Review', 'Discard',
    );
    if (choice === 'Review') await this.deps.review.reviewChanges(runId);
    else if (choice === 'Discard') {
      for (const p of open) await this.deps.review.reject(runId, p.taskId);
      void vscode.window.showInformationMessage(`AgensFlow: discarded ${n} patch${n === 1 ? '' : 'es'} of run ${runId}; your files are as they were.`);
    }
  }

  /** Resumes a run (picked when not given); `retry`, task ids (from the graph's Retry), runs those failed tasks again. */
  private async resumeRun(arg: unknown, retry?: unknown): Promise<RunResult | undefined> {
    let runId = typeof arg === 'string' ? arg : undefined;
    if (!runId) {
      const runs = (await this.deps.controller.listRuns()).filter((r) => r.status === 'running' || r.status === 'cancelled' || r.status === 'budget');
      if (runs.length === 0) {
        void vscode.window.showInformationMessage('AgensFlow: no interrupted or cancelled run to resume.');
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(runs.map((r) => ({
        label: (r.goal ?? r.runId).slice(0, 100), description: r.status === 'running' ? 'interrupted' : r.status, detail: `${r.runId} · ${r.tasks} tasks · ${new Date(r.createdAt).toLocaleString()}`, runId: r.runId,
      })), { placeHolder: 'The run to continue' });
      runId = pick?.runId;
    }
    if (!runId) return undefined;
    this.deps.showGraph();
    const again = Array.isArray(retry) ? retry.filter((id): id is string => typeof id === 'string' && TASK_ID.test(id)) : [];
    return this.deps.controller.resume(runId, again);
  }

  private async openRun(arg: unknown): Promise<void> {
    let runId = typeof arg === 'string' ? arg : undefined;
    if (!runId) {
      const runs = await this.deps.controller.listRuns();
      if (runs.length === 0) {
        void vscode.window.showInformationMessage('AgensFlow: there are no past runs in this workspace.');
        return;
      }
      const pick = await vscode.window.showQuickPick(runs.map((r) => ({
        label: (r.goal ?? r.runId).slice(0, 100), description: r.status, detail: `${r.runId} · ${r.tasks} tasks · ${new Date(r.createdAt).toLocaleString()}`, runId: r.runId,
      })), { placeHolder: 'A past run to show' });
      runId = pick?.runId;
    }
    if (!runId) return;
    if (this.deps.controller.isBusy) {
      void vscode.window.showWarningMessage('AgensFlow: a run is going on; its view stays until it ends.');
      return;
    }
    await this.deps.controller.show(runId);
    this.deps.showGraph();
  }

  private currentRun(): string | undefined {
    const runId = this.deps.controller.currentRunId;
    if (!runId) void vscode.window.showInformationMessage('AgensFlow: no run to review yet.');
    return runId;
  }

  /** With a task and a path: that file's diff. With a task: its files. Else every pending file of the run. */
  private async reviewChanges(taskId: unknown, path: unknown): Promise<number> {
    const runId = this.currentRun();
    if (!runId) return 0;
    const shown = typeof taskId === 'string' && typeof path === 'string'
      ? ((await this.deps.review.openDiff(runId, taskId, path)) ? 1 : 0)
      : await this.deps.review.reviewChanges(runId, typeof taskId === 'string' ? [taskId] : undefined);
    if (shown > 0) this.deps.controller.markStep('reviewed');
    return shown;
  }

  /**
   * The run and tasks of a command's argument: a task id (of the current run), a proposed document (its task),
   * a multi-file review (the editor title's buttons: its one task, else the tasks picked, "all" first), or,
   * with no argument, one task picked from the current run's open patches.
   */
  private async subjectOf(arg: unknown, verb: string): Promise<{ runId: string; taskIds: string[] } | undefined> {
    const proposed = arg instanceof vscode.Uri ? parseProposedUri(arg) : undefined;
    if (proposed) return { runId: proposed.runId, taskIds: [proposed.taskId] };
    const view = arg instanceof vscode.Uri ? parseReviewUri(arg) : undefined;
    const runId = view?.runId ?? this.currentRun();
    if (!runId) return undefined;
    if (typeof arg === 'string') return { runId, taskIds: [arg] };
    const wanted = view?.taskIds ? new Set(view.taskIds) : undefined;
    const open = (await this.deps.review.openPatches(runId)).filter((p) => !wanted || wanted.has(p.taskId));
    if (open.length === 0) {
      void vscode.window.showInformationMessage('AgensFlow: no patch waits for review.');
      return undefined;
    }
    if (view && open.length === 1) return { runId, taskIds: [open[0].taskId] };
    const items: (vscode.QuickPickItem & { ids: string[] })[] = open.map((p) => ({ label: p.taskId, description: `${p.status} · ${p.title}`, detail: p.files.join(', '), ids: [p.taskId] }));
    if (view) items.unshift({ label: `All ${open.length} tasks in this view`, detail: open.map((p) => p.taskId).join(', '), ids: open.map((p) => p.taskId) });
    const pick = await vscode.window.showQuickPick(items, { placeHolder: `The task whose changes to ${verb}` });
    return pick ? { runId, taskIds: pick.ids } : undefined;
  }

  /**
   * Accept Task / Reject Task: each task its own undoable edit (in plan order), a notification with the
   * counts and Undo; the open multi-file reviews are refreshed, so decided files leave them.
   */
  private async decideTask(arg: unknown, verb: 'accept' | 'reject'): Promise<AcceptOutcome | boolean | undefined> {
    const subject = await this.subjectOf(arg, verb);
    if (!subject) return undefined;
    const { runId, taskIds } = subject;
    try {
      if (verb === 'reject') {
        const rejected: string[] = [];
        for (const id of taskIds) if (await this.deps.review.reject(runId, id)) rejected.push(id);
        this.notifyDone(`rejected the changes of ${rejected.length === 1 ? rejected[0] : `${rejected.length} tasks`}; your files are as they were`, rejected, 'reject');
        return rejected.length === taskIds.length && rejected.length > 0;
      }
      if (taskIds.length === 1) {
        if (!(await this.confirmUpstream(runId, taskIds[0]))) return undefined;
        const outcome = await this.deps.review.accept(runId, taskIds[0]);
        this.report(taskIds[0], outcome, runId, taskIds[0]);
        return outcome;
      }
      return (await this.acceptEach(runId, taskIds)).at(-1);
    } finally {
      await this.deps.review.refreshViews(runId);
    }
  }

  /**
   * Undo Accept / Undo Reject of a task (its id, a proposed document, or one picked from the decided tasks).
   * A file the accept created and the user edited since is removed only after asking.
   */
  private async undo(arg: unknown, kind: 'accept' | 'reject'): Promise<boolean> {
    const proposed = arg instanceof vscode.Uri ? parseProposedUri(arg) : undefined;
    const runId = proposed?.runId ?? this.currentRun();
    if (!runId) return false;
    let taskId = typeof arg === 'string' ? arg : proposed?.taskId;
    if (!taskId) {
      const decided = await this.deps.review.decidedTasks(runId, kind);
      if (decided.length === 0) {
        void vscode.window.showInformationMessage(`AgensFlow: no ${kind === 'accept' ? 'accepted' : 'rejected'} change to undo in this run.`);
        return false;
      }
      const pick = await vscode.window.showQuickPick(decided.map((d) => ({ label: d.taskId, description: d.title, detail: d.files.join(', ') })), { placeHolder: `The task whose ${kind} to undo` });
      taskId = pick?.label;
    }
    if (!taskId) return false;
    const report = await this.deps.review.undo(runId, taskId, kind);
    try {
      return await this.undone(runId, taskId, kind, report);
    } finally {
      await this.deps.review.refreshViews(runId);
    }
  }

  /** Tells what an undo did; a created file edited since is removed only when the user says so. */
  private async undone(runId: string, taskId: string, kind: 'accept' | 'reject', first: UndoReport): Promise<boolean> {
    let report = first;
    if (report.undone === 'nothing' && report.edited?.length && !report.conflicts?.length) {
      const REMOVE = 'Remove Anyway';
      const choice = await vscode.window.showWarningMessage(
        `AgensFlow: ${report.edited.join(', ')} ${report.edited.length === 1 ? 'was' : 'were'} created by accepting ${taskId}, and you edited ${report.edited.length === 1 ? 'it' : 'them'} since. Undoing the accept removes ${report.edited.length === 1 ? 'it' : 'them'} with your edits.`,
        { modal: true },
        REMOVE,
      );
      if (choice !== REMOVE) return false;
      report = await this.deps.review.undo(runId, taskId, kind, { removeEdited: true });
    }
    if (report.undone === 'nothing') {
      void vscode.window.showWarningMessage(`AgensFlow: did not undo the ${kind} of ${taskId}: ${report.reason ?? 'nothing to undo'}.`);
      return false;
    }
    const what = kind === 'accept'
      ? `undid the accept of ${taskId}: ${report.files.length} file${report.files.length === 1 ? '' : 's'} put back${report.merged?.length ? ` (your later edits kept in ${report.merged.join(', ')})` : ''}`
      : `undid the reject of ${taskId}: its changes wait for review again`;
    void vscode.window.showInformationMessage(`AgensFlow: ${what}.`);
    return true;
  }

  /**
   * Before accepting one task: when a task it depends on is rejected, conflicted or has markers to resolve,
   * says so with the names and asks (modal); true to go on.
   */
  private async confirmUpstream(runId: string, taskId: string): Promise<boolean> {
    const upstream = await this.deps.review.heldBy(runId, taskId);
    if (upstream.length === 0) return true;
    const ANYWAY = 'Accept Anyway';
    const choice = await vscode.window.showWarningMessage(
      `AgensFlow: ${taskId} depends on ${describeUpstream(upstream)}, whose changes are not in your files. Its changes may not work without theirs.`,
      { modal: true },
      ANYWAY,
    );
    return choice === ANYWAY;
  }

  /** Opens a conflicted task's overlapping files in the merge editor (see ReviewService.resolveInMergeEditor). */
  private async resolveConflict(arg: unknown): Promise<boolean> {
    const subject = await this.subjectOf(arg, 'resolve');
    const taskId = subject?.taskIds[0];
    if (!subject || !taskId) return false;
    const res = await this.deps.review.resolveInMergeEditor(subject.runId, taskId);
    await this.deps.review.refreshViews(subject.runId);
    if (res.state === 'nothing') {
      void vscode.window.showWarningMessage(`AgensFlow: cannot resolve ${taskId} now: ${res.reason}.`);
      return false;
    }
    const files = res.files.join(', ');
    const text = res.files.length === 0
      ? `applied ${taskId}: it merged with your changes after all`
      : res.editor === 'merge'
        ? `${files} ${res.files.length === 1 ? 'is' : 'are'} open in the merge editor: choose what to keep where the changes overlap, then Complete Merge. Undo Accept puts your version back`
        : `${files} now ${res.files.length === 1 ? 'holds' : 'hold'} conflict markers where the changes overlap: resolve them and save. Undo Accept puts your version back`;
    this.notifyDone(text, [taskId], 'accept');
    return true;
  }

  /** Re-runs a task against the files as they are now (see RunController.rerun). */
  private async rerunTask(arg: unknown): Promise<RunResult | undefined> {
    const subject = await this.subjectOf(arg, 're-run');
    const taskId = subject?.taskIds[0];
    if (!subject || !taskId) return undefined;
    this.deps.showGraph(taskId);
    return this.deps.controller.rerun(subject.runId, taskId);
  }

  /**
   * The short notification after a decision: what was done, with counts, and an Undo button that takes it
   * back (accepts undone in reverse order, dependents first).
   */
  private notifyDone(text: string, taskIds: readonly string[], kind: 'accept' | 'reject'): void {
    if (taskIds.length === 0) return;
    void vscode.window.showInformationMessage(`AgensFlow: ${text}.`, 'Undo').then(async (choice) => {
      if (choice !== 'Undo') return;
      const order = kind === 'accept' ? [...taskIds].reverse() : taskIds;
      for (const id of order) await vscode.commands.executeCommand(kind === 'accept' ? COMMANDS.undoAccept : COMMANDS.undoReject, id);
    });
  }

  /**
   * Accepts or rejects one file: that of a proposed document (the diff editor's title buttons, the context menu
   * of the proposed side), or one picked from a multi-file review (its title's menu). The open reviews are
   * refreshed afterwards.
   */
  private async decideFile(arg: unknown, verb: 'accept' | 'reject'): Promise<AcceptOutcome | boolean | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const view = uri ? parseReviewUri(uri) : undefined;
    const ref = uri ? parseProposedUri(uri) ?? (view ? await this.pickFile(view.runId, view.taskIds, verb) : undefined) : undefined;
    if (!ref) {
      if (!view) void vscode.window.showInformationMessage('AgensFlow: open a proposed change (Review Changes) first.');
      return undefined;
    }
    try {
      if (verb === 'reject') {
        const done = await this.deps.review.reject(ref.runId, ref.taskId, [ref.path]);
        if (done) this.notifyDone(`rejected ${ref.path} of ${ref.taskId}`, [ref.taskId], 'reject');
        return done;
      }
      if (!(await this.confirmUpstream(ref.runId, ref.taskId))) return undefined;
      const outcome = await this.deps.review.accept(ref.runId, ref.taskId, [ref.path]);
      this.report(`${ref.taskId} (${ref.path})`, outcome, ref.runId, ref.taskId);
      return outcome;
    } finally {
      await this.deps.review.refreshViews(ref.runId);
    }
  }

  /** One pending file of a multi-file review, picked by the user. */
  private async pickFile(runId: string, taskIds: readonly string[] | undefined, verb: string): Promise<{ runId: string; taskId: string; path: string } | undefined> {
    const wanted = taskIds ? new Set(taskIds) : undefined;
    const open = (await this.deps.review.openPatches(runId)).filter((p) => !wanted || wanted.has(p.taskId));
    const items = open.flatMap((p) => p.files.map((path) => ({ label: path, description: p.taskId, taskId: p.taskId })));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('AgensFlow: no file in this view waits for a decision.');
      return undefined;
    }
    const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: `The file to ${verb}` });
    return pick ? { runId, taskId: pick.taskId, path: pick.label } : undefined;
  }

  /** Accepts, task by task (each its own undoable edit), every open patch of a task that passed. */
  private async acceptAllVerified(): Promise<AcceptOutcome[]> {
    const runId = this.currentRun();
    if (!runId) return [];
    const open = (await this.deps.review.openPatches(runId)).filter((p) => p.status === 'passed');
    if (open.length === 0) {
      void vscode.window.showInformationMessage('AgensFlow: no verified patch waits for review.');
      return [];
    }
    try {
      return await this.acceptEach(runId, open.map((p) => p.taskId));
    } finally {
      await this.deps.review.refreshViews(runId);
    }
  }

  /** Accepts tasks one by one (each its own undoable edit): problems told per task, successes in one notification. */
  private async acceptEach(runId: string, taskIds: readonly string[]): Promise<AcceptOutcome[]> {
    const open = taskIds.map((taskId) => ({ taskId }));
    const outcomes: AcceptOutcome[] = [];
    const accepted: string[] = [];
    let files = 0;
    const held: string[] = [];
    for (const p of open) {
      // Held back, as the CLI's apply does, when a task it depends on is not (cleanly) applied: said below.
      const upstream = await this.deps.review.heldBy(runId, p.taskId);
      if (upstream.length) {
        held.push(`${p.taskId} (depends on ${describeUpstream(upstream)})`);
        continue;
      }
      const outcome = await this.deps.review.accept(runId, p.taskId);
      outcomes.push(outcome);
      // Problems are told per task; successes in one notification below.
      this.report(p.taskId, outcome, runId);
      if (outcome.state === 'applied' || outcome.state === 'proposed') {
        accepted.push(p.taskId);
        files += outcome.files.length;
      }
    }
    if (held.length) void vscode.window.showWarningMessage(`AgensFlow: not applied, held back by the tasks they depend on: ${held.join('; ')}. Accept them one by one to apply them anyway.`);
    const left = open.length - accepted.length;
    this.notifyDone(`applied ${accepted.length} task${accepted.length === 1 ? '' : 's'} (${files} file${files === 1 ? '' : 's'})${left ? `; ${left} not applied (see the warnings)` : ''}`, accepted, 'accept');
    return outcomes;
  }

  private async rejectAll(confirmed: boolean): Promise<number> {
    const runId = this.currentRun();
    if (!runId) return 0;
    const open = await this.deps.review.openPatches(runId);
    if (open.length === 0) return 0;
    if (!confirmed) {
      const ok = await vscode.window.showWarningMessage(`Reject the changes of ${open.length} task${open.length === 1 ? '' : 's'}? Your files stay as they are.`, { modal: true }, 'Reject All');
      if (ok !== 'Reject All') return 0;
    }
    const rejected: string[] = [];
    for (const p of open) if (await this.deps.review.reject(runId, p.taskId)) rejected.push(p.taskId);
    await this.deps.review.refreshViews(runId);
    this.notifyDone(`rejected the changes of ${rejected.length} task${rejected.length === 1 ? '' : 's'}; your files are as they were`, rejected, 'reject');
    return open.length;
  }

  /** Tells the user what an accept did: a problem with its next step, or (given `undoTask`) the success with Undo. */
  private report(subject: string, outcome: AcceptOutcome, runId: string, undoTask?: string): void {
    if (outcome.state === 'conflicted' && outcome.unsaved.length > 0) {
      // The user edits a file the proposal was made without. Nothing is saved or overwritten unless asked.
      const SAVE = 'Save My Edits';
      const files = outcome.unsaved.join(', ');
      void vscode.window.showWarningMessage(
        `AgensFlow: did not apply ${subject}: ${files} ${outcome.unsaved.length === 1 ? 'has' : 'have'} unsaved edits that the proposal was not based on, so it is out of date. Your text was kept and nothing was saved. Save your edits and accept again (the proposal is then merged with them), or undo your edits and accept again.`,
        SAVE, 'Review Changes',
      ).then(async (c) => {
        if (c === SAVE) {
          const saved = await this.deps.review.saveEditors(runId, outcome.unsaved);
          this.deps.log.info(`saved the user's edits of ${saved.join(', ') || '(none)'} at their request`);
        } else if (c === 'Review Changes') {
          await vscode.commands.executeCommand(COMMANDS.reviewChanges);
        }
      });
    } else if (outcome.state === 'conflicted') {
      // The next step: resolve the overlap in the merge editor, or have the task redo its work on the user's version.
      const RESOLVE = 'Resolve in Merge Editor';
      const RERUN = 'Re-run on My Version';
      const task = undoTask ?? subject;
      void vscode.window.showWarningMessage(
        `AgensFlow: did not apply ${subject}: ${outcome.conflicts.map((c) => c.reason).join('; ')}. Your changes were kept.`,
        RESOLVE, RERUN, 'Review Changes',
      ).then((c) => c === RESOLVE ? vscode.commands.executeCommand(COMMANDS.resolveConflict, task)
        : c === RERUN ? vscode.commands.executeCommand(COMMANDS.rerunTask, task)
          : c && vscode.commands.executeCommand(COMMANDS.reviewChanges));
    } else if (outcome.state === 'failed' || outcome.state === 'nothing') {
      void vscode.window.showWarningMessage(`AgensFlow: ${outcome.reason}.`);
    } else if (outcome.notSaved?.length) {
      // Applied in the editors, but not on disk yet: say so, with the two ways on.
      const SAVE = outcome.notSaved.length === 1 ? 'Save It' : 'Save Them';
      const UNDO = 'Undo Accept';
      const task = undoTask ?? subject;
      const names = outcome.notSaved.join(', ');
      void vscode.window.showWarningMessage(
        `AgensFlow: applied ${subject}, but ${names} could not be saved (VS Code said why): ${outcome.notSaved.length === 1 ? 'its editor holds' : 'their editors hold'} the change, unsaved. Save to keep it on disk, or Undo Accept.`,
        SAVE, UNDO,
      ).then(async (c) => {
        if (c === SAVE) {
          const saved = await this.deps.review.saveEditors(runId, outcome.notSaved ?? []);
          const still = (outcome.notSaved ?? []).filter((p) => !saved.includes(p));
          if (still.length) void vscode.window.showWarningMessage(`AgensFlow: ${still.join(', ')} still could not be saved. Fix what VS Code reported (permissions, a full disk), then save, or Undo Accept.`, UNDO).then((again) => again === UNDO && vscode.commands.executeCommand(COMMANDS.undoAccept, task));
        } else if (c === UNDO) {
          await vscode.commands.executeCommand(COMMANDS.undoAccept, task);
        }
      });
    } else if (undoTask) {
      const n = outcome.files.length;
      const merged = outcome.merged.length ? `, merged with your changes in ${outcome.merged.join(', ')}` : '';
      this.notifyDone(`applied ${subject} (${n} file${n === 1 ? '' : 's'})${merged}`, [undoTask], 'accept');
    }
  }
}

/** "lib (rejected), api (conflicted)": the upstream tasks that hold a task back, with their patch states. */
function describeUpstream(upstream: readonly UpstreamProblem[]): string {
  return upstream.map((u) => `${u.taskId} (${u.state === 'held' ? 'itself held back' : u.state === 'conflicted-markers' ? 'conflict markers to resolve' : u.state})`).join(', ');
}
