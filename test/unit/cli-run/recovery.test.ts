import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import type { RunRecord } from '../../../src/core/run/journal';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { taskOf } from './fakeAgent';

const PLAN = {
  goal: 'gobang',
  tasks: [
    { id: 'board', title: 'Board', objective: 'a 15x15 board', files: ['gobang/board.py'] },
    { id: 'ai', title: 'AI', objective: 'a naive AI', deps: ['board'], files: ['gobang/ai.py'] },
  ],
};
const GOOD: Record<string, string> = {
  'gobang/board.py': 'SIZE = 15\n\n\ndef empty():\n    return [[0] * SIZE for _ in range(SIZE)]\n',
  'gobang/ai.py': 'from gobang.board import SIZE\n\n\ndef move(board):\n    return next((x, y) for y in range(SIZE) for x in range(SIZE) if board[y][x] == 0)\n',
};
const BROKEN = 'def broken(:\n    pass\n';

const firstUser = (req: RecordedRequest): string => {
  const messages = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return String(messages.find((m) => m.role === 'user')?.content ?? '');
};

/**
 * The fake OpenAI server as agents, inspector and updater: board's first attempt has a syntax error that its
 * retry repairs; ai stays broken until the updater clarifies its objective (or for ever with `aiNeverFixed`).
 */
function handler(opts: { aiNeverFixed?: boolean; holdFixedAi?: boolean; update?: unknown; aiFixedWhen?: RegExp } = {}) {
  return (req: RecordedRequest): FakeReply => {
    if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
    if (req.forcedTool === 'submit_update') {
      return { kind: 'message', toolCalls: [{ name: 'submit_update', arguments: opts.update ?? { reason: 'spell out the import', replace: [{ ...PLAN.tasks[1], objective: `a naive AI (clarified: import SIZE from gobang.board) ${req.seq}` }] } }] };
    }
    const t = taskOf(req);
    if (!t) return { kind: 'error', status: 400, message: 'no task line' };
    if (t.turn > 1) return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: `${t.id} done` } }] };
    const text = firstUser(req);
    const fixed = t.id === 'board' ? /# Problems found in your previous attempt/.test(text) : !opts.aiNeverFixed && (opts.aiFixedWhen ?? /clarified/).test(text);
    if (fixed && t.id === 'ai' && opts.holdFixedAi) return { kind: 'hang' };
    return { kind: 'message', toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: fixed ? GOOD[p] : BROKEN } })) };
  };
}

