/**
 * How a verifier's end and its output reach the user: a non-zero exit and a kill by a signal read
 * differently and both carry the output tail; a flood of binary output without newlines stays bounded and
 * decodes to a well-formed string.
 */
import assert from 'node:assert/strict';
import { verifyTask } from '../../../src/core/verify';
import { makeWorkspace, rmrf } from './helpers';

describe('verify: exit status and hostile output', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await makeWorkspace({ 'a.txt': 'x' });
  });
  afterEach(() => rmrf(dir));

  const tenLines = "for (let i = 1; i <= 10; i++) console.log('line ' + i);";

  it('C3: a non-zero exit is reported as "failed (exit N)" with the last lines of output only', async () => {
    const script = `${tenLines} process.exitCode = 7;`;
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], config: { builtins: false, verifiers: [{ glob: '**', command: ['node', '-e', script] }] } });
    const c = r.checks[0]!;
    assert.equal(r.outcome, 'failed');
    assert.equal(c.exitCode, 7);
    assert.equal(c.signal, undefined);
    assert.equal(c.findings[0]?.message, 'node failed (exit 7): line 6\nline 7\nline 8\nline 9\nline 10');
  });

  it('colours are stripped, and a runner\'s closing summary does not hide the error above it', async () => {
    // As vitest prints when a worker cannot start: the error, a stack, then five lines of coloured summary.
    const script = [
      "const c = (n, s) => '\\x1b[' + n + 'm' + s + '\\x1b[0m';",
      "console.log(c(31, 'Error') + ': [vitest-pool]: Failed to start forks worker for test files tests/a.test.ts.');",
      "console.log(c(90, ' ❯ node_modules/vitest/dist/chunks/cli-api.js:3532:94'));",
      "for (const l of [' Test Files  no tests', '      Tests  no tests', '     Errors  1 error', '   Start at  10:43:26', '   Duration  404ms']) console.log(c(2, l));",
      'process.exitCode = 1;',
    ].join('\n');
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], config: { builtins: false, verifiers: [{ glob: '**', command: ['node', '-e', script] }] } });
    const c = r.checks[0]!;
    assert.equal(c.findings[0]?.message, 'node failed (exit 1): Error: [vitest-pool]: Failed to start forks worker for test files tests/a.test.ts.\n…\n Test Files  no tests\n      Tests  no tests\n     Errors  1 error\n   Start at  10:43:26\n   Duration  404ms');
    assert.ok(!c.output.includes('\u001b'), 'no escape sequence in the output shown and sent on');
  });

  it('a coloured path:line still parses for a whole-project checker (the environment is the user\'s: no colour switch is added)', async () => {
    const script = "console.log('\\x1b[31ma.txt\\x1b[0m:1:1: ' + (process.env.NO_COLOR === undefined ? 'plain' : 'NO_COLOR set')); process.exitCode = 1;";
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], env: { PATH: process.env.PATH ?? '' }, config: { builtins: false, verifiers: [{ glob: '**', command: ['node', '-e', script], wholeProject: true }] } });
    const f = r.checks[0]!.findings[0];
    assert.equal(f?.file, 'a.txt');
    assert.match(f?.message ?? '', /plain/);
  });

  it('C3: a process killed by a signal (as the OOM killer does) reads "killed by SIGKILL", not as an exit code', async function () {
    if (process.platform === 'win32') this.skip();
    const script = `${tenLines} process.kill(process.pid, 'SIGKILL');`;
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], config: { builtins: false, verifiers: [{ glob: '**', command: ['node', '-e', script] }] } });
    const c = r.checks[0]!;
    assert.equal(r.outcome, 'failed');
    assert.equal(c.exitCode, undefined);
    assert.equal(c.signal, 'SIGKILL');
    assert.notEqual(c.timedOut, true);
    assert.equal(c.findings[0]?.message, 'node failed (killed by SIGKILL): line 6\nline 7\nline 8\nline 9\nline 10');
  });

  it('C2: 50 MB of binary output without a newline is capped to the tail and decodes to a well-formed string', async () => {
    // Random bytes (newlines replaced) are mostly invalid UTF-8, so the decoder has to replace them.
    const script = [
      'import os, sys',
      'for _ in range(50):',
      "    sys.stdout.buffer.write(os.urandom(1 << 20).replace(b'\\n', b'\\x00'))",
      'sys.stdout.flush()',
      'sys.exit(2)',
    ].join('\n');
    const cap = 64 * 1024;
    const r = await verifyTask({ workspaceDir: dir, taskFiles: ['a.txt'], config: { builtins: false, outputCapBytes: cap, verifiers: [{ glob: '**', command: ['python3', '-c', script] }] } });
    const c = r.checks[0]!;
    assert.equal(r.outcome, 'failed');
    assert.equal(c.exitCode, 2);
    assert.match(c.output, new RegExp(`^\\[\\.\\.\\. ${50 * (1 << 20) - cap} bytes of output omitted \\.\\.\\.\\]\\n`));
    const body = c.output.slice(c.output.indexOf('\n') + 1);
    // At most one UTF-16 unit per kept byte: the kept tail is bounded by the cap, not by what was printed.
    assert.ok(body.length <= cap, `kept ${body.length} characters`);
    assert.ok(body.includes('\uFFFD'), 'invalid UTF-8 is replaced');
    for (const text of [c.output, c.findings[0]!.message]) {
      assert.equal(Buffer.from(text, 'utf8').toString('utf8'), text, 'no lone surrogates');
    }
    assert.match(c.findings[0]!.message, /^python3 failed \(exit 2\): /);
    assert.ok(c.findings[0]!.message.length < cap + 200);
  });
});
