/**
 * Issue 11, break 2: `tsc --noEmit -p DIR` obeyed an agent-written tsconfig's `incremental` +
 * `tsBuildInfoFile` (an absolute path: it overwrote a file outside the verification copy) and
 * `generateTrace`. The real compiler (the devDependency, as the built-in check resolves it) is attacked
 * with such a tsconfig, staged as an agent would, and nothing outside the copy may appear.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { verifyTask } from '../../../src/core/verify';
import { tscNoWriteArgs } from '../../../src/core/verify/tools';
import { hashTree, suiteWorkspaces } from './helpers';

describe('verify: tsc writes nothing its tsconfig names', function () {
  this.timeout(60_000);
  const ws = suiteWorkspaces();

  it('incremental/composite with an absolute tsBuildInfoFile, and generateTrace, write nothing outside (or inside)', async () => {
    const outside = await ws({ 'description': 'the user file the attack overwrote\n' });
    const before = await hashTree(outside);
    const dir = await ws({ 'src/a.ts': 'export const a: number = 1;\n' });
    const wsBefore = await hashTree(dir);
    for (const extra of [{ incremental: true }, { composite: true }]) {
      const tsconfig = {
        extends: './base.json',
        compilerOptions: { ...extra, tsBuildInfoFile: path.join(outside, 'description'), generateTrace: path.join(outside, 'trace'), strict: true, types: [], lib: ['es2020'] },
        include: ['src'],
      };
      const staged = new Map([
        ['tsconfig.json', JSON.stringify(tsconfig)],
        // What the tsconfig extends is agent-written too: its options are overridden the same way.
        ['base.json', JSON.stringify({ compilerOptions: { incremental: true, tsBuildInfoFile: path.join(outside, 'from-base') } })],
        ['src/b.ts', 'export const b: string = "x";\n'],
      ]);
      const r = await verifyTask({ workspaceDir: dir, layers: [staged], taskFiles: ['src/b.ts', 'tsconfig.json'] });
      const tsc = r.checks.find((c) => c.id === 'tsc:.');
      assert.equal(tsc?.outcome, 'passed', JSON.stringify(extra) + JSON.stringify(tsc));
      assert.equal(await hashTree(outside), before, `${JSON.stringify(extra)}: tsc wrote outside the copy`);
      assert.equal(existsSync(path.join(outside, 'trace')), false);
      assert.equal(existsSync(path.join(outside, 'from-base')), false);
    }
    assert.equal(await hashTree(dir), wsBefore);
  });

  it('a type error is still found with the overrides in place', async () => {
    const dir = await ws({ 'tsconfig.json': JSON.stringify({ compilerOptions: { incremental: true, strict: true, types: [], lib: ['es2020'] }, include: ['*.ts'] }) });
    const r = await verifyTask({ workspaceDir: dir, layers: [new Map([['a.ts', 'export const a: number = "x";\n']])], taskFiles: ['a.ts'] });
    assert.equal(r.outcome, 'failed');
    assert.deepEqual([r.checks[0]?.findings[0]?.file, r.checks[0]?.findings[0]?.line], ['a.ts', 1]);
  });

  it("a workspace TypeScript older than 4.1 (no way to switch the writes off) leaves the task unverified", async () => {
    const fakeTsc = "require('fs').writeFileSync(process.argv[1] + '.ran', ''); process.exit(0);\n";
    const dir = await ws({ 'tsconfig.json': '{}', 'a.ts': 'export {};\n', 'node_modules/typescript/bin/tsc': fakeTsc, 'node_modules/typescript/package.json': '{"version":"4.0.8"}' });
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.ts'] });
    assert.equal(r.outcome, 'unverified');
    assert.match(r.checks[0]?.findings[0]?.message ?? '', /TypeScript 4\.0\.8 is older than 4\.1/);
    assert.equal(existsSync(path.join(dir, 'node_modules/typescript/bin/tsc.ran')), false);
    await fs.rm(path.join(dir, 'node_modules'), { recursive: true });
  });

  it('tscNoWriteArgs: every writing option off from 4.1 on (and for an unknown version)', () => {
    const args = ['--incremental', 'false', '--composite', 'false', '--tsBuildInfoFile', 'null', '--generateTrace', 'null'];
    for (const v of ['4.1.0', '5.9.3', '6.0.0-dev', undefined]) assert.deepEqual(tscNoWriteArgs(v), args, String(v));
    for (const v of ['4.0.8', '3.9.10', '2.9.2']) assert.equal(tscNoWriteArgs(v), undefined, v);
  });
});
