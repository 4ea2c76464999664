/**
 * Log redaction (T3): every line of the log channel passes the redactor, whatever a caller put in
 * it: a sentinel key in headers, in an `sk-` shape, in a base URL's query or userinfo, or in an error's
 * message and stack never reaches the channel.
 */
import { strict as assert } from 'node:assert';
import { createLogger, type LogSink } from '../../../src/vscode/log';
import { createModel } from '../../../src/core/models/create';
import { FakeModelServer, reply } from '../../fixtures/fake-servers';

const KEY = 'sk-SENTINELlogkey0123456789';
const BARE = 'SENTINELbare0123456789';

function recordingSink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (m: string | Error) => lines.push(`${level} ${String(m)}`);
  return { lines, trace: rec('trace'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

describe('vscode log channel: every line is redacted (T3)', () => {
  it('keys in headers, sk- shapes, URL queries and userinfo, and error stacks never reach the channel', async () => {
    const sink = recordingSink();
    const log = createLogger(sink, 'run').child('models');
    log.trace(`request headers {"Authorization": "Bearer ${BARE}", "x-api-key": "${BARE}", "api-key": "${BARE}"}`);
    log.debug(`Authorization: Bearer ${BARE}`);
    log.info(`provider openai, base URL https://u:${BARE}@proxy.example/v1?api_key=${BARE}`);
    log.warn(`key ${KEY} rejected`);
    const err = new Error(`401 Incorrect API key provided: ${KEY}`);
    log.error('model call failed', err);

    // A real error from the model layer, through the real SDK and the fake server echoing the key.
    const server = await FakeModelServer.start({ replies: [reply.error(401, {}, { echoAuth: true })] });
    try {
      const model = createModel({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: server.openaiBaseUrl, apiKey: KEY, env: {}, retry: { maxAttempts: 1 } });
      await model.call({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => log.error('call', e));
      assert.equal(server.requests[0]!.apiKey, KEY, 'the key was really sent');
    } finally {
      await server.close();
    }
    assert.equal(sink.lines.length, 6);
    const all = sink.lines.join('\n');
    assert.ok(!all.includes(BARE) && !all.includes(KEY), all);
    assert.match(all, /\[run\/models\] provider openai, base URL https:\/\/\[redacted\]@proxy\.example\/v1\?\[redacted\]/);
  });
});
