/**
 * Process handling of verification: a timeout kills the whole tree, output is capped keeping the tail,
 * no shell interprets the arguments, secrets stay out of the environment, and the pieces behind them.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { verifyTask, verifierEnv } from '../../../src/core/verify';
import { TailBuffer } from '../../../src/core/verify/output-buffer';
import { runProcess } from '../../../src/core/verify/process';
import { eventually, fixture, makeWorkspace, processGone, rmrf, unsandboxed } from './helpers';

describe('verify: processes', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await makeWorkspace({ 'a.txt': 'x' });
  });
  afterEach(() => rmrf(dir));

  it('a timeout kills the whole process tree, grandchild ignoring SIGTERM included', async function () {
    if (process.platform === 'win32') this.skip();
    const pidFile = path.join(dir, '..', `pids-${path.basename(dir)}.json`);
    const r = await verifyTask({
      workspaceDir: dir,
      taskFiles: ['a.txt'],
      config: { verifiers: [{ id: 'hang', glob: '*.txt', command: ['node', fixture('spawn-tree.js'), pidFile], timeoutMs: 3000 }] },
      runtime: unsandboxed(),
    });
    const c = r.checks[0]!;
    assert.equal(r.outcome, 'failed');
    assert.equal(c.timedOut, true);
    assert.equal(c.signal, 'SIGKILL');
    assert.match(c.findings[0]?.message ?? '', /timed out after 3 s/);
    const pids = JSON.parse(await fs.readFile(pidFile, 'utf8')) as { child: number; grandchild: number };
    await fs.rm(pidFile);
    assert.ok(await eventually(() => processGone(pids.child)), 'child still running');
    assert.ok(await eventually(() => processGone(pids.grandchild)), 'grandchild still running');
  });

  it('an abort signal kills the process and leaves the check unverified', async () => {
    const ac = new AbortController();
    const pending = runProcess({ file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000); console.log("up")'], cwd: dir, env: verifierEnv(), timeoutMs: 60_000, outputCapBytes: 1024, signal: ac.signal });
    ac.abort();
    const r = await pending;
    assert.equal(r.aborted, true);
    assert.equal(r.timedOut, false);
  });

  it('output is capped, keeping the tail and marking what was dropped', async () => {
    const script = "process.stdout.write('x'.repeat(200000)); process.stdout.write('\\nTHE-END\\n'); process.exit(3)";
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], config: { outputCapBytes: 1024, verifiers: [{ glob: '**', command: ['node', '-e', script] }] } });
    const c = r.checks[0]!;
    assert.equal(c.outcome, 'failed');
    assert.equal(c.exitCode, 3);
    assert.ok(c.output.endsWith('\nTHE-END\n'));
    assert.match(c.output, /^\[\.\.\. 198985 bytes of output omitted \.\.\.\]\n/);
    assert.ok(c.output.length < 1100);
    assert.match(c.findings[0]?.message ?? '', /^node failed \(exit 3\): .*THE-END/s);
  });

  it('TailBuffer keeps exactly the last bytes across chunk boundaries', () => {
    const t = new TailBuffer(5);
    for (const s of ['ab', 'cde', 'fg', '', 'h']) t.push(Buffer.from(s));
    assert.equal(t.droppedBytes, 3);
    assert.equal(t.toString(), '[... 3 bytes of output omitted ...]\ndefgh');
    t.push(Buffer.from('0123456789'));
    assert.equal(t.toString(), '[... 13 bytes of output omitted ...]\n56789');
  });

  it('arguments are never interpreted by a shell', async () => {
    const canary = path.join(dir, '..', `canary-${path.basename(dir)}`);
    const args = [`; touch ${canary}`, `$(touch ${canary})`, `\`touch ${canary}\``, `&& touch ${canary}`, `\ntouch ${canary}`];
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], config: { verifiers: [{ glob: '*.txt', command: ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...args] }] } });
    assert.equal(r.outcome, 'passed');
    assert.deepEqual(JSON.parse(r.checks[0]!.output), args);
    assert.equal(existsSync(canary), false);
  });

  it('the environment of a verifier carries no API keys or VS Code secrets', async () => {
    const env = { ...process.env, OPENAI_API_KEY: 'sk-sentinel-aaaaaaaaaaaaaaaa', ANTHROPIC_API_KEY: 'sentinel-ant', VSCODE_GIT_IPC_HANDLE: 'sentinel-ipc', GITHUB_TOKEN: 'sentinel-gh', PATH: `relative-dir${path.delimiter}${process.env.PATH ?? ''}` };
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], env, config: { verifiers: [{ glob: '*.txt', command: ['node', '-e', 'console.log(JSON.stringify(process.env))'] }] } });
    assert.equal(r.outcome, 'passed');
    const childEnv = JSON.parse(r.checks[0]!.output) as Record<string, string>;
    assert.ok(!r.checks[0]!.output.includes('sentinel'));
    assert.ok(childEnv.PATH && !childEnv.PATH.split(path.delimiter).includes('relative-dir'));
    assert.equal(childEnv.HOME, process.env.HOME);
  });
});
