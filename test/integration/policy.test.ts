/**
 * The learned policy's commands in a real VS Code (code-server): Show Learned Policy opens a document per
 * decision point with each option's estimate, pins change it, Reset forgets (after confirmation), Export and
 * Import round-trip through files, and a corrupt policy file is set aside rather than overwritten. The policy
 * lives in the extension's storage, never in the workspace.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgensFlowExports } from '../../src/extension';
import { EXTENSION_ID, closeAllEditors, workspaceFile } from './helpers';

async function exportsOf(): Promise<AgensFlowExports> {
  const ext = vscode.extensions.getExtension<AgensFlowExports>(EXTENSION_ID);
  assert.ok(ext, 'the extension is installed');
  const exports = await ext.activate();
  // The engine loads on first use; what these tests read needs it.
  await exports.ready();
  return exports;
}

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerPolicyTests(): void {
  describe('AgensFlow: the learned policy commands', () => {
    let policyFile: string;
    before(async () => {
      policyFile = path.join((await exportsOf()).stateDir, 'policy', 'policy.json');
    });
    afterEach(closeAllEditors);

    it('Show Learned Policy opens a rendered preview with every option\'s estimate, range and starting-guess share for a point', async () => {
      // The tab appears through the workbench's tab model, after the command returns: wait on its event.
      const policyTab = (): boolean => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('agensflow.policy')));
      const opened = new Promise<void>((resolve) => {
        const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
          if (!policyTab()) return;
          sub.dispose();
          resolve();
        });
      });
      const text = await vscode.commands.executeCommand<string>('agensflow.showPolicy', { point: 'model' });
      if (!policyTab()) await opened;
      assert.match(text, /^# AgensFlow: what this workspace has learned/);
      assert.match(text, /## model\n\nWhich of your configured models/);
      assert.match(text, /\| option \| chance of passing \| likely range \| runs here \| starting guess \|/);
      // The tiers of the models set now (every tier while none is set), each with a Pin link.
      assert.match(text, /\| \*?\*?(cheap|standard \(fake-model\))\*?\*? \| \d+% \| \d+%–\d+% \| \d+ \| \d+% \| .* \| \[Pin\]\(command:agensflow\.showPolicy\?/);
      assert.doesNotMatch(text, /## recovery/);
      // VS Code's renderer keeps the Pin links as command links (the page allows that one command).
      const html = await vscode.commands.executeCommand<string>('markdown.api.render', text);
      assert.match(html, /<a [^>]*href="command:agensflow\.showPolicy\?[^"]+"[^>]*>Pin<\/a>/);
      // Rendered in the policy's webview (VS Code's Markdown renderer; command links work there, not in a
      // preview); the text is kept next to the policy file, and no untitled editor is left.
      assert.equal(fs.readFileSync(path.join(path.dirname(policyFile), 'learned-policy.md'), 'utf8'), text);
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled), 'no untitled document is left');
    });

    it('pins and unpins an option for a context', async () => {
      const pin = { point: 'protocol', when: {}, option: 'test-first' };
      const pinned = await vscode.commands.executeCommand<string>('agensflow.showPolicy', { point: 'protocol', pin });
      assert.match(pinned, /## Your pins\n\n.*\n\n- protocol → \*\*test-first\*\* for every task/);
      assert.match(pinned, /### every task \(all situations together\)( \(\d+ outcomes?\))? \(pinned: test-first\)/);
      const unpinned = await vscode.commands.executeCommand<string>('agensflow.showPolicy', { point: 'protocol', unpin: pin });
      assert.doesNotMatch(unpinned, /## Your pins/);
    });

    it('resets after confirmation, exports and imports; the policy file is in the extension storage, not the workspace', async () => {
      assert.equal(await vscode.commands.executeCommand<boolean>('agensflow.resetPolicy', { confirmed: true }), true);
      assert.ok(fs.existsSync(policyFile), policyFile);
      const workspace = path.dirname(workspaceFile('x').fsPath);
      assert.ok(!policyFile.startsWith(workspace + path.sep), 'never inside the workspace');
      assert.ok(!fs.readdirSync(workspace).some((f) => /policy/i.test(f)));
      const out = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'af-policy-export-')), 'shared.json'));
      assert.equal(await vscode.commands.executeCommand<string>('agensflow.exportPolicy', out), out.fsPath);
      const exported = JSON.parse(fs.readFileSync(out.fsPath, 'utf8')) as { schema: string };
      assert.equal(exported.schema, 'agensflow-policy-export');
      assert.equal(await vscode.commands.executeCommand<boolean>('agensflow.importPolicy', out), true);
      const state = JSON.parse(fs.readFileSync(policyFile, 'utf8')) as { data: { priorId: string } };
      assert.match(state.data.priorId, /\+learned@/);
      // A file that is not an export is refused and changes nothing.
      const bad = vscode.Uri.file(path.join(path.dirname(out.fsPath), 'bad.json'));
      fs.writeFileSync(bad.fsPath, '{"schema":"nope"}');
      assert.equal(await vscode.commands.executeCommand<boolean>('agensflow.importPolicy', bad), false);
      assert.match((JSON.parse(fs.readFileSync(policyFile, 'utf8')) as { data: { priorId: string } }).data.priorId, /\+learned@/);
      assert.equal(await vscode.commands.executeCommand<boolean>('agensflow.resetPolicy', { confirmed: true }), true);
      assert.doesNotMatch((JSON.parse(fs.readFileSync(policyFile, 'utf8')) as { data: { priorId: string } }).data.priorId, /\+learned@/);
    });

    it('sets a corrupt policy file aside instead of overwriting it, and still shows the policy', async () => {
      fs.mkdirSync(path.dirname(policyFile), { recursive: true });
      fs.writeFileSync(policyFile, '{ torn');
      const text = await vscode.commands.executeCommand<string>('agensflow.showPolicy', { point: 'planK' });
      assert.match(text, /## planK/);
      const aside = fs.readdirSync(path.dirname(policyFile)).filter((f) => f.startsWith('policy.json.corrupt-'));
      assert.equal(aside.length, 1);
      assert.equal(fs.readFileSync(path.join(path.dirname(policyFile), aside[0] as string), 'utf8'), '{ torn');
    });
  });
}
