/**
 * Provider faults and cancels through the real SDKs and the loopback fake
 * server: P5 (400/404/413 not retried, named), P9 (a cut stream is discarded and retried into a fresh
 * buffer), P10 (malformed SSE), P12 (a 200 HTML page or another schema), X5 (nothing heard after abort).
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isModelAbortedError, isProviderError, type ProviderError } from '../../../src/core/models/errors';
import type { ChatMessage, StreamEvent, ToolSpec } from '../../../src/core/models/types';
import { type FakeModelServer, reply } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, modelFor, thrown, useFakeServer } from './helpers';

const hello: ChatMessage[] = [{ role: 'user', content: 'Task t1: say hello' }];
const writeFile: ToolSpec<{ path: string; content: string }> = {
  name: 'write_file',
  description: 'Write a file',
  schema: z.object({ path: z.string(), content: z.string() }),
};
const UNICODE = 'Grüße, wörld — 👋 ñandú 日本語 done.';

function asProviderError(e: Error): ProviderError {
  assert.ok(isProviderError(e), `expected ProviderError, got ${e.name}: ${e.message}`);
  return e;
}

/** What a view shows: text deltas appended, cleared on `reset` (the listener contract of the Model port). */
function screen(): { events: StreamEvent[]; onEvent: (e: StreamEvent) => void; text: () => string } {
  const events: StreamEvent[] = [];
  let shown = '';
  return {
    events,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'reset') shown = '';
      else if (e.type === 'text') shown += e.delta;
    },
    text: () => shown,
  };
}

