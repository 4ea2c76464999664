/**
 * The verification sandbox and view, attacked with real tools: code the agents wrote (an npm `pretest`
 * script, a pytest `conftest.py`, a `sitecustomize.py` and a `.pth` file in the project's virtualenv) tries to
 * write outside the workspace, read `.env` and reach a loopback server; a test command imports the package
 * through its absolute path; files churn in the workspace while a copy is made. Suites skip, saying why,
 * where the kernel or the machine lacks what a mode needs (user namespaces, bubblewrap, pytest).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTestCommand, sandboxSupport, verifyTask, VerifyRuntime, type SandboxSupport, type VerifyResult } from '../../../src/core/verify';
import { bwrapArgs, sandboxExecProfile, toolchainDirs } from '../../../src/core/verify/sandbox';
import { hashTree, suiteWorkspaces, unsandboxed } from './helpers';

const SECRET = 'AGENSFLOW-SENTINEL-8d1f';

/** A loopback HTTP server that counts every connection made to it. */
async function trapServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer((_req, res) => res.end('reached'));
  server.on('connection', () => count++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Python that tries the three escapes and prints what it got (the output is checked for the secret). */
function pythonPayload(marker: string, ws: string, port: number): string {
  return [
    'import socket',
    'try:',
    `    open(${JSON.stringify(marker)}, "w").write("escaped")`,
    'except Exception as e: print("write blocked:", type(e).__name__)',
    'try:',
    `    print("env:", open(${JSON.stringify(path.join(ws, '.env'))}).read())`,
    'except Exception as e: print("env blocked:", type(e).__name__)',
    'try:',
    `    socket.create_connection(("127.0.0.1", ${port}), timeout=5).close(); print("connected")`,
    'except Exception as e: print("net blocked:", type(e).__name__)',
  ].join('\n');
}

function output(r: VerifyResult | undefined): string {
  return (r?.checks ?? []).map((c) => c.output + c.findings.map((f) => f.message).join('\n')).join('\n');
}

describe('verify: the sandbox holds against code the agents wrote', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();
  let support: SandboxSupport;
  let trap: Awaited<ReturnType<typeof trapServer>>;
  let outside: string;

  before(async function () {
    support = await sandboxSupport();
    if (support.sandbox !== 'bwrap') {
      console.log(`      skipped: no sandbox on this machine (${support.reason ?? support.sandbox})`);
      this.skip();
    }
    trap = await trapServer();
    outside = await ws({});
  });
  after(async () => {
    await trap?.close();
  });

  const assertHeld = (marker: string, r: VerifyResult | undefined): void => {
    assert.equal(existsSync(marker), false, `a file was written outside the workspace: ${output(r)}`);
    assert.equal(trap.connections(), 0, 'the loopback server was reached');
    assert.doesNotMatch(output(r), new RegExp(SECRET), '.env was read');
  };

  it('an npm "pretest" script cannot write outside, read .env or reach a loopback server', async () => {
    const dir = await ws({ '.env': `TOKEN=${SECRET}\n`, 'package.json': JSON.stringify({ name: 'p', scripts: { test: 'node -e 0' } }) });
    const before = await hashTree(dir);
    const marker = path.join(outside, 'pretest-marker');
    const evil = [
      "const fs = require('fs'); const net = require('net');",
      `try { fs.writeFileSync(${JSON.stringify(marker)}, 'escaped'); } catch (e) { console.log('write blocked:', e.code); }`,
      `try { console.log('env:', fs.readFileSync(${JSON.stringify(path.join(dir, '.env'))}, 'utf8')); } catch (e) { console.log('env blocked:', e.code); }`,
      `const s = net.connect(${trap.port}, '127.0.0.1', () => { console.log('connected'); s.end(); }); s.on('error', (e) => console.log('net blocked:', e.code));`,
    ].join('\n');
    const staged = new Map([
      ['package.json', JSON.stringify({ name: 'p', scripts: { pretest: 'node evil.js', test: 'node -e 0' } })],
      ['evil.js', evil],
    ]);
    const r = await runTestCommand({ workspaceDir: dir, layers: [staged], config: { testCommand: ['npm', 'test'] } });
    assert.match(output(r), /write blocked/, output(r));
    assert.match(output(r), /env blocked/);
    assert.match(output(r), /net blocked/);
    assertHeld(marker, r);
    assert.equal(await hashTree(dir), before, 'the workspace changed');
  });

  it('a conftest.py run by pytest cannot write outside, read .env or reach a loopback server', async function () {
    try {
      execFileSync('python3', ['-c', 'import pytest'], { stdio: 'ignore' });
    } catch {
      console.log('      skipped: pytest is not installed for python3');
      this.skip();
    }
    const dir = await ws({ '.env': `TOKEN=${SECRET}\n`, 'test_ok.py': 'def test_ok():\n    assert True\n' });
    const marker = path.join(outside, 'conftest-marker');
    const staged = new Map([['conftest.py', pythonPayload(marker, dir, trap.port)]]);
    const r = await runTestCommand({ workspaceDir: dir, layers: [staged], config: { testCommand: ['python3', '-m', 'pytest', '-q', '-s'] } });
    assert.match(output(r), /write blocked/, output(r));
    assert.match(output(r), /env blocked/);
    assert.match(output(r), /net blocked/);
    assertHeld(marker, r);
  });

  it('a sitecustomize.py and a .pth file in the project virtualenv cannot write outside, read .env or reach a loopback server', async () => {
    const dir = await ws({ '.env': `TOKEN=${SECRET}\n` });
    execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, '.venv')], { stdio: 'ignore' });
    const venvPython = path.join(dir, '.venv', 'bin', 'python');
    const site = execFileSync(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
    const siteRel = path.relative(dir, site).split(path.sep).join('/');
    const marker = path.join(outside, 'site-marker');
    const pthMarker = path.join(outside, 'pth-marker');
    const staged = new Map([
      [`${siteRel}/sitecustomize.py`, pythonPayload(marker, dir, trap.port)],
      [`${siteRel}/evil.pth`, `import os; open(${JSON.stringify(pthMarker)}, "w") if os.access(${JSON.stringify(outside)}, os.W_OK) else print("pth write blocked")\n`],
    ]);
    const r = await runTestCommand({ workspaceDir: dir, layers: [staged], config: { testCommand: ['./.venv/bin/python', '-c', 'print("test ran")'] } });
    assert.match(output(r), /test ran/, output(r));
    assert.match(output(r), /write blocked/);
    assert.match(output(r), /env blocked/);
    assert.match(output(r), /net blocked/);
    assertHeld(marker, r);
    assert.equal(existsSync(pthMarker), false, 'the .pth file wrote outside');
  });

  it('the home folder, other projects and SSH keys are not readable; a write outside is reported as stopped by the sandbox', async () => {
    const dir = await ws({ 'a.txt': 'x' });
    const other = await ws({ 'secret.txt': SECRET });
    const home = await ws({ '.ssh/id_ed25519': SECRET, '.aws/credentials': SECRET });
    const runtime = new VerifyRuntime({ home });
    const escape = path.join(path.parse(dir).root, `agensflow-escape-${path.basename(dir)}`);
    const script = [
      'import os',
      `for p in [${[path.join(home, '.ssh', 'id_ed25519'), path.join(home, '.aws', 'credentials'), path.join(other, 'secret.txt')].map((p) => JSON.stringify(p)).join(', ')}]:`,
      '    try: print(open(p).read())',
      '    except Exception as e: print("blocked", type(e).__name__)',
      // In the root folder: the sandbox shows it read-only, so the write meets "read-only file system".
      `open(${JSON.stringify(escape)}, "w")`,
    ].join('\n');
    const r = await runTestCommand({ workspaceDir: dir, config: { testCommand: ['python3', '-c', script] }, runtime });
    assert.doesNotMatch(output(r), new RegExp(SECRET));
    assert.equal((output(r).match(/blocked/g) ?? []).length >= 3, true, output(r));
    const escaped = existsSync(escape);
    await fs.rm(escape, { force: true });
    assert.equal(escaped, false);
    assert.equal(r?.outcome, 'failed');
    assert.ok(r?.checks[0]?.findings.some((f) => /stopped by the verification sandbox/.test(f.message)), output(r));
  });
});

