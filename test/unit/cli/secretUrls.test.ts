/**
 * Secrets in a base URL: its query (`?api_key=`) or userinfo (`user:pass@`) is a secret. It must not
 * be stored in run.json or events.jsonl, nor printed on stderr or in `--json` events, nor repeated by the
 * error that refuses it.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { isRedactedUrl, redactUrl } from '../../../src/core/models/redact';
import type { RunRecord } from '../../../src/core/run/journal';
import { FakeModelServer } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { agentHandler, PLAN4 } from '../cli-run/fakeAgent';

const SECRET = 'QUERYSECRETsentinel42';

describe('cli: secrets in the base URL are never stored or printed', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: agentHandler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  function setup(): { base: string; ws: string; plan: string; state: string } {
    const base = tmp.make('af-url-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(base, 'p.json'), JSON.stringify(PLAN4));
    return { base, ws, plan: path.join(base, 'p.json'), state: path.join(base, 'state') };
  }

  /** Every file under the run's state folder, concatenated. */
  function stored(state: string): string {
    const runs = path.join(state, 'runs');
    return readdirSync(runs, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))
      .map((f) => readFileSync(path.join(runs, f), 'utf8'))
      .join('\n');
  }

  it('redactUrl drops userinfo and query, and leaves a clean URL as it was', () => {
    assert.equal(redactUrl(`https://u:${SECRET}@h.example/v1?api_key=${SECRET}&x=1`), 'https://[redacted]@h.example/v1?[redacted]');
    assert.equal(redactUrl('http://localhost:11434/v1'), 'http://localhost:11434/v1');
    assert.equal(redactUrl(`failed at http://h/v1?key=${SECRET} (404)`), 'failed at http://h/v1?[redacted] (404)');
    assert.ok(isRedactedUrl(redactUrl(`http://h/v1?k=${SECRET}`)));
    assert.ok(!isRedactedUrl('http://h/v1'));
  });

  it('a run with ?api_key= in --base-url: not in run.json, events.jsonl, --json events or stderr; resume asks for it again', async () => {
    const s = setup();
    const baseUrl = `${server.openaiBaseUrl}?api_key=${SECRET}`;
    const io = captureIo({ cwd: s.base, env: {} });
    const code = await main(['run', '--plan', s.plan, '--dir', s.ws, '--json', '--provider', 'openai-compatible', '--base-url', baseUrl, '--model', 'fake-coder', '--state', s.state], io);
    assert.equal(code, 0, io.err());
    assert.ok(server.requests.length > 0, 'the server was used');
    const runId = (JSON.parse(io.out().split('\n')[0]!) as { runId: string }).runId;
    const record = JSON.parse(readFileSync(path.join(s.state, 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(record.settings.baseUrl, `${server.openaiBaseUrl}?[redacted]`);
    for (const [where, text] of [['state', stored(s.state)], ['stdout', io.out()], ['stderr', io.err()]] as const) {
      assert.ok(!text.includes(SECRET), `${where} holds the secret`);
    }

    // The stored copy cannot be sent again: resuming without --base-url says so, without the secret.
    const again = captureIo({ cwd: s.base, env: {} });
    assert.equal(await main(['run', '--resume', runId, '--state', s.state], again), 2);
    assert.match(again.err(), /query was redacted; pass the full --base-url/);
    assert.ok(!again.err().includes(SECRET));
  });

  it('a failing call names the base URL without its query, on stderr and in the journal', async () => {
    server.setHandler(() => ({ kind: 'error', status: 404, message: 'model not found' }));
    const s = setup();
    const io = captureIo({ cwd: s.base, env: {} });
    const code = await main(['run', '--plan', s.plan, '--dir', s.ws, '--provider', 'openai-compatible', '--base-url', `${server.openaiBaseUrl}?api_key=${SECRET}`, '--model', 'fake-coder', '--state', s.state], io);
    assert.notEqual(code, 0);
    assert.ok(io.err().includes(`${server.openaiBaseUrl}?[redacted]`), io.err());
    assert.ok(!io.err().includes(SECRET) && !stored(s.state).includes(SECRET));
  });

  it('userinfo in --base-url, of any scheme, is refused without printing it', async () => {
    const s = setup();
    for (const url of [`http://user:${SECRET}@127.0.0.1:1/v1`, `ftp://user:${SECRET}@host/v1`, `user:${SECRET}@host`, `not a url ${SECRET}`]) {
      const io = captureIo({ cwd: s.base, env: {} });
      const code = await main(['run', '--plan', s.plan, '--dir', s.ws, '--provider', 'openai-compatible', '--base-url', url, '--model', 'm', '--state', s.state], io);
      assert.equal(code, 2, url);
      assert.match(io.err(), /--base-url/);
      assert.ok(!io.err().includes(SECRET), io.err());
    }
    assert.equal(server.requests.length, 0);
  });
});
