import assert from 'node:assert/strict';
import { PLACEHOLDER_KEY, createModel, resolveApiKey } from '../../../src/core/models/create';
import { isModelConfigError, isProviderError, modelErrorExitCode } from '../../../src/core/models/errors';
import { redact } from '../../../src/core/models/redact';
import type { StreamEvent } from '../../../src/core/models/types';
import { type FakeModelServer, reply, type FakeReply } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, SENTINEL_KEY, modelFor, thrown, useFakeServer } from './helpers';

describe('API keys: resolution rules and no leaks', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  it('an explicit key wins; openai and anthropic read their env var; openai-compatible never does', () => {
    const env = { OPENAI_API_KEY: 'sk-env-openai-1', ANTHROPIC_API_KEY: 'sk-ant-env-1' };
    assert.equal(resolveApiKey('openai', 'sk-flag-1', env), 'sk-flag-1');
    assert.equal(resolveApiKey('openai', undefined, env), 'sk-env-openai-1');
    assert.equal(resolveApiKey('anthropic', undefined, env), 'sk-ant-env-1');
    assert.equal(resolveApiKey('openai-compatible', undefined, env), PLACEHOLDER_KEY);
    assert.equal(resolveApiKey('openai-compatible', ' sk-local-1\n', env), 'sk-local-1');
  });

  it('missing or malformed keys and settings are config errors (exit 2)', () => {
    for (const make of [
      () => createModel({ provider: 'openai', model: 'gpt-4o', env: {} }),
      () => createModel({ provider: 'anthropic', model: 'claude-sonnet-4-5', env: { OPENAI_API_KEY: 'sk-x-123' } }),
      () => createModel({ provider: 'openai', model: 'gpt-4o', apiKey: 'sk-ключ' }),
      () => createModel({ provider: 'openai-compatible', model: 'm' }),
      () => createModel({ provider: 'openai-compatible', model: 'm', baseUrl: 'localhost:11434' }),
      () => createModel({ provider: 'nope' as 'openai', model: 'm', apiKey: 'k-123' }),
    ]) {
      const e = (() => {
        try {
          make();
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      assert.ok(isModelConfigError(e), String(e));
      assert.equal(modelErrorExitCode(e), 2);
    }
  });

  it('sends the env key to openai, the placeholder (never OPENAI_API_KEY) to openai-compatible', async () => {
    server.enqueue(reply.text('a'), reply.text('b'), reply.text('c'));
    const env = { OPENAI_API_KEY: 'sk-env-openai-XYZ', ANTHROPIC_API_KEY: 'sk-ant-env-XYZ' };
    const msg = [{ role: 'user' as const, content: 'hi' }];
    await createModel({ provider: 'openai', model: 'gpt-4o', baseUrl: server.openaiBaseUrl, env }).call({ messages: msg });
    await createModel({ provider: 'openai-compatible', model: 'qwen', baseUrl: server.openaiBaseUrl, env }).call({ messages: msg });
    await createModel({ provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: server.url, env }).call({ messages: msg });
    assert.deepEqual(
      server.requests.map((r) => r.apiKey),
      ['sk-env-openai-XYZ', PLACEHOLDER_KEY, 'sk-ant-env-XYZ'],
    );
    assert.equal(server.requests[2]!.headers['x-api-key'], 'sk-ant-env-XYZ');
  });

  it('redacts given secrets and credential-shaped text', () => {
    const out = redact(`key ${SENTINEL_KEY} Authorization: Bearer abc.def x-api-key: zzz sk-ant-abcdefgh1234`, [SENTINEL_KEY]);
    assert.ok(!out.includes(SENTINEL_KEY) && !out.includes('abc.def') && !out.includes('zzz') && !out.includes('sk-ant-abcdefgh1234'), out);
  });

  const paths: [string, FakeReply[], { timeouts?: { connectMs: number; requestMs: number } }?][] = [
    ['401 echoing the key', [reply.error(401, {}, { echoAuth: true })]],
    ['403 echoing the key', [reply.error(403, {}, { echoAuth: true })]],
    ['404 echoing the key', [reply.error(404, {}, { echoAuth: true })]],
    ['400 echoing the key', [reply.error(400, {}, { echoAuth: true })]],
    ['5xx until giving up', [reply.error(500, {}, { echoAuth: true }), reply.error(503, {}, { echoAuth: true })]],
    ['retry-after beyond the cap', [reply.error(429, { 'retry-after': '99999' }, { echoAuth: true })]],
    ['connection reset', [reply.reset(), reply.reset()]],
    ['HTML page', [reply.html(`<html>token ${SENTINEL_KEY}</html>`)]],
    ['timeout', [reply.hang(), reply.hang()], { timeouts: { connectMs: 100, requestMs: 100 } }],
  ];
  for (const provider of PROVIDER_IDS) {
    for (const [what, replies, extra] of paths) {
      it(`${provider}: no leak of the key through ${what}`, async () => {
        for (const stream of [true, false]) {
          server.reset();
          server.enqueue(...replies);
          const { model } = modelFor(server, provider, stream, { ...extra, retry: { maxAttempts: 2 } });
          const events: StreamEvent[] = [];
          const e = await thrown(() => model.call({ messages: [{ role: 'user', content: 'hi' }], onEvent: (ev) => events.push(ev) }));
          assert.ok(isProviderError(e), `${e.name}: ${e.message}`);
          assert.equal(server.requests[0]!.apiKey, SENTINEL_KEY, 'the key was really sent');
          const everything = [e.message, String(e.stack), JSON.stringify(e), JSON.stringify(events)].join('\n');
          assert.ok(!everything.includes(SENTINEL_KEY), everything);
        }
      });
    }
  }
});
