/** What the user sees when the provider rate-limits a run: one stderr line per retry, then the run goes on. */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { agentHandler } from './fakeAgent';

const PLAN1 = { goal: 'one file', tasks: [{ id: 'model', title: 'Model', objective: 'the data model', role: 'python developer', files: ['app/model.txt'] }] };

describe('cli: a rate-limited run (loopback fake OpenAI server, real SDK)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: FakeModelServer | undefined;
  afterEach(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('P1: a 429 with retry-after 1 prints "rate limited, retrying in N s (1/3)" to stderr once, the call is retried once and the run completes', async () => {
    const agent = agentHandler();
    let rateLimited = 0;
    const handler = (req: RecordedRequest): FakeReply => {
      if (rateLimited === 0) {
        rateLimited++;
        return { kind: 'error', status: 429, headers: { 'retry-after': '1' }, message: 'slow down' };
      }
      return agent(req);
    };
    server = await FakeModelServer.start({ handler });
    const base = tmp.make('af-cli-429-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(base, 'p.json'), JSON.stringify(PLAN1));
    const io = captureIo({ cwd: base, env: {} });
    const args = ['run', '--plan', path.join(base, 'p.json'), '--dir', ws, '--apply', 'auto', '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', path.join(base, 'state')];
    const code = await main(args, io);
    assert.equal(code, 0, io.err());
    const notices = io.err().split('\n').filter((l) => /rate limited/.test(l));
    // The wait is the server's second plus jitter, less what passed before the notice: whole seconds shown.
    assert.equal(notices.length, 1, io.err());
    assert.match(notices[0]!, /^agent \(openai-compatible fake-coder\): rate limited, retrying in [12] s \(1\/3\)$/);
    assert.equal(rateLimited, 1);
    // The agent's two turns and the inspector's verdict, plus the one refused request: nothing sent twice more.
    assert.equal(server.requests.length, 4);
    assert.equal(readFileSync(path.join(ws, 'app/model.txt'), 'utf8'), '# app/model.txt by model\n');
  });
});
