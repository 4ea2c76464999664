/**
 * A huge answer (hundreds of megabyte-sized tool calls, a 300 MB text) or a stream
 * that never ends must be stopped early, said in plain words, and never retried as a network fault. The
 * fake server generates the flood while it sends it and records how much it wrote before the client left.
 */
import assert from 'node:assert/strict';
import { isProviderError, type ProviderError } from '../../../src/core/models/errors';
import type { Model, StreamEvent } from '../../../src/core/models/types';
import { captureIo } from '../../../src/cli/io';
import { RunConfigSchema, buildModel, modelSettings } from '../../../src/cli/modelOptions';
import { DEFAULT_ANSWER_LIMITS, DEFAULT_TIMEOUTS, wireLimit } from '../../../src/core/models/watchdog';
import { type FakeModelServer, reply } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, modelFor, thrown, useFakeServer } from './helpers';

const MB = 1024 * 1024;
const hello = [{ role: 'user' as const, content: 'write the files' }];

function asProviderError(e: Error): ProviderError {
  assert.ok(isProviderError(e), `expected ProviderError, got ${e.name}: ${e.message}`);
  return e;
}

describe('answer limits: huge and endless answers are stopped early, not retried', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  it('defaults: 8 MiB and 128 tool calls per answer, 10 minutes per call', () => {
    assert.equal(DEFAULT_ANSWER_LIMITS.maxAnswerBytes, 8 * MB);
    assert.equal(DEFAULT_ANSWER_LIMITS.maxToolCalls, 128);
    assert.equal(DEFAULT_TIMEOUTS.totalMs, 600_000);
  });

  for (const provider of PROVIDER_IDS) {
    for (const stream of [true, false]) {
      describe(`${provider}, ${stream ? 'streamed' : 'plain'}`, () => {
        /** The server quit early: the client closed the socket long before the flood was written. */
        async function assertStoppedEarly(total: number): Promise<void> {
          await server.idle();
          const req = server.requests[0]!;
          assert.ok(req.closedByClient && !req.completed, 'the client closed the socket before the answer ended');
          assert.ok(req.bytesWritten < wireLimit(DEFAULT_ANSWER_LIMITS) + 32 * MB, `the server wrote ${req.bytesWritten} of ${total} bytes`);
        }

        it('600 tool calls of 1 MB each: answer-too-large naming the limit, one request, socket closed early', async () => {
          server.enqueue(reply.flood({ toolCalls: { count: 600, argBytes: MB } }), reply.text('never sent'));
          const { model, sleeps } = modelFor(server, provider, stream);
          const events: StreamEvent[] = [];
          const e = asProviderError(await thrown(() => model.call({ messages: hello, onEvent: (ev) => events.push(ev) })));
          assert.equal(e.kind, 'answer-too-large', e.message);
          assert.equal(e.retryable, false);
          assert.match(e.message, /8 MiB limit/);
          assert.ok(e.message.includes(model.name) && e.message.includes(server.baseUrlFor(provider)), e.message);
          assert.equal(server.requests.length, 1, 'not retried');
          assert.deepEqual(sleeps, []);
          await assertStoppedEarly(600 * MB);
        });

        it('a 300 MB text answer (many deltas) is refused, not accepted', async () => {
          server.enqueue(reply.flood({ text: { deltas: 300 * 16, deltaBytes: 64 * 1024 } }));
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'answer-too-large', e.message);
          assert.equal(server.requests.length, 1);
          await assertStoppedEarly(300 * MB);
        });

        it('a 300 MB answer in one line (one delta) is stopped before the SDK buffers it', async () => {
          server.enqueue(reply.flood({ text: { deltas: 1, deltaBytes: 300 * MB } }));
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'answer-too-large', e.message);
          assert.match(e.message, stream ? /one stream event larger than 4 MiB/ : /8 MiB limit/);
          await assertStoppedEarly(300 * MB);
        });

        it('more tool calls than the limit: answer-too-large naming the count', async () => {
          server.enqueue(reply.flood({ toolCalls: { count: 40, argBytes: 8 } }));
          const { model } = modelFor(server, provider, stream, { limits: { maxToolCalls: 32 } });
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'answer-too-large', e.message);
          assert.match(e.message, /more than 32 tool calls/);
          assert.equal(server.requests.length, 1);
        });

        it('an answer within a configured limit passes whole', async () => {
          server.enqueue(reply.flood({ text: { deltas: 6, deltaBytes: 10_000 }, toolCalls: { count: 3, argBytes: 1000 } }));
          const { model } = modelFor(server, provider, stream, { limits: { maxAnswerBytes: 64 * 1024, maxToolCalls: 3 } });
          const r = await model.call({ messages: hello });
          assert.equal(r.text.length, 60_000);
          assert.equal(r.toolCalls.length, 3);
          assert.deepEqual(r.toolCalls[2]!.arguments, { content: 'x'.repeat(1000) });
        });

        it('a configured byte limit is named in the error', async () => {
          server.enqueue(reply.flood({ text: { deltas: 10, deltaBytes: 10_000 } }));
          const { model } = modelFor(server, provider, stream, { limits: { maxAnswerBytes: 32 * 1024 } });
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'answer-too-large', e.message);
          assert.match(e.message, /32 KiB limit/);
        });

        it('an answer that never ends hits the per-call limit: deadline, not retried, socket closed', async () => {
          server.enqueue(reply.flood({ text: { deltas: Infinity, deltaBytes: 10 }, chunkDelayMs: 5 }), reply.text('never sent'));
          const { model, sleeps } = modelFor(server, provider, stream, { timeouts: { totalMs: 300 } });
          const events: StreamEvent[] = [];
          const e = asProviderError(await thrown(() => model.call({ messages: hello, onEvent: (ev) => events.push(ev) })));
          assert.equal(e.kind, 'deadline', e.message);
          assert.equal(e.retryable, false);
          assert.match(e.message, /300 ms limit/);
          assert.equal(server.requests.length, 1);
          assert.deepEqual(sleeps, []);
          await server.idle();
          assert.ok(server.requests[0]!.closedByClient);
        });
      });
    }
  }
});

