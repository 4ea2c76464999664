/**
 * The plan gate in VS Code: when `agensflow.reviewPlan` asks for it, a planned run's chosen plan waits in the
 * graph (and the sidebar) for the user's answer before any agent starts. The answers are commands, which the
 * views' buttons, the Command Palette and tests all call:
 * - `agensflow.plan.run`: run the shown plan, or the edited one when Edit was used (only if it is valid);
 * - `agensflow.plan.replan`: a new plan drawn with the user's feedback (an argument, else an input box);
 * - `agensflow.plan.edit`: the plan as a JSON file in an editor, validated as it is typed (diagnostics from
 *   the plan file validator, the plan core's validator that `run --plan` uses).
 * Cancel is the run's own Cancel (`agensflow.cancelRun`), which ends the run as cancelled.
 * The loop itself (events, re-planning, the final check of an edited plan) is the core's (planReview.ts).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { toPlan } from '../../core/plan';
import type { PlanGate, PlanReviewAnswer, PlanReviewRequest, PlanReviewWhen } from '../../core/session';
import { COMMANDS } from '../commands/commandIds';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import type { PlanFileReport } from '../planFile/planFileValidator';
import type { SettingsReader } from '../run/runConfig';

/** The context key that is true while a plan waits for review (enables the commands in the palette). */
export const PLAN_REVIEW_CONTEXT = 'agensflow.planReview';

/** What the gate's commands return to their caller (`executeCommand` hands it back to scripts and tests). */
export type PlanGateCommandResult =
  | { ok: true; action: 'run' | 'run-edited' | 'replan' | 'edit'; uri?: string }
  | { ok: false; reason: string; problems?: PlanFileReport['problems'] };

export interface PlanGateDeps {
  settings: SettingsReader;
  log: Logger;
  /** Folder for the edited plans (the extension's storage; never the workspace, which agents read). */
  stateDir: string;
  /** Validates an edited plan now and as it is typed. */
  validator?: { watch(document: vscode.TextDocument): PlanFileReport };
  /** Opens the graph panel, where the plan and its candidates are shown. */
  showGraph(): void;
}

interface Pending {
  request: PlanReviewRequest;
  answer(a: PlanReviewAnswer): void;
  /** The file of the plan being edited this round (Edit). */
  edited?: vscode.Uri;
  /** The JSON the editor opened with: Run with it unchanged is a plain Run. */
  original?: string;
}

/** When the gate applies, from the settings. */
export function reviewWhenOf(settings: SettingsReader): PlanReviewWhen {
  const mode = settings('reviewPlan');
  return mode === 'aboveN' ? { aboveTasks: settings('reviewPlanAbove') } : mode;
}