describe('cli: run recovers from broken output (fake OpenAI server, real SDK, real python3)', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  afterEach(async () => {
    await server?.close();
    tmp.cleanup();
  });

  function setup(config: unknown) {
    const base = tmp.make('af-cli-rec-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(base, 'p.json'), JSON.stringify(PLAN));
    writeFileSync(path.join(base, 'config.json'), JSON.stringify(config));
    return { base, ws, args: ['--plan', path.join(base, 'p.json'), '--dir', ws, '--config', path.join(base, 'config.json'), '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', path.join(base, 'state'), '--candidates', '2'] };
  }

  it('a broken-then-repaired run ends with every task passed: a retry fixes one task, a local update the other; findings are printed', async () => {
    server = await FakeModelServer.start({ handler: handler() });
    const testCommand = ['python3', '-I', '-c', "import sys; sys.path.insert(0, '.'); from gobang import ai, board; assert ai.move(board.empty()) == (0, 0)"];
    const s = setup({ testCommand });
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', ...s.args, '--apply', 'auto'], io);
    const err = io.err();
    assert.equal(code, 0, err);
    for (const [p, content] of Object.entries(GOOD)) assert.equal(readFileSync(path.join(s.ws, p), 'utf8'), content);
    // the findings of the failed attempts, the decisions and the update, as they happened
    assert.match(err, /board: checks failed:\n {4}gobang\/board\.py:1: .*SyntaxError.*\(python3\)/);
    // the recovery decisions (the engine's rule, or the learned policy's choice when one is wired)
    assert.match(err, /board: Trying the task again/);
    assert.match(err, /ai: Asking the updater to re-plan/);
    assert.match(err, /ai: Updated the plan \(changed ai\): spell out the import/);
    assert.match(err, /ai: plan updated \(spell out the import\); changed ai/);
    assert.match(err, /test command: passed/);
    assert.match(err, /board\s+passed\s+2\s/);
    assert.match(err, /ai\s+passed\s+3 \(1 upd\)\s/);
    assert.match(err, /passed 2 \/ unverified 0 \/ failed 0 \/ blocked 0; 1 plan update/);
    const updaterCalls = server.requests.filter((r) => r.forcedTool === 'submit_update');
    assert.equal(updaterCalls.length, 2, 'K = --candidates');
    assert.match(firstUser(updaterCalls[0]), /^Task ai: AI\n/);
  });

  it('an updater that only restates the failing task keeps the plan: the task runs again as planned (one update spent) and can pass', async () => {
    // The hostile answer: every candidate repeats ai exactly as it was.
    server = await FakeModelServer.start({ handler: handler({ update: { reason: 'the plan is right', replace: [PLAN.tasks[1]] }, aiFixedWhen: /stands unchanged/ }) });
    const s = setup({});
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', ...s.args, '--apply', 'auto'], io);
    const err = io.err();
    assert.equal(code, 0, err);
    assert.match(err, /ai: The plan stands: the task runs again as planned \(the plan is right\)/);
    assert.doesNotMatch(err, /plan updated/);
    assert.match(err, /ai\s+passed\s+\d+ \(1 upd\)\s/);
    for (const [p, content] of Object.entries(GOOD)) assert.equal(readFileSync(path.join(s.ws, p), 'utf8'), content);
  });

  it('an updater that removes the failing task cannot end the run "completed" without its file: exit 1, the file not written', async () => {
    server = await FakeModelServer.start({ handler: handler({ aiNeverFixed: true, update: { reason: 'drop the AI, it keeps failing', remove: ['ai'] } }) });
    const s = setup({});
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', ...s.args, '--apply', 'auto', '--json'], io);
    const err = io.err();
    assert.equal(code, 1, err);
    assert.equal(existsSync(path.join(s.ws, 'gobang/ai.py')), false);
    assert.equal(readFileSync(path.join(s.ws, 'gobang/board.py'), 'utf8'), GOOD['gobang/board.py']);
    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; taskId?: string; choice?: string; options?: Array<{ error?: string }> });
    assert.ok(!events.some((e) => e.type === 'plan.updated'), 'the removal was never applied');
    const update = events.find((e) => e.type === 'decision' && e.choice === 'none');
    assert.match(String(update?.options?.[0]?.error), /the update drops gobang\/ai\.py \(owned by "ai"\): another task must own it/);
    assert.deepEqual(events.at(-1), { ...events.at(-1), type: 'run.finished', status: 'failed' });
    // the repair round told the updater why
    const repairs = server.requests.filter((r) => r.forcedTool === 'submit_update' && /drops gobang\/ai\.py/.test(JSON.stringify(r.body)));
    assert.ok(repairs.length > 0);
  });

  it('a budget running out ends the run with exit 1 and says exactly why, with the findings per task', async () => {
    server = await FakeModelServer.start({ handler: handler({ aiNeverFixed: true }) });
    const s = setup({ recovery: { updatesPerTask: 1 } });
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', ...s.args], io);
    const err = io.err();
    assert.equal(code, 1, err);
    assert.match(err, /passed 1 \/ unverified 0 \/ failed 1 \/ blocked 0; 1 plan update/);
    // (whether the last version was retried first is the recovery policy's choice)
    assert.match(err, /why:\n {2}ai \(failed\): verification failed: gobang\/ai\.py:1: .*SyntaxError.*(did not fix it|no retry was chosen) and the task's update budget is used up \(1 per task\)\n {4}gobang\/ai\.py:1: /);
  });

  it('run --resume RUN_ID --retry TASK runs a failed task of a failed run again (only it); bad ids are refused with the choices', async () => {
    server = await FakeModelServer.start({ handler: handler({ aiNeverFixed: true }) });
    const s = setup({ recovery: { updatesPerTask: 1 } });
    const first = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    assert.equal(await main(['run', ...s.args, '--apply', 'auto'], first), 1, first.err());
    const runId = /run (\S+): failed/.exec(first.err())?.[1];
    assert.ok(runId, first.err());
    assert.match(first.err(), new RegExp(`run it again with: agensflow run --resume ${runId} --retry ai\n`));
    const resume = ['run', '--resume', runId!, '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', path.join(s.base, 'state')];

    // Refused before anything runs: a task the run does not have, a task that passed, --retry without --resume.
    const unknown = captureIo({ cwd: s.base, env: {} });
    assert.equal(await main([...resume, '--retry', 'nope'], unknown), 2);
    assert.match(unknown.err(), new RegExp(`run ${runId} has no task "nope" \\(tasks that can be retried: ai\\)`));
    const passed = captureIo({ cwd: s.base, env: {} });
    assert.equal(await main([...resume, '--retry', 'board,ai'], passed), 2);
    assert.match(passed.err(), /board is passed: only failed, blocked or cancelled tasks can be retried \(tasks that can be retried: ai\)/);
    const alone = captureIo({ cwd: s.base, env: {} });
    assert.equal(await main(['run', ...s.args, '--retry', 'ai'], alone), 2);
    assert.match(alone.err(), /--retry runs tasks of an earlier run again: give it with --resume RUN_ID/);

    // The fixed model: ai alone runs again, with a fresh update budget, and the run completes.
    server.resetStats();
    server.setHandler(handler());
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    assert.equal(await main([...resume, '--retry', 'ai', '--apply', 'auto'], io), 0, io.err());
    const asked = server.requests.filter((r) => !r.forcedTool).map((r) => taskOf(r)?.id);
    assert.deepEqual([...new Set(asked)], ['ai'], 'board, which passed, is not run again');
    const rec = JSON.parse(readFileSync(path.join(s.base, 'state', 'runs', runId!, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(rec.status, 'completed');
    assert.equal(rec.tasks.ai?.status, 'passed');
    for (const [p, content] of Object.entries(GOOD)) assert.equal(readFileSync(path.join(s.ws, p), 'utf8'), content);
  });

  it('a run killed (SIGKILL) right after a plan update resumes with the updated plan', async () => {
    server = await FakeModelServer.start({ handler: handler({ holdFixedAi: true }) });
    const s = setup({});
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', ...s.args, '--apply', 'auto', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
    // Killed the moment the update is announced: what it changed must already be in the journal.
    const runId = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const e = JSON.parse(buf.slice(0, nl)) as { type: string; runId: string };
          buf = buf.slice(nl + 1);
          if (e.type === 'plan.updated') resolve(e.runId);
        }
      });
      child.on('exit', () => reject(new Error('the CLI exited before the plan update')));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const statePath = path.join(s.base, 'state', 'runs', runId, 'run.json');
    const cut = JSON.parse(readFileSync(statePath, 'utf8')) as RunRecord;
    assert.equal(cut.status, 'running', 'the kill left the run unfinished');
    assert.match(cut.plan.tasks.find((t) => t.id === 'ai')?.objective ?? '', /clarified/, 'the update is not in the journal');
    server.resetStats();
    server.setHandler(handler());
    const io = captureIo({ cwd: s.base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', '--resume', runId, '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', path.join(s.base, 'state')], io);
    assert.equal(code, 0, io.err());
    const asked = server.requests.filter((r) => !r.forcedTool).map((r) => taskOf(r)?.id);
    assert.deepEqual([...new Set(asked)], ['ai'], 'only the re-planned task runs again');
    assert.equal(server.requests.filter((r) => r.forcedTool === 'submit_update').length, 0, 'no second update was needed');
    assert.match(firstUser(server.requests.find((r) => !r.forcedTool)!), /Objective: a naive AI \(clarified/);
    const rec = JSON.parse(readFileSync(statePath, 'utf8')) as RunRecord;
    assert.equal(rec.status, 'completed');
    assert.equal(rec.updates, 1);
    assert.equal(rec.resumes, 1);
    for (const [p, content] of Object.entries(GOOD)) assert.equal(readFileSync(path.join(s.ws, p), 'utf8'), content);
  });
});
