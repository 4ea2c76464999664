import assert from 'node:assert/strict';
import { ProviderError, isModelAbortedError, isProviderError } from '../../../src/core/models/errors';
import { parseRetryAfter } from '../../../src/core/models/retry-after';
import { RateGate, rateGateFor, retryDelay, realSleep, type RetryOptions } from '../../../src/core/models/retry';
import { createModel } from '../../../src/core/models/create';
import { FakeModelServer, reply } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, SENTINEL_KEY, modelFor, thrown } from './helpers';

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
      const { model } = modelFor(server, 'openai', true, { retry: { sleep: realSleep, random: Math.random, now: Date.now } });
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

  describe('P3: rate limits (429 without headers), shared by every model of an endpoint', () => {
    const hi = [{ role: 'user' as const, content: 'hi' }];
    function asProviderError(e: Error): ProviderError {
      assert.ok(isProviderError(e), `expected ProviderError, got ${e.name}: ${e.message}`);
      return e;
    }
    /** Retry options with recorded sleeps advancing one fake clock, and one gate, shared by several models. */
    function shared(extra: Partial<RetryOptions> = {}): { retry: Partial<RetryOptions>; sleeps: number[] } {
      const sleeps: number[] = [];
      let clock = 1_000_000;
      const retry: Partial<RetryOptions> = {
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
        now: () => clock,
        random: () => 0.5,
        gate: new RateGate('fake'),
        ...extra,
      };
      return { retry, sleeps };
    }

    for (const provider of PROVIDER_IDS) {
      it(`${provider}: repeated 429s back off exponentially, then fail clearly after maxAttempts`, async () => {
        const server = await FakeModelServer.start({ replies: [reply.error(429), reply.error(429), reply.error(429), reply.error(429), reply.text('never')] });
        try {
          const { model, sleeps } = modelFor(server, provider, true);
          const e = asProviderError(await thrown(() => model.call({ messages: hi })));
          assert.equal(e.kind, 'rate-limited');
          assert.equal(e.attempts, 4);
          assert.match(e.message, /rate limiting .*gave up after 4 attempts/);
          assert.deepEqual(sleeps, [1000, 2000, 4000]);
          assert.equal(server.requests.length, 4);
        } finally {
          await server.close();
        }
      });
    }

    it('jitter spreads the waits of parallel calls (no lockstep)', () => {
      const err = new ProviderError({ kind: 'rate-limited', provider: 'openai', baseUrl: 'u', model: 'm', message: 'x' });
      const o = { baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000, jitter: 0.25 };
      const waits = new Set([0.1, 0.4, 0.7, 0.95].map((r) => retryDelay(err, 3, { ...o, random: () => r })));
      assert.equal(waits.size, 4);
    });

    it('a call gives up once its waits would pass maxTotalWaitMs, saying so', async () => {
      const server = await FakeModelServer.start({ replies: [reply.error(429), reply.error(429), reply.error(429), reply.text('never')] });
      try {
        const { model, sleeps } = modelFor(server, 'openai', true, { retry: { maxTotalWaitMs: 2500 } });
        const e = asProviderError(await thrown(() => model.call({ messages: hi })));
        assert.equal(e.kind, 'rate-limited');
        assert.match(e.message, /gave up rather than wait 3\.0 s in all, more than the 2\.5 s limit/);
        assert.deepEqual(sleeps, [1000]);
        assert.equal(server.requests.length, 2);
      } finally {
        await server.close();
      }
    });

    it('five agents hit by 429s do not stampede: after the cooldown one probe goes alone, then the rest', async () => {
      const inFlightAtAnswer: number[] = [];
      let seen = 0;
      /** Requests after the first wave that arrived and are not answered yet. */
      let pending = 0;
      const gate = new RateGate('fake');
      const server = await FakeModelServer.start({
        handler: async () => {
          seen++;
          const n = seen;
          // The first wave all arrive before any answer: each is answered 429 once all five are in.
          if (n <= 5) {
            await server.waitForRequests(5);
            return reply.error(429);
          }
          // A probe is answered once the four other agents wait for it, or once another request came
          // (a stampede, which the in-flight count then shows).
          pending++;
          if (n <= 7) await Promise.race([gate.whenWaiting(4), server.waitForRequests(n + 1)]);
          inFlightAtAnswer.push(pending--);
          // The first probe is refused too: the circuit stays open, the next probe goes alone again.
          return n === 6 ? reply.error(429) : reply.text(`ok ${n}`);
        },
      });
      try {
        const { retry, sleeps } = shared({ gate });
        const agents = Array.from({ length: 5 }, () =>
          createModel({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: server.openaiBaseUrl, apiKey: SENTINEL_KEY, env: {}, retry }),
        );
        const results = await Promise.all(agents.map((m) => m.call({ messages: hi })));
        assert.ok(results.every((r) => r.text.startsWith('ok ')));
        assert.equal(server.requests.length, 5 + 1 + 1 + 4, 'the wave, a refused probe, a probe that passed, the four others');
        assert.deepEqual(inFlightAtAnswer.slice(0, 2), [1, 1], 'each probe was alone on the wire while the others waited');
        assert.ok(sleeps.length > 0 && sleeps.every((ms) => ms > 0));
      } finally {
        await server.close();
      }
    });

    it('models built by createModel share the endpoint gate: a quota wait seen by one holds the others, with no request', async () => {
      const server = await FakeModelServer.start({ replies: [reply.error(429, { 'retry-after': '10800' }), reply.text('never')] });
      try {
        assert.equal(rateGateFor('openai', server.openaiBaseUrl), rateGateFor('openai', server.openaiBaseUrl));
        assert.notEqual(rateGateFor('openai', server.openaiBaseUrl), rateGateFor('anthropic', server.url));
        const make = () => createModel({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: server.openaiBaseUrl, apiKey: SENTINEL_KEY, env: {}, retry: { sleep: async () => undefined } });
        const first = asProviderError(await thrown(() => make().call({ messages: hi })));
        assert.equal(first.kind, 'wait-too-long');
        const second = asProviderError(await thrown(() => make().call({ messages: hi })));
        assert.equal(second.kind, 'rate-limited');
        assert.match(second.message, /held for another 3\.0 h/);
        assert.equal(server.requests.length, 1, 'the second model sent nothing');
      } finally {
        await server.close();
      }
    });
  });
});