export class PlanGateService extends Disposable {
  private pending: Pending | undefined;
  /** The plan file Edit wrote last (a refused edit is shown again in the same round, with the same file). */
  private lastEdit: { runId: string; round: number; uri: vscode.Uri; original: string } | undefined;
  /** The removal of earlier runs' edited plans (Edit waits for it before writing in the same folder). */
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PlanGateDeps) {
    super();
    this._register(vscode.commands.registerCommand(COMMANDS.planRun, () => this.run()));
    this._register(vscode.commands.registerCommand(COMMANDS.planReplan, (arg?: unknown) => this.replan(arg)));
    this._register(vscode.commands.registerCommand(COMMANDS.planEdit, () => this.edit()));
    void vscode.commands.executeCommand('setContext', PLAN_REVIEW_CONTEXT, false);
  }

  /** The gate for a new run (undefined when the settings say never). */
  gate(): PlanGate | undefined {
    const when = reviewWhenOf(this.deps.settings);
    if (when === 'never') return undefined;
    return { when, review: (request, signal) => this.review(request, signal) };
  }

  /** True while a plan waits for the user. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  private review(request: PlanReviewRequest, signal: AbortSignal): Promise<PlanReviewAnswer> {
    const previous = this.lastEdit;
    return new Promise<PlanReviewAnswer>((resolve) => {
      const pending: Pending = {
        request,
        answer: (a) => {
          if (this.pending !== pending) return;
          this.clear();
          resolve(a);
        },
      };
      // A refused edit comes back in the same round: keep editing the same file.
      if (previous && previous.runId === request.runId && previous.round === request.round) {
        pending.edited = previous.uri;
        pending.original = previous.original;
      }
      this.pending = pending;
      this.sweeping = this.removeOldEdits(request.runId);
      signal.addEventListener('abort', () => pending.answer({ kind: 'cancel' }), { once: true });
      void vscode.commands.executeCommand('setContext', PLAN_REVIEW_CONTEXT, true);
      this.deps.showGraph();
      const n = request.plan.tasks.length;
      this.deps.log.info(`run ${request.runId}: plan ${request.round} (${n} task${n === 1 ? '' : 's'}) waits for review`);
      if (request.problems?.length) {
        void vscode.window.showErrorMessage(`AgensFlow: the edited plan was not run: ${request.problems[0]}${request.problems.length > 1 ? ` (and ${request.problems.length - 1} more)` : ''}`);
      }
    });
  }

  /**
   * Removes the edited plans of earlier runs (each run's journal holds the plan it ran), except those open in
   * an editor. Never throws.
   */
  private async removeOldEdits(runId: string): Promise<void> {
    const dir = this.editsDir();
    const names = await readdir(dir).catch(() => [] as string[]);
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    for (const name of names) {
      const file = path.join(dir, name);
      if (name.startsWith(`${runId}-`) || !name.endsWith('.json') || open.has(file)) continue;
      await rm(file, { force: true }).catch(() => undefined);
    }
  }

  private editsDir(): string {
    return path.join(this.deps.stateDir, 'plan-review');
  }

  private clear(): void {
    this.pending = undefined;
    void vscode.commands.executeCommand('setContext', PLAN_REVIEW_CONTEXT, false);
  }

  private nothingWaiting(): PlanGateCommandResult {
    void vscode.window.showInformationMessage('AgensFlow: no plan is waiting for review.');
    return { ok: false, reason: 'no plan is waiting for review' };
  }

  /** Run: the edited plan when Edit was used and it is valid, else the plan shown. */
  private async run(): Promise<PlanGateCommandResult> {
    const pending = this.pending;
    if (!pending) return this.nothingWaiting();
    if (!pending.edited) {
      pending.answer({ kind: 'run' });
      return { ok: true, action: 'run' };
    }
    const document = await vscode.workspace.openTextDocument(pending.edited);
    const text = document.getText();
    if (text === pending.original) {
      pending.answer({ kind: 'run' });
      return { ok: true, action: 'run' };
    }
    const report = this.deps.validator?.watch(document);
    if (report && report.verdict !== 'valid') {
      await vscode.window.showTextDocument(document, { preview: false });
      void vscode.window.showErrorMessage(`AgensFlow: fix the edited plan before running it. ${report.message}`);
      return { ok: false, reason: report.message, problems: report.problems };
    }
    // Saved so the file on disk is the plan that ran; the run uses the text checked here either way.
    await document.save().then(undefined, (e: unknown) => this.deps.log.warn(`could not save the edited plan: ${e instanceof Error ? e.message : String(e)}`));
    pending.answer({ kind: 'run', edited: text });
    return { ok: true, action: 'run-edited' };
  }

  /** Re-plan: the feedback from the argument (`{ feedback }` or a string), else an input box. */
  private async replan(arg: unknown): Promise<PlanGateCommandResult> {
    if (!this.pending) return this.nothingWaiting();
    let feedback = typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && 'feedback' in arg && typeof arg.feedback === 'string' ? arg.feedback : undefined;
    if (feedback === undefined) {
      feedback = await vscode.window.showInputBox({
        title: 'AgensFlow: Re-plan with Feedback',
        prompt: 'What should the new plan do differently? Your words go to the planner with the current plan.',
        placeHolder: 'e.g. keep the UI in one task; add a task for tests',
        ignoreFocusOut: true,
      });
    }
    const pending = this.pending;
    if (feedback === undefined || !pending) return { ok: false, reason: 'no feedback given' };
    pending.answer({ kind: 'replan', feedback });
    return { ok: true, action: 'replan' };
  }

  /** Edit: the shown plan as a JSON file, opened and validated as it is typed. */
  private async edit(): Promise<PlanGateCommandResult> {
    const pending = this.pending;
    if (!pending) return this.nothingWaiting();
    if (!pending.edited) {
      const { runId, round, plan } = pending.request;
      await this.sweeping;
      const file = path.join(this.editsDir(), `${runId}-plan-${round}.json`);
      const text = `${JSON.stringify(toPlan(plan), null, 2)}\n`;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text, 'utf8');
      pending.edited = vscode.Uri.file(file);
      pending.original = text;
      this.lastEdit = { runId, round, uri: pending.edited, original: text };
    }
    const document = await vscode.workspace.openTextDocument(pending.edited);
    await vscode.window.showTextDocument(document, { preview: false });
    this.deps.validator?.watch(document);
    return { ok: true, action: 'edit', uri: pending.edited.toString() };
  }

  override dispose(): void {
    this.pending?.answer({ kind: 'cancel' });
    super.dispose();
  }
}
