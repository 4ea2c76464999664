/**
 * Built-in checks with the real tools (python3, node, tsc, html-validate, css-tree, JSON), each passing
 * and failing, plus the isolation rules: agent-written files never change which tool runs, and the user's
 * folder is unchanged byte for byte.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { verifyTask, type CheckResult, type VerifyResult } from '../../../src/core/verify';
import { hashTree, suiteWorkspaces } from './helpers';

function check(r: VerifyResult, id: string): CheckResult {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}

describe('verify: built-in checks', function () {
  this.timeout(60_000);
  const ws = suiteWorkspaces();

  it('python3: passes valid code, fails a syntax error with file and line', async () => {
    const dir = await ws({ 'pkg/ok.py': 'def f(x):\n    return x + 1\n' });
    const staged = new Map([['pkg/bad.py', 'def g(:\n    pass\n']]);
    const ok = await verifyTask({ workspaceDir: dir, taskFiles: ['pkg/ok.py'] });
    assert.equal(ok.outcome, 'passed');
    assert.equal(check(ok, 'python:py_compile').exitCode, 0);
    const bad = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['pkg/ok.py', './pkg/bad.py'] });
    assert.equal(bad.outcome, 'failed');
    const c = check(bad, 'python:py_compile');
    assert.equal(c.tool, 'python3');
    const f = c.findings[0];
    assert.deepEqual([f?.file, f?.line, f?.tool], ['pkg/bad.py', 1, 'python3']);
    assert.match(f?.message ?? '', /^SyntaxError: /);
  });

  it('python3 -I: an agent-written py_compile.py does not replace the real one', async () => {
    const dir = await ws({});
    const staged = new Map([
      ['py_compile.py', 'import sys\nopen("shadow-ran", "w").close()\nsys.exit(0)\n'],
      ['bad.py', 'x = (\n'],
    ]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['bad.py'] });
    assert.equal(r.outcome, 'failed');
    assert.equal(check(r, 'python:py_compile').findings[0]?.file, 'bad.py');
  });

  it('node --check: passes valid JavaScript, fails a syntax error with file and line', async () => {
    const dir = await ws({ 'a.js': 'module.exports = 1;\n', 'b.mjs': 'export const x = 1;\n' });
    const ok = await verifyTask({ workspaceDir: dir, taskFiles: ['a.js', 'b.mjs'] });
    assert.equal(ok.outcome, 'passed');
    assert.deepEqual(ok.checks.map((c) => c.id), ['node:check:a.js', 'node:check:b.mjs']);
    const bad = await verifyTask({ workspaceDir: dir, layers: [new Map([['a.js', 'const a = 1;\nlet x = ;\n']])], taskFiles: ['a.js'] });
    assert.equal(bad.outcome, 'failed');
    const f = check(bad, 'node:check:a.js').findings[0];
    assert.equal(f?.file, 'a.js');
    assert.equal(f?.line, 2);
    assert.match(f?.message ?? '', /SyntaxError/);
  });

  it('an agent-written package.json "test" script does not change what a built-in check runs', async () => {
    const dir = await ws({ 'package.json': '{"name":"x","scripts":{}}\n' });
    const canary = path.join(dir, '..', `canary-${path.basename(dir)}`);
    const staged = new Map<string, string>([
      ['package.json', JSON.stringify({ name: 'x', scripts: { test: `node -e "require('fs').writeFileSync('${canary}','x')"`, pretest: 'exit 1' } })],
      ['index.js', 'module.exports = 2;\n'],
    ]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['index.js', 'package.json'] });
    assert.equal(r.outcome, 'passed');
    assert.deepEqual(r.checks.map((c) => `${c.id}/${c.tool}`), ['node:check:index.js/node', 'json/json']);
    assert.equal(existsSync(canary), false);
  });

  it('tsc --noEmit -p: passes a typed project, fails a type error at file(line)', async () => {
    const tsconfig = JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], lib: ['es2020'], skipLibCheck: true }, include: ['src'] });
    const dir = await ws({ 'app/tsconfig.json': tsconfig, 'app/src/a.ts': 'export const n: number = 1;\n' });
    const ok = await verifyTask({ workspaceDir: dir, taskFiles: ['app/src/a.ts'] });
    assert.equal(ok.outcome, 'passed', JSON.stringify(ok.checks));
    assert.equal(check(ok, 'tsc:app').tool, 'tsc');
    const staged = new Map([['app/src/b.ts', "import { n } from './a';\nexport const s: string = n;\n"]]);
    const bad = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['app/src/b.ts'] });
    assert.equal(bad.outcome, 'failed');
    const f = check(bad, 'tsc:app').findings[0];
    assert.equal(f?.file, 'app/src/b.ts');
    assert.equal(f?.line, 2);
    assert.match(f?.message ?? '', /^TS2322: /);
    assert.ok(!check(bad, 'tsc:app').output.includes('agensflow-verify-'), 'output mentions the temp folder');
  });

  it("tsc comes from the user's workspace as it was, never from a staged node_modules", async () => {
    // A stand-in for the workspace's own TypeScript: it proves which compiler ran.
    const fakeTsc = "console.log('workspace tsc ' + process.argv.slice(2).join(' ')); process.exit(0);\n";
    const dir = await ws({ 'tsconfig.json': '{}', 'a.ts': 'export {};\n', 'node_modules/typescript/bin/tsc': fakeTsc });
    const staged = new Map([['node_modules/typescript/bin/tsc', "console.log('agent tsc'); process.exit(0);\n"]]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['a.ts'] });
    const c = check(r, 'tsc:.');
    assert.equal(c.outcome, 'passed');
    assert.match(c.output, /^workspace tsc --noEmit --pretty false .* -p /);
  });

  it('JSON: strict parse for .json, comments allowed in tsconfig.json; errors carry the line', async () => {
    const dir = await ws({ 'data.json': '{"a": [1, 2]}\n', 'tsconfig.json': '{\n  // comment\n  "compilerOptions": {},\n}\n' });
    const ok = await verifyTask({ workspaceDir: dir, taskFiles: ['data.json', 'tsconfig.json'] });
    assert.equal(check(ok, 'json').outcome, 'passed');
    const bad = await verifyTask({ workspaceDir: dir, layers: [new Map([['data.json', '{\n  "a": 1,\n  // no comments in JSON\n  "b": 2\n}\n']])], taskFiles: ['data.json'] });
    assert.equal(bad.outcome, 'failed');
    assert.deepEqual(check(bad, 'json').findings[0], { file: 'data.json', line: 3, message: 'InvalidCommentToken', tool: 'json' });
  });

  it('html-validate: passes valid HTML, fails misnested and stray tags', async () => {
    const page = (body: string): string => `<!doctype html>\n<html lang="en">\n<head><title>t</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
    const dir = await ws({ 'site/index.html': page('<main><p>Hello <b>there</b></p><img src="a.png" alt=""></main>') });
    const ok = await verifyTask({ workspaceDir: dir, taskFiles: ['site/index.html'] });
    assert.equal(ok.outcome, 'passed', JSON.stringify(ok.checks[0]?.findings));
    const bad = await verifyTask({ workspaceDir: dir, layers: [new Map([['site/index.html', page('<div><span>x</div>\n</em>')]])], taskFiles: ['site/index.html'] });
    assert.equal(bad.outcome, 'failed');
    const c = check(bad, 'html-validate');
    assert.ok(c.findings.some((f) => f.line === 5 && /Unclosed element '<span>'/.test(f.message)), JSON.stringify(c.findings));
    assert.ok(c.findings.some((f) => f.line === 6 && /Stray end tag '<\/em>'/.test(f.message)), JSON.stringify(c.findings));
  });

  it('html-validate ignores an agent-written .htmlvalidate.json (its plugins would be code)', async () => {
    const dir = await ws({});
    const staged = new Map([
      ['.htmlvalidate.json', JSON.stringify({ root: true, plugins: ['./evil.js'], rules: { 'close-order': 'off' } })],
      ['evil.js', 'throw new Error("plugin loaded")'],
      ['a.html', '<!doctype html><html lang="en"><head><title>t</title></head><body><div><span></div></body></html>'],
    ]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['a.html'] });
    assert.equal(check(r, 'html-validate').outcome, 'failed');
    assert.ok(check(r, 'html-validate').findings.some((f) => /close-order/.test(f.message)));
  });

  it('css-tree: passes valid CSS, fails parse errors and an unclosed block', async () => {
    const dir = await ws({ 'style.css': '@media (min-width: 600px) {\n  .a > b { color: red; content: "}"; }\n}\n' });
    const ok = await verifyTask({ workspaceDir: dir, taskFiles: ['style.css'] });
    assert.equal(ok.outcome, 'passed', JSON.stringify(ok.checks[0]?.findings));
    const bad = await verifyTask({ workspaceDir: dir, layers: [new Map([['style.css', 'a { color: red; }\nb { color: : blue; }\nc {\n  margin: 0;\n']])], taskFiles: ['style.css'] });
    assert.equal(bad.outcome, 'failed');
    const lines = check(bad, 'css-tree').findings.map((f) => f.line);
    assert.deepEqual(lines, [2, 3]);
  });

  it('a deleted task file is skipped; a task with only unknown file types has no checks and passes', async () => {
    const dir = await ws({ 'old.py': 'x = 1\n', 'notes.txt': 'hi' });
    const r = await verifyTask({ workspaceDir: dir, layers: [new Map([['old.py', null]])], taskFiles: ['old.py', 'notes.txt'] });
    assert.deepEqual(r, { outcome: 'passed', checks: [] });
  });

  it("a missing built-in tool makes the task unverified, naming the tool and how to install it", async () => {
    const dir = await ws({ 'a.py': 'x = 1\n' });
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.py'], env: { PATH: '/nonexistent-agensflow' } });
    assert.equal(r.outcome, 'unverified');
    assert.match(check(r, 'python:py_compile').findings[0]?.message ?? '', /^python3 not found: install Python 3/);
  });

  it("staged paths that would write through a symlink or into node_modules are refused, and the task unverified", async () => {
    const dir = await ws({ 'real/keep.py': 'x = 1\n' });
    const { symlink } = await import('node:fs/promises');
    await symlink('real', path.join(dir, 'link'));
    const before = await hashTree(dir);
    const r = await verifyTask({ workspaceDir: dir, layers: [new Map([['link/keep.py', 'x = 2\n']])], taskFiles: ['link/keep.py'] });
    assert.equal(r.outcome, 'unverified');
    assert.match(r.checks[0]?.findings[0]?.message ?? '', /symlink/);
    assert.equal(await hashTree(dir), before);
  });

  it("the user's folder is byte for byte unchanged by verification, passing or failing", async () => {
    const tsconfig = JSON.stringify({ compilerOptions: { strict: true, incremental: true, types: [], lib: ['es2020'], outDir: 'out' }, include: ['*.ts'] });
    const dir = await ws({ 'a.py': 'x = 1\n', 'b.js': 'var b;\n', 'tsconfig.json': tsconfig, 'c.ts': 'export const c = 1;\n', 'd.css': 'a{}', 'e.html': '<p>x</p>', 'f.json': '{}', 'node_modules/dep/index.js': 'module.exports = 0;\n' });
    const before = await hashTree(dir);
    const files = ['a.py', 'b.js', 'c.ts', 'd.css', 'e.html', 'f.json'];
    const passing = await verifyTask({ workspaceDir: dir, taskFiles: files, config: { verifiers: [{ glob: '*.py', command: ['python3', '-c', "open('written-by-verifier','w').close(); import os; os.makedirs('node_modules/.cache', exist_ok=True); open('node_modules/.cache/x','w').close()"] }] } });
    assert.equal(passing.outcome, 'passed', JSON.stringify(passing.checks.filter((c) => c.outcome !== 'passed')));
    const staged = new Map([['a.py', 'x = (\n'], ['b.js', 'var = ;\n'], ['c.ts', 'export const c: string = 1;\n'], ['f.json', '{']]);
    const failing = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: files });
    assert.equal(failing.outcome, 'failed');
    assert.equal(await hashTree(dir), before);
  });
});
