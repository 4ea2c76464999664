import * as vscode from 'vscode';
import type { PlanMetrics } from '../../core/plan';
import { COMMANDS } from '../commands/commandIds';
import { Disposable } from '../lifecycle';
import type { Logger } from '../log';
import { checkPlanText, formatMetrics, type PlanCheck } from './check';
import type { LocatedProblem, OffsetRange } from './locate';

/** Diagnostics source shown in the Problems view. */
const SOURCE = 'AgensFlow';

/**
 * What `agensflow.validatePlanFile` returns to its caller (`executeCommand` hands it back), so scripts and
 * tests learn the verdict without reading the UI. Positions are zero-based, as in VS Code.
 */
export interface PlanFileReport {
  readonly uri: string;
  readonly verdict: PlanCheck['kind'];
  readonly metrics?: PlanMetrics;
  /** The message shown to the user. */
  readonly message: string;
  readonly problems: readonly { readonly code: string; readonly message: string; readonly range: vscode.Range }[];
}

/** True for a document that can hold a plan: JSON by language or name. */
function isJsonDocument(document: vscode.TextDocument): boolean {
  return document.languageId === 'json' || document.languageId === 'jsonc' || document.uri.path.toLowerCase().endsWith('.json');
}

/** True when the text is a JSON object with a `tasks` key: cheap, so any JSON file is not taken for a plan. */
function looksLikePlan(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) && 'tasks' in value;
  } catch {
    // Malformed JSON may still be a plan being written: take it when it mentions tasks at all.
    return /"tasks"\s*:/.test(text);
  }
}

const toRange = (document: vscode.TextDocument, r: OffsetRange): vscode.Range => new vscode.Range(document.positionAt(r.start), document.positionAt(r.end));

/**
 * `agensflow.validatePlanFile`: validates a plan file with the plan core and reports in the editor.
 * The target is, in order, a `Uri` argument (explorer, scripts), the active editor when it holds a JSON plan,
 * else a file picker. Errors become diagnostics on the JSON file at the offending value (a malformed file at
 * its syntax error); a valid plan's metrics are shown in an information message. Validated files are
 * re-checked as they are edited, and their diagnostics cleared when they are closed.
 */
export class PlanFileValidator extends Disposable {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('agensflow.plan'));
  /** Documents validated through the command, re-checked on edit. */
  private readonly tracked = new Set<string>();

  constructor(private readonly log: Logger) {
    super();
    this._register(vscode.commands.registerCommand(COMMANDS.validatePlanFile, (arg?: unknown) => this.run(arg)));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.tracked.has(e.document.uri.toString())) this.check(e.document);
      }),
    );
    this._register(
      vscode.workspace.onDidCloseTextDocument((document) => {
        const key = document.uri.toString();
        if (!this.tracked.delete(key)) return;
        this.diagnostics.delete(document.uri);
      }),
    );
  }

  /** The command handler; `undefined` when the user cancelled the picker. */
  private async run(arg: unknown): Promise<PlanFileReport | undefined> {
    const document = await this.pickDocument(arg);
    if (!document) return undefined;
    const report = this.check(document);
    this.tracked.add(document.uri.toString());
    this.log.info(`${vscode.workspace.asRelativePath(document.uri)}: ${report.verdict}, ${report.problems.length} problem(s)`);
    if (report.verdict === 'valid') {
      void vscode.window.showInformationMessage(report.message);
    } else {
      // Show the file so the underlines are seen; the picker's choice may not be open yet.
      await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
      void vscode.window.showErrorMessage(report.message, 'Show Problems').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
    }
    return report;
  }

  /**
   * Validates `document` now and again on every edit, as the command does, without messages: for plans edited
   * elsewhere (the plan gate's Edit). Returns the verdict with the diagnostics just published.
   */
  watch(document: vscode.TextDocument): PlanFileReport {
    this.tracked.add(document.uri.toString());
    return this.check(document);
  }

  private async pickDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
    if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
    const active = vscode.window.activeTextEditor?.document;
    if (active && isJsonDocument(active) && looksLikePlan(active.getText())) return active;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      canSelectFiles: true,
      canSelectFolders: false,
      openLabel: 'Validate Plan',
      title: 'AgensFlow: Validate Plan File',
      filters: { 'Plan JSON': ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    return picked?.[0] ? vscode.workspace.openTextDocument(picked[0]) : undefined;
  }

  /** Checks one document, replaces its diagnostics, and describes the outcome. */
  private check(document: vscode.TextDocument): PlanFileReport {
    const text = document.getText();
    const result = checkPlanText(text);
    const name = vscode.workspace.asRelativePath(document.uri);
    const base = { uri: document.uri.toString(), verdict: result.kind };
    switch (result.kind) {
      case 'valid':
        this.diagnostics.delete(document.uri);
        return { ...base, metrics: result.metrics, message: `Plan ${name} is valid: ${formatMetrics(result.metrics)}.`, problems: [] };
      case 'malformed': {
        const problems = this.publish(document, [result.problem]);
        return { ...base, message: `Plan ${name} is not valid JSON (line ${result.line}, column ${result.column}).`, problems };
      }
      case 'invalid': {
        const problems = this.publish(document, result.problems);
        const n = result.problems.length;
        return { ...base, message: `Plan ${name} has ${n} problem${n === 1 ? '' : 's'}: ${result.problems[0]?.message ?? ''}`, problems };
      }
    }
  }

  private publish(document: vscode.TextDocument, problems: readonly LocatedProblem[]): PlanFileReport['problems'] {
    const diagnostics = problems.map((p) => {
      const d = new vscode.Diagnostic(toRange(document, p.range), p.message, vscode.DiagnosticSeverity.Error);
      d.source = SOURCE;
      d.code = p.code;
      if (p.related.length > 0) {
        d.relatedInformation = p.related.map(
          (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, toRange(document, r.range)), `task "${r.taskId}"`),
        );
      }
      return d;
    });
    this.diagnostics.set(document.uri, diagnostics);
    return diagnostics.map((d) => ({ code: String(d.code), message: d.message, range: d.range }));
  }
}
