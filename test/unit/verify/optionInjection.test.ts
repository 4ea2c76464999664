/**
 * Issue 11, break 1: a file name must never become a command option. Plan validation refuses names
 * beginning with `-` (test/unit/plan/optionLikePaths.test.ts); here the verification layer is attacked
 * directly, as if such a name had got past it (a workspace file, a future caller): every path it hands to
 * a tool is `./`-prefixed or absolute, so the tool checks the file instead of running the model's code.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sandboxSupport, verifyTask, type VerifyResult } from '../../../src/core/verify';
import { pathArg } from '../../../src/core/verify/tools';
import { hashTree, suiteWorkspaces } from './helpers';

const outcomes = (r: VerifyResult): string[] => r.checks.map((c) => `${c.id}=${c.outcome}`);

describe('verify: no file name is ever read as an option', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();

  it('node --check: a task file named "--require=./evil.js" is checked, evil.js never runs', async () => {
    const dir = await ws({});
    const canary = path.join(path.dirname(dir), `canary-require-${path.basename(dir)}`);
    const staged = new Map([
      ['evil.js', `require('fs').writeFileSync(${JSON.stringify(canary)}, 'pwned');\n`],
      // The folder "--require=." holding "evil.js": passed as written, node would preload ./evil.js.
      ['--require=./evil.js', 'let x = ;\n'],
    ]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['--require=./evil.js'] });
    assert.equal(existsSync(canary), false, 'the model-written evil.js ran during verification');
    assert.equal(r.outcome, 'failed', outcomes(r).join(', '));
    assert.equal(r.checks[0]!.findings[0]?.file, '--require=./evil.js');
  });

  it('node --check: a task file named "--import=data:...;0&&x.js" cannot make a syntax error pass', async () => {
    const dir = await ws({});
    const name = '--import=data:text/javascript,process.exit(0);0&&x.js';
    const r = await verifyTask({ workspaceDir: dir, layers: [new Map([[name, 'let x = ;\n']])], taskFiles: [name] });
    assert.equal(r.outcome, 'failed', outcomes(r).join(', '));
    assert.match(r.checks[0]!.findings[0]?.message ?? '', /SyntaxError/);
  });

  it("a user verifier's {files} are ./-prefixed: a file named like an option of the tool stays a file name", async () => {
    const dir = await ws({ 'src/ok.py': 'x = 1\n' });
    const printArgs = 'import sys; print("\\n".join(sys.argv[1:]))';
    const staged = new Map([['src/--help.py', 'x = 2\n'], ['-rf.py', 'y = 3\n']]);
    const config = { builtins: false, verifiers: [{ id: 'args', glob: '**/*.py', command: ['python3', '-c', printArgs, '{files}'], cwd: 'src' }] };
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['src/--help.py', 'src/ok.py', '-rf.py'], config });
    assert.equal(r.outcome, 'passed', outcomes(r).join(', '));
    assert.deepEqual(r.checks[0]!.output.trim().split('\n'), ['../-rf.py', './--help.py', './ok.py']);
  });

  it('every built-in tool gets its files ./-prefixed (fake tools on PATH record their argv)', async function () {
    if (process.platform === 'win32') this.skip();
    const bin = await ws({});
    for (const tool of ['python3', 'node', 'latexmk']) {
      await fs.writeFile(path.join(bin, tool), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    }
    const dir = await ws({ 'tsconfig.json': '{"include":["*.ts"]}' });
    const staged = new Map([
      ['-m.py', 'x = 1\n'],
      ['--check.js', 'x = 1\n'],
      ['-shell-escape.tex', '\\documentclass{article}\\begin{document}x\\end{document}\n'],
      ['-p.ts', 'export {};\n'],
    ]);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: [...staged.keys()], env: { PATH: bin } });
    assert.equal(r.outcome, 'passed', outcomes(r).join(', '));
    const argv = Object.fromEntries(r.checks.map((c) => [c.id, c.output.trim().split('\n')]));
    // In bubblewrap's sandbox compiled files go to its private /tmp (builtins.ts, pycachePrefix).
    const prefix = (await sandboxSupport()).sandbox === 'bwrap' ? ['-X', 'pycache_prefix=/tmp/pycache'] : [];
    assert.deepEqual(argv['python:py_compile'], ['-I', ...prefix, '-m', 'py_compile', './-m.py']);
    assert.deepEqual(argv['node:check:--check.js'], ['--check', './--check.js']);
    assert.deepEqual(argv['latexmk:-shell-escape.tex'], ['-norc', '-pdf', '-halt-on-error', '-interaction=nonstopmode', './-shell-escape.tex']);
    // tsc gets no file names, only the project folder after -p: the copy's absolute root (which output
    // shows as ".").
    const tsc = argv['tsc:.']!;
    assert.equal(tsc[tsc.indexOf('-p') + 1], '.', tsc.join(' '));
  });

  it('latexmk: a file named "-pdflatex=sh e %O.tex" does not set the TeX command', async function () {
    if (process.env.AGENSFLOW_SKIP_TEX === '1') this.skip();
    const dir = await ws({});
    const canary = path.join(path.dirname(dir), `canary-tex-${path.basename(dir)}`);
    const staged = new Map([
      ['e', `touch ${JSON.stringify(canary)}\n`],
      ['-pdflatex=sh e %O.tex', '\\documentclass{article}\n\\begin{document}\nHello.\n\\end{document}\n'],
    ]);
    const before = await hashTree(dir);
    const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['-pdflatex=sh e %O.tex'] });
    assert.equal(existsSync(canary), false, 'latexmk ran the model-written script');
    // latexmk now sees a file name, and refuses it as one TeX cannot use: failed, never passed.
    assert.equal(r.outcome, 'failed');
    assert.match(r.checks[0]!.findings[0]?.message ?? '', /Filename '\.\/-pdflatex=sh e %O\.tex'/);
    assert.equal(await hashTree(dir), before);
  });

  it('pathArg leaves ./, ../ and absolute paths alone and prefixes every other relative path', () => {
    assert.deepEqual(
      ['a.py', '-x', '--require=./e.js', '..foo.py', './a', '../a', '/abs/-x'].map(pathArg),
      ['./a.py', './-x', './--require=./e.js', './..foo.py', './a', '../a', '/abs/-x'],
    );
  });
});
