/**
 * Pasted API keys (P7): a pasted key with a trailing newline or spaces is trimmed before it is sent;
 * a key with non-ASCII or control characters is refused with a clear message before any request, from the
 * --api-key flag and from the environment alike, and the message never repeats the key.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { apiKeyProblem } from '../../../src/core/models/create';
import { FakeModelServer } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { agentHandler, PLAN4 } from '../cli-run/fakeAgent';

const KEY = 'sk-PASTEDkey0123456789abcd';

describe('cli: pasted API keys (P7)', function () {
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

  function args(extra: string[]): string[] {
    const base = tmp.make('af-key-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(base, 'p.json'), JSON.stringify(PLAN4));
    return ['run', '--plan', path.join(base, 'p.json'), '--dir', ws, '--provider', 'openai', '--base-url', server.openaiBaseUrl, '--model', 'gpt-4o-mini', '--state', path.join(base, 'state'), ...extra];
  }

  it('apiKeyProblem: trims, then refuses empty, spaced, control and non-ASCII keys', () => {
    assert.equal(apiKeyProblem(`${KEY}\n`), undefined);
    assert.equal(apiKeyProblem(`  ${KEY} \r\n`), undefined);
    for (const bad of ['', ' \n', `${KEY.slice(0, 8)} ${KEY.slice(8)}`, `${KEY}\u00e9`, `sk-ключ-0123456789`, `${KEY}\u0000x`, `\u200b${KEY}`]) {
      const problem = apiKeyProblem(bad);
      assert.ok(problem, JSON.stringify(bad));
      assert.ok(!problem.includes(KEY.slice(3)), problem);
    }
  });

  it('a trailing newline or spaces, from the flag or the environment, are trimmed before sending', async () => {
    const fromFlag = captureIo({ env: {} });
    assert.equal(await main(args(['--api-key', `${KEY}\n`]), fromFlag), 0, fromFlag.err());
    const fromEnv = captureIo({ env: { OPENAI_API_KEY: `  ${KEY} \n` } });
    assert.equal(await main(args([]), fromEnv), 0, fromEnv.err());
    assert.ok(server.requests.length > 0);
    assert.ok(server.requests.every((r) => r.apiKey === KEY), JSON.stringify([...new Set(server.requests.map((r) => r.apiKey))]));
  });

  it('a non-ASCII key, from the flag or the environment, exits 2 before any request, without echoing it', async () => {
    const bad = `sk-ключ${KEY.slice(3)}`;
    const fromFlag = captureIo({ env: {} });
    assert.equal(await main(args(['--api-key', bad]), fromFlag), 2);
    assert.match(fromFlag.err(), /the API key from the --api-key option or stored key contains spaces, control or non-ASCII characters/);
    const fromEnv = captureIo({ env: { OPENAI_API_KEY: bad } });
    assert.equal(await main(args([]), fromEnv), 2);
    assert.match(fromEnv.err(), /the API key from OPENAI_API_KEY contains/);
    assert.equal(server.requests.length, 0, 'no request was sent');
    assert.ok(!(fromFlag.err() + fromEnv.err()).includes(KEY.slice(3)));
  });
});
