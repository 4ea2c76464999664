import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunEvent } from '../../../src/core/run';
import { isPlanningFailure, isRunSetupError, setupErrorOf, type SetupErrorKind } from '../../../src/core/session';
import { AGENSFLOW_SETTINGS } from '../../../src/vscode/settings';
import type { Settings, SettingsReader } from '../../../src/vscode/run/runConfig';
import { checkCanRun, fixFor, modelsFromSettings, runWithSettings, type RunSessionDeps } from '../../../src/vscode/run/runSession';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { agentHandler } from '../cli-run/fakeAgent';
import { tempDirs } from '../run/tmp';

function reader(values: Partial<Settings>): SettingsReader {
  return <K extends keyof Settings & string>(k: K): Settings[K] => (k in values ? values[k] : AGENSFLOW_SETTINGS[k].default) as Settings[K];
}

const PLAN = { tasks: [{ id: 'only', title: 'Only', objective: 'one file', files: ['only.txt'] }] };

/** The fake OpenAI server as planner, agent and inspector, charging 50 + 5 tokens per call. */
function handler() {
  const agents = agentHandler();
  return (req: RecordedRequest): FakeReply => {
    const reply: FakeReply = req.tools.includes('submit_workflow') ? { kind: 'message', toolCalls: [{ name: 'submit_workflow', arguments: PLAN }] } : agents(req);
    return reply.kind === 'message' ? { ...reply, usage: { input: 50, output: 5 } } : reply;
  };
}

async function kindOf(p: Promise<unknown>): Promise<SetupErrorKind | undefined> {
  try {
    await p;
  } catch (e) {
    return isRunSetupError(e) ? e.kind : undefined;
  }
  return undefined;
}

describe('vscode run: the run controller\'s logic in Node (runSession.ts over the core\'s pipeline)', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: handler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  function deps(values: Partial<Settings>, stored?: string): RunSessionDeps & { warnings: string[] } {
    const warnings: string[] = [];
    return {
      settings: reader({ provider: 'openai-compatible', baseUrl: server.openaiBaseUrl, 'models.agent': 'fake-coder', ...values }),
      keys: { get: async () => stored },
      stateDir: tmp.make('af-vs-state-'),
      env: { PATH: process.env.PATH ?? '' },
      warn: (m) => warnings.push(m),
      warnings,
    };
  }

  function workspace(): string {
    const ws = path.join(tmp.make('af-vs-'), 'ws');
    mkdirSync(ws);
    return ws;
  }

  it('refuses to run untrusted, without a folder on disk or while busy, each with its own kind and fix', () => {
    const cases: Array<[Parameters<typeof checkCanRun>[0], SetupErrorKind, ReturnType<typeof fixFor>]> = [
      [{ trusted: false, folder: { scheme: 'file', fsPath: '/w' }, busy: false }, 'untrusted', 'manageTrust'],
      [{ trusted: true, busy: false }, 'no-folder', 'none'],
      [{ trusted: true, folder: { scheme: 'vscode-vfs', fsPath: '/w' }, busy: false }, 'no-folder', 'none'],
      [{ trusted: true, folder: { scheme: 'file', fsPath: '/w' }, busy: true }, 'busy', 'showGraph'],
    ];
    for (const [p, kind, fix] of cases) {
      assert.throws(() => checkCanRun(p, 'run a task'), (e: unknown) => isRunSetupError(e) && e.kind === kind && fixFor(e.kind) === fix, kind);
    }
    assert.equal(checkCanRun({ trusted: true, folder: { scheme: 'file', fsPath: '/w' }, busy: false }, 'run a task'), '/w');
  });

  it('chooses the fix by the error\'s kind, not its text: no model, no key, a bad base URL, a rejected key', async () => {
    const ws = workspace();
    const run = (d: RunSessionDeps) => runWithSettings(d, { start: { goal: 'g', dir: ws }, signal: new AbortController().signal, onEvent: () => undefined });
    assert.equal(await kindOf(run(deps({ 'models.agent': '' }))), 'no-model');
    assert.equal(await kindOf(run(deps({ provider: 'openai' }))), 'no-key');
    assert.equal(await kindOf(modelsFromSettings(deps({ baseUrl: 'ftp://x' })).catch((e: unknown) => Promise.reject(setupErrorOf(e)))), 'bad-endpoint');
    assert.equal(fixFor('no-key'), 'setApiKey');
    assert.equal(fixFor('bad-endpoint'), 'selectModel');
    // A 401 whose text never says "key": the provider error's kind decides.
    server.setHandler(() => ({ kind: 'error', status: 401, message: 'denied' }));
    const out = await run(deps({}));
    assert.ok(isPlanningFailure(out));
    assert.equal(out.exitCode, 2);
    const setup = setupErrorOf(out.error);
    assert.equal(setup?.kind, 'rejected-key');
    assert.equal(fixFor(setup.kind), 'setApiKey');
  });

  it('plans and runs a goal from the settings: one run.started, the planner\'s decision and usage in the run', async () => {
    const ws = workspace();
    const events: RunEvent[] = [];
    const out = await runWithSettings(deps({ candidates: 1 }), { start: { goal: 'one file', dir: ws }, runId: '20260101-000000-000-abcdef', signal: new AbortController().signal, onEvent: (e) => events.push(e) });
    assert.ok(!isPlanningFailure(out));
    assert.equal(out.exitCode, 0, out.record.reason);
    assert.equal(out.runId, '20260101-000000-000-abcdef', 'the id the controller chose before planning');
    assert.equal(events.filter((e) => e.type === 'run.started').length, 1);
    assert.equal(events[0]?.type, 'run.started');
    assert.ok(events.some((e) => e.type === 'decision' && e.point === 'plan.candidates'));
    assert.ok(events.some((e) => e.type === 'usage' && e.role === 'planner'));
    assert.equal(out.record.usage.inputTokens, server.requests.length * 50, 'every call, the planner\'s included');
  });

  it('the budget.tokens setting stops a run whose planning spent it, before any agent', async () => {
    const ws = workspace();
    const events: RunEvent[] = [];
    const out = await runWithSettings(deps({ candidates: 1, 'budget.tokens': 10 }), { start: { goal: 'one file', dir: ws }, signal: new AbortController().signal, onEvent: (e) => events.push(e) });
    assert.ok(!isPlanningFailure(out));
    assert.equal(out.exitCode, 1);
    assert.equal(out.status, 'budget');
    assert.equal(server.requests.length, 1, 'the planner only');
    assert.equal(events.filter((e) => e.type === 'agent.started').length, 0);
  });
});
