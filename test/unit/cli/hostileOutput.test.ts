/**
 * Hostile text: model output (paths, titles, roles, reasons) and server error text reach the CLI's
 * human output; a raw `ESC ]52` would set the clipboard, `ESC [2J` clear the screen. Every byte the CLI
 * writes passes one sanitiser; the `--json` lines stay valid JSON carrying the original values.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureIo, terminalSafe } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { taskOf } from '../cli-run/fakeAgent';

const ROOT = path.resolve(__dirname, '../../..');
/** Sets the clipboard (OSC 52), clears the screen, a one-byte CSI (C1), a bidi override, a bell, a carriage return. */
const CLIP = '\u001b]52;c;SGFja2Vk\u0007';
const HOSTILE = `${CLIP}\u001b[2J\u009b31m\u202eevil\r\u007f`;
/** What a terminal could act on (newline and tab are fine). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('cli: hostile text in human and JSON output', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('terminalSafe escapes what a terminal acts on, keeps newlines and tabs, and keeps JSON valid and equal', () => {
    assert.equal(terminalSafe('a\tb\nc'), 'a\tb\nc');
    assert.equal(terminalSafe('\u001b[2J'), '\\u001b[2J');
    assert.equal(terminalSafe(HOSTILE), '\\u001b]52;c;SGFja2Vk\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u000d\\u007f');
    for (const value of [HOSTILE, { path: `a${HOSTILE}\\`, list: ['\u2028', '\u0085x'] }]) {
      const line = terminalSafe(JSON.stringify(value));
      assert.ok(!RAW_CONTROL.test(line), line);
      assert.deepEqual(JSON.parse(line), value);
    }
  });

  it('validate (a real process): hostile task ids and paths print escaped on stderr', async () => {
    const dir = tmp.make('af-hostile-');
    const plan = {
      goal: `g${HOSTILE}`,
      tasks: [
        { id: `a${CLIP}`, title: `t${HOSTILE}`, objective: 'o', role: `r${HOSTILE}`, files: [`src/${HOSTILE}.txt`], deps: [`ghost${CLIP}`] },
        { id: 'b', title: 'b', objective: 'o', role: 'r', files: [`/etc/${CLIP}`] },
      ],
    };
    writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'validate', path.join(dir, 'plan.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1, err);
    assert.match(err, /\\u001b\]52;c;SGFja2Vk\\u0007/, `the hostile id is shown, escaped: ${err}`);
    assert.ok(!RAW_CONTROL.test(err + out), JSON.stringify(err));
  });

  describe('run against the fake model server', () => {
    let server: FakeModelServer;
    beforeEach(async () => {
      server = await FakeModelServer.start();
    });
    afterEach(() => server.close());

    /** Task `a` writes outside its files to a hostile path; task `b`'s model call fails with a hostile error. */
    function hostileAgent(req: RecordedRequest): FakeReply {
      const t = taskOf(req);
      if (!t) return { kind: 'error', status: 400, message: 'no task line' };
      if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: [`ok${HOSTILE}`] } }] };
      if (t.id === 'b') return { kind: 'error', status: 400, message: `context too long${HOSTILE}` };
      if (t.turn === 1) {
        return {
          kind: 'message',
          text: `thinking${HOSTILE}`,
          toolCalls: [
            { name: 'write_file', arguments: { path: `../${HOSTILE}.txt`, content: 'x' } },
            { name: 'write_file', arguments: { path: 'a.txt', content: `x${HOSTILE}\n` } },
          ],
        };
      }
      return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: `done${HOSTILE}` } }] };
    }

    function setup(): { base: string; ws: string; plan: string; state: string } {
      const base = tmp.make('af-hostile-run-');
      const ws = path.join(base, 'ws');
      mkdirSync(ws);
      const plan = {
        goal: `hostile${HOSTILE}`,
        tasks: [
          { id: 'a', title: `A${HOSTILE}`, objective: `o${HOSTILE}`, role: `dev${HOSTILE}`, files: ['a.txt'] },
          { id: 'b', title: 'B', objective: 'o', role: 'dev', files: ['b.txt'] },
        ],
      };
      writeFileSync(path.join(base, 'p.json'), JSON.stringify(plan));
      return { base, ws, plan: path.join(base, 'p.json'), state: path.join(base, 'state') };
    }

    const flags = (s: { plan: string; ws: string; state: string }): string[] => [
      'run', '--plan', s.plan, '--dir', s.ws, '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', s.state,
    ];

    it('human output: refused paths, failure reasons and the final report print escaped', async () => {
      server.setHandler(hostileAgent);
      const s = setup();
      const io = captureIo({ cwd: s.base, env: {} });
      const code = await main(flags(s), io);
      assert.notEqual(code, 0);
      const err = io.err();
      assert.ok(!RAW_CONTROL.test(err + io.out()), JSON.stringify(err));
      assert.match(err, /context too long\\u001b\]52;c;SGFja2Vk\\u0007\\u001b\[2J\\u009b31m\\u202eevil\\u000d\\u007f/, 'the server error is shown, escaped');
      assert.match(err, /write refused: .*\\u001b\]52/, 'the refused path is shown, escaped');
    });

    it('--json: every line parses, carries the original text, and has no raw control character', async () => {
      server.setHandler(hostileAgent);
      const s = setup();
      const io = captureIo({ cwd: s.base, env: {} });
      await main([...flags(s), '--json'], io);
      const out = io.out();
      assert.ok(!RAW_CONTROL.test(out), 'no raw control character on stdout');
      const events = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; path?: string; reason?: string });
      const refused = events.find((e) => e.type === 'write.refused');
      assert.ok(refused?.path?.includes(CLIP), 'the JSON value is the original path');
    });
  });
});
