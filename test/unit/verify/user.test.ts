/** User-configured verifiers, the whole-run test command, and the configuration schema. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseVerifyConfig, runTestCommand, verifyTask, VerifyConfigSchema } from '../../../src/core/verify';
import { hashTree, makeWorkspace, rmrf } from './helpers';

describe('verify: user verifiers and the test command', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await makeWorkspace({ 'src/a.py': 'x = 1\n', 'src/b.py': 'y = 2\n', 'README.md': '# r\n', 'tests/test_a.py': 'def test_a():\n    assert True\n' });
  });
  afterEach(() => rmrf(dir));

  const listFiles = "import sys; print(' '.join(sys.argv[1:])); sys.exit(1 if any(a.endswith('bad.py') for a in sys.argv) else 0)";

  it('runs a verifier whose glob matches, expanding {files} relative to its cwd; skips one that does not match', async () => {
    const config = {
      builtins: false,
      verifiers: [
        { id: 'lint', glob: 'src/**/*.py', command: ['python3', '-c', listFiles, '--', '{files}'], cwd: 'src' },
        { id: 'md', glob: '**/*.md', command: ['python3', '-c', 'raise SystemExit(7)'] },
      ],
    };
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['src/a.py', 'src/b.py'], config });
    assert.equal(r.outcome, 'passed');
    assert.deepEqual(r.checks.map((c) => [c.id, c.tool, c.files]), [['user:lint', 'python3', ['src/a.py', 'src/b.py']]]);
    assert.equal(r.checks[0]!.output.trim(), '-- ./a.py ./b.py');
  });

  it('a failing user verifier fails the task with its exit code and output tail', async () => {
    const config = { builtins: false, verifiers: [{ glob: '**/*.py', command: ['python3', '-c', listFiles, '{files}'] }] };
    const r = await verifyTask({ workspaceDir: dir, layers: [new Map([['src/bad.py', 'z = 3\n']])], taskFiles: ['src/bad.py'], config });
    assert.equal(r.outcome, 'failed');
    assert.equal(r.checks[0]!.exitCode, 1);
    assert.match(r.checks[0]!.findings[0]!.message, /^python3 failed \(exit 1\): \.\/src\/bad\.py/);
  });

  it('a user verifier whose program is missing makes the task unverified, never passed', async () => {
    const config = { verifiers: [{ glob: '**/*.md', command: ['agensflow-no-such-linter', '{files}'] }] };
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['README.md'], config });
    assert.equal(r.outcome, 'unverified');
    assert.match(r.checks[0]!.findings[0]!.message, /^agensflow-no-such-linter not found: install agensflow-no-such-linter/);
  });

  it('a program is resolved from the workspace as it was, not from a staged copy of it', async () => {
    await fs.mkdir(path.join(dir, 'tools'));
    await fs.writeFile(path.join(dir, 'tools', 'check.sh'), '#!/bin/sh\necho user-script\n', { mode: 0o755 });
    const staged = new Map([['tools/check.sh', '#!/bin/sh\necho agent-script\n']]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['README.md'], config: { verifiers: [{ glob: '*.md', command: ['./tools/check.sh'] }] } });
    assert.equal(r.outcome, 'passed');
    assert.equal(r.checks[0]!.output.trim(), 'user-script');
  });

  it('runs the whole-run test command on the workspace plus every layer, leaving the folder unchanged', async () => {
    const before = await hashTree(dir);
    const layers = [new Map([['src/a.py', 'x = 10\n']]), new Map([['src/a.py', 'x = 11\n'], ['src/b.py', null]])];
    const script = "import os, sys; sys.path.insert(0, 'src'); import a; open('cache', 'w').close(); print(a.x, os.path.exists('src/b.py'))";
    const r = await runTestCommand({ workspaceDir: dir, layers, config: { testCommand: ['python3', '-c', script] } });
    assert.ok(r);
    assert.equal(r.outcome, 'passed');
    assert.deepEqual([r.checks[0]!.id, r.checks[0]!.output.trim()], ['test', '11 False']);
    assert.equal(await hashTree(dir), before);
    const failing = await runTestCommand({ workspaceDir: dir, config: { testCommand: { command: ['python3', '-c', 'raise SystemExit(2)'], cwd: 'tests' } } });
    assert.equal(failing?.outcome, 'failed');
    assert.equal(failing?.checks[0]?.exitCode, 2);
    assert.equal(await runTestCommand({ workspaceDir: dir }), undefined);
  });

  it('the config schema fills defaults and rejects unusable commands', () => {
    assert.deepEqual(parseVerifyConfig(undefined), { verifiers: [], timeoutMs: 120_000, outputCapBytes: 65_536, builtins: true });
    for (const bad of [{ verifiers: [{ glob: '*', command: [] }] }, { verifiers: [{ glob: '*', command: ['x'], cwd: '../up' }] }, { testCommand: 'npm test' }, { timeoutMs: 0 }]) {
      assert.equal(VerifyConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
