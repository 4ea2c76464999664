import assert from 'node:assert/strict';
import { z } from 'zod';
import { isModelAbortedError, isProviderError, modelErrorExitCode, type ProviderError } from '../../../src/core/models/errors';
import type { ChatMessage, StreamEvent, ToolSpec } from '../../../src/core/models/types';
import { type FakeModelServer, reply } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, SENTINEL_KEY, modelFor, thrown, useFakeServer } from './helpers';

const readFile: ToolSpec<{ path: string }> = { name: 'read_file', description: 'Read a file', schema: z.object({ path: z.string() }) };
const finish: ToolSpec<{ summary: string }> = { name: 'finish', description: 'Finish', schema: z.object({ summary: z.string() }) };
const hello: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Task t1: say hello' },
];

function asProviderError(e: Error): ProviderError {
  assert.ok(isProviderError(e), `expected ProviderError, got ${e.name}: ${e.message}`);
  return e;
}

describe('model providers against the fake server (real SDKs)', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  for (const provider of PROVIDER_IDS) {
    for (const stream of [true, false]) {
      describe(`${provider}, ${stream ? 'streamed' : 'plain'}`, () => {
        it('returns text, usage and stop reason, and streams the text', async () => {
          server.enqueue(reply.text('Hello, wörld — 👋 done.', { usage: { input: 12, output: 7 } }));
          const { model } = modelFor(server, provider, stream);
          const events: StreamEvent[] = [];
          const r = await model.call({ messages: hello, onEvent: (e) => events.push(e) });
          assert.equal(r.text, 'Hello, wörld — 👋 done.');
          assert.deepEqual(r.usage, { inputTokens: 12, outputTokens: 7 });
          assert.equal(r.stopReason, 'stop');
          const streamedText = events.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
          assert.equal(streamedText, r.text);
          const req = server.requests[0]!;
          assert.equal(req.stream, stream);
          assert.equal(req.path, provider === 'anthropic' ? '/v1/messages' : '/v1/chat/completions');
          if (provider === 'anthropic') {
            assert.equal((req.body as { system: string }).system, 'You are terse.');
          } else if (stream) {
            assert.deepEqual((req.body as { stream_options: unknown }).stream_options, { include_usage: true });
          }
        });

        it('sends tools as JSON Schema with a forced choice and parses the tool call', async () => {
          server.enqueue(reply.tool('read_file', { path: 'src/a.py' }));
          const { model } = modelFor(server, provider, stream);
          const r = await model.call({ messages: hello, tools: [readFile, finish], toolChoice: { name: 'read_file' } });
          assert.equal(r.stopReason, 'tool_calls');
          assert.equal(r.toolCalls.length, 1);
          assert.equal(r.toolCalls[0]!.name, 'read_file');
          assert.deepEqual(r.toolCalls[0]!.arguments, { path: 'src/a.py' });
          assert.ok(r.toolCalls[0]!.id.length > 0);
          const req = server.requests[0]!;
          assert.deepEqual(req.tools, ['read_file', 'finish']);
          assert.equal(req.forcedTool, 'read_file');
          const body = req.body as { tools: Record<string, unknown>[] };
          const schema = provider === 'anthropic' ? body.tools[0]!.input_schema : (body.tools[0]!.function as Record<string, unknown>).parameters;
          assert.deepEqual(schema, { type: 'object', properties: { path: { type: 'string' } }, required: ["path"] });
        });

        it('feeds tool results back in the provider format (agent tool loop)', async () => {
          server.enqueue(reply.tool('read_file', { path: 'a.txt' }), reply.tool('finish', { summary: 'read it' }));
          const { model } = modelFor(server, provider, stream);
          const messages: ChatMessage[] = [...hello];
          const first = await model.call({ messages, tools: [readFile, finish], toolChoice: 'required' });
          const call = first.toolCalls[0]!;
          messages.push({ role: 'assistant', content: first.text, toolCalls: first.toolCalls });
          messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: 'file body' });
          const second = await model.call({ messages, tools: [readFile, finish], toolChoice: 'required' });
          assert.equal(second.toolCalls[0]!.name, 'finish');
          const body = server.requests[1]!.body as { messages: Record<string, unknown>[] };
          if (provider === 'anthropic') {
            const last = body.messages[body.messages.length - 1]!;
            assert.equal(last.role, 'user');
            assert.deepEqual(last.content, [{ type: 'tool_result', tool_use_id: call.id, content: 'file body' }]);
            const asst = body.messages[body.messages.length - 2]!;
            assert.deepEqual(asst.content, [{ type: 'tool_use', id: call.id, name: 'read_file', input: { path: 'a.txt' } }]);
            assert.deepEqual(server.requests[1]!.body && (server.requests[1]!.body as { tool_choice: unknown }).tool_choice, { type: 'any' });
          } else {
            const last = body.messages[body.messages.length - 1]!;
            assert.deepEqual(last, { role: 'tool', tool_call_id: call.id, content: 'file body' });
            const asst = body.messages[body.messages.length - 2]!;
            assert.deepEqual(asst.tool_calls, [{ id: call.id, type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } }]);
          }
        });

        it('keeps malformed tool-call JSON as raw text with undefined arguments (a model mistake, not a transport error)', async () => {
          server.enqueue(reply.rawTool('read_file', '{"path": "a.txt",'));
          const { model } = modelFor(server, provider, stream);
          const r = await model.call({ messages: hello, tools: [readFile] });
          if (provider === 'anthropic' && !stream) {
            // The plain Anthropic protocol carries `input` as JSON already: the fake sends the raw string.
            assert.equal(typeof r.toolCalls[0]!.arguments, 'string');
          } else {
            assert.equal(r.toolCalls[0]!.arguments, undefined);
            assert.equal(r.toolCalls[0]!.rawArguments, '{"path": "a.txt",');
          }
          assert.equal(server.requests.length, 1);
        });

        it('retries a 429 after the retry-after seconds, once', async () => {
          server.enqueue(reply.error(429, { 'retry-after': '2' }), reply.text('ok'));
          const { model, sleeps } = modelFor(server, provider, stream);
          const r = await model.call({ messages: hello });
          assert.equal(r.text, 'ok');
          assert.equal(server.requests.length, 2);
          assert.equal(sleeps.length, 1);
          assert.ok(sleeps[0]! >= 2000 && sleeps[0]! <= 2200, `waited ${sleeps[0]}`);
        });

        it('honours retry-after-ms and an HTTP date', async () => {
          const date = new Date(Date.now() + 5000).toUTCString();
          server.enqueue(reply.error(429, { 'retry-after-ms': '300' }), reply.error(503, { 'retry-after': date }), reply.text('ok'));
          const { model, sleeps } = modelFor(server, provider, stream);
          await model.call({ messages: hello });
          assert.equal(sleeps.length, 2);
          assert.ok(sleeps[0]! >= 300 && sleeps[0]! < 400, `waited ${sleeps[0]}`);
          assert.ok(sleeps[1]! > 3000 && sleeps[1]! <= 5500, `waited ${sleeps[1]}`);
        });

        it('fails at once when retry-after exceeds the cap, saying how long', async () => {
          server.enqueue(reply.error(429, { 'retry-after': '10800' }), reply.text('never'));
          const { model, sleeps } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'wait-too-long');
          assert.match(e.message, /3\.0 h/);
          assert.equal(server.requests.length, 1);
          assert.equal(sleeps.length, 0);
        });

        it('backs off exponentially on 5xx and gives up after maxAttempts', async () => {
          server.enqueue(reply.error(500), reply.error(502), reply.error(503), reply.error(529));
          const { model, sleeps } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'server');
          assert.equal(e.status, 529);
          assert.equal(e.attempts, 4);
          assert.match(e.message, /after 4 attempts/);
          assert.equal(server.requests.length, 4);
          assert.deepEqual(sleeps, [1000, 2000, 4000]);
        });

        it('does not retry 401 and says to fix the key, without leaking it', async () => {
          server.enqueue(reply.error(401, {}, { echoAuth: true }));
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'auth');
          assert.equal(modelErrorExitCode(e), 2);
          assert.equal(server.requests.length, 1);
          assert.equal(server.requests[0]!.apiKey, SENTINEL_KEY);
          assert.match(e.message, /API key/);
          assert.ok(!e.message.includes(SENTINEL_KEY) && !String(e.stack).includes(SENTINEL_KEY), e.message);
        });

        it('does not retry 404 and names the model and base URL', async () => {
          server.enqueue(reply.error(404, {}, { message: 'model not found' }));
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'not-found');
          assert.ok(e.message.includes(model.name) && e.message.includes(server.baseUrlFor(provider)), e.message);
          assert.equal(server.requests.length, 1);
          assert.equal(modelErrorExitCode(e), 2);
        });

        it('does not retry 400 or 403', async () => {
          server.enqueue(reply.error(400), reply.error(403));
          const { model } = modelFor(server, provider, stream);
          assert.equal(asProviderError(await thrown(() => model.call({ messages: hello }))).kind, 'bad-request');
          assert.equal(asProviderError(await thrown(() => model.call({ messages: hello }))).kind, 'permission');
          assert.equal(server.requests.length, 2);
        });

        it('retries a connection reset', async () => {
          server.enqueue(reply.reset(), reply.text('ok'));
          const { model, sleeps } = modelFor(server, provider, stream);
          assert.equal((await model.call({ messages: hello })).text, 'ok');
          assert.equal(server.requests.length, 2);
          assert.equal(sleeps.length, 1);
        });

        it('reports a 200 HTML page as a bad response, not retried', async () => {
          server.enqueue(reply.html());
          const { model } = modelFor(server, provider, stream);
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.ok(e.kind === 'bad-response' || e.kind === 'connection', `${e.kind}: ${e.message}`);
          assert.ok(e.message.includes(server.baseUrlFor(provider)), e.message);
        });

        it('times out a server that never answers, closing the request', async () => {
          server.enqueue(reply.hang(), reply.hang());
          const { model } = modelFor(server, provider, stream, { timeouts: { connectMs: 150, requestMs: 150 }, retry: { maxAttempts: 2 } });
          const e = asProviderError(await thrown(() => model.call({ messages: hello })));
          assert.equal(e.kind, 'timeout');
          assert.equal(server.requests.length, 2);
          await server.idle();
          assert.ok(server.requests.every((r) => r.closedByClient));
        });

        it('stops the HTTP request at once on abort, without retrying', async () => {
          server.enqueue(reply.hang());
          const { model } = modelFor(server, provider, stream);
          const ctl = new AbortController();
          const p = model.call({ messages: hello, signal: ctl.signal });
          await server.waitForRequests(1);
          const t0 = Date.now();
          ctl.abort();
          const e = await thrown(() => p);
          assert.ok(isModelAbortedError(e), `${e.name}: ${e.message}`);
          assert.ok(Date.now() - t0 < 1000);
          assert.equal(modelErrorExitCode(e), 130);
          assert.equal(server.requests.length, 1);
        });

        if (stream) {
          it('discards a stream dropped mid-answer, emits reset, retries cleanly', async () => {
            server.enqueue(
              reply.text('The first half then gone', { chunkSize: 4, dropAfterChunks: 4 }),
              reply.text('The full answer.', { chunkSize: 4 }),
            );
            const { model } = modelFor(server, provider, stream);
            const events: StreamEvent[] = [];
            const r = await model.call({ messages: hello, onEvent: (e) => events.push(e) });
            assert.equal(r.text, 'The full answer.');
            const resetAt = events.findIndex((e) => e.type === 'reset');
            assert.ok(resetAt > 0, 'a reset event precedes the retry');
            const after = events.slice(resetAt + 1).flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
            assert.equal(after, 'The full answer.');
            assert.equal(server.requests.length, 2);
          });

          it('never acts on half a tool call from a dropped stream', async () => {
            server.enqueue(
              reply.tool('read_file', { path: 'a-very-long-path/that/is/cut.txt' }, { chunkSize: 5, dropAfterChunks: 5 }),
              reply.tool('read_file', { path: 'ok.txt' }),
            );
            const { model } = modelFor(server, provider, stream);
            const r = await model.call({ messages: hello, tools: [readFile] });
            assert.deepEqual(
              r.toolCalls.map((c) => c.arguments),
              [{ path: 'ok.txt' }],
            );
          });

          it('treats a stream that ends without its final events as dropped', async () => {
            server.enqueue(reply.text('partial', { omitEnd: true }), reply.text('whole'));
            const { model } = modelFor(server, provider, stream);
            assert.equal((await model.call({ messages: hello })).text, 'whole');
            assert.equal(server.requests.length, 2);
          });

          it('times out a stalled stream (idle timeout) and retries', async () => {
            server.enqueue(reply.text('stalls here and more', { chunkSize: 3, stallAfterChunks: 3 }), reply.text('fine'));
            const { model } = modelFor(server, provider, stream, { timeouts: { idleMs: 150 } });
            const events: StreamEvent[] = [];
            const r = await model.call({ messages: hello, onEvent: (e) => events.push(e) });
            assert.equal(r.text, 'fine');
            await server.idle();
            assert.ok(server.requests[0]!.closedByClient);
            assert.ok(events.some((e) => e.type === 'reset'));
          });

          it('aborts mid-stream at once', async () => {
            server.enqueue(reply.text('x'.repeat(50), { chunkSize: 1, stallAfterChunks: 5 }));
            const { model } = modelFor(server, provider, stream);
            const ctl = new AbortController();
            const p = model.call({ messages: hello, signal: ctl.signal, onEvent: (e) => e.type === 'text' && ctl.abort() });
            const e = await thrown(() => p);
            assert.ok(isModelAbortedError(e), `${e.name}: ${e.message}`);
            await new Promise<void>((resolve) => setImmediate(resolve));
            assert.equal(server.requests.length, 1);
          });
        }
      });
    }
  }
});
