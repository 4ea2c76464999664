/**
 * The plan gate in a real VS Code (code-server): with `agensflow.reviewPlan` = `always`, a planned run stops
 * before any agent starts; Re-plan with feedback sends the words to the planner (the loopback fake server
 * sees them) and shows the new plan; Edit opens the plan as JSON, validated as it is typed (an invalid edit is
 * a diagnostic and Run refuses it; a valid one runs); Cancel ends the run cancelled with no agent request.
 * Driven through the commands the views' buttons call.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { AgensFlowExports } from '../../src/extension';
import type { RunViewState } from '../../src/protocol/viewState';
import type { PlanGateCommandResult } from '../../src/vscode/planGate/planGateService';
import type { RunResult } from '../../src/vscode/run/runController';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { EXTENSION_ID, closeAllEditors, nextDiagnostics } from './helpers';

const KEY = 'sk-agensflow-gate-key-1234567890';
const FEEDBACK = 'split the board from the user interface';

const FIRST = { tasks: [{ id: 'game', title: 'Game', objective: 'the whole game', files: ['app/game.txt'] }] };
const SECOND = {
  tasks: [
    { id: 'board', title: 'Board', objective: 'the board', files: ['app/board.txt'] },
    { id: 'ui', title: 'UI', objective: 'the user interface', deps: ['board'], files: ['app/ui.txt'] },
  ],
};
const EDITED = { tasks: [{ id: 'edited', title: 'Edited', objective: 'as the user wrote it', files: ['app/edited.txt'] }] };

const isPlanner = (req: RecordedRequest): boolean => req.tools.includes('submit_workflow');

function texts(req: RecordedRequest): string[] {
  const messages = (req.body as { messages?: { role: string; content?: unknown }[] }).messages ?? [];
  return messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')));
}

/** Planner: FIRST, or SECOND once given feedback. Inspector: a pass. Agents: write their files, then finish. */
function handler(req: RecordedRequest): FakeReply {
  if (isPlanner(req)) return reply.tool('submit_workflow', texts(req).some((t) => t.startsWith('Feedback on the previous plan:')) ? SECOND : FIRST);
  if (req.forcedTool === 'submit_verdict') return reply.tool('submit_verdict', { pass: true, reasons: ['fine'] });
  const messages = (req.body as { messages?: { role: string; content?: unknown }[] }).messages ?? [];
  const first = messages.find((m) => m.role === 'user');
  const text = typeof first?.content === 'string' ? first.content : '';
  const files = /Files you own[^\n]*\n((?:- .*\n)*)/.exec(text)?.[1].split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2)) ?? [];
  if (!messages.some((m) => m.role === 'assistant')) return { kind: 'message', toolCalls: files.map((p) => ({ name: 'write_file', arguments: { path: p, content: `${p}\n` } })) };
  return reply.tool('finish', { summary: 'done' });
}

async function exportsOf(): Promise<AgensFlowExports> {
  const ext = vscode.extensions.getExtension<AgensFlowExports>(EXTENSION_ID);
  assert.ok(ext);
  const exports = await ext.activate();
  // The engine loads on first use; what these tests read needs it.
  await exports.ready();
  return exports;
}

/**
 * Resolves with the run state once `accept` holds (checked after every run event; no sleeping); fails at once
 * when the run ends first, with its reason. `notRun`: the id of the run shown before the one awaited.
 */
async function stateWhen(accept: (s: RunViewState) => boolean, notRun?: string): Promise<RunViewState> {
  const ext = await exportsOf();
  // A run shown before this one (`notRun`) is not the one waited for.
  const done = (s: RunViewState): boolean => s.run?.runId !== notRun && (accept(s) || (s.run !== null && s.run.status !== 'running'));
  const state = await new Promise<RunViewState>((resolve) => {
    if (done(ext.runState())) {
      resolve(ext.runState());
      return;
    }
    const sub = ext.onRunEvent(() => {
      const s = ext.runState();
      if (!done(s)) return;
      sub.dispose();
      resolve(s);
    });
  });
  assert.ok(accept(state), `the run ended first: ${state.run?.status ?? ''} ${state.run?.reason ?? ''}`);
  return state;
}

const waitingRound = (round: number) => (s: RunViewState): boolean => s.run?.status === 'running' && s.review?.state === 'waiting' && s.review.round === round;

async function replaceAll(editor: vscode.TextEditor, text: string): Promise<void> {
  const doc = editor.document;
  const ok = await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
  assert.ok(ok, 'the edit was not applied');
}

