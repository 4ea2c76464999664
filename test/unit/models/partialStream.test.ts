/**
 * Failure case P9, end to end: a streamed answer cut in the middle of a `write_file` call (the socket
 * dropped, or the stream ended without its end marker) must stage nothing; only the retried, whole answer
 * reaches the staging area and the workspace. Real SDK, fake server, real run engine.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../../../src/core/run';
import type { RunEvent } from '../../../src/core/run/events';
import { FakeModelServer, type FakeReply } from '../../fixtures/fake-servers';
import { validPlan } from '../plan/helpers';
import { tempDirs } from '../run/tmp';
import { PROVIDER_IDS, modelFor } from './helpers';

const WHOLE = 'export const answer = 42;\n'.repeat(40);

describe('P9: no file staged from a partial stream (run engine)', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  let server: FakeModelServer | undefined;
  afterEach(async () => {
    await server?.close();
    tmp.cleanup();
  });

  for (const provider of PROVIDER_IDS) {
    it(`${provider}: a write_file cut by a dropped socket, then by a missing end marker, stages nothing; the retry's file is applied whole`, async () => {
      let agentCalls = 0;
      server = await FakeModelServer.start({
        handler: (req): FakeReply => {
          if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
          agentCalls++;
          const write = (p: string, content: string) => ({ name: 'write_file', arguments: { path: p, content } });
          // The cut answers hold a complete first call (a partial answer acted upon would stage it) and a
          // second call cut short.
          if (agentCalls === 1) return { kind: 'message', toolCalls: [write('a.txt', 'PARTIAL'), write('a.txt', WHOLE)], chunkSize: 16, dropAfterChunks: 20 };
          if (agentCalls === 2) return { kind: 'message', toolCalls: [write('a.txt', 'PARTIAL'), write('a.txt', WHOLE)], chunkSize: 16, omitEnd: true };
          if (agentCalls === 3) return { kind: 'message', toolCalls: [write('a.txt', WHOLE)] };
          return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
        },
      });
      const { model } = modelFor(server, provider, true);
      const dir = tmp.make('af-ws-');
      const events: RunEvent[] = [];
      const plan = validPlan({ goal: 'g', tasks: [{ id: 'a', title: 'A', objective: 'write a.txt', role: 'developer', deps: [], acceptance: [], files: ['a.txt'] }] });
      const out = await startRun({ dir, stateDir: tmp.make('af-state-'), plan, model, apply: 'auto', onEvent: (e) => events.push(e) });
      assert.equal(out.exitCode, 0, JSON.stringify(out.record.tasks.a));
      assert.equal(agentCalls, 4, 'two cut answers, the whole one, finish');
      assert.equal(readFileSync(path.join(dir, 'a.txt'), 'utf8'), WHOLE);
      const staged = events.flatMap((e) => (e.type === 'file.staged' ? [e.bytes] : []));
      assert.deepEqual(staged, [Buffer.byteLength(WHOLE)], 'staged once, from the whole answer: nothing from a cut one');
      const lastReset = events.map((e) => e.type).lastIndexOf('agent.reset');
      assert.ok(!events.slice(0, lastReset).some((e) => e.type === 'agent.tool'), 'no tool ran before the last reset');
      assert.equal(events.filter((e) => e.type === 'agent.reset').length, 2);
    });
  }
});