describe('answer limits from the CLI config', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  it('`limits` in --config sets the tool-call, byte and duration limits of every model built', async () => {
    // The size limits with a call time no loaded machine reaches, so each answer meets its own limit first; the
    // duration limit apart, against an answer that never ends.
    const sizes = RunConfigSchema.parse({ limits: { maxToolCalls: 2, maxAnswerBytes: 4096, callTimeoutMs: 600_000 } });
    const duration = RunConfigSchema.parse({ limits: { callTimeoutMs: 200 } });
    const io = captureIo();
    const flags = { 'base-url': server.openaiBaseUrl, model: 'gpt-4o-mini', 'api-key': 'sk-test-1234' };
    const build = (config: typeof sizes): Model => buildModel(modelSettings(flags, config, 'agent'), flags, io);
    server.enqueue(reply.flood({ toolCalls: { count: 3, argBytes: 8 } }), reply.flood({ text: { deltas: 2, deltaBytes: 4000 } }));
    server.enqueue(reply.flood({ text: { deltas: Infinity, deltaBytes: 4 }, chunkDelayMs: 5 }));
    const tools = asProviderError(await thrown(() => build(sizes).call({ messages: hello })));
    assert.match(tools.message, /more than 2 tool calls/);
    const bytes = asProviderError(await thrown(() => build(sizes).call({ messages: hello })));
    assert.match(bytes.message, /4 KiB limit/);
    const slow = asProviderError(await thrown(() => build(duration).call({ messages: hello })));
    assert.equal(slow.kind, 'deadline');
    assert.equal(server.requests.length, 3);
  });
});
