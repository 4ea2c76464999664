import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgensFlowExports } from '../../src/extension';
import { EXTENSION_ID } from './helpers';

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerActivationTests(): void {
  describe('extension activation', () => {
    it('is installed, activates, and registers its commands', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is not installed`);
      const exports = (await ext.activate()) as AgensFlowExports;
      assert.equal(ext.isActive, true);
      // The engine loads on first use (or now, for a test that asks); each contribution starts alone, and one
      // that failed is logged and named here.
      await exports.ready();
      assert.equal(exports.engineLoaded, true);
      assert.deepEqual(exports.failedContributions, []);
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['agensflow.validatePlanFile', 'agensflow.showLog']) assert.ok(commands.includes(id), `${id} is not registered`);
    });

    it('contributes only commands that are registered, each in the AgensFlow category', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      await ext?.activate();
      const contributed = (ext?.packageJSON as { contributes?: { commands?: { command: string; category?: string }[] } }).contributes?.commands ?? [];
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.ok(contributed.length > 0);
      for (const c of contributed) {
        assert.ok(registered.has(c.command), `${c.command} is contributed but not registered`);
        assert.equal(c.category, 'AgensFlow', c.command);
      }
    });

    it('runs from the packaged .vsix when the driver installed one', function () {
      const expected = process.env.AGENSFLOW_EXPECT_EXTENSIONS_DIR;
      if (!expected) this.skip();
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext);
      const rel = path.relative(expected, ext.extensionPath);
      assert.ok(!rel.startsWith('..') && !path.isAbsolute(rel), `${ext.extensionPath} is not under ${expected}`);
    });

    it('runs in the trust state the driver asked for (Restricted Mode with --workspace-trust)', function () {
      const expected = process.env.AGENSFLOW_EXPECT_WORKSPACE_TRUSTED;
      if (expected === undefined) this.skip();
      assert.equal(vscode.workspace.isTrusted, expected === '1');
    });

    it('shows its log channel', async () => {
      await vscode.commands.executeCommand('agensflow.showLog');
    });
  });
}