describe('model streams under attack (real SDKs, fake server)', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  for (const provider of PROVIDER_IDS) {
    describe(provider, () => {
      for (const stream of [true, false]) {
        const mode = stream ? 'streamed' : 'plain';

        it(`P5 (${mode}): 400, 404 and 413 are not retried and name the model and base URL`, async () => {
          server.enqueue(
            reply.error(400, {}, { message: 'bad tool schema' }),
            reply.error(404, {}, { message: 'The model does not exist' }),
            reply.error(413, {}, { message: 'context_length_exceeded' }),
          );
          const { model, sleeps } = modelFor(server, provider, stream);
          const kinds: string[] = [];
          for (let i = 0; i < 3; i++) {
            const e = asProviderError(await thrown(() => model.call({ messages: hello })));
            kinds.push(e.kind);
            assert.ok(e.message.includes(`'${model.name}'`) && e.message.includes(server.baseUrlFor(provider)), e.message);
            assert.equal(e.attempts, 1);
            if (e.status === 413) assert.match(e.message, /too large for model/);
          }
          assert.deepEqual(kinds, ['bad-request', 'not-found', 'bad-request']);
          assert.equal(server.requests.length, 3, 'one request each');
          assert.deepEqual(sleeps, []);
        });

        it(`P12 (${mode}): a 200 HTML page is named by its content type and base URL, not retried`, async () => {
          server.enqueue(reply.html(), reply.text('never'));
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'bad-response');
          assert.ok(e.message.includes(`unexpected response content-type text/html from ${server.baseUrlFor(provider)}`), e.message);
          assert.equal(server.requests.length, 1);
        });

        it(`P12 (${mode}): a 200 with another schema is a bad response, not retried`, async () => {
          const body = JSON.stringify({ status: 'ok', result: { answer: 42 } });
          server.enqueue({ kind: 'raw', contentType: stream ? 'text/event-stream' : 'application/json', body: stream ? `data: ${body}\n\n` : body }, reply.text('never'));
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'bad-response', e.message);
          assert.ok(e.message.includes(server.baseUrlFor(provider)), e.message);
          assert.equal(server.requests.length, 1);
        });
      }

      describe('streamed', () => {
        it('P9: a stream cut after K deltas is discarded; the retry fills a fresh buffer; the view shows no duplicate', async () => {
          server.enqueue(reply.text(UNICODE, { chunkSize: 3, dropAfterChunks: 5 }), reply.text(UNICODE, { chunkSize: 3 }));
          const { model } = modelFor(server, provider, true);
          const view = screen();
          const r = await model.call({ messages: hello, onEvent: view.onEvent });
          assert.equal(r.text, UNICODE);
          assert.equal(view.text(), UNICODE, 'what the view shows is the answer once');
          assert.equal(view.events.filter((e) => e.type === 'reset').length, 1);
          assert.equal(server.requests.length, 2);
        });

        it('P9: a stream that ends without its end marker never yields its half tool call', async () => {
          server.enqueue(
            reply.tool('write_file', { path: 'src/app.ts', content: 'export const a = 1;\n'.repeat(20) }, { chunkSize: 7, omitEnd: true }),
            reply.tool('write_file', { path: 'src/app.ts', content: 'whole\n' }),
          );
          const { model } = modelFor(server, provider, true);
          const view = screen();
          const r = await model.call({ messages: hello, tools: [writeFile], onEvent: view.onEvent });
          assert.deepEqual(r.toolCalls.map((c) => c.arguments), [{ path: 'src/app.ts', content: 'whole\n' }]);
          assert.ok(view.events.some((e) => e.type === 'reset'));
          assert.equal(server.requests.length, 2);
        });

        it('P10: multi-byte characters split across chunks, CRLF line ends and comments parse cleanly', async () => {
          server.enqueue(
            reply.text(UNICODE, { chunkSize: 2, splitBytes: 1 }),
            reply.text(UNICODE, { chunkSize: 5, crlf: true, splitBytes: 7 }),
            reply.text(UNICODE, { comments: true, crlf: true }),
          );
          const { model } = modelFor(server, provider, true);
          for (let i = 0; i < 3; i++) {
            const view = screen();
            const r = await model.call({ messages: hello, onEvent: view.onEvent });
            assert.equal(r.text, UNICODE, `reply ${i + 1}`);
            assert.equal(view.text(), UNICODE);
          }
          assert.equal(server.requests.length, 3);
        });

        it('P10: bad JSON in a data: line is a clean "malformed" error, not a crash, not retried, nothing printed by the SDK', async () => {
          const raw = `${provider === 'anthropic' ? 'event: content_block_delta\n' : ''}data: {"choices": [{"delta": {"content": "oops"\n\n`;
          server.enqueue(reply.text('a fine start and then', { chunkSize: 4, inject: { afterChunks: 3, raw } }), reply.text('never'));
          const { model } = modelFor(server, provider, true);
          // The SDKs must not print the bad event themselves (raw model output past the CLI's sanitiser).
          const printed: unknown[] = [];
          const { error, warn, log } = console;
          console.error = console.warn = console.log = (...args: unknown[]) => void printed.push(args);
          let e: ProviderError;
          try {
            e = asProviderError(await thrown(() => model.call({ messages: hello })));
          } finally {
            Object.assign(console, { error, warn, log });
          }
          assert.deepEqual(printed, []);
          assert.equal(e.kind, 'bad-response');
          assert.match(e.message, /malformed answer .* \(invalid JSON/);
          assert.equal(server.requests.length, 1);
        });

        it('P10: an error event in the middle of the stream is a server error: partial answer dropped, retried', async () => {
          const raw =
            provider === 'anthropic'
              ? 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
              : 'data: {"error":{"message":"The server had an error while processing your request","type":"server_error"}}\n\n';
          server.enqueue(reply.text('half an answer, then', { chunkSize: 4, inject: { afterChunks: 3, raw } }), reply.text('the whole answer'));
          const { model } = modelFor(server, provider, true);
          const view = screen();
          const r = await model.call({ messages: hello, onEvent: view.onEvent });
          assert.equal(r.text, 'the whole answer');
          assert.equal(view.text(), 'the whole answer');
          assert.equal(server.requests.length, 2);
        });

        it('X5: once the caller aborts, the listener hears nothing more from that call', async () => {
          server.enqueue(reply.text('y'.repeat(400), { chunkSize: 1, stallAfterChunks: 200 }));
          const { model } = modelFor(server, provider, true);
          const ctl = new AbortController();
          let afterAbort = 0;
          let heard = 0;
          const p = model.call({
            messages: hello,
            signal: ctl.signal,
            onEvent: () => {
              if (ctl.signal.aborted) afterAbort++;
              if (++heard === 3) ctl.abort();
            },
          });
          const e = await thrown(() => p);
          assert.ok(isModelAbortedError(e), `${e.name}: ${e.message}`);
          await server.idle();
          assert.equal(heard, 3);
          assert.equal(afterAbort, 0);
          assert.ok(server.requests[0]!.closedByClient);
        });
      });
    });
  }
});
