/**
 * Whole-project checkers (tsc on a tsconfig, a user verifier marked `wholeProject`) are compared with the
 * unchanged workspace: an error that was already there, in a file the task does not own, does not fail the
 * task; an error the task brings, in its own files or in another, does. Real tsc (the devDependency) on a
 * small project in a temp folder, in the machine's verification mode.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../src/core/run/events';
import { parseVerifyConfig, verifyTask, VerifyRuntime, type CheckResult } from '../../../src/core/verify';
import { suiteWorkspaces } from './helpers';

/** A runtime that counts how often a baseline is actually computed. */
class CountingRuntime extends VerifyRuntime {
  computed = 0;
  override baseline(root: string, checkId: string, compute: () => Promise<Finding[] | undefined>): Promise<Finding[] | undefined> {
    return super.baseline(root, checkId, () => {
      this.computed++;
      return compute();
    });
  }
}

const project = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], lib: ['es2020'] }, include: ['src'] }),
  // Already broken before the run, owned by no task of these tests but one.
  'src/legacy.ts': 'export const broken: number = "pre-existing";\n',
  'src/lib.ts': "export function greet(name: string): string {\n  return 'hi ' + name;\n}\n",
  'src/use.ts': "import { greet } from './lib';\nexport const g: string = greet('x');\n",
};

const tscOf = (checks: CheckResult[]): CheckResult | undefined => checks.find((c) => c.id === 'tsc:.');

describe('verify: whole-project checkers count only what the task changed', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();

  it('a pre-existing type error in a file the task does not own does not fail it (reported as pre-existing)', async () => {
    const dir = await ws(project);
    const staged = new Map([['src/lib.ts', "export function greet(name: string): string {\n  return 'hello ' + name;\n}\nexport const two = 2;\n"]]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['src/lib.ts'] });
    const tsc = tscOf(r.checks);
    assert.equal(r.outcome, 'passed', JSON.stringify(r.checks));
    assert.equal(tsc?.outcome, 'passed');
    assert.equal(tsc?.preExisting, 1);
    assert.match(tsc?.findings[0]?.message ?? '', /^1 pre-existing error in files this task does not own \(src\/legacy\.ts\), not counted$/);
    assert.match(tsc?.output ?? '', /pre-existing error/);
    assert.equal('compared' in (tsc ?? {}), false, 'the internal comparison data does not leave verification');
  });

  it('an error the task introduces in another file (one it does not own) fails it', async () => {
    const dir = await ws(project);
    // greet now returns a number: src/use.ts, which the task does not own, no longer type-checks.
    const staged = new Map([['src/lib.ts', 'export function greet(name: string): number {\n  return name.length;\n}\n']]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['src/lib.ts'] });
    const tsc = tscOf(r.checks);
    assert.equal(r.outcome, 'failed');
    assert.ok(tsc?.findings.some((f) => f.file === 'src/use.ts' && /TS2322/.test(f.message)), JSON.stringify(tsc?.findings));
    assert.ok(!tsc?.findings.some((f) => f.file === 'src/legacy.ts'), 'the pre-existing error is not among the counted ones');
    assert.equal(tsc?.preExisting, 1);
    assert.match(tsc?.findings.at(-1)?.message ?? '', /1 pre-existing error .*not counted/);
  });

  it('an error in the task\'s own file fails it', async () => {
    const dir = await ws(project);
    const staged = new Map([['src/lib.ts', "export function greet(name: string): string {\n  return 42;\n}\n"]]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['src/lib.ts'] });
    assert.equal(r.outcome, 'failed');
    assert.deepEqual(tscOf(r.checks)?.findings.filter((f) => f.file !== undefined).map((f) => [f.file, f.line]), [['src/lib.ts', 2]]);
  });

  it('an error that was already in the task\'s own file still counts (the task owns it)', async () => {
    const dir = await ws(project);
    const staged = new Map([['src/legacy.ts', '// touched\nexport const broken: number = "pre-existing";\n']]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['src/legacy.ts'] });
    assert.equal(r.outcome, 'failed');
    assert.equal(tscOf(r.checks)?.findings[0]?.file, 'src/legacy.ts');
  });

  it('the baseline is computed once per workspace state, and again after the user changes a file', async () => {
    const dir = await ws(project);
    const runtime = new CountingRuntime();
    const ok = new Map([['src/lib.ts', "export function greet(name: string): string {\n  return 'yo ' + name;\n}\n"]]);
    for (let i = 0; i < 2; i++) assert.equal((await verifyTask({ workspaceDir: dir, layers: [ok], taskFiles: ['src/lib.ts'], runtime })).outcome, 'passed');
    assert.equal(runtime.computed, 1);
    // The user adds a second broken file meanwhile: the old baseline would not excuse it.
    await fs.writeFile(path.join(dir, 'src/other.ts'), 'export const other: string = 1;\n');
    const r = await verifyTask({ workspaceDir: dir, layers: [ok], taskFiles: ['src/lib.ts'], runtime });
    assert.equal(runtime.computed, 2);
    assert.equal(r.outcome, 'passed');
    assert.equal(tscOf(r.checks)?.preExisting, 2);
  });

  it('a project the task creates has no baseline: every error counts', async () => {
    const dir = await ws({ 'src/other.ts': 'export const broken: number = "x";\n' });
    const staged = new Map([
      ['tsconfig.json', project['tsconfig.json']],
      ['src/new.ts', 'export const fine = 1;\n'],
    ]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['tsconfig.json', 'src/new.ts'] });
    assert.equal(r.outcome, 'failed');
    assert.equal(tscOf(r.checks)?.findings[0]?.file, 'src/other.ts');
  });

  describe('a user verifier marked wholeProject', () => {
    // The user's own project-wide checker: prints `path:line: message` for every line holding "BAD".
    const checker = [
      "const fs = require('fs'); const path = require('path');",
      'let bad = 0;',
      "const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (p.endsWith('.txt')) fs.readFileSync(p, 'utf8').split('\\n').forEach((l, i) => { if (l.includes('BAD')) { bad++; console.log(`${path.relative('.', p)}:${i + 1}: error: ${l.trim()}`); } }); } };",
      "walk('docs');",
      'process.exit(bad ? 1 : 0);',
    ].join('\n');
    const config = { builtins: false, verifiers: [{ id: 'docs', glob: 'docs/**/*.txt', command: ['node', 'check.js'], wholeProject: true }] };

    it('counts only the errors the task brought, matched by file and message', async () => {
      const dir = await ws({ 'check.js': checker, 'docs/old.txt': 'BAD old\n', 'docs/mine.txt': 'fine\n' });
      const passed = await verifyTask({ workspaceDir: dir, layers: [new Map([['docs/mine.txt', 'still fine\n']])], taskFiles: ['docs/mine.txt'], config });
      assert.equal(passed.outcome, 'passed', JSON.stringify(passed.checks));
      assert.equal(passed.checks[0]?.preExisting, 1);
      const failed = await verifyTask({ workspaceDir: dir, layers: [new Map([['docs/mine.txt', 'BAD new\n']])], taskFiles: ['docs/mine.txt'], config });
      assert.equal(failed.outcome, 'failed');
      assert.deepEqual(failed.checks[0]?.findings.map((f) => f.file ?? 'note'), ['docs/mine.txt', 'note']);
    });

    it('may not take {files} (it checks the project)', () => {
      assert.throws(() => parseVerifyConfig({ verifiers: [{ glob: '*', command: ['x', '{files}'], wholeProject: true }] }), /whole-project verifier/);
    });
  });
});
