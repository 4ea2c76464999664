/**
 * The agent's `run_checks` tool: the task's verification checks (not the inspector) on its staged files,
 * bounded per attempt, wired from the same verification settings as the real verification.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatMessage } from '../../../src/core/models/types';
import { toPlan } from '../../../src/core/plan';
import { validPlan } from '../plan/helpers';
import { isRunCancelledError, runAgent, startRun, StagingArea, type RunEvent, type StagedChecks } from '../../../src/core/run';
import { AGENT_TOOLS, type ToolEvent } from '../../../src/core/run/tools';
import { RUN_CHECKS_MAX_CHARS, RUN_CHECKS_MAX_FINDINGS } from '../../../src/core/run/tools/runChecks';
import { buildEngineOptions } from '../../../src/core/session/engineOptions';
import { FakeModel, taskIdOf, type Script } from './fakeModel';
import { tempDirs } from './tmp';

const never = new AbortController().signal;

/** The tool results of one conversation, in order. */
function toolResults(messages: readonly ChatMessage[]): string[] {
  return messages.flatMap((m) => (m.role === 'tool' ? [m.content] : []));
}

/** Runs `run_checks` once on a layer with the given checks. */
async function runTool(checks: { limit: number; used: number; run(signal: AbortSignal): Promise<StagedChecks> } | undefined, ws: string) {
  const t = AGENT_TOOLS.get('run_checks');
  assert.ok(t);
  const events: ToolEvent[] = [];
  const layer = new StagingArea(ws).openLayer('t1', [], []);
  const out = await t.execute(t.schema.parse({}), { layer, emit: (e) => events.push(e), signal: never, ...(checks ? { checks } : {}) });
  return { out, events };
}

const plan = validPlan({ tasks: [{ id: 'calc', title: 'Calculator', objective: 'add()', files: ['calc.py'] }] });
const task = toPlan(plan).tasks[0];

describe('run/tools: run_checks', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('shows findings as file:line: message, at most 30 and within a character cap, with a note naming how many were left out', async () => {
    const ws = tmp.make();
    const findings = Array.from({ length: 100 }, (_, i) => ({ file: `src/f${i}.ts`, line: i + 1, message: i === 0 ? `long ${'x'.repeat(2000)}\nsecond line` : `problem ${i}`, tool: 'tsc' }));
    const { out, events } = await runTool({ limit: 3, used: 0, run: async () => ({ outcome: 'failed', findings, checks: ['tsc'] }) }, ws);
    const lines = out.content.split('\n');
    assert.equal(lines[0], 'run_checks (1 of 3 this attempt): 100 problems found (checks run: tsc). Fix them, then run the checks again or finish:');
    assert.equal(lines.length, 1 + RUN_CHECKS_MAX_FINDINGS + 1);
    assert.ok(lines[1].startsWith('src/f0.ts:1: long xxx') && lines[1].endsWith('…') && lines[1].length <= 501, 'a long finding is cut, on one line');
    assert.equal(lines[2], 'src/f1.ts:2: problem 1 (tsc)');
    assert.equal(lines.at(-1), `[run_checks: showed ${RUN_CHECKS_MAX_FINDINGS} of 100 findings; fix these and run the checks again to see the rest]`);
    assert.ok(out.content.length <= RUN_CHECKS_MAX_CHARS + 500);
    assert.equal(out.isError, false);
    assert.deepEqual(events, [{ type: 'tool', tool: 'run_checks', ok: true, summary: 'run_checks: 100 problems in src/f0.ts, src/f1.ts, src/f2.ts and 97 more' }]);
  });

  it('says when checks could not run, when no check applies, and when the run offers none', async () => {
    const ws = tmp.make();
    const missing = await runTool({ limit: 3, used: 1, run: async () => ({ outcome: 'unverified', findings: [{ message: 'tsc is not installed', tool: 'tsc' }], checks: ['tsc'] }) }, ws);
    assert.equal(missing.out.content, 'run_checks (2 of 3 this attempt): some checks could not run, so your task may end up unverified (checks run: tsc):\ntsc is not installed (tsc)');
    const none = await runTool({ limit: 3, used: 0, run: async () => ({ outcome: 'passed', findings: [], checks: [] }) }, ws);
    assert.equal(none.out.content, 'run_checks (1 of 3 this attempt): no problems found (no check applies to your files as they are now).');
    for (const checks of [undefined, { limit: 0, used: 0, run: async (): Promise<StagedChecks> => assert.fail('must not run') }]) {
      const off = await runTool(checks, ws);
      assert.equal(off.out.isError, true);
      assert.match(off.out.content, /^error: run_checks is not available in this run/);
    }
  });
});

