import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import type { RunRecord } from '../../../src/core/run/journal';
import { AGENT_TOOL_LIST } from '../../../src/core/run/tools';
import { FakeModelServer } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { agentHandler, PLAN4, taskOf } from './fakeAgent';

const ROOT = path.resolve(__dirname, '../../..');
const AGENT_TOOLS = AGENT_TOOL_LIST.map((t) => t.name).sort();

function setup(tmp: ReturnType<typeof tempDirs>, plan: unknown = PLAN4) {
  const base = tmp.make('af-cli-');
  const ws = path.join(base, 'ws');
  mkdirSync(ws);
  writeFileSync(path.join(base, 'p.json'), JSON.stringify(plan));
  return { base, ws, plan: path.join(base, 'p.json'), state: path.join(base, 'state') };
}

function flags(server: FakeModelServer, state: string): string[] {
  return ['--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', state];
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves with the first stdout line (JSON event) that satisfies `pred`. */
function eventOn(child: ChildProcess, pred: (e: { type: string; [k: string]: unknown }) => boolean): Promise<{ type: string; [k: string]: unknown }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const e = JSON.parse(line) as { type: string };
        if (pred(e)) {
          child.stdout?.off('data', onData);
          return resolve(e);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', () => reject(new Error('the CLI exited first')));
  });
}

