import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import { policyPathFor } from '../../../src/core/policy';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { taskOf } from '../cli-run/fakeAgent';
import { tempDirs } from '../run/tmp';

/** Three small Python tasks of one context (create, py, S): what the policy learns about applies to all three. */
const PLAN = {
  goal: 'three helpers',
  tasks: ['alpha', 'beta', 'gamma'].map((id) => ({ id, title: id, objective: `module ${id}`, files: [`pkg/${id}.py`] })),
};
const GOOD = (p: string): string => `NAME = ${JSON.stringify(p)}\n`;
const BROKEN = 'def broken(:\n    pass\n';

interface DecisionLine {
  type: 'decision';
  point: string;
  taskId?: string;
  choice: string;
  mode: string;
  reason: string;
  decisionId?: string;
  options: Array<{ id: string; model?: string; pSuccess?: number }>;
}

/** The cheap model's files never compile; the strong model's always do; the inspector passes what compiles. */
function handler() {
  return (req: RecordedRequest): FakeReply => {
    if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
    if (req.forcedTool === 'submit_update') return { kind: 'error', status: 400, message: 'no updates in this test' };
    const t = taskOf(req);
    if (!t) return { kind: 'error', status: 400, message: 'no task line' };
    if (t.turn > 1) return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: `${t.id} done` } }] };
    const good = req.model === 'strong-model';
    return { kind: 'message', toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: good ? GOOD(p) : BROKEN } })) };
  };
}

describe('policy wiring: a second CLI run uses what the first learned (fake OpenAI server, real SDK, real python3)', function () {
  this.timeout(90_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: handler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  function setup() {
    const base = tmp.make('af-policy-cli-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(base, 'p.json'), JSON.stringify(PLAN));
    // Exploration off: the test asserts what the learned estimates alone choose.
    writeFileSync(path.join(base, 'config.json'), JSON.stringify({ models: { agent: ['cheap-model', 'strong-model'] }, policy: { exploration: 0 } }));
    const state = path.join(base, 'state');
    const args = ['run', '--plan', path.join(base, 'p.json'), '--dir', ws, '--config', path.join(base, 'config.json'), '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--state', state, '--json'];
    return { base, ws, state, args };
  }

  async function run(s: ReturnType<typeof setup>): Promise<{ code: number; decisions: DecisionLine[]; err: string }> {
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(s.args, io);
    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(events.at(-1)?.type, 'run.finished');
    return { code, decisions: events.filter((e): e is DecisionLine => e.type === 'decision'), err: io.err() };
  }

  const firstModelDecisions = (ds: DecisionLine[]): DecisionLine[] => {
    const seen = new Set<string>();
    return ds.filter((d) => d.point === 'model' && d.taskId !== undefined && !seen.has(d.taskId) && (seen.add(d.taskId), true));
  };

  it('the cheap model fails verification in run 1, so run 2 binds the strong model from the first attempt', async () => {
    const s = setup();
    const first = await run(s);
    assert.equal(first.code, 0, first.err);
    const m1 = firstModelDecisions(first.decisions);
    assert.deepEqual(m1.map((d) => [d.taskId, d.choice]).sort(), [['alpha', 'cheap'], ['beta', 'cheap'], ['gamma', 'cheap']]);
    for (const d of m1) {
      assert.equal(d.mode, 'exploit');
      assert.match(d.reason, /best expected score .* Model: cheap-model\./);
      assert.deepEqual(d.options.map((o) => [o.id, o.model]), [['cheap', 'cheap-model'], ['strong', 'strong-model']]);
      assert.ok(d.decisionId, 'a decision id to record outcomes later');
    }
    // After the failure the policy chose how to recover (no exploration on a retry path), and the retry's binding moved to the strong model.
    const recoveries = first.decisions.filter((d) => d.point === 'recovery' && d.mode !== 'rule');
    assert.equal(recoveries.length, 3);
    assert.ok(recoveries.every((d) => d.choice === 'retry' && d.options.some((o) => o.id === 'escalate')), JSON.stringify(recoveries));
    const retried = first.decisions.filter((d) => d.point === 'model' && !m1.includes(d));
    assert.deepEqual(retried.map((d) => d.choice), ['strong', 'strong', 'strong']);
    // Every other point decided too, each with a reason: K is pinned by no one here (a plan file), checks ran (no certificate).
    assert.ok(first.decisions.some((d) => d.point === 'protocol' && d.reason.length > 0));
    assert.ok(first.decisions.some((d) => d.point === 'verify' && d.choice === 'run' && /no skip certificate/.test(d.reason)));

    // The policy file is in the state folder, named by the workspace's real path; nothing was written in the workspace but the tasks' files.
    const file = await policyPathFor(s.state, s.ws);
    assert.ok(file.startsWith(path.join(s.state, 'policy') + path.sep));
    assert.ok(existsSync(file));
    assert.ok(existsSync(file.replace(/\.json$/, '.audit.jsonl')));
    assert.deepEqual(readdirSync(s.ws, { recursive: true }).map(String).sort(), []);

    const second = await run(s);
    assert.equal(second.code, 0, second.err);
    const m2 = firstModelDecisions(second.decisions);
    assert.deepEqual(m2.map((d) => d.choice), ['strong', 'strong', 'strong']);
    assert.ok(m2.every((d) => d.mode === 'exploit' && /Model: strong-model\./.test(d.reason)));
    // The posterior moved: the cheap option's estimate in this context fell, with real runs behind it.
    const cheap = (d: DecisionLine) => d.options.find((o) => o.id === 'cheap') as { pSuccess: number; realRuns?: number };
    assert.ok(cheap(m2[0] as DecisionLine).pSuccess < cheap(m1[0] as DecisionLine).pSuccess - 0.1, `${cheap(m1[0] as DecisionLine).pSuccess} -> ${cheap(m2[0] as DecisionLine).pSuccess}`);
    assert.ok((cheap(m2[0] as DecisionLine).realRuns ?? 0) >= 1);
    // No failure, so no recovery decision in run 2.
    assert.equal(second.decisions.filter((d) => d.point === 'recovery').length, 0);
    // The journal holds the decisions with their ids.
    const runId = (JSON.parse(readFileSync(path.join(s.state, 'runs', readdirSync(path.join(s.state, 'runs')).sort().at(-1) as string, 'run.json'), 'utf8')) as { decisions: Array<{ point: string; decisionId?: string }> }).decisions;
    assert.ok(runId.filter((d) => d.point === 'model').every((d) => typeof d.decisionId === 'string'));
  });

  it('prints a line per decision in plain words in human mode (the figures stay in --json and run.json)', async () => {
    const s = setup();
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(s.args.filter((a) => a !== '--json'), io);
    assert.equal(code, 0, io.err());
    assert.match(io.err(), /alpha: Chose cheap-model for this attempt: /);
    assert.match(io.err(), /alpha: Asked the agent to [a-z ,]+: /);
    assert.match(io.err(), /alpha: The inspector reviews this task: /);
    for (const internal of ['P(success)', 'expected score', '[exploit]', 'pSuccess', 'realRuns']) assert.ok(!io.err().includes(internal), `${internal} in: ${io.err()}`);
  });
});
