/**
 * The planner looks before it plans: read-only list_files / read_file / search over the real workspace,
 * bounded turns, every call metered, owned files checked against the workspace's layout.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { meteredModel, UsageMeter } from '../../../src/core/models';
import { planGoal } from '../../../src/core/session';
import { layoutProblems, workspaceLayout } from '../../../src/core/planner/layout';
import { type FakeModelServer, type FakeReply, type RecordedRequest, reply } from '../../fixtures/fake-servers';
import { modelFor, PROVIDER_IDS, useFakeServer } from '../models/helpers';
import { tempDirs } from '../run/tmp';

const FILES: Record<string, string> = {
  'README.md': '# shop\n',
  'src/shop/server.py': 'import json\n\ndef handle_request(path):\n    return json.dumps({"path": path})\n',
  'tests/test_server.py': 'from shop.server import handle_request\n',
  '.env': 'API_KEY=sk-do-not-read\n',
};

const PLAN = { tasks: [{ id: 'route', title: 'Route', objective: 'add a /health route to handle_request', files: ['src/shop/server.py'] }, { id: 'test', title: 'Test', objective: 'test it', files: ['tests/test_health.py'] }] };

/** The body's messages as text, whatever the protocol (OpenAI tool messages, Anthropic tool_result blocks). */
const bodyText = (r: RecordedRequest): string => JSON.stringify(r.body);
const assistantTurns = (r: RecordedRequest): number => ((r.body as { messages?: Array<{ role: string }> }).messages ?? []).filter((m) => m.role === 'assistant').length;

