/**
 * AgensFlow on the models VS Code offers: the `vscode-lm` provider through the real Language Model API of a
 * current VS Code, served by the fake chat-model provider extension (test/lm/provider), which forwards each
 * request to the loopback fake model server. Planner, agents (tool calls both ways), inspector and the review
 * run as a user's run would; then the error paths (no permission, a model not found, a model withdrawn
 * mid-run), cancellation, and the model list the picker shows.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgensFlowExports } from '../../src/extension';
import { formatUsageCost } from '../../src/protocol/cost';
import type { RunResult } from '../../src/vscode/run/runController';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { EXTENSION_ID, closeAllEditors, workspaceFile } from '../integration/helpers';
import type { FakeLmControls } from './provider/extension';

const FAKE_PROVIDER_ID = 'agensflow-tests.agensflow-fake-lm';

const PLAN = {
  goal: 'two notes',
  tasks: [
    { id: 'first', title: 'Write the first note', objective: 'a note', files: ['app/lm-first.txt'] },
    { id: 'second', title: 'Write the second note', objective: 'another note', deps: ['first'], files: ['app/lm-second.txt'] },
  ],
};

const content = (file: string): string => `written through vscode-lm: ${file}\n`;

interface OpenAiMessage {
  role: string;
  content?: unknown;
}

/** The task an agent request is for: the first user message that opens with "Task <id>: " (the system prompt comes before it as a user message). */
function taskOf(req: RecordedRequest): (typeof PLAN.tasks)[number] | undefined {
  const messages = (req.body as { messages?: OpenAiMessage[] }).messages ?? [];
  for (const m of messages) {
    if (m.role !== 'user' || typeof m.content !== 'string') continue;
    const id = /^Task ([a-z0-9_-]+): /m.exec(m.content)?.[1];
    const task = PLAN.tasks.find((t) => t.id === id);
    if (task) return task;
  }
  return undefined;
}

/**
 * Planner: the plan. Agents: write the owned file (`write` gives its content), then finish once a tool result
 * came back. Inspector: pass.
 */
function handler(req: RecordedRequest, write: (file: string) => string = content): FakeReply {
  if (req.tools.includes('submit_workflow')) return reply.tool('submit_workflow', PLAN);
  if (req.tools.includes('submit_verdict')) return reply.tool('submit_verdict', { pass: true, reasons: [] });
  const task = taskOf(req);
  if (!task) return reply.text('no task in this request');
  const messages = (req.body as { messages?: OpenAiMessage[] }).messages ?? [];
  if (!messages.some((m) => m.role === 'tool')) {
    return { kind: 'message', toolCalls: task.files.map((p) => ({ name: 'write_file', arguments: { path: p, content: write(p) } })) };
  }
  return reply.tool('finish', { summary: `${task.id} done` });
}

async function agensflow(): Promise<AgensFlowExports> {
  const ext = vscode.extensions.getExtension<AgensFlowExports>(EXTENSION_ID);
  assert.ok(ext, 'AgensFlow is not loaded');
  const exports = await ext.activate();
  // The engine loads on first use; what these tests read needs it.
  await exports.ready();
  return exports;
}

async function fakeProvider(): Promise<FakeLmControls> {
  const ext = vscode.extensions.getExtension<FakeLmControls>(FAKE_PROVIDER_ID);
  assert.ok(ext, 'the fake chat-model provider extension is not loaded (the driver passes --extension out/test/lm/provider)');
  return ext.activate();
}

async function useVscodeLm(model: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('agensflow');
  await config.update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
  await config.update('models.agent', model, vscode.ConfigurationTarget.Global);
  await config.update('candidates', 1, vscode.ConfigurationTarget.Global);
}

