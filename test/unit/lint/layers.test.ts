import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * Each lint zone of eslint.config.mjs, broken by a throw-away file written into the tree (the zones are
 * folders of src/) and linted with the repository's own config; the files are removed whatever happens.
 */
const ROOT = path.resolve(__dirname, '../../..');

interface Probe {
  /** Folder of src/ the probe is written into. */
  dir: string;
  code: string;
  /** Substrings of each expected `local/layers` message, in order; empty for an allowed import. */
  expect: string[];
}

const PROBES: Record<string, Probe> = {
  'webview runs core code (the journal)': { dir: 'src/webview', code: "import { RunJournal } from '../core/run/journal';\nexport const j = RunJournal;\n", expect: ['src/webview may not import src/core/run/journal'] },
  'webview imports node:fs, fs, path and child_process': {
    dir: 'src/webview',
    code: "import { readFileSync } from 'node:fs';\nimport { writeFileSync } from 'fs';\nimport path from 'path';\nimport { spawn } from 'child_process';\nexport const x = [readFileSync, writeFileSync, path, spawn];\n",
    expect: ["the Node built-in 'node:fs'", "the Node built-in 'fs'", "the Node built-in 'path'", "the Node built-in 'child_process'"],
  },
  'webview imports a VS Code adapter, even for a type': { dir: 'src/webview', code: "import type { Logger } from '../vscode/log';\nexport type L = Logger;\n", expect: ['src/webview may not import src/vscode/log'] },
  'webview imports vscode': { dir: 'src/webview', code: "import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n", expect: ["src/webview may not import 'vscode'"] },
  'webview names core types and uses the protocol (allowed)': {
    dir: 'src/webview',
    code: "import type { Plan } from '../core/plan/schema';\nimport { parseHostMessage } from '../protocol/messages';\nexport type P = Plan;\nexport const p = parseHostMessage;\n",
    expect: [],
  },
  'protocol imports the CLI': { dir: 'src/protocol', code: "import { main } from '../cli/main';\nexport const m = main;\n", expect: ['src/protocol may not import src/cli'] },
  'protocol imports vscode, type-only': { dir: 'src/protocol', code: "import type { Uri } from 'vscode';\nexport type U = Uri;\n", expect: ["src/protocol may not import 'vscode'"] },
  'protocol imports a VS Code adapter': { dir: 'src/protocol', code: "import type { Logger } from '../vscode/log';\nexport type L = Logger;\n", expect: ['src/protocol may not import src/vscode'] },
  'core imports the protocol, type-only': { dir: 'src/core/session', code: "import type { HostMessage } from '../../protocol/messages';\nexport type H = HostMessage;\n", expect: ['src/core may not import src/protocol'] },
  'core imports the CLI entry point': { dir: 'src/core/run', code: "export { } from '../../cli';\n", expect: ['src/core may not import src/cli'] },
  'core imports vscode, type-only and by import()': {
    dir: 'src/core/models',
    code: "import type { Uri } from 'vscode';\nexport type U = Uri;\nexport type W = typeof import('vscode').workspace;\n",
    expect: ["src/core may not import 'vscode'", "src/core may not import 'vscode'"],
  },
  'core imports a VS Code adapter': { dir: 'src/core/verify', code: "export * from '../../vscode/settings';\n", expect: ['src/core may not import src/vscode'] },
  'core/plan imports core/run': { dir: 'src/core/plan', code: "import type { TaskStatus } from '../run/events';\nexport type S = TaskStatus;\n", expect: ['src/core/plan may not import src/core/run'] },
  'core/run imports core/verify, core/policy and core/session': {
    dir: 'src/core/run',
    code: "import { verifyTask } from '../verify';\nimport type { Policy } from '../policy';\nexport { composeRun } from '../session';\nexport const v = verifyTask;\nexport type P = Policy;\n",
    expect: ['src/core/run may not import src/core/verify', 'src/core/run may not import src/core/policy', 'src/core/run may not import src/core/session'],
  },
  'core/verify imports core/run (allowed)': { dir: 'src/core/verify', code: "import type { Finding } from '../run/events';\nexport type F = Finding;\n", expect: [] },
  'cli imports vscode': { dir: 'src/cli', code: "import * as vscode from 'vscode';\nexport const w = vscode.workspace;\n", expect: ["src/cli may not import 'vscode'"] },
  'vscode adapters import the webview': { dir: 'src/vscode', code: "import { mount } from '../webview/main';\nexport const m = mount;\n", expect: ['src/vscode may not import src/webview'] },
};

describe('lint zones (eslint.config.mjs, lint/layers.mjs)', function () {
  this.timeout(60_000);
  const found = new Map<string, string[]>();

  before(async () => {
    const files = new Map<string, string>();
    let n = 0;
    try {
      for (const [name, probe] of Object.entries(PROBES)) {
        const file = path.join(ROOT, probe.dir, `__layers_probe_${process.pid}_${n++}.ts`);
        writeFileSync(file, probe.code, { flag: 'wx' });
        files.set(file, name);
      }
      const results = await new ESLint({ cwd: ROOT }).lintFiles([...files.keys()]);
      for (const r of results) {
        const name = files.get(r.filePath);
        assert.ok(name !== undefined, `unexpected result for ${r.filePath}`);
        const fatal = r.messages.find((m) => m.fatal);
        assert.equal(fatal, undefined, `${name}: ${fatal?.message}`);
        found.set(name, r.messages.filter((m) => m.ruleId === 'local/layers').map((m) => m.message));
      }
    } finally {
      for (const file of files.keys()) rmSync(file, { force: true });
    }
  });

  for (const [name, probe] of Object.entries(PROBES)) {
    it(probe.expect.length ? `reports: ${name}` : `passes: ${name}`, () => {
      const messages = found.get(name);
      assert.ok(messages, `${name} was not linted`);
      assert.equal(messages.length, probe.expect.length, messages.join('\n'));
      probe.expect.forEach((want, i) => assert.ok(messages[i].includes(want), `${messages[i]} should mention ${want}`));
    });
  }
});