describe('verify: the overlay view sits at the workspace own path', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();

  before(async function () {
    const support = await sandboxSupport();
    if (support.view !== 'overlay') {
      console.log(`      skipped: no overlay view on this machine (${support.reason ?? support.view})`);
      this.skip();
    }
  });

  it('a test command importing the package through its absolute path (an editable install) sees the agents\' code', async () => {
    const dir = await ws({ 'src/pkg/__init__.py': 'def f():\n    return "user"\n', 'lib.js': 'module.exports = "user";\n' });
    const before = await hashTree(dir);
    const staged = new Map([
      ['src/pkg/__init__.py', 'def f():\n    return "agents"\n'],
      ['lib.js', 'module.exports = "agents";\n'],
    ]);
    // What `pip install -e .` leaves: a path to the workspace's src, absolute.
    const py = `import sys; sys.path.insert(0, ${JSON.stringify(path.join(dir, 'src'))}); import pkg; assert pkg.f() == "agents", pkg.f(); print("python sees", pkg.f())`;
    const r = await runTestCommand({ workspaceDir: dir, layers: [staged], config: { testCommand: ['python3', '-c', py] } });
    assert.equal(r?.outcome, 'passed', output(r));
    const js = `const v = require(${JSON.stringify(path.join(dir, 'lib.js'))}); if (v !== 'agents') process.exit(3);`;
    const n = await runTestCommand({ workspaceDir: dir, layers: [staged], config: { testCommand: ['node', '-e', js] } });
    assert.equal(n?.outcome, 'passed', output(n));
    assert.equal(await hashTree(dir), before, 'the workspace changed');
  });

  it('many commands of one view at once each get their overlay (overlayfs empties its work folder at every mount)', async () => {
    const dir = await ws({ 'a.txt': 'user\n' });
    const view = await new VerifyRuntime().view(dir, [new Map([['a.txt', 'agents\n']])]);
    try {
      const runs = Array.from({ length: 12 }, async (_, i) => {
        const l = view.launch({ file: '/bin/sh', args: ['-c', `cat a.txt; echo ${i} > out-${i}.txt`], cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
        const child = spawn(l.file, l.args, { cwd: l.cwd, env: l.env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
        let out = '';
        child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        return { code, out };
      });
      for (const r of await Promise.all(runs)) assert.deepEqual(r, { code: 0, out: 'agents\n' });
    } finally {
      await view.dispose();
    }
    assert.deepEqual(await fs.readdir(dir), ['a.txt'], 'a check wrote into the workspace');
  });

  it('a staged deletion is absent in the view; the checks\' writes vanish with it', async () => {
    const dir = await ws({ 'gone.py': 'x = 1\n', 'keep.py': 'y = 1\n' });
    const before = await hashTree(dir);
    const script = 'import os; open("made-by-check", "w").write("x"); print(os.path.exists("gone.py"), os.path.exists("keep.py"))';
    const r = await runTestCommand({ workspaceDir: dir, layers: [new Map([['gone.py', null]])], config: { testCommand: ['python3', '-c', script] } });
    assert.equal(r?.outcome, 'passed', output(r));
    assert.equal(r?.checks[0]?.output.trim(), 'False True');
    assert.equal(await hashTree(dir), before);
  });
});

describe('verify: a copy made while files churn', function () {
  this.timeout(120_000);
  const ws = suiteWorkspaces();

  it('a check while another process creates and deletes files in the workspace is not "unverified"', async function () {
    if (process.platform === 'win32') this.skip();
    const files: Record<string, string> = { 'a.py': 'x = 1\n' };
    for (let i = 0; i < 300; i++) files[`pkg${i % 10}/m${i}.py`] = `v = ${i}\n`;
    const dir = await ws(files);
    // A writer that keeps replacing and deleting files (a build, an editor) until told to stop.
    const churn = path.join(dir, 'churn');
    await fs.mkdir(churn);
    const stop = path.join(os.tmpdir(), `agensflow-churn-stop-${process.pid}-${Date.now()}`);
    const { spawn } = await import('node:child_process');
    const writer = spawn(process.execPath, ['-e', `
      const fs = require('fs'); const p = require('path'); let i = 0;
      const tick = () => {
        if (fs.existsSync(${JSON.stringify(stop)})) return process.exit(0);
        for (let k = 0; k < 50; k++, i++) {
          const f = p.join(${JSON.stringify(churn)}, 'f' + (i % 40));
          try { if (i % 3) fs.writeFileSync(f, 'x'.repeat(i % 5000)); else fs.rmSync(f, { force: true }); } catch {}
          const d = p.join(${JSON.stringify(churn)}, 'd' + (i % 7));
          try { if (i % 2) fs.mkdirSync(p.join(d, 'sub'), { recursive: true }); else fs.rmSync(d, { recursive: true, force: true }); } catch {}
        }
        setImmediate(tick);
      };
      console.log('started'); tick();`], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    try {
      for (let round = 0; round < 5; round++) {
        const r = await verifyTask({ workspaceDir: dir, layers: [new Map([['a.py', 'x = 2\n']])], taskFiles: ['a.py'], runtime: unsandboxed() });
        assert.equal(r.outcome, 'passed', JSON.stringify(r.checks));
      }
    } finally {
      await fs.writeFile(stop, '');
      await new Promise((resolve) => writer.once('exit', resolve));
      await fs.rm(stop, { force: true });
    }
  });
});

describe('verify: the sandboxed copy honours ignore rules', function () {
  this.timeout(60_000);
  const ws = suiteWorkspaces();

  it('ignored bulk is linked, not copied; source is copied; a staged file in an ignored folder is copied; .env is never copied', async function () {
    const support = await sandboxSupport();
    if (support.sandbox === 'none') {
      console.log(`      skipped: no sandbox on this machine (${support.reason ?? ''})`);
      this.skip();
    }
    const dir = await ws({ '.gitignore': 'logs/\n*.bin\n', 'src/a.py': 'x = 1\n', 'logs/run.log': 'log', 'data.bin': 'bulk', 'gen/out.txt': 'o', '.env': `T=${SECRET}` });
    const runtime = new VerifyRuntime({ view: 'copy' });
    const view = await runtime.view(dir, [new Map([['gen/new.txt', 'staged'], ['logs/keep/x.txt', 'staged']])]);
    try {
      const at = (rel: string): string => path.join(view.root, ...rel.split('/'));
      assert.equal(view.mode.view, 'copy');
      assert.ok((await fs.lstat(at('src/a.py'))).isFile());
      assert.ok((await fs.lstat(at('data.bin'))).isSymbolicLink(), 'an ignored file was copied');
      assert.ok((await fs.lstat(at('logs'))).isDirectory(), 'a folder receiving a staged file must be a real folder');
      assert.ok((await fs.lstat(at('logs/run.log'))).isSymbolicLink(), 'an ignored file was copied');
      assert.equal(await fs.readFile(at('logs/keep/x.txt'), 'utf8'), 'staged');
      assert.equal(await fs.readFile(at('gen/new.txt'), 'utf8'), 'staged');
      assert.equal(existsSync(at('.env')), false, '.env was copied');
    } finally {
      await view.dispose();
    }
    // The copy is kept for the run's next task until the run gives its copies back.
    await runtime.clear();
    assert.equal(existsSync(view.tempDir), false);
  });
});

describe('verify: sandbox arguments and profiles', () => {
  const cmd = { file: '/usr/bin/python3', args: ['-c', 'pass'], cwd: '/w/proj', env: { PATH: '/usr/bin:/opt/tool/bin' } };
  const layout = { viewRoot: '/w/proj', secrets: [{ path: '/w/proj/.env', dir: false }, { path: '/w/proj/.env.d', dir: true }], readable: [], home: '/home/u' };

  it('bubblewrap: no network, an empty home, a private /tmp, .env masked, the view the only writable bind, a read-only root', () => {
    const a = bwrapArgs(cmd, layout);
    const joined = a.join(' ');
    assert.ok(a.includes('--unshare-all') && !a.includes('--share-net'), joined);
    assert.match(joined, /--tmpfs \/tmp /);
    assert.match(joined, /--tmpfs \/home\/u /);
    assert.match(joined, /--ro-bind \/dev\/null \/w\/proj\/\.env /);
    assert.match(joined, /--tmpfs \/w\/proj\/\.env\.d --remount-ro \/w\/proj\/\.env\.d/);
    assert.match(joined, /--remount-ro \/ /);
    const writable = a.flatMap((x, i) => (x === '--bind' ? [a[i + 1]] : []));
    assert.deepEqual(writable, ['/w/proj']);
    // The home folder's tmpfs comes before any bind under it (bubblewrap applies them in order).
    assert.ok(a.indexOf('/home/u') < a.indexOf('/w/proj'));
  });

  it('toolchains: an install prefix is bound, never a temp or home folder as a whole', async () => {
    const tmp = await fs.realpath(os.tmpdir());
    const tool = await fs.mkdtemp(path.join(tmp, 'agensflow-tool-'));
    await fs.mkdir(path.join(tool, 'bin'));
    const dirs = toolchainDirs('/usr/bin/python3', [], { PATH: `${tmp}:${path.join(tool, 'bin')}:/usr/bin` }, '/nonexistent-home', []);
    await fs.rm(tool, { recursive: true });
    assert.ok(dirs.includes(tool), dirs.join(' '));
    assert.ok(!dirs.includes(tmp), `the whole temp folder is bound: ${dirs.join(' ')}`);
    assert.ok(!dirs.includes('/'));
  });

  it('sandbox-exec (macOS): the generated profile denies the network and the home folder, allows writes only to the view and its temp folder, hides .env', () => {
    const p = sandboxExecProfile(cmd, { ...layout, readable: ['/home/u/proj-src'], privateTmp: '/private/tmp/agensflow-view-1/tmp' });
    assert.match(p, /^\(version 1\)\n\(deny default\)/);
    assert.match(p, /\(deny network\*\)/);
    assert.match(p, /\(deny file-read\* \(subpath "\/home\/u"\)\)/);
    assert.match(p, /\(allow file-read\* \(subpath "\/w\/proj"\) \(subpath "\/home\/u\/proj-src"\)/);
    assert.match(p, /\(allow file-write\* \(subpath "\/w\/proj"\) \(subpath "\/private\/tmp\/agensflow-view-1\/tmp"\) \(literal "\/dev\/null"\)/);
    assert.match(p, /\(deny file-read\* \(literal "\/w\/proj\/\.env"\)\)/);
    assert.match(p, /\(deny file-read\* \(subpath "\/w\/proj\/\.env\.d"\)\)/);
    // The home folder is denied before the view is allowed again (later rules win in SBPL).
    assert.ok(p.indexOf('(deny file-read* (subpath "/home/u"))') < p.indexOf('(allow file-read* (subpath "/w/proj")'));
    // A quote in a path cannot end the string early.
    const q = sandboxExecProfile(cmd, { ...layout, viewRoot: '/w/a"b' });
    assert.match(q, /\(subpath "\/w\/a\\"b"\)/);
  });

  it('a command given a private folder (an incremental tsc) may write it; no other command gets it', () => {
    const tscCmd = { ...cmd, writable: ['/tmp/agensflow-view-2/abc'] };
    const a = bwrapArgs(tscCmd, layout);
    assert.deepEqual(a.flatMap((x, i) => (x === '--bind' ? [a[i + 1]] : [])), ['/w/proj', '/tmp/agensflow-view-2/abc']);
    // Bound after the private /tmp (bubblewrap applies them in order) and before the root turns read-only.
    assert.ok(a.indexOf('--tmpfs') < a.lastIndexOf('/tmp/agensflow-view-2/abc') && a.lastIndexOf('/tmp/agensflow-view-2/abc') < a.lastIndexOf('--remount-ro'));
    assert.ok(!bwrapArgs(cmd, layout).join(' ').includes('agensflow-view-2'));
    const p = sandboxExecProfile(tscCmd, layout);
    assert.match(p, /\(allow file-write\* \(subpath "\/w\/proj"\) \(subpath "\/tmp\/agensflow-view-2\/abc"\)/);
    assert.ok(!sandboxExecProfile(cmd, layout).includes('agensflow-view-2'));
  });
});
