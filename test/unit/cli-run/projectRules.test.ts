/**
 * A run in a repository with rule files (AGENTS.md at the root and in folders, a Cursor rule scoped by globs):
 * the planner is given all of them, each agent and its inspector those that apply to its files, and the run
 * records which were read; the setting turns them off.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import type { RunRecord } from '../../../src/core/run/journal';
import type { RunEvent } from '../../../src/core/run/events';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { agentHandler, taskOf } from './fakeAgent';

const PLAN = {
  tasks: [
    { id: 'api', title: 'API', objective: 'the routes', files: ['src/api/routes.txt'] },
    { id: 'guide', title: 'Guide', objective: 'the guide', files: ['docs/guide.txt'] },
  ],
};

const FILES: Record<string, string> = {
  'AGENTS.md': 'ROOT-RULE: keep every file under 400 lines.\n',
  'src/api/AGENTS.md': 'API-RULE: routes answer JSON.\n',
  'docs/AGENTS.md': 'DOCS-RULE: British spelling.\n',
  '.cursor/rules/txt.mdc': '---\nglobs: docs/**\n---\nDOCS-GLOB-RULE: one sentence per line.\n',
  'src/api/app.txt': 'existing\n',
};

function handler() {
  const agents = agentHandler();
  return (req: RecordedRequest): FakeReply => {
    if (req.tools.includes('submit_workflow')) return { kind: 'message', toolCalls: [{ name: 'submit_workflow', arguments: PLAN }] };
    return agents(req);
  };
}

const bodyOf = (r: RecordedRequest): string => JSON.stringify(r.body);

describe('cli: run gives the project rules to the planner, the agents and the inspector', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: handler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  async function run(config: unknown): Promise<{ code: number; events: RunEvent[]; record: RunRecord; err: string }> {
    const base = tmp.make('af-rules-run-');
    const ws = path.join(base, 'ws');
    for (const [rel, content] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      writeFileSync(path.join(ws, rel), content);
    }
    writeFileSync(path.join(base, 'config.json'), JSON.stringify(config));
    const state = path.join(base, 'state');
    const io = captureIo({ cwd: base, env: {} });
    const code = await main(['run', 'add the routes and the guide', '--dir', ws, '--json', '--candidates', '1', '--config', path.join(base, 'config.json'), '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', state], io);
    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    const record = JSON.parse(readFileSync(path.join(state, 'runs', events[0]?.runId ?? '', 'run.json'), 'utf8')) as RunRecord;
    return { code, events, record, err: io.err() };
  }

  const firstAgentRequest = (id: string): RecordedRequest => {
    const r = server.requests.find((q) => q.forcedTool === undefined && taskOf(q)?.id === id && taskOf(q)?.turn === 1);
    assert.ok(r, `the agent of ${id} was asked`);
    return r;
  };

  it('the planner sees every rule; an agent and its inspector see the rules of its files only; the run records them', async () => {
    const { code, events, record, err } = await run({});
    assert.equal(code, 0, err);
    const planner = server.requests.find((r) => r.tools.includes('submit_workflow'));
    assert.ok(planner);
    for (const rule of ['ROOT-RULE', 'API-RULE', 'DOCS-RULE', 'DOCS-GLOB-RULE']) assert.ok(bodyOf(planner).includes(rule), `the planner is given ${rule}`);

    const api = bodyOf(firstAgentRequest('api'));
    assert.ok(api.includes('ROOT-RULE') && api.includes('API-RULE'), 'the api agent has the root rules and those of src/api');
    assert.ok(!api.includes('DOCS-RULE') && !api.includes('DOCS-GLOB-RULE'), 'and not the rules scoped to docs/');
    const guide = bodyOf(firstAgentRequest('guide'));
    assert.ok(guide.includes('ROOT-RULE') && guide.includes('DOCS-RULE') && guide.includes('DOCS-GLOB-RULE') && !guide.includes('API-RULE'));

    const inspector = server.requests.find((r) => r.forcedTool === 'submit_verdict' && bodyOf(r).includes('Task api:'));
    assert.ok(inspector && bodyOf(inspector).includes('API-RULE') && !bodyOf(inspector).includes('DOCS-RULE'), 'the inspector judges against the task\'s rules');

    const decisions = events.filter((e) => e.type === 'decision' && e.point === 'context.rules');
    assert.equal(decisions.length, 1, 'recorded once');
    const d = decisions[0];
    assert.ok(d?.type === 'decision');
    assert.deepEqual(d.choice.split(', ').sort(), ['.cursor/rules/txt.mdc', 'AGENTS.md', 'docs/AGENTS.md', 'src/api/AGENTS.md']);
    assert.ok(events.indexOf(d) < events.findIndex((e) => e.type === 'decision' && e.point === 'plan.candidates'), 'recorded before planning');
    assert.ok(record.decisions.some((x) => x.point === 'context.rules' && x.choice === d.choice), 'journaled in run.json');
  });

  it('"context": {"projectRules": false} in the config: no rule reaches any model, and the run says they were off', async () => {
    const { code, events, err } = await run({ context: { projectRules: false } });
    assert.equal(code, 0, err);
    assert.ok(server.requests.length > 0);
    for (const r of server.requests) assert.ok(!bodyOf(r).includes('ROOT-RULE') && !bodyOf(r).includes('API-RULE'));
    const d = events.find((e) => e.type === 'decision' && e.point === 'context.rules');
    assert.ok(d?.type === 'decision' && d.choice === 'off');
  });
});