/** Declares the suite; called by index.ts once mocha's globals exist. */
export function registerPlanGateTests(): void {
  describe('AgensFlow: the plan gate (agensflow.reviewPlan = always)', function () {
    this.timeout(90_000);
    let server: FakeModelServer;
    const agentRequests = (): number => server.requests.filter((r) => !isPlanner(r)).length;

    before(async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      server = await FakeModelServer.start({ handler });
      const config = vscode.workspace.getConfiguration('agensflow');
      await config.update('provider', 'openai', vscode.ConfigurationTarget.Global);
      await config.update('baseUrl', server.openaiBaseUrl, vscode.ConfigurationTarget.Global);
      await config.update('models.agent', 'fake-model', vscode.ConfigurationTarget.Global);
      await config.update('candidates', 1, vscode.ConfigurationTarget.Global);
      await config.update('planner.exploreTurns', 0, vscode.ConfigurationTarget.Global);
      await config.update('reviewPlan', 'always', vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand('agensflow.setApiKey', 'openai', KEY), true);
      await exportsOf();
    });
    after(async () => {
      const config = vscode.workspace.getConfiguration('agensflow');
      await config.update('reviewPlan', undefined, vscode.ConfigurationTarget.Global);
      await config.update('planner.exploreTurns', undefined, vscode.ConfigurationTarget.Global);
      await closeAllEditors();
      await server?.close();
    });
    beforeEach(() => server.resetStats());
    afterEach(closeAllEditors);

    it('waits before any agent; Re-plan sends the feedback; Edit validates live, refuses an invalid plan and runs a valid one', async () => {
      const previous = (await exportsOf()).runState().run?.runId;
      const started = Promise.resolve(vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'a gated game'));
      let state = await stateWhen(waitingRound(1), previous);
      assert.deepEqual(state.plan?.tasks.map((t) => t.id), ['game']);
      assert.equal(agentRequests(), 0, 'no agent before the review');

      // Re-plan with feedback: the planner's next request carries the words, and the new plan is shown.
      const second = stateWhen(waitingRound(2));
      const replanned = await vscode.commands.executeCommand<PlanGateCommandResult>('agensflow.plan.replan', { feedback: FEEDBACK });
      assert.deepEqual(replanned, { ok: true, action: 'replan' });
      state = await second;
      assert.deepEqual(state.plan?.tasks.map((t) => t.id), ['board', 'ui']);
      const planners = server.requests.filter(isPlanner);
      assert.equal(planners.length, 2);
      const feedback = texts(planners[1]).find((t) => t.startsWith('Feedback on the previous plan:'));
      assert.ok(feedback?.includes(FEEDBACK), 'the fake server saw the feedback');
      assert.equal(agentRequests(), 0);

      // Edit: the plan as JSON in an editor.
      const edit = await vscode.commands.executeCommand<PlanGateCommandResult>('agensflow.plan.edit');
      assert.ok(edit.ok && edit.uri, JSON.stringify(edit));
      const uri = vscode.Uri.parse(edit.uri);
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      assert.deepEqual((JSON.parse(editor.document.getText()) as typeof SECOND).tasks.map((t) => t.id), ['board', 'ui']);

      // An invalid edit is a diagnostic as it is typed, and Run refuses it.
      const flagged = nextDiagnostics(uri, (d) => d.some((x) => String(x.code) === 'unknown-dep'));
      await replaceAll(editor, JSON.stringify({ tasks: [{ ...EDITED.tasks[0], deps: ['ghost'] }] }, null, 2));
      const diagnostics = await flagged;
      assert.ok(diagnostics.every((d) => d.source === 'AgensFlow'));
      const refused = await vscode.commands.executeCommand<PlanGateCommandResult>('agensflow.plan.run');
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && (refused.problems?.length ?? 0) > 0);
      assert.equal((await exportsOf()).runState().review?.state, 'waiting', 'still waiting after a refused edit');
      assert.equal(agentRequests(), 0);

      // A valid edit clears the diagnostics and runs as edited.
      const cleared = nextDiagnostics(uri, (d) => d.length === 0);
      await replaceAll(editor, JSON.stringify(EDITED, null, 2));
      await cleared;
      const ran = await vscode.commands.executeCommand<PlanGateCommandResult>('agensflow.plan.run');
      assert.deepEqual(ran, { ok: true, action: 'run-edited' });
      const result = await started;
      assert.ok(result);
      state = (await exportsOf()).runState();
      assert.equal(state.run?.runId, result.runId);
      assert.deepEqual(state.plan?.tasks.map((t) => t.id), ['edited']);
      assert.ok(['passed', 'unverified'].includes(state.statuses.edited ?? ''), state.statuses.edited);
      assert.equal(state.review?.action, 'run-edited');
      assert.ok(agentRequests() > 0, 'the edited plan ran');
    });

    it('Cancel at the gate ends the run cancelled (exit 130) without any agent request', async () => {
      const previous = (await exportsOf()).runState().run?.runId;
      const started = Promise.resolve(vscode.commands.executeCommand<RunResult | undefined>('agensflow.newTask', 'another gated game'));
      await stateWhen(waitingRound(1), previous);
      await vscode.commands.executeCommand('agensflow.cancelRun');
      const result = await started;
      assert.ok(result);
      assert.equal(result.exitCode, 130);
      assert.equal(result.status, 'cancelled');
      assert.equal(agentRequests(), 0);
      assert.equal((await exportsOf()).runState().run?.status, 'cancelled');
      const late = await vscode.commands.executeCommand<PlanGateCommandResult>('agensflow.plan.run');
      assert.equal(late.ok, false, 'nothing waits any more');
    });
  });
}
