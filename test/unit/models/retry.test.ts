import assert from 'node:assert/strict';
import { ProviderError } from '../../../src/core/models/errors';
import { parseRetryAfter } from '../../../src/core/models/retry-after';
import { retryDelay, realSleep } from '../../../src/core/models/retry';
import { FakeModelServer, reply } from '../../fixtures/fake-servers';
import { modelFor, thrown } from './helpers';
import { isModelAbortedError } from '../../../src/core/models/errors';

const headers = (h: Record<string, string>) => (n: string) => h[n.toLowerCase()];

describe('retry layer', () => {
  it('parses retry-after-ms, seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '1.5' }), now), 1500);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now), 30_000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:30 GMT' }), now), 0);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfter(headers({}), now), undefined);
  });

  it('backs off exponentially with bounded jitter, capped', () => {
    const err = new ProviderError({ kind: 'server', provider: 'openai', baseUrl: 'u', model: 'm', message: 'x' });
    const o = { baseDelayMs: 1000, maxDelayMs: 5000, maxRetryAfterMs: 60_000, jitter: 0.25 };
    for (const r of [0, 0.5, 0.999]) {
      for (let attempt = 1; attempt <= 6; attempt++) {
        const d = retryDelay(err, attempt, { ...o, random: () => r });
        const step = Math.min(5000, 1000 * 2 ** (attempt - 1));
        assert.ok(d >= step * 0.75 && d <= step * 1.25, `attempt ${attempt}: ${d}`);
      }
    }
  });

  it('waits a real short retry-after end to end (openai, streamed)', async () => {
    const server = await FakeModelServer.start({ replies: [reply.error(429, { 'retry-after': '1' }), reply.text('after the wait')] });
    try {
      const { model } = modelFor(server, 'openai', true, { retry: { sleep: realSleep, random: Math.random } });
      const t0 = Date.now();
      const r = await model.call({ messages: [{ role: 'user', content: 'hi' }] });
      const elapsed = Date.now() - t0;
      assert.equal(r.text, 'after the wait');
      assert.ok(elapsed >= 1000 && elapsed < 3000, `elapsed ${elapsed} ms`);
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });

  it('a cancel during the backoff sleep stops at once and sends nothing more', async () => {
    const server = await FakeModelServer.start({ replies: [reply.error(503, { 'retry-after': '30' }), reply.text('never')] });
    try {
      const ctl = new AbortController();
      const { model } = modelFor(server, 'anthropic', true, {
        retry: { sleep: (ms, signal) => (ctl.abort(), realSleep(ms, signal)) },
      });
      const t0 = Date.now();
      const e = await thrown(() => model.call({ messages: [{ role: 'user', content: 'hi' }], signal: ctl.signal }));
      assert.ok(isModelAbortedError(e));
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });
});