describe('planner: looks at the workspace with read-only tools before it plans', function () {
  this.timeout(30_000);
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));
  const tmp = tempDirs();
  let ws: string;
  beforeEach(() => {
    ws = path.join(tmp.make('af-explore-'), 'ws');
    for (const [rel, content] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      writeFileSync(path.join(ws, rel), content);
    }
  });
  afterEach(() => tmp.cleanup());

  for (const provider of PROVIDER_IDS) {
    it(`${provider}: a planner that calls search, then read_file, then submit_workflow gets real results; every turn is metered`, async () => {
      server.setHandler((r): FakeReply => {
        const turn = assistantTurns(r);
        if (turn === 0) return reply.tool('search', { pattern: 'def handle_request' });
        if (turn === 1) return reply.tool('read_file', { path: 'src/shop/server.py' });
        return reply.tool('submit_workflow', PLAN);
      });
      const meter = new UsageMeter({});
      const { model } = modelFor(server, provider, false);
      const planned = await planGoal({ goal: 'add a health route', dir: ws, model: meteredModel(model, meter, { role: 'planner' }), candidates: 1 });
      assert.deepEqual(planned.plan.tasks.map((t) => t.id), ['route', 'test']);
      assert.equal(server.requests.length, 3);
      const first = server.requests[0]!;
      assert.deepEqual([...first.tools].sort(), ['list_files', 'read_file', 'search', 'submit_workflow']);
      assert.equal(first.forcedTool, undefined, 'looking is not forced');
      assert.match(bodyText(first), /list_files, read_file and search \(read-only; at most 6 turns\)/);
      // The search result: the real line of the real file.
      assert.match(bodyText(server.requests[1]!), /src\/shop\/server\.py:3: def handle_request\(path\):/);
      // The read_file result: the file's numbered lines.
      assert.match(bodyText(server.requests[2]!), /4\\t {4}return json\.dumps/);
      assert.equal(meter.totals().calls, 3, 'the exploration turns are metered like every call');
      const option = planned.result.decision.options[0]!;
      const explored = option.explored as string[];
      assert.equal(explored.length, 2);
      assert.match(explored[0]!, /^search "def handle_request" → 1 match/);
      assert.match(explored[1]!, /^read src\/shop\/server\.py/);
    });
  }

  it('read-only: writing is not among its tools, secrets and paths outside are refused, nothing changes', async () => {
    server.setHandler((r): FakeReply => {
      const turn = assistantTurns(r);
      if (turn === 0) {
        return { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: 'src/shop/hack.py', content: 'x' } }, { name: 'read_file', arguments: { path: '.env' } }, { name: 'read_file', arguments: { path: '../outside.txt' } }] };
      }
      return reply.tool('submit_workflow', PLAN);
    });
    writeFileSync(path.join(path.dirname(ws), 'outside.txt'), 'OUTSIDE-CONTENT\n');
    const { model } = modelFor(server, 'openai', false);
    await planGoal({ goal: 'g', dir: ws, model, candidates: 1 });
    const second = bodyText(server.requests[1]!);
    assert.match(second, /unknown tool \\"write_file\\"; the tools are list_files, read_file, search/);
    assert.match(second, /\.env holds secrets and is never readable/);
    assert.doesNotMatch(second, /sk-do-not-read|OUTSIDE-CONTENT/);
    assert.equal(existsSync(path.join(ws, 'src/shop/hack.py')), false);
  });

  it('out of turns: the plan is asked for with submit_workflow forced', async () => {
    server.setHandler((r): FakeReply => (r.forcedTool === 'submit_workflow' ? reply.tool('submit_workflow', PLAN) : reply.tool('list_files', { dir: 'src' })));
    const { model } = modelFor(server, 'anthropic', true);
    const planned = await planGoal({ goal: 'g', dir: ws, model, candidates: 1, explore: { turns: 2 } });
    assert.equal(planned.plan.tasks.length, 2);
    assert.deepEqual(server.requests.map((r) => r.forcedTool ?? 'look'), ['look', 'look', 'submit_workflow']);
    assert.match(bodyText(server.requests[2]!), /Stop looking now \(the 2 turns for looking are used\)/);
    assert.match(bodyText(server.requests[2]!), /src\/shop\/server\.py/, 'the list_files result was real');
  });

  it('out of tokens: after the turn that spent the exploration tokens, the plan is asked for', async () => {
    server.setHandler((r): FakeReply => (r.forcedTool === 'submit_workflow' ? reply.tool('submit_workflow', PLAN) : { kind: 'message', toolCalls: [{ name: 'search', arguments: { pattern: 'json' } }], usage: { input: 900, output: 200 } }));
    const { model } = modelFor(server, 'openai', false);
    await planGoal({ goal: 'g', dir: ws, model, candidates: 1, explore: { maxTokens: 1000 } });
    assert.deepEqual(server.requests.map((r) => r.forcedTool ?? 'look'), ['look', 'submit_workflow']);
    assert.match(bodyText(server.requests[1]!), /the 1000 tokens for looking are spent/);
  });

  it('exploreTurns 0: one forced submit_workflow call, no looking', async () => {
    server.setHandler(() => reply.tool('submit_workflow', PLAN));
    const { model } = modelFor(server, 'openai', false);
    await planGoal({ goal: 'g', dir: ws, model, candidates: 1, explore: { turns: 0 } });
    assert.deepEqual(server.requests.map((r) => r.forcedTool), ['submit_workflow']);
  });

  it('an owned file in a made-up top-level folder is sent back for repair, naming the real folders', async () => {
    const bad = { tasks: [{ id: 'route', title: 'Route', objective: 'o', files: ['lib/shop/health.py'] }] };
    server.setHandler((r): FakeReply => (bodyText(r).includes('Your answer was invalid') ? reply.tool('submit_workflow', PLAN) : reply.tool('submit_workflow', bad)));
    const { model } = modelFor(server, 'openai', false);
    const planned = await planGoal({ goal: 'g', dir: ws, model, candidates: 1 });
    assert.equal(planned.result.candidates[0]?.repaired, true);
    assert.match(bodyText(server.requests[1]!), /task \\"route\\" owns lib\/shop\/health\.py, a new file in a folder that does not exist \(lib\/ is not a folder of the workspace\).*src\/, tests\//);
  });

  it('layout: existing files, existing folders and new folders under a top-level one fit; a new project takes any layout', async () => {
    const layout = await workspaceLayout(ws);
    const t = (files: string[]) => ({ tasks: [{ id: 'a', title: 'a', objective: 'o', files }] });
    assert.deepEqual(layoutProblems(t(['README.md', 'NEW.md', 'src/shop/server.py', 'src/shop/new.py', 'src/billing/invoice.py', 'tests/unit/test_x.py']), layout), []);
    assert.equal(layoutProblems(t(['app/main.py', 'src/ok.py']), layout).length, 1);
    // Thirty files in one made-up folder are one problem naming three of them and how many more, not thirty.
    const many = { tasks: Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, title: 't', objective: 'o', files: [`app/m${i}.py`] })) };
    const problems = layoutProblems({ tasks: [...many.tasks, { id: 'z', title: 'z', objective: 'o', files: ['docs2/x.md'] }] }, layout);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^task "t0" owns app\/m0\.py, task "t1" owns app\/m1\.py, task "t2" owns app\/m2\.py and 27 more files there: new files in a folder that does not exist \(app\/ is not a folder of the workspace\)/);
    assert.match(problems[1]!, /^task "z" owns docs2\/x\.md, a new file in a folder that does not exist \(docs2\//);
    const empty = tmp.make('af-empty-');
    mkdirSync(path.join(empty, '.github'));
    assert.deepEqual(layoutProblems(t(['gobang/board.py']), await workspaceLayout(empty)), []);
  });
});
