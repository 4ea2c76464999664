/**
 * Incremental `tsc` inside the verification sandbox: one run's checks share tsc's build information, the
 * results stay those of a full check, and nothing but tsc itself can write that information (a forged one
 * would make a later check pass). Real tsc (the devDependency), in the machine's verification mode; the
 * attack needs a sandbox and is skipped, with a note, where the machine has none.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LeaseStore, sandboxSupport, verifyTask, VerifyRuntime, type CheckResult } from '../../../src/core/verify';
import { suiteWorkspaces } from './helpers';

const project = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], lib: ['es2020'] }, include: ['src'] }),
  'src/lib.ts': "export function greet(name: string): string {\n  return 'hi ' + name;\n}\n",
  'src/use.ts': "import { greet } from './lib';\nexport const g: string = greet('x');\n",
};
/** greet now returns a number: src/use.ts, which no task here owns, no longer type-checks. */
const breaking = new Map([['src/lib.ts', 'export function greet(name: string): number {\n  return name.length;\n}\n']]);
const harmless = new Map([['src/lib.ts', "export function greet(name: string): string {\n  return 'hello ' + name;\n}\n"]]);

const tscOf = (checks: CheckResult[]): CheckResult | undefined => checks.find((c) => c.id === 'tsc:.');
const keptFiles = async (folder: string | undefined): Promise<string[]> =>
  folder === undefined ? [] : (await fs.readdir(folder)).filter((n) => n.endsWith('.tsbuildinfo')).map((n) => path.join(folder, n));

describe('verify: incremental tsc inside the sandbox', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();

  it('checks after the first start from its build information and still find what a full check finds', async function () {
    if ((await sandboxSupport()).sandbox === 'none') this.skip(); // no sandbox: tsc runs in full (next test)
    const dir = await ws(project);
    const runtime = new VerifyRuntime();
    try {
      const first = await verifyTask({ workspaceDir: dir, layers: [harmless], taskFiles: ['src/lib.ts'], runtime });
      assert.equal(tscOf(first.checks)?.outcome, 'passed', JSON.stringify(first.checks));
      assert.deepEqual(runtime.tscCache!.stats, { checkouts: 1, reused: 0, kept: 1 });
      assert.equal((await keptFiles(await runtime.tscCache!.folder())).length, 1, 'the build information is kept outside the view');

      // The next task's change breaks a file it does not own: the incremental check sees it.
      const second = await verifyTask({ workspaceDir: dir, layers: [breaking], taskFiles: ['src/lib.ts'], runtime });
      const tsc = tscOf(second.checks);
      assert.equal(second.outcome, 'failed');
      assert.ok(tsc?.findings.some((f) => f.file === 'src/use.ts' && /TS2322/.test(f.message)), JSON.stringify(tsc?.findings));
      assert.ok(runtime.tscCache!.stats.reused >= 1, 'the second check started from the first one\'s build information');

      // And the same change undone passes again, from the build information the failing check left.
      const third = await verifyTask({ workspaceDir: dir, layers: [harmless], taskFiles: ['src/lib.ts'], runtime });
      assert.equal(tscOf(third.checks)?.outcome, 'passed', JSON.stringify(third.checks));
      assert.ok(runtime.tscCache!.stats.reused >= 2);
    } finally {
      await runtime.clear();
    }
    assert.equal(await runtime.tscCache!.folder(), undefined, 'a run that ended keeps no build information');
  });

  it('a command other than tsc cannot write the build information, and a forged one changes nothing', async function () {
    if ((await sandboxSupport()).sandbox === 'none') this.skip();
    const dir = await ws(project);
    const runtime = new VerifyRuntime();
    try {
      await verifyTask({ workspaceDir: dir, layers: [harmless], taskFiles: ['src/lib.ts'], runtime });
      const [kept] = await keptFiles(await runtime.tscCache!.folder());
      assert.ok(kept, 'tsc kept its build information');
      const before = await fs.readFile(kept!);
      // The worst case: a verifier (agent-influenced code) that knows the path tries to replace the file
      // with the build information of a passing state, and to plant a file beside it.
      const forge = [
        "const fs = require('node:fs'); const [, kept] = process.argv; let out = '';",
        "try { fs.writeFileSync(kept, fs.readFileSync(kept)); out += 'wrote '; } catch (e) { out += e.code + ' '; }",
        "try { fs.writeFileSync(kept + '.planted', '{}'); out += 'planted'; } catch (e) { out += e.code; }",
        'console.log(out); process.exit(1);',
      ].join('\n');
      const config = { builtins: false, verifiers: [{ glob: 'src/**/*.ts', command: ['node', '-e', forge, kept!] }] };
      const attacked = await verifyTask({ workspaceDir: dir, layers: [breaking], taskFiles: ['src/lib.ts'], runtime, config });
      const verifier = attacked.checks.find((c) => c.tool === 'node');
      assert.ok(verifier, JSON.stringify(attacked.checks));
      assert.match(verifier!.output, /^(ENOENT|EROFS|EACCES|EPERM) (ENOENT|EROFS|EACCES|EPERM)$/m, verifier!.output);
      assert.deepEqual(await fs.readFile(kept!), before, 'the build information is as tsc left it');
      assert.equal(existsSync(`${kept}.planted`), false, 'nothing appeared beside it');
      // tsc, from that build information, still reports the error the change brings.
      const checked = await verifyTask({ workspaceDir: dir, layers: [breaking], taskFiles: ['src/lib.ts'], runtime });
      assert.ok(tscOf(checked.checks)?.findings.some((f) => f.file === 'src/use.ts'), JSON.stringify(tscOf(checked.checks)));
      assert.ok(runtime.tscCache!.stats.reused >= 1);
    } finally {
      await runtime.clear();
    }
  });

  it('without a sandbox tsc runs in full: no build information is kept', async () => {
    const dir = await ws(project);
    const runtime = new VerifyRuntime({ support: { view: 'copy', sandbox: 'none', reason: 'test', tools: {} } });
    try {
      const r = await verifyTask({ workspaceDir: dir, layers: [breaking], taskFiles: ['src/lib.ts'], runtime });
      assert.ok(tscOf(r.checks)?.findings.some((f) => f.file === 'src/use.ts'), JSON.stringify(r.checks));
      assert.deepEqual(runtime.tscCache!.stats, { checkouts: 0, reused: 0, kept: 0 });
      assert.equal(await runtime.tscCache!.folder(), undefined);
    } finally {
      await runtime.clear();
    }
  });

  it('the build information folder is recorded for the cleanup after a crash, and the record goes with it', async function () {
    if ((await sandboxSupport()).sandbox === 'none') this.skip();
    const dir = await ws(project);
    const state = await ws({});
    const runtime = new VerifyRuntime({ stateDir: state });
    await verifyTask({ workspaceDir: dir, layers: [harmless], taskFiles: ['src/lib.ts'], runtime });
    const folder = await runtime.tscCache!.folder();
    const records = await new LeaseStore(state).list();
    assert.ok(
      records.some((r) => r.lease?.kind === 'view' && r.lease.path === folder),
      `the folder ${folder} is among the records: ${JSON.stringify(records)}`,
    );
    await runtime.clear();
    assert.equal(existsSync(folder!), false);
    assert.ok(!(await new LeaseStore(state).list()).some((r) => r.lease?.kind === 'view' && r.lease.path === folder));
  });
});
