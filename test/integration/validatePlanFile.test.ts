import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { PlanFileReport } from '../../src/vscode/planFile/planFileValidator';
import { closeAllEditors, nextDiagnostics, workspaceFile } from './helpers';

const COMMAND = 'agensflow.validatePlanFile';

async function validate(uri?: vscode.Uri): Promise<PlanFileReport> {
  const report = await vscode.commands.executeCommand<PlanFileReport | undefined>(COMMAND, ...(uri ? [uri] : []));
  assert.ok(report, 'the command returned no report');
  return report;
}

/** The diagnostics of `uri` whose code is `code`, with the text each one underlines. */
async function underlined(uri: vscode.Uri, code: string): Promise<string[]> {
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => String(d.code) === code)
    .map((d) => document.getText(d.range));
}

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerValidatePlanFileTests(): void {
  describe('AgensFlow: Validate Plan File…', () => {
    afterEach(closeAllEditors);

    it('reports a valid plan\'s metrics and leaves no diagnostics', async () => {
      const uri = workspaceFile('valid.plan.json');
      const report = await validate(uri);
      assert.equal(report.verdict, 'valid');
      assert.deepEqual(report.metrics, { tasks: 5, edges: 4, depth: 3, parallelism: 5 / 3, dependencyComplexity: 0.8, criticalPath: ['spec', 'board', 'game'] });
      assert.match(report.message, /5 tasks, 4 edges, depth 3, parallelism 1\.67, C_dep 0\.8, critical path spec → board → game/);
      assert.deepEqual(vscode.languages.getDiagnostics(uri), []);
    });

    it('puts each error of an invalid plan on the offending task, at the right range', async () => {
      const uri = workspaceFile('invalid.plan.json');
      const report = await validate(uri);
      assert.equal(report.verdict, 'invalid');
      assert.deepEqual(await underlined(uri, 'unknown-dep'), ['"ghost"']);
      assert.deepEqual(await underlined(uri, 'escaping-path'), ['"../outside.py"']);
      const cycle = vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'cycle');
      assert.equal(cycle.length, 1);
      const document = await vscode.workspace.openTextDocument(uri);
      // The cycle is reported at task b's dependency on c, on b's line, with c as related information.
      assert.equal(document.getText(cycle[0].range), '"c"');
      assert.match(document.lineAt(cycle[0].range.start.line).text, /"id": "b"/);
      assert.deepEqual(cycle[0].relatedInformation?.map((r) => r.message), ['task "c"']);
      for (const d of vscode.languages.getDiagnostics(uri)) {
        assert.equal(d.source, 'AgensFlow');
        assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      }
      // The file is shown so the underlines are seen.
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    });

    it('reports malformed JSON at its position', async () => {
      const uri = workspaceFile('malformed.plan.json');
      const report = await validate(uri);
      assert.equal(report.verdict, 'malformed');
      const document = await vscode.workspace.openTextDocument(uri);
      const [d, ...rest] = vscode.languages.getDiagnostics(uri);
      assert.equal(rest.length, 0);
      assert.equal(d.code, 'json');
      // `{ "id": "a" "title": ... }`: the comma is missing before "title".
      assert.deepEqual(d.range.start, document.positionAt(document.getText().indexOf('"title"')));
      assert.match(report.message, /line 3, column 17/);
    });

    it('validates the active editor when it holds a JSON plan', async () => {
      const uri = workspaceFile('valid.plan.json');
      await vscode.window.showTextDocument(uri);
      const report = await validate();
      assert.equal(report.uri, uri.toString());
      assert.equal(report.verdict, 'valid');
    });

    it('re-checks a validated plan as it is edited', async () => {
      const uri = workspaceFile('invalid.plan.json');
      await validate(uri);
      const editor = await vscode.window.showTextDocument(uri);
      const ghost = editor.document.getText().indexOf('"ghost"');
      const range = new vscode.Range(editor.document.positionAt(ghost), editor.document.positionAt(ghost + '"ghost"'.length));
      const cleared = nextDiagnostics(uri, (ds) => !ds.some((d) => d.code === 'unknown-dep'));
      assert.ok(await editor.edit((b) => b.replace(range, '"d"')));
      const after = await cleared;
      assert.ok(after.some((d) => d.code === 'cycle'), 'the other errors remain');
    });
  });
}
