/**
 * Verification failure cases of failure-cases.md section 4.6/4.7 not covered elsewhere: C4 (a tool that
 * is missing, not executable, or given a wrong cwd: a specific message, the task unverified, never
 * passed), C9 (no built-in check runs an installer or a project script), C10 (one concurrency cap shared
 * by a run's checks; no process left behind) and X3 (cancel during verification: the process group
 * killed, the copy removed, the workspace untouched).
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CheckLimiter, createVerifyHook, runTestCommand, verifyTask, type VerifyResult } from '../../../src/core/verify';
import type { Task } from '../../../src/core/plan';
import type { StagedView } from '../../../src/core/run/staging';
import { eventually, fixture, hashTree, processGone, suiteWorkspaces, unsandboxed } from './helpers';

const why = (r: VerifyResult): string => r.checks[0]?.findings[0]?.message ?? '';

describe('verify: failure cases C4, C9, C10, X3', function () {
  this.timeout(60_000);
  const ws = suiteWorkspaces();

  describe('C4: a tool that cannot run makes the task unverified, saying why', () => {
    it('missing (ENOENT): names the program and how to fix it', async () => {
      const dir = await ws({ 'a.md': '# a\n' });
      const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.md'], config: { verifiers: [{ glob: '*.md', command: ['./tools/lint', '{files}'] }] } });
      assert.equal(r.outcome, 'unverified');
      assert.match(why(r), /^lint not found: install \.\/tools\/lint or fix the verifier's command/);
    });

    it('not executable (EACCES): says so, with the path', async function () {
      if (process.platform === 'win32') this.skip();
      const dir = await ws({ 'a.md': '# a\n', 'tools/lint': '#!/bin/sh\nexit 0\n' });
      await fs.chmod(path.join(dir, 'tools/lint'), 0o644);
      const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.md'], config: { verifiers: [{ glob: '*.md', command: ['./tools/lint'] }] } });
      assert.equal(r.outcome, 'unverified');
      assert.match(why(r), /^lint is not executable \(.*tools\/lint\): check its permissions/);
    });

    it('a wrong cwd is named as such, not reported as a missing tool', async () => {
      const dir = await ws({ 'a.md': '# a\n', 'file.txt': 'x' });
      for (const [cwd, text] of [['no/such/dir', 'does not exist in the workspace'], ['file.txt', 'is not a folder']] as const) {
        const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.md'], config: { verifiers: [{ glob: '*.md', command: ['python3', '-c', 'pass'], cwd }] } });
        assert.equal(r.outcome, 'unverified', cwd);
        assert.equal(why(r), `python3 could not run: its working folder "${cwd}" ${text}; fix the cwd in your settings`);
      }
      const t = await runTestCommand({ workspaceDir: dir, config: { testCommand: { command: ['python3', '-c', 'pass'], cwd: 'tests' } } });
      assert.equal(t?.outcome, 'unverified');
      assert.match(why(t!), /working folder "tests" does not exist/);
    });
  });

  it('C9: no built-in check runs npm/yarn/pnpm/pip or a project script, whatever the project holds', async function () {
    if (process.platform === 'win32') this.skip();
    const marks = await ws({});
    const bin = await ws({});
    // Installers that record being run; first on PATH, before the real tools.
    for (const tool of ['npm', 'npx', 'yarn', 'pnpm', 'bun', 'pip', 'pip3', 'make', 'poetry', 'uv']) {
      await fs.writeFile(path.join(bin, tool), `#!/bin/sh\ntouch ${JSON.stringify(path.join(marks, tool))}\n`, { mode: 0o755 });
    }
    const hook = (name: string): string => `node -e "require('fs').writeFileSync('${path.join(marks, name)}','')"`;
    const dir = await ws({
      'package.json': JSON.stringify({ name: 'p', scripts: { preinstall: hook('preinstall'), postinstall: hook('postinstall'), pretest: hook('pretest'), test: hook('test'), prepare: hook('prepare') } }),
      'package-lock.json': '{"lockfileVersion":3}',
      'requirements.txt': 'requests\n',
      'pyproject.toml': '[project]\nname = "p"\n',
      'setup.py': `open(${JSON.stringify(path.join(marks, 'setup.py'))}, 'w').close()\n`,
      Makefile: `all:\n\ttouch ${path.join(marks, 'Makefile')}\n`,
      'tsconfig.json': '{"include":["*.ts"],"compilerOptions":{"types":[],"lib":["es2020"]}}',
      'a.ts': 'export const a = 1;\n',
      'b.js': 'module.exports = 1;\n',
      'c.py': 'x = 1\n',
    });
    const files = ['package.json', 'package-lock.json', 'requirements.txt', 'pyproject.toml', 'setup.py', 'Makefile', 'a.ts', 'b.js', 'c.py'];
    const r = await verifyTask({ workspaceDir: dir, taskFiles: files, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` } });
    assert.equal(r.outcome, 'passed', JSON.stringify(r.checks.filter((c) => c.outcome !== 'passed')));
    assert.deepEqual(await fs.readdir(marks), [], 'an installer or a project script ran');
    assert.deepEqual(r.checks.map((c) => c.tool).sort(), ['json', 'node', 'python3', 'tsc']);
  });

  describe('C10: many tasks verifying at once', () => {
    const task = (id: string): Task => ({ id, title: id, objective: 'o', role: 'developer', deps: [], files: [`${id}.txt`], acceptance: [] });
    const view = (root: string): StagedView => ({ root, changes: new Map() }) as unknown as StagedView;

    it('one limiter caps the checks of every task of a run; no process (nor a left-behind grandchild) outlives it', async function () {
      if (process.platform === 'win32') this.skip();
      const ids = ['t1', 't2', 't3', 't4', 't5', 't6'];
      const dir = await ws(Object.fromEntries(ids.map((id) => [`${id}.txt`, id])));
      const log = await ws({});
      // Each check records its start and end (ns), leaves a daemon grandchild behind, and takes ~150 ms.
      const script = [
        'import os, subprocess, sys, time',
        `d = ${JSON.stringify(log)}`,
        'g = subprocess.Popen(["sleep", "60"], start_new_session=False)',
        'open(os.path.join(d, f"{os.getpid()}.start"), "w").write(f"{time.monotonic_ns()} {g.pid}")',
        'time.sleep(0.15)',
        'open(os.path.join(d, f"{os.getpid()}.end"), "w").write(str(time.monotonic_ns()))',
      ].join('\n');
      const limiter = new CheckLimiter(2);
      const hook = createVerifyHook({ config: { builtins: false, verifiers: [{ glob: '*.txt', command: ['python3', '-c', script] }] }, limiter, runtime: unsandboxed(limiter) });
      const signal = new AbortController().signal;
      const results = await Promise.all(ids.map((id) => hook(task(id), view(dir), { signal } as Parameters<typeof hook>[2])));
      assert.deepEqual(results.map((r) => r.outcome), ids.map(() => 'passed'));
      assert.equal(limiter.active, 0);
      assert.ok(limiter.peak <= 2, `peak ${limiter.peak}`);
      // The processes' own clocks agree: never more than two checks at once.
      const entries = await fs.readdir(log);
      const pids = entries.filter((e) => e.endsWith('.start')).map((e) => Number(e.slice(0, -6)));
      assert.equal(pids.length, 6);
      const spans = await Promise.all(pids.map(async (pid) => {
        const [start, grandchild] = (await fs.readFile(path.join(log, `${pid}.start`), 'utf8')).split(' ').map(Number) as [number, number];
        return { pid, grandchild, start, end: Number(await fs.readFile(path.join(log, `${pid}.end`), 'utf8')) };
      }));
      const overlap = Math.max(...spans.map((s) => spans.filter((o) => o.start <= s.start && s.start < o.end).length));
      assert.ok(overlap <= 2, `${overlap} checks ran at once`);
      for (const s of spans) {
        assert.ok(await eventually(() => processGone(s.pid)), `verifier ${s.pid} still runs`);
        assert.ok(await eventually(() => processGone(s.grandchild)), `its grandchild ${s.grandchild} still runs`);
      }
    });

    it('a queued check never starts after a cancel; the limiter is free again', async () => {
      const limiter = new CheckLimiter(1);
      let release!: () => void;
      const first = limiter.run(() => new Promise<string>((r) => (release = () => r('first'))));
      const ac = new AbortController();
      let secondRan = false;
      const second = limiter.run(async () => {
        secondRan = true;
        return 'second';
      }, ac.signal);
      ac.abort();
      assert.equal(await second, undefined);
      release();
      assert.equal(await first, 'first');
      assert.equal(secondRan, false);
      assert.equal(await limiter.run(async () => 'third'), 'third');
      assert.equal(limiter.active, 0);
      assert.throws(() => new CheckLimiter(0), RangeError);
    });
  });

  it('X3: cancel during verification kills the process group, removes the copy, leaves the workspace as it was', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = await ws({ 'a.txt': 'x', 'keep.py': 'y = 1\n' });
    const before = await hashTree(dir);
    const out = await ws({});
    const pidFile = path.join(out, 'pids.json');
    const cwdFile = path.join(out, 'cwd');
    const ac = new AbortController();
    const runtime = unsandboxed();
    const pending = verifyTask({
      workspaceDir: dir,
      layers: [new Map([['a.txt', 'staged']])],
      taskFiles: ['a.txt'],
      signal: ac.signal,
      config: {
        builtins: false,
        verifiers: [
          { id: 'where', glob: '*.txt', command: ['python3', '-c', `import os; open(${JSON.stringify(cwdFile)}, 'w').write(os.getcwd())`] },
          { id: 'hang', glob: '*.txt', command: ['node', fixture('spawn-tree.js'), pidFile] },
        ],
      },
      limiter: new CheckLimiter(1), // "hang" waits for "where": the copy's path is known before the cancel
      runtime,
    });
    // The file exists before its content is written: wait until it parses.
    const readPids = (): { child: number; grandchild: number } | undefined => {
      try {
        return JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
      } catch {
        return undefined;
      }
    };
    assert.ok(await eventually(() => readPids() !== undefined, 20_000), 'the verifier did not start');
    ac.abort();
    const r = await pending;
    assert.equal(r.outcome, 'unverified');
    assert.match(r.checks.find((c) => c.id === 'user:hang')?.findings[0]?.message ?? '', /verification cancelled/);
    const pids = readPids()!;
    assert.ok(await eventually(() => processGone(pids.child)), 'the verifier still runs');
    assert.ok(await eventually(() => processGone(pids.grandchild)), 'its grandchild still runs');
    const copy = await fs.readFile(cwdFile, 'utf8');
    assert.match(path.basename(path.dirname(copy)), /^agensflow-view-/);
    // A run keeps its copy for its next task and gives it back when it ends (the engine's release): a cancelled run ends.
    await runtime.clear();
    assert.equal(existsSync(copy), false, 'the verification copy was left behind');
    assert.equal(await hashTree(dir), before);
  });
});
