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
