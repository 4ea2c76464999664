import assert from 'node:assert/strict';
import { z } from 'zod';
import { isStructuredAnswerError } from '../../../src/core/models/errors';
import { callTool } from '../../../src/core/models/structured';
import type { ToolSpec } from '../../../src/core/models/types';
import { type FakeModelServer, reply } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, modelFor, thrown, useFakeServer } from './helpers';

const verdict: ToolSpec<{ pass: boolean; reasons: string[] }> = {
  name: 'submit_verdict',
  description: 'Your verdict',
  schema: z.object({ pass: z.boolean(), reasons: z.array(z.string()) }),
};
const messages = [{ role: 'user' as const, content: 'Task t1: Board\nCheck it.' }];

describe('callTool: structured answers with one repair round', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  for (const provider of PROVIDER_IDS) {
    for (const stream of [true, false]) {
      describe(`${provider}, ${stream ? 'streamed' : 'plain'}`, () => {
        it('forces the tool and returns the validated value', async () => {
          server.enqueue(reply.tool('submit_verdict', { pass: true, reasons: [] }));
          const { model } = modelFor(server, provider, stream);
          const r = await callTool(model, { messages, tool: verdict, step: 'inspector' });
          assert.deepEqual(r.value, { pass: true, reasons: [] });
          assert.equal(r.repaired, false);
          assert.equal(server.requests[0]!.forcedTool, 'submit_verdict');
          assert.deepEqual(server.requests[0]!.tools, ['submit_verdict']);
        });

        it('repairs malformed JSON arguments once, quoting the error', async () => {
          if (provider === 'anthropic' && !stream) return; // plain Anthropic carries parsed JSON only
          server.enqueue(reply.rawTool('submit_verdict', '{"pass": tru'), reply.tool('submit_verdict', { pass: false, reasons: ['x'] }));
          const { model } = modelFor(server, provider, stream);
          const r = await callTool(model, { messages, tool: verdict, step: 'inspector' });
          assert.equal(r.repaired, true);
          assert.match(r.firstProblem!, /not valid JSON/);
          assert.equal(server.requests.length, 2);
          assert.match(JSON.stringify(server.requests[1]!.body), /Your answer was invalid: .*not valid JSON/);
        });

        it('repairs schema-invalid arguments, naming the field', async () => {
          server.enqueue(reply.tool('submit_verdict', { pass: 'yes' }), reply.tool('submit_verdict', { pass: true, reasons: [] }));
          const { model } = modelFor(server, provider, stream);
          const r = await callTool(model, { messages, tool: verdict, step: 'inspector' });
          assert.equal(r.repaired, true);
          assert.match(r.firstProblem!, /pass: .*boolean/);
          assert.match(r.firstProblem!, /reasons/);
        });

        it('repairs a call of an unknown tool and a text-only answer', async () => {
          server.enqueue(reply.tool('write_file', { path: 'x' }), reply.text('I think it passes.'));
          const { model } = modelFor(server, provider, stream);
          const e = await thrown(() => callTool(model, { messages, tool: verdict, step: 'inspector' }));
          assert.ok(isStructuredAnswerError(e));
          assert.equal(e.step, 'inspector');
          assert.match(e.problem, /no call of tool 'submit_verdict' \(answered with text: "I think it passes\."\)/);
          assert.match(JSON.stringify(server.requests[1]!.body), /unknown tool 'write_file'/);
          assert.equal(server.requests.length, 2);
        });

        it('applies the caller check and fails after the second invalid answer', async () => {
          server.enqueue(reply.tool('submit_verdict', { pass: false, reasons: [] }), reply.tool('submit_verdict', { pass: false, reasons: [] }));
          const { model } = modelFor(server, provider, stream);
          const e = await thrown(() =>
            callTool(model, { messages, tool: verdict, step: 'inspector', check: (v) => (v.pass || v.reasons.length > 0 ? [] : ['a failing verdict needs reasons']) }),
          );
          assert.ok(isStructuredAnswerError(e));
          assert.match(e.message, /^inspector: .*a failing verdict needs reasons/);
          assert.equal(server.requests.length, 2);
        });
      });
    }
  }
});