describe('run/engine: run_checks in a run', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  /** Conversations by attempt: a retry's first message carries the previous attempt's problems. */
  const isRetry = (messages: ChatMessage[]): boolean => /# Problems found in your previous attempt/.test(messages.find((m) => m.role === 'user')?.content ?? '');

  it('allows 3 calls per attempt (the 4th is refused, saying to finish) and gives the retry a fresh budget; the checks are the real ones', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const script: Script = (turn, messages) => {
      if (!isRetry(messages)) {
        // Attempt 1: a syntax error, four checks in one answer, then finish anyway: verification fails it.
        if (turn === 1) return { calls: [{ name: 'write_file', args: { path: 'calc.py', content: 'def add(a, b:\n    return a + b\n' } }] };
        if (turn === 2) return { calls: Array.from({ length: 4 }, () => ({ name: 'run_checks', args: {} })) };
        return { calls: [{ name: 'finish', args: { summary: 'add' } }] };
      }
      // The retry: checks before writing (the engine's own findings), then a correct file, checked clean.
      if (turn === 1) return { calls: [{ name: 'run_checks', args: {} }] };
      if (turn === 2) return { calls: [{ name: 'write_file', args: { path: 'calc.py', content: 'def add(a, b):\n    return a + b\n' } }] };
      if (turn === 3) return { calls: [{ name: 'run_checks', args: {} }] };
      return { calls: [{ name: 'finish', args: { summary: 'add' } }] };
    };
    const model = new FakeModel({ calc: script });
    const events: RunEvent[] = [];
    const options = buildEngineOptions({}, { model, stateDir, signal: never, onEvent: (e) => events.push(e) });
    const out = await startRun({ ...options, dir, plan });
    assert.equal(out.exitCode, 0, JSON.stringify(out.record.tasks));
    assert.equal(out.record.tasks.calc.attempts, 2);

    const first = model.seen.filter((m) => taskIdOf(m) === 'calc' && !isRetry(m)).at(-1) ?? [];
    const r1 = toolResults(first);
    assert.equal(r1.length, 5, 'write, four run_checks');
    for (const [i, r] of r1.slice(1, 4).entries()) assert.match(r, new RegExp(`^run_checks \\(${i + 1} of 3 this attempt\\): 1 problem found \\(checks run: python:py_compile\\)\\. .*\\ncalc\\.py:1: SyntaxError: .* \\(python3\\)$`, 's'));
    assert.match(r1[4], /^error: run_checks limit reached: it may run 3 times per attempt and all were used\. .*call finish/);

    const retry = model.seen.filter((m) => taskIdOf(m) === 'calc' && isRetry(m)).at(-1) ?? [];
    const r2 = toolResults(retry);
    assert.equal(r2[0], 'run_checks (1 of 3 this attempt): 2 problems found (no check applies to your files as they are now). Fix them, then run the checks again or finish:\ncalc.py: the task owns this file but did not write it (agensflow)\nno changes made: the task owns files but finished without changing any of them (agensflow)');
    assert.equal(r2[2], 'run_checks (2 of 3 this attempt): no problems found (checks run: python:py_compile).');

    const toolEvents = events.filter((e) => e.type === 'agent.tool' && e.tool === 'run_checks').map((e) => e.type === 'agent.tool' && e.ok);
    assert.deepEqual(toolEvents, [true, true, true, false, true, true]);
  });

  it('X3: cancelling while run_checks runs cancels its checks and ends the agent, with no further model call', async () => {
    const dir = tmp.make('af-ws-');
    const ac = new AbortController();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    let cancelledChecks = false;
    const checks = {
      limit: 3,
      run: (signal: AbortSignal) =>
        new Promise<StagedChecks>((resolve) => {
          signal.addEventListener('abort', () => {
            cancelledChecks = true;
            resolve({ outcome: 'unverified', findings: [{ message: 'verification cancelled' }], checks: [] });
          }, { once: true });
          started();
        }),
    };
    const model = new FakeModel({ calc: (turn) => (turn === 1 ? { calls: [{ name: 'run_checks', args: {} }] } : { calls: [{ name: 'finish', args: { summary: 'x' } }] }) });
    const layer = new StagingArea(dir).openLayer('calc', ['calc.py'], []);
    const agent = runAgent({ model, layer, firstMessage: 'Task calc: Calculator', signal: ac.signal, checks });
    await running;
    ac.abort();
    await assert.rejects(agent, isRunCancelledError);
    assert.equal(cancelledChecks, true, 'the checks got the cancel');
    assert.equal(model.calls, 1, 'no model call after the cancel');
  });

  it('runs exactly the checks verification runs, from the same settings (a user verifier added to verification appears in run_checks too)', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const flag = "import sys; print('style: ' + ' '.join(sys.argv[1:])); sys.exit(1)";
    const options = buildEngineOptions({ verifiers: [{ id: 'style', glob: '**/*.py', command: ['python3', '-c', flag, '{files}'] }], inspector: false }, { model: new FakeModel(), stateDir, signal: never, onEvent: () => undefined });
    assert.ok(options.verify && options.checkStaged);
    const layer = new StagingArea(dir).openLayer('calc', ['calc.py'], []);
    assert.ok((await layer.stage('calc.py', 'def add(a, b:\n')).ok);
    const verdict = await options.verify(task, layer, { runId: 'r', signal: never });
    const checked = await options.checkStaged(task, layer, { runId: 'r', signal: never });
    assert.equal(verdict.outcome, 'failed');
    assert.deepEqual(checked.checks, ['python:py_compile', 'user:style']);
    assert.deepEqual({ outcome: checked.outcome, findings: checked.findings }, verdict);
    assert.deepEqual(verdict.findings.map((f) => f.tool), ['python3', 'python3']);
    assert.match(verdict.findings[1].message, /style: \.\/calc\.py/);
  });

  it('C7: run_checks never shows the run\'s secrets, even when a verifier runs agent-written code that prints its environment', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const KEY = 'sk-SENTINEL-run-checks-0123456789';
    const TOKEN = 'tok-SENTINEL-9876543210';
    // The user's verifier runs the task's file (as a test runner would run agent-written tests).
    const options = buildEngineOptions(
      { verifiers: [{ id: 'run', glob: '**/*.py', command: ['python3', '{files}'] }], inspector: false },
      { model: new FakeModel(), stateDir, signal: never, onEvent: () => undefined, env: { ...process.env, OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, GITHUB_TOKEN: TOKEN } },
    );
    const hook = options.checkStaged;
    assert.ok(hook);
    const evil = 'import os, sys\nprint(repr(dict(os.environ)))\nsys.exit(1)\n';
    const model = new FakeModel({
      calc: (turn) =>
        turn === 1 ? { calls: [{ name: 'write_file', args: { path: 'calc.py', content: evil } }] } : turn === 2 ? { calls: [{ name: 'run_checks', args: {} }] } : { calls: [{ name: 'finish', args: { summary: 'x' } }] },
    });
    const layer = new StagingArea(dir).openLayer('calc', ['calc.py'], []);
    const events: unknown[] = [];
    const result = await runAgent({ model, layer, firstMessage: 'Task calc: Calculator', signal: never, checks: { limit: 3, run: (signal) => hook(task, layer, { runId: 'r', signal }) }, onEvent: (e) => events.push(e) });
    assert.equal(result.ok, true);
    const shown = toolResults(model.seen.at(-1) ?? [])[1];
    assert.match(shown, /^run_checks \(1 of 3 this attempt\): 1 problem found \(checks run: python:py_compile, user:run\)/);
    assert.match(shown, /PATH/, 'the verifier did run the agent\'s code and its output is shown');
    for (const secret of [KEY, TOKEN]) {
      assert.ok(!shown.includes(secret), 'the tool result holds no secret');
      assert.ok(!JSON.stringify(events).includes(secret), 'no event holds a secret');
    }
  });

  it('C7: run_checks does not show the contents of the workspace\'s secret files, even to agent-written code run by a verifier', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const SECRET = 'dotenv-SENTINEL-5555';
    writeFileSync(path.join(dir, '.env'), `DB_PASSWORD=${SECRET}\n`);
    const options = buildEngineOptions({ verifiers: [{ id: 'run', glob: '**/*.py', command: ['python3', '{files}'] }], inspector: false }, { model: new FakeModel(), stateDir, signal: never, onEvent: () => undefined });
    const hook = options.checkStaged;
    assert.ok(hook);
    const layer = new StagingArea(dir).openLayer('calc', ['calc.py'], []);
    const evil = "import sys\nfor p in ('.env', '../.env'):\n    try:\n        print(open(p).read())\n    except OSError as e:\n        print('no', p)\nsys.exit(1)\n";
    assert.ok((await layer.stage('calc.py', evil)).ok);
    const r = await hook(task, layer, { runId: 'r', signal: never });
    assert.equal(r.outcome, 'failed');
    assert.ok(!JSON.stringify(r).includes(SECRET), JSON.stringify(r));
  });
});
