import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import { summaryTable } from '../../../src/cli/runOutput';
import type { RunRecord } from '../../../src/core/run/journal';
import type { RunEvent } from '../../../src/core/run/events';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { agentHandler } from './fakeAgent';

/** What the fake server charges for every call it serves, whatever the role. */
const IN = 100;
const OUT = 7;

const PLAN = {
  tasks: [
    { id: 'core', title: 'Core', objective: 'the core', files: ['core.txt'] },
    { id: 'docs', title: 'Docs', objective: 'the docs', deps: ['core'], files: ['docs.txt'] },
  ],
};

/**
 * The fake OpenAI server as planner (a two-task plan), agents, inspector (the first verdict on `docs` fails)
 * and updater (clarifies `docs`), charging {@link IN} + {@link OUT} tokens for every answer.
 */
function chargingHandler() {
  const agents = agentHandler();
  let docsVerdicts = 0;
  const answer = (req: RecordedRequest): FakeReply => {
    if (req.tools.includes('submit_workflow')) return { kind: 'message', toolCalls: [{ name: 'submit_workflow', arguments: PLAN }] };
    if (req.forcedTool === 'submit_update') return { kind: 'message', toolCalls: [{ name: 'submit_update', arguments: { reason: 'say more', replace: [{ ...PLAN.tasks[1], objective: 'the docs, clarified' }] } }] };
    if (req.forcedTool === 'submit_verdict' && JSON.stringify(req.body).includes('Task docs:') && ++docsVerdicts === 1) {
      return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: false, reasons: ['too thin'] } }] };
    }
    return agents(req);
  };
  return (req: RecordedRequest): FakeReply => {
    const reply = answer(req);
    return reply.kind === 'message' ? { ...reply, usage: { input: IN, output: OUT } } : reply;
  };
}

const role = (r: RecordedRequest): string =>
  r.tools.includes('submit_workflow') ? 'planner' : r.forcedTool === 'submit_verdict' ? 'inspector' : r.forcedTool === 'submit_update' ? 'updater' : 'agent';

describe('cli: run meters every model call of a run once (planner, agents, inspector, updater)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: chargingHandler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  function setup(config: unknown) {
    const base = tmp.make('af-meter-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(base, 'config.json'), JSON.stringify(config));
    const state = path.join(base, 'state');
    const args = ['--dir', ws, '--json', '--candidates', '2', '--config', path.join(base, 'config.json'), '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', state];
    return { base, ws, state, args };
  }

  async function run(config: unknown): Promise<{ code: number; events: RunEvent[]; record: RunRecord; err: string }> {
    const s = setup(config);
    const io = captureIo({ cwd: s.base, env: {} });
    const code = await main(['run', 'write a core and its docs', ...s.args], io);
    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    const runId = events[0]?.runId ?? '';
    const record = JSON.parse(readFileSync(path.join(s.state, 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
    return { code, events, record, err: io.err() };
  }

  it('run.json and the usage events hold exactly the tokens of every call the server served', async () => {
    const { code, events, record, err } = await run({ recovery: { maxRetries: 0 } });
    assert.equal(code, 0, err);
    const served = server.requests.filter((r) => r.completed);
    assert.equal(served.length, server.requests.length, 'every call was answered');
    const roles = new Set(served.map(role));
    assert.deepEqual([...roles].sort(), ['agent', 'inspector', 'planner', 'updater'], 'the run called every role');
    // The journal's totals: every served call, once.
    assert.deepEqual({ in: record.usage.inputTokens, out: record.usage.outputTokens }, { in: served.length * IN, out: served.length * OUT });
    // One usage event per served call, under its role.
    const usage = events.filter((e): e is Extract<RunEvent, { type: 'usage' }> => e.type === 'usage');
    for (const r of roles) assert.equal(usage.filter((u) => u.role === r).length, served.filter((q) => role(q) === r).length, `usage events of the ${r}`);
    assert.equal(usage.reduce((n, u) => n + u.inputTokens + u.outputTokens, 0), served.length * (IN + OUT));
    // The inspector's and the updater's calls count in their task's usage too.
    const docsCalls = served.filter((r) => JSON.stringify(r.body).includes('Task docs:')).length;
    assert.equal(record.tasks.docs?.usage.inputTokens, docsCalls * IN);
    // fake-coder has no price: every call is counted as unpriced, and the summary says so instead of "$0".
    assert.equal(record.usage.cost, 0);
    assert.equal(record.usage.unpricedCalls, served.length);
    const table = summaryTable(record);
    assert.match(table, /^tokens \d+ \(in \d+, out \d+\), cost price unknown$/m);
    assert.doesNotMatch(table, /\$0\b/);
  });

  it('--json carries the planner\'s candidate decision (journaled with the run) and a single run.started', async () => {
    const { code, events, record, err } = await run({});
    assert.equal(code, 0, err);
    const runId = events[0]?.runId;
    assert.equal(events[0]?.type, 'run.started');
    assert.equal(events.filter((e) => e.type === 'run.started').length, 1);
    assert.ok(events.every((e) => e.runId === runId));
    const decision = events.find((e) => e.type === 'decision' && e.point === 'plan.candidates');
    assert.ok(decision && decision.type === 'decision', 'the planner decision is an event of the run');
    assert.deepEqual(decision.options.map((o) => o.id), ['candidate-1', 'candidate-2']);
    assert.match(decision.choice, /^candidate-[12]$/);
    assert.ok(events.indexOf(decision) < events.findIndex((e) => e.type === 'plan.ready'), 'decided before the plan is run');
    assert.ok(record.decisions.some((d) => d.point === 'plan.candidates' && d.choice === decision.choice), 'journaled: a reloaded view shows it');
    assert.equal(events.at(-1)?.type, 'run.finished');
  });

  it('a token budget smaller than the planning cost stops the run before any agent starts (exit 1, budget)', async () => {
    const { code, events, record } = await run({ budget: { tokens: IN + OUT + 1 } });
    assert.equal(code, 1);
    assert.deepEqual(server.requests.map(role), ['planner', 'planner'], 'the two candidates, then nothing');
    assert.equal(events.filter((e) => e.type === 'agent.started').length, 0);
    const finished = events.at(-1);
    assert.ok(finished?.type === 'run.finished');
    assert.equal(finished.exitCode, 1);
    assert.equal(finished.status, 'budget');
    assert.match(finished.reason ?? '', /budget/);
    assert.equal(record.status, 'budget');
    assert.equal(record.usage.inputTokens + record.usage.outputTokens, 2 * (IN + OUT), 'the planning cost is in the journal');
  });
});
