import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProviderError } from '../../../src/core/models/errors';
import { isNoValidPlanError, listWorkspaceFiles, planTask } from '../../../src/core/planner';
import type { RunEvent } from '../../../src/core/run/events';
import { type FakeModelServer, reply, type RecordedRequest } from '../../fixtures/fake-servers';
import { PROVIDER_IDS, modelFor, thrown, useFakeServer } from '../models/helpers';

const t = (id: string, deps: string[] = [], files = [`${id}.py`]) => ({ id, title: id, objective: `do ${id}`, deps, files });
/** Chain a -> b -> c: P_avg 1. */
const chain = { tasks: [t('a'), t('b', ['a']), t('c', ['b'])] };
/** Wide: a, b independent, c after both: P_avg 1.5. */
const wide = { tasks: [t('a'), t('b'), t('c', ['a', 'b'])] };
/** A cycle: invalid by the graph rules. */
const cyclic = { tasks: [t('x', ['y']), t('y', ['x'])] };

const isRepair = (r: RecordedRequest): boolean => JSON.stringify(r.body).includes('Your answer was invalid');
const TASK = 'Build a gobang game in Python';

describe('planner: K candidates through submit_workflow', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  for (const provider of PROVIDER_IDS) {
    it(`${provider}: draws 3 candidates at once and picks the most parallel, reporting a decision`, async () => {
      const answers = [chain, wide, chain];
      server.setHandler(async (r) => {
        // Answer only once all three are in flight: proves the draws are concurrent, without a sleep.
        await server.waitForRequests(3);
        return reply.tool('submit_workflow', answers[r.seq - 1]);
      });
      const { model } = modelFor(server, provider, true);
      const events: RunEvent[] = [];
      const r = await planTask({ model, task: TASK, files: ['README.md'], runId: 'r1', onEvent: (e) => events.push(e) });
      assert.equal(server.maxInFlight, 3);
      assert.equal(r.chosen, 2);
      assert.deepEqual(r.plan.tasks.map((x) => x.id), ['a', 'b', 'c']);
      assert.equal(r.plan.goal, TASK);
      assert.equal(r.candidates.length, 3);
      assert.ok(r.candidates.every((c) => c.ok && c.metrics));
      assert.equal(r.candidates[1]!.metrics!.parallelism, 1.5);
      const d = events.find((e) => e.type === 'decision');
      assert.ok(d && d.type === 'decision');
      assert.equal(d.point, 'plan.candidates');
      assert.equal(d.mode, 'rule');
      assert.equal(d.choice, 'candidate-2');
      assert.deepEqual(d.options.map((o) => o.id), ['candidate-1', 'candidate-2', 'candidate-3']);
      assert.match(d.reason, /^chose candidate 2 of 3: /);
      assert.doesNotMatch(d.reason, /\d[a-z]/, 'a number runs into the next word');
      for (const req of server.requests) {
        assert.equal(req.forcedTool, 'submit_workflow');
        const body = req.body as { messages: { role: string; content: unknown }[]; system?: string };
        const firstUser = body.messages.find((m) => m.role === 'user')!;
        assert.equal(firstUser.content, TASK, 'the first user message is the task itself');
        assert.match(JSON.stringify(body), /Workspace files:\\nREADME\.md/);
      }
    });
  }

  it('repairs a cyclic plan once, quoting the graph error, and drops a candidate still invalid', async () => {
    const { model } = modelFor(server, 'openai', false);
    // The first repair to arrive becomes valid; the other candidate stays cyclic.
    server.setHandler((r) => {
      if (!isRepair(r)) return reply.tool('submit_workflow', cyclic);
      const repairs = server.requests.filter(isRepair);
      return reply.tool('submit_workflow', repairs[0] === r ? wide : cyclic);
    });
    const events: RunEvent[] = [];
    const r = await planTask({ model, task: TASK, candidates: 2, onEvent: (e) => events.push(e) });
    assert.equal(server.requests.length, 4);
    const repair = server.requests.find(isRepair)!;
    assert.match(JSON.stringify(repair.body), /cycle/);
    assert.equal(r.candidates.filter((c) => c.ok).length, 1);
    const dropped = r.candidates.find((c) => !c.ok)!;
    assert.match(dropped.errors!.join(' '), /cycle/);
    assert.ok(events.some((e) => e.type === 'log' && e.level === 'warn' && /dropped: .*cycle/.test(e.message)));
  });

  it('fails with every reason when all candidates are invalid', async () => {
    server.setHandler(() => reply.tool('submit_workflow', { tasks: [] }));
    const { model } = modelFor(server, 'anthropic', true);
    const e = await thrown(() => planTask({ model, task: TASK, candidates: 2 }));
    assert.ok(isNoValidPlanError(e), e.message);
    assert.equal(e.candidates.length, 2);
    assert.match(e.message, /candidate 1: .+\n {2}candidate 2: .+/);
  });

  it('enforces the task cap through the repair round', async () => {
    const many = { tasks: ['a', 'b', 'c', 'd'].map((id) => t(id)) };
    server.setHandler(() => reply.tool('submit_workflow', many));
    const { model } = modelFor(server, 'openai', true);
    const e = await thrown(() => planTask({ model, task: TASK, candidates: 1, maxTasks: 3 }));
    assert.ok(isNoValidPlanError(e));
    assert.match(e.message, /3/);
  });

  it('stops with the provider error when the key is rejected', async () => {
    server.setHandler(() => reply.error(401));
    const { model } = modelFor(server, 'openai', true);
    const e = await thrown(() => planTask({ model, task: TASK }));
    assert.ok(isProviderError(e) && e.kind === 'auth');
  });

  it('lists workspace files breadth-first, bounded, skipping dependencies, VCS data and secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'af-files-'));
    try {
      await mkdir(join(dir, 'node_modules/x'), { recursive: true });
      await mkdir(join(dir, '.git'), { recursive: true });
      await mkdir(join(dir, 'src/deep'), { recursive: true });
      for (const f of ['node_modules/x/i.js', '.git/HEAD', '.env', '.env.local', 'README.md', 'src/a.py', 'src/deep/b.py']) await writeFile(join(dir, f), 'x');
      assert.deepEqual(await listWorkspaceFiles(dir), { files: ['README.md', 'src/a.py', 'src/deep/b.py'], truncated: false });
      assert.deepEqual(await listWorkspaceFiles(dir, { limit: 2 }), { files: ['README.md', 'src/a.py'], truncated: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