function disk(rel: string): string | undefined {
  const file = workspaceFile(rel).fsPath;
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** The script the fake server follows now (a test may swap it), and who waits for which request. */
let script: (r: RecordedRequest) => FakeReply = handler;
const waiting: { predicate: (r: RecordedRequest) => boolean; resolve: () => void }[] = [];

function serve(r: RecordedRequest): FakeReply {
  for (const w of waiting.filter((x) => x.predicate(r))) {
    waiting.splice(waiting.indexOf(w), 1);
    w.resolve();
  }
  return script(r);
}

/** Resolves when the server receives a request that satisfies `predicate` (on its arrival: no polling). */
function requestMatching(predicate: (r: RecordedRequest) => boolean): Promise<void> {
  return new Promise((resolve) => waiting.push({ predicate, resolve }));
}

export function registerLmTests(): void {
  describe('AgensFlow on VS Code language models (vscode-lm)', function () {
    this.timeout(120_000);
    let server: FakeModelServer;
    let controls: FakeLmControls;

    before(async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      server = await FakeModelServer.start({ handler: serve });
      controls = await fakeProvider();
      controls.serve(server.openaiBaseUrl);
      controls.setModels(['fake-large', 'fake-small']);
      await agensflow();
    });
    afterEach(() => {
      controls.failWith(undefined);
      controls.setModels(['fake-large', 'fake-small']);
      script = handler;
    });
    after(async () => {
      await closeAllEditors();
      await server?.close();
    });

    it('lists the chat models VS Code offers, live, as the model picker shows them', async () => {
      const listed = await (await agensflow()).modelChoices('vscode-lm');
      const ids = listed.map((m) => m.id);
      assert.ok(ids.includes('agensflow-fake/fake-large') && ids.includes('agensflow-fake/fake-small'), `listed: ${ids.join(', ')}`);
      const large = listed.find((m) => m.id === 'agensflow-fake/fake-large');
      assert.match(large?.detail ?? '', /included in your plan/);
      controls.setModels(['fake-small']);
      const after = (await (await agensflow()).modelChoices('vscode-lm')).map((m) => m.id);
      assert.ok(!after.includes('agensflow-fake/fake-large') && after.includes('agensflow-fake/fake-small'), `after withdrawing fake-large: ${after.join(', ')}`);
    });

    it('plans, runs agents with tool calls, inspects and reviews a task through the real LM API; no key, no price', async () => {
      await useVscodeLm('agensflow-fake/fake-large');
      const before = server.requests.length;
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'two notes');
      assert.ok(result, 'the run did not start');
      assert.equal(result.status, 'completed', `run ended ${result.status}`);
      const served = server.requests.slice(before);
      assert.ok(served.some((r) => r.tools.includes('submit_workflow')), 'the planner was not asked');
      assert.ok(served.some((r) => r.tools.includes('write_file')), 'no agent was asked');
      // Tool results went back to the model through LanguageModelToolResultPart (the fake turns them into `tool` messages).
      assert.ok(served.some((r) => ((r.body as { messages?: OpenAiMessage[] }).messages ?? []).some((m) => m.role === 'tool')), 'no tool result reached the model');
      for (const r of served) assert.equal(r.model, 'fake-large');
      const state = (await agensflow()).runState();
      // Counted with the model's own token counter; included in the user's plan, so never priced.
      assert.ok(state.usage.inputTokens > 0 && state.usage.outputTokens > 0, JSON.stringify(state.usage));
      assert.equal(state.usage.cost, 0);
      // Every call is flagged as included, so the views read "included in your plan", not "$0".
      assert.ok((state.usage.includedCalls ?? 0) > 0, JSON.stringify(state.usage));
      assert.equal(state.usage.unpricedCalls, undefined);
      assert.equal(formatUsageCost(state.usage), 'included in your plan');
      for (const id of ['first', 'second']) {
        assert.equal(state.tasks[id]?.patch?.state, 'proposed', `${id}: ${JSON.stringify(state.tasks[id]?.patch)}`);
      }
      assert.equal(disk('app/lm-first.txt'), undefined, 'nothing is written before review');
      const accepted = await vscode.commands.executeCommand<{ state: string }>('agensflow.acceptTask', 'first');
      assert.equal(accepted.state, 'applied');
      assert.equal(disk('app/lm-first.txt'), content('app/lm-first.txt'));
    });

    it('a model VS Code does not offer stops the run before any request, and says to pick another', async () => {
      await useVscodeLm('agensflow-fake/no-such-model');
      const before = server.requests.length;
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'two notes');
      assert.ok(result === undefined || result.status !== 'completed', `the run ended ${result?.status}`);
      assert.equal(server.requests.length, before, 'a request reached a model');
      const run = (await agensflow()).runState().run;
      assert.equal(run?.status, 'failed');
      assert.match(run?.reason ?? '', /offers no language model matching 'agensflow-fake\/no-such-model'.*Select Provider and Model/s);
    });

    it('no permission (NoPermissions) stops the run with the consent error, and nothing reaches the model', async () => {
      await useVscodeLm('agensflow-fake/fake-large');
      controls.failWith('NoPermissions');
      const before = server.requests.length;
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'two notes');
      assert.ok(result === undefined || result.status !== 'completed', `the run ended ${result?.status}`);
      assert.equal(server.requests.length, before);
      const run = (await agensflow()).runState().run;
      assert.equal(run?.status, 'failed');
      assert.match(run?.reason ?? '', /permission was not given.*choose Allow/s);
    });

    it('a consent declined by an agent mid-run pauses the run (no task failed); once allowed, resuming the run finishes it', async () => {
      await useVscodeLm('agensflow-fake/fake-large');
      script = (r) => {
        // The planner is served; from the first agent request on, VS Code's consent is declined.
        if (!r.tools.includes('submit_workflow')) controls.failWith('NoPermissions');
        return handler(r);
      };
      const paused = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'two notes');
      assert.ok(paused, 'the run did not start');
      assert.equal(paused.status, 'cancelled', 'paused, not failed');
      const state = (await agensflow()).runState();
      assert.match(state.run?.reason ?? '', /permission was not given.*choose Allow/s);
      assert.ok(!Object.values(state.statuses).includes('failed'), JSON.stringify(state.statuses));
      // The user allows it (Try Again resumes the run; here, the Resume Run command does the same). The agents
      // write text of their own: an earlier test accepted the usual text into the workspace.
      controls.failWith(undefined);
      script = (r) => handler(r, (file) => `written once VS Code's permission was given: ${file}\n`);
      const resumed = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.resumeRun', paused.runId);
      assert.equal(resumed?.status, 'completed');
    });

    it('a model withdrawn mid-run fails the attempts that need it, with the reason, instead of hanging', async () => {
      await useVscodeLm('agensflow-fake/fake-large');
      const before = server.requests.length;
      script = (r) => {
        // The planner is served; the first agent request withdraws the model (its quota spent) and fails.
        if (!r.tools.includes('submit_workflow')) controls.setModels([]);
        return handler(r);
      };
      const result = await vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'two notes');
      assert.ok(result, 'the run did not start');
      assert.notEqual(result.status, 'completed');
      assert.ok(server.requests.length > before, 'the planner was never asked');
      const state = (await agensflow()).runState();
      const said = [state.run?.reason ?? '', ...Object.values(state.tasks).map((t) => t.statusReason ?? '')].join('\n');
      // Withdrawn between two calls, the model is no longer offered; withdrawn during one, the call says so.
      assert.match(said, /withdrawn while in use|offers no language model matching 'agensflow-fake\/fake-large'/);
    });

    it('Cancel stops the run while a model request is in flight, without waiting for its answer', async () => {
      await useVscodeLm('agensflow-fake/fake-large');
      const before = server.requests.length;
      script = (r) => (r.tools.includes('submit_workflow') ? reply.tool('submit_workflow', PLAN) : reply.hang());
      const agentAsked = requestMatching((r) => r.tools.includes('write_file'));
      const run = vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'two notes');
      await agentAsked;
      await vscode.commands.executeCommand('agensflow.cancelRun');
      const result = await run;
      assert.equal(result?.status, 'cancelled');
      // The model never answered: the run ended on the cancellation (the adapter cancels its request's token and
      // stops reading at once), not on an answer or a timeout.
      const hung = server.requests.slice(before).filter((r) => r.tools.includes('write_file'));
      assert.ok(hung.length > 0 && hung.every((r) => !r.completed), 'an agent request was answered');
      assert.equal((await agensflow()).runState().run?.status, 'cancelled');
    });
  });
}
