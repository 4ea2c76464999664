/**
 * A failing test command goes back into recovery: it is put down to the task whose file the failing output
 * names, that task runs again with the output as findings (a retry or a re-plan, as the recovery decision
 * chooses), and the run ends passing. The fake OpenAI server plays the agents (real SDK), the test command is
 * a real `node test.js` of the user's workspace.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../../src/cli/io';
import type { RunRecord } from '../../../src/core/run/journal';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { taskOf } from './fakeAgent';

const PLAN = {
  goal: 'a calculator',
  tasks: [
    { id: 'lib', title: 'Lib', objective: 'add(a, b) in lib.js', files: ['lib.js'] },
    { id: 'app', title: 'App', objective: 'the app name in app.js', files: ['app.js'] },
  ],
};
// Both pass `node --check`: only running them shows the first lib is wrong.
const STUB = "exports.add = (a, b) => {\n  throw new Error('add is not implemented yet');\n};\n";
const GOOD: Record<string, string> = { 'lib.js': 'exports.add = (a, b) => a + b;\n', 'app.js': "exports.name = 'calc';\n" };
// The user's own test, in the workspace before the run.
const TEST_JS = "const lib = require('./lib.js');\nconst app = require('./app.js');\nif (lib.add(2, 3) !== 5) throw new Error('add(2, 3) is not 5');\nconsole.log(app.name, 'ok');\n";

const firstUser = (req: RecordedRequest): string => {
  const messages = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return String(messages.find((m) => m.role === 'user')?.content ?? '');
};

/** lib writes the stub until its first message carries the test command's failure; app is right at once. */
function handler(req: RecordedRequest): FakeReply {
  if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
  // A re-plan (when the recovery decision prefers one) keeps the plan: the task runs again with the findings.
  if (req.forcedTool === 'submit_update') return { kind: 'message', toolCalls: [{ name: 'submit_update', arguments: { reason: 'the plan is right', replace: [PLAN.tasks[0]] } }] };
  const t = taskOf(req);
  if (!t) return { kind: 'error', status: 400, message: 'no task line' };
  if (t.turn > 1) return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: `${t.id} done` } }] };
  const told = /the test command failed/.test(firstUser(req)) && /lib\.js:2/.test(firstUser(req));
  return { kind: 'message', toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: p === 'lib.js' && !told ? STUB : GOOD[p] } })) };
}

describe('cli: a failing test command goes back to the task it names (fake OpenAI server, real node test.js)', function () {
  this.timeout(120_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  afterEach(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('the failure is put down to lib (its file is in the stack trace), lib runs again with the output and fixes it; the run passes', async () => {
    server = await FakeModelServer.start({ handler });
    const base = tmp.make('af-cli-testrec-');
    const ws = path.join(base, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'test.js'), TEST_JS);
    writeFileSync(path.join(base, 'p.json'), JSON.stringify(PLAN));
    writeFileSync(path.join(base, 'config.json'), JSON.stringify({ testCommand: ['node', 'test.js'] }));
    const state = path.join(base, 'state');
    const args = ['--plan', path.join(base, 'p.json'), '--dir', ws, '--config', path.join(base, 'config.json'), '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake-coder', '--state', state, '--candidates', '1'];
    const io = captureIo({ cwd: base, env: { PATH: process.env.PATH ?? '' } });
    const code = await main(['run', ...args, '--apply', 'auto', '--json'], io);
    const err = io.err();
    assert.equal(code, 0, err + io.out());
    for (const [p, content] of Object.entries(GOOD)) assert.equal(readFileSync(path.join(ws, p), 'utf8'), content);

    const events = io.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; outcome?: string; point?: string; choice?: string; taskId?: string; options?: Array<{ id: string; by?: string; files?: string[] }> });
    assert.deepEqual(events.filter((e) => e.type === 'run.checked').map((e) => e.outcome), ['failed', 'passed']);
    const runId = (events[0] as unknown as { runId: string }).runId;
    const record = JSON.parse(readFileSync(path.join(state, 'runs', runId, 'run.json'), 'utf8')) as RunRecord;
    // The record shows the attribution: to lib alone, because the output names lib.js.
    const attribution = record.decisions.find((d) => d.point === 'check.attribution');
    assert.equal(attribution?.choice, 'lib');
    assert.deepEqual(attribution?.options, [{ id: 'lib', by: 'output', files: ['lib.js'] }]);
    assert.match(attribution?.reason ?? '', /names lib\.js \(task lib\)/);
    assert.ok(record.decisions.some((d) => d.point === 'recovery' && d.taskId === 'lib'), 'lib\'s recovery was decided');
    assert.equal(record.check?.outcome, 'passed');
    assert.equal(record.status, 'completed');
    assert.equal(record.tasks.app.attempts, 1, 'app, which the output does not name, was not run again');
    assert.ok(record.tasks.lib.attempts >= 2);
    // The agent's next attempt heard the failing lines naming its file.
    const fixing = server.requests.filter((r) => taskOf(r)?.id === 'lib' && taskOf(r)?.turn === 1 && r.forcedTool === undefined).at(-1);
    assert.match(firstUser(fixing as RecordedRequest), /the test command failed/);
    assert.match(firstUser(fixing as RecordedRequest), /lib\.js:2/);
  });
});