function readRecord(state: string, runId: string): RunRecord {
  return JSON.parse(readFileSync(path.join(state, 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
}

describe('cli: run, runs, apply (against the loopback fake OpenAI server, real SDK)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: agentHandler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('node dist/cli.js run --plan p.json --dir D --apply auto completes a 4-task plan with the files in D', async () => {
    const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const s = setup(tmp);
    const child = spawn(process.execPath, ['dist/cli.js', 'run', '--plan', s.plan, '--dir', s.ws, '--apply', 'auto', ...flags(server, s.state)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const { code } = await exited(child);
    assert.equal(code, 0, err);
    assert.deepEqual(readdirSync(s.ws, { recursive: true }).map(String).sort(), ['README.md', 'app', 'app/main.txt', 'app/model.txt', 'app/view.txt']);
    assert.equal(readFileSync(path.join(s.ws, 'app/main.txt'), 'utf8'), '# app/main.txt by ctrl\n');
    assert.match(err, /task\s+status\s+tries\s+files\s+tokens\s+cost\s+time/);
    assert.match(err, /passed 4 \/ unverified 0 \/ failed 0 \/ blocked 0/);
    assert.match(err, /makespan .* against a critical-path bound of/);
    // Every agent call went to the server with the agent tools, ctrl only after model and view finished.
    const order = server.requests.map((r) => taskOf(r)?.id);
    assert.ok(order.indexOf('ctrl') > order.lastIndexOf('model') && order.indexOf('ctrl') > order.lastIndexOf('view'));
    assert.deepEqual(server.requests[0].tools.sort(), AGENT_TOOLS);
  });

  it('--json prints one event per line ending with run.finished; review mode leaves D untouched; runs lists it; apply applies', async () => {
    const s = setup(tmp);
    const io = captureIo({ cwd: s.base, env: {} });
    const code = await main(['run', '--plan', s.plan, '--dir', s.ws, '--json', ...flags(server, s.state)], io);
    assert.equal(code, 0, io.err());
    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; runId: string; exitCode?: number });
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'run.finished', exitCode: 0 });
    const runId = events[0].runId;
    assert.ok(events.every((e) => e.runId === runId && typeof (e as { ts?: unknown }).ts === 'number'));
    // The run says how it verifies, before its plan is scheduled, and keeps it in run.json.
    const mode = events.find((e) => e.type === 'verify.mode') as { view?: string; sandbox?: string } | undefined;
    assert.ok(mode && ['overlay', 'copy'].includes(mode.view ?? '') && ['bwrap', 'sandbox-exec', 'none'].includes(mode.sandbox ?? ''), JSON.stringify(mode));
    assert.ok(events.findIndex((e) => e.type === 'verify.mode') < events.findIndex((e) => e.type === 'plan.ready'));
    const record = JSON.parse(readFileSync(path.join(s.state, 'runs', runId, 'run.json'), 'utf8')) as { verification?: { view: string; sandbox: string } };
    assert.deepEqual(record.verification && { view: record.verification.view, sandbox: record.verification.sandbox }, { view: mode.view, sandbox: mode.sandbox });
    assert.deepEqual(readdirSync(s.ws), []);

    const list = captureIo({ cwd: s.base, env: {} });
    assert.equal(await main(['runs', '--state', s.state], list), 0);
    assert.match(list.out(), new RegExp(`^${runId} .* completed .* 4 tasks \\(4 passed\\)\\s+a tiny app`));

    writeFileSync(path.join(s.ws, 'README.md'), 'mine\n');
    const ap = captureIo({ cwd: s.base, env: {} });
    assert.equal(await main(['apply', runId, '--state', s.state], ap), 1, 'README.md conflicts');
    assert.match(ap.err(), /docs: conflicted .*README\.md was created in the workspace since the run started/);
    assert.equal(readFileSync(path.join(s.ws, 'README.md'), 'utf8'), 'mine\n');
    assert.equal(readFileSync(path.join(s.ws, 'app/model.txt'), 'utf8'), '# app/model.txt by model\n');
    assert.equal(await main(['apply', runId, 'nope', '--state', s.state], captureIo({ cwd: s.base, env: {} })), 2);
  });

  it('M10: a --config file and a --state folder inside the workspace are never written, whatever the plan hands a task', async () => {
    const plan = { goal: 'g', tasks: [{ id: 'cfg', title: 'Config', objective: 'rewrite the run configuration', files: ['agensflow.json', 'st/policy.json', 'ok.txt'] }] };
    const s = setup(tmp, plan);
    const original = '{"recovery":{"maxRetries":0}}\n';
    writeFileSync(path.join(s.ws, 'agensflow.json'), original);
    const io = captureIo({ cwd: s.ws, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', '--plan', s.plan, '--dir', s.ws, '--apply', 'auto', '--json', '--config', 'agensflow.json', ...flags(server, path.join(s.ws, 'st'))], io);
    assert.equal(code, 1, io.err());
    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; path?: string; reason?: string });
    const refused = new Set(events.filter((e) => e.type === 'write.refused').map((e) => e.path));
    assert.deepEqual([...refused].sort(), ['agensflow.json', 'st/policy.json']);
    assert.equal(readFileSync(path.join(s.ws, 'agensflow.json'), 'utf8'), original);
    assert.equal(existsSync(path.join(s.ws, 'st', 'policy.json')), false);
  });

  it('the server never sees more than --max-agents agent calls at once, and sees exactly that many when it can', async () => {
    const wide = { tasks: Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, title: `T${i}`, objective: 'o', files: [`f${i}.txt`] })) };
    const s = setup(tmp, wide);
    // --max-agents caps task agents only (design.md): inspector and updater calls may overlap them, so only
    // requests offering the agent tools are counted, from their arrival until their answer is handed back.
    const isAgentCall = (tools: readonly string[]): boolean => AGENT_TOOLS.every((t) => tools.includes(t));
    let agentsInFlight = 0;
    let maxAgentsInFlight = 0;
    let capReached!: () => void;
    const reached = new Promise<void>((r) => (capReached = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const inner = agentHandler();
    server.setHandler(async (req) => {
      if (!isAgentCall(req.tools)) return inner(req);
      agentsInFlight++;
      maxAgentsInFlight = Math.max(maxAgentsInFlight, agentsInFlight);
      if (agentsInFlight === 2) capReached();
      try {
        // Every agent call is held until two are waiting at once: the cap is reached before anything finishes.
        await gate;
        return inner(req);
      } finally {
        agentsInFlight--;
      }
    });
    const io = captureIo({ cwd: s.base, env: {} });
    const run = main(['run', '--plan', s.plan, '--dir', s.ws, '--max-agents', '2', ...flags(server, s.state)], io);
    await reached;
    open();
    assert.equal(await run, 0, io.err());
    assert.equal(maxAgentsInFlight, 2);
    // two agent calls and one inspector call per task
    assert.equal(server.requests.filter((r) => isAgentCall(r.tools)).length, 12);
    assert.equal(server.requests.filter((r) => r.forcedTool === 'submit_verdict').length, 6);
    assert.equal(server.requests.length, 18);
  });

  it('exit 2 for bad usage and configuration', async () => {
    const s = setup(tmp);
    const io = () => captureIo({ cwd: s.base, env: {} });
    assert.equal(await main(['run', '--plan', s.plan, '--dir', s.ws, '--apply', 'sometimes', ...flags(server, s.state)], io()), 2);
    assert.equal(await main(['run', '--plan', s.plan, '--dir', s.ws, '--provider', 'openai', '--model', 'm', '--state', s.state], io()), 2, 'no key');
    assert.equal(await main(['run', '--plan', s.plan, '--dir', path.join(s.base, 'missing'), ...flags(server, s.state)], io()), 2);
    server.setHandler(() => ({ kind: 'error', status: 401, message: 'bad key' }));
    assert.equal(await main(['run', '--plan', s.plan, '--dir', s.ws, ...flags(server, s.state)], io()), 2, 'rejected key');
  });

  it('SIGINT cancels: in-flight requests aborted, journal cancelled, exit 130, workspace as it was', async () => {
    const s = setup(tmp);
    writeFileSync(path.join(s.ws, 'keep.txt'), 'mine\n');
    server.setHandler(() => ({ kind: 'hang' }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--plan', s.plan, '--dir', s.ws, '--apply', 'auto', '--json', ...flags(server, s.state)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await eventOn(child, (e) => e.type === 'run.started');
    await server.waitForRequests(2);
    child.kill('SIGINT');
    const finished = await eventOn(child, (e) => e.type === 'run.finished');
    const { code } = await exited(child);
    assert.equal(code, 130);
    assert.equal(finished.exitCode, 130);
    await server.idle();
    assert.ok(server.requests.every((r) => r.closedByClient));
    assert.deepEqual(readdirSync(s.ws), ['keep.txt']);
    const rec = readRecord(s.state, String(started.runId));
    assert.equal(rec.status, 'cancelled');
    assert.ok(Object.values(rec.tasks).every((t) => t.status === 'cancelled'));
  });

  it('run --resume continues after the CLI process is killed with SIGKILL mid-run', async () => {
    const s = setup(tmp);
    let sawCtrl!: () => void;
    const ctrlAsked = new Promise<void>((r) => (sawCtrl = r));
    server.setHandler(agentHandler({ hold: new Set(['ctrl']), onTask: (id) => id === 'ctrl' && sawCtrl() }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--plan', s.plan, '--dir', s.ws, '--apply', 'auto', '--json', ...flags(server, s.state)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await eventOn(child, (e) => e.type === 'run.started');
    const runId = String(started.runId);
    await ctrlAsked;
    child.kill('SIGKILL');
    await exited(child);
    const cut = readRecord(s.state, runId);
    assert.equal(cut.status, 'running', 'the crash left the run unfinished');
    const finishedBefore = Object.entries(cut.tasks).filter(([, t]) => t.status === 'passed').map(([id]) => id);
    server.resetStats();
    server.setHandler(agentHandler());
    const io = captureIo({ cwd: s.base, env: {} });
    const code = await main(['run', '--resume', runId, ...flags(server, s.state)], io);
    assert.equal(code, 0, io.err());
    const asked = new Set(server.requests.map((r) => taskOf(r)?.id));
    for (const id of finishedBefore) assert.equal(asked.has(id), false, `${id} finished before the crash and was not run again`);
    assert.ok(asked.has('ctrl') && asked.has('docs'));
    for (const f of ['app/model.txt', 'app/view.txt', 'app/main.txt', 'README.md']) assert.ok(existsSync(path.join(s.ws, f)), f);
    const rec = readRecord(s.state, runId);
    assert.equal(rec.status, 'completed');
    assert.equal(rec.resumes, 1);
  });
});
