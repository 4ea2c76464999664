/**
 * The `vscode-lm` provider in the stand-in host (./fakeVscode.ts, whose `lm` offers the chat models of
 * `state.lmChats`): Select Provider and Model lists the models VS Code offers now and writes `vendor/id`; no
 * key is asked for or stored; a plan runs through it; a declined consent is reported by its kind.
 */
import './install';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunJournal } from '../../../src/core/run';
import { activate, deactivate } from '../../../src/extension';
import type { RunResult } from '../../../src/vscode/run/runController';
import { copilotChats, FakeLanguageModelError, FakeToolCallPart, FakeToolResultPart, type FakeRequest, type FakeTextPart } from '../vscode-lm/fakeLm';
import * as fake from './fakeVscode';

const EXTENSION_ROOT = resolve(__dirname, '../../..');

/** Answers by our tool names: write the task's file, then finish; the inspector passes. */
function agentScript(req: FakeRequest): (FakeTextPart | FakeToolCallPart)[] {
  const tools = (req.options.tools ?? []).map((t) => t.name);
  if (tools.includes('submit_verdict')) return [new FakeToolCallPart('v', 'submit_verdict', { pass: true, reasons: ['ok'] })];
  const last = req.messages[req.messages.length - 1]!;
  return last.content.some((p) => p instanceof FakeToolResultPart)
    ? [new FakeToolCallPart('f', 'finish', { summary: 'done' })]
    : [new FakeToolCallPart('w', 'write_file', { path: 'one.txt', content: 'one\n' })];
}

describe('vscode-lm in the stand-in host', function () {
  this.timeout(60_000);
  let base: string;
  let context: ReturnType<typeof fake.extensionContext> | undefined;

  beforeEach(() => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-lm-host-'));
  });
  afterEach(async () => {
    await deactivate();
    for (const d of context?.subscriptions.splice(0).reverse() ?? []) d.dispose();
    context = undefined;
    rmSync(base, { recursive: true, force: true });
  });

  function start(settings: Record<string, unknown> = {}) {
    const root = join(base, 'ws');
    mkdirSync(root, { recursive: true });
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(root), name: 'ws', index: 0 }];
    for (const [k, v] of Object.entries({ 'agensflow.recovery.maxRetries': 0, ...settings })) fake.state.config.set(k, v);
    context = fake.extensionContext(join(base, 'storage'), EXTENSION_ROOT);
    const exports = activate(context as never);
    assert.deepEqual(exports.failedContributions, []);
    const plan = join(base, 'plan.json');
    writeFileSync(plan, JSON.stringify({ goal: 'g', tasks: [{ id: 'one', title: 'One', objective: 'o', files: ['one.txt'] }] }));
    return { root, plan: fake.Uri.file(plan), stateDir: exports.stateDir };
  }

  it('Select Provider and Model lists the models VS Code offers now and writes vendor/id, asking for no key', async () => {
    start();
    fake.state.lmChats = copilotChats();
    fake.state.quickPickAnswers = ['VS Code language models', 'copilot/claude-sonnet-4'];
    assert.equal(await fake.commands.executeCommand('agensflow.selectModel'), true);
    const updates = Object.fromEntries(fake.state.configUpdates.map((u) => [u.key, u.value]));
    assert.equal(updates['agensflow.provider'], 'vscode-lm');
    assert.equal(updates['agensflow.models.agent'], 'copilot/claude-sonnet-4');
    assert.equal(updates['agensflow.baseUrl'], undefined, 'no base URL asked for');
    assert.ok(!fake.state.messages.some((m) => /API key/.test(m.text)), JSON.stringify(fake.state.messages));
    // A model VS Code no longer offers is not listed: the pick finds nothing.
    fake.state.lmChats = copilotChats().slice(0, 1);
    fake.state.quickPickAnswers = ['VS Code language models', 'copilot/claude-sonnet-4'];
    assert.equal(await fake.commands.executeCommand('agensflow.selectModel'), false);
  });

  it('with no chat model offered, says how to get one instead of an empty list; Set API Key never offers vscode-lm', async () => {
    start();
    fake.state.quickPickAnswers = ['VS Code language models'];
    assert.equal(await fake.commands.executeCommand('agensflow.selectModel'), false);
    assert.ok(fake.state.messages.some((m) => m.level === 'warning' && /offers no chat model.*GitHub Copilot/.test(m.text)), JSON.stringify(fake.state.messages));
    fake.state.quickPickAnswers = ['VS Code language models'];
    assert.equal(await fake.commands.executeCommand('agensflow.setApiKey'), false, 'not among the providers that take a key');
    assert.equal(await fake.commands.executeCommand('agensflow.setApiKey', 'vscode-lm', 'sk-anything-1234'), false);
    assert.equal(context?.secrets.values.size, 0);
  });

  it('runs a plan through the chat model VS Code offers, with native tool calls', async () => {
    const { plan } = start({ 'agensflow.provider': 'vscode-lm', 'agensflow.models.agent': 'copilot/gpt-4o' });
    fake.state.lmChats = copilotChats();
    fake.state.lmChats[0]!.script = agentScript;
    const result = (await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult | undefined;
    assert.equal(result?.exitCode, 0, JSON.stringify([result, fake.state.messages]));
    assert.ok(fake.state.lmChats[0]!.requests.length >= 3, 'agent turns and the inspector');
    assert.equal(fake.state.lmChats[1]!.requests.length, 0, 'only the chosen model');
  });

  it('a consent declined by an agent mid-run pauses the run (no task failed) and offers Try Again, which resumes it: the task asks again and passes', async () => {
    const { plan, stateDir } = start({ 'agensflow.provider': 'vscode-lm', 'agensflow.models.agent': 'copilot/gpt-4o' });
    fake.state.lmChats = copilotChats();
    let requests = 0;
    fake.state.lmChats[0]!.script = (req) => (++requests === 1 ? { error: FakeLanguageModelError.NoPermissions('declined') } : agentScript(req));
    // What the journal holds when the user is asked, before they answer Try Again.
    let atPause: { status: string; tasks: Record<string, { status: string; reason?: string }> } | undefined;
    let completed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (completed = resolve));
    fake.state.onMessage = (m) => {
      if (/permission was not given/.test(m.text)) {
        const [runId] = readdirSync(join(stateDir, 'runs'));
        atPause = JSON.parse(readFileSync(join(stateDir, 'runs', runId!, 'run.json'), 'utf8')) as typeof atPause;
        fake.state.answers.push({ match: /permission was not given/, answer: 'Try Again' });
      }
      if (/run completed/.test(m.text)) completed();
    };
    const first = (await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult | undefined;
    assert.equal(first?.status, 'cancelled', 'paused, not failed');
    const shown = fake.state.messages.find((m) => /permission was not given/.test(m.text));
    assert.deepEqual(shown?.items, ['Try Again'], JSON.stringify(fake.state.messages));
    assert.equal(atPause?.status, 'cancelled');
    assert.equal(atPause?.tasks.one?.status, 'cancelled', 'the task waits to run again');
    assert.match(atPause?.tasks.one?.reason ?? '', /permission was not given.*choose Allow/, 'the task says why and what to do');
    assert.ok(!fake.state.messages.some((m) => m.items.some((i) => i.startsWith('Set API Key'))), JSON.stringify(fake.state.messages));
    // Try Again resumed the same run: the task asked again, wrote its file and passed.
    await done;
    const journal = await RunJournal.open(stateDir, first.runId);
    assert.equal(journal.record.status, 'completed');
    assert.equal(journal.record.resumes, 1);
    assert.equal(journal.record.tasks.one?.status, 'passed');
    assert.ok(requests > 1);
  });

  it('a consent declined while planning offers Try Again, which asks again for the same task after the user acts', async () => {
    start({ 'agensflow.provider': 'vscode-lm', 'agensflow.models.agent': 'copilot/gpt-4o', 'agensflow.candidates': 1 });
    fake.state.lmChats = copilotChats();
    const asked: string[] = [];
    let retried: (text: string) => void = () => undefined;
    const again = new Promise<string>((resolve) => (retried = resolve));
    fake.state.lmChats[0]!.script = (req) => {
      const text = JSON.stringify(req.messages.map((m) => m.content));
      asked.push(text);
      if (asked.length === 1) return { error: FakeLanguageModelError.NoPermissions('declined') };
      retried(text);
      // The second time the user allowed it: a plan the engine runs, then the agent's and inspector's answers.
      const tools = (req.options.tools ?? []).map((t) => t.name);
      return tools.includes('submit_workflow')
        ? [new FakeToolCallPart('p', 'submit_workflow', { goal: 'one file', tasks: [{ id: 'one', title: 'One', objective: 'o', files: ['one.txt'] }] })]
        : agentScript(req);
    };
    fake.state.answers.push({ match: /permission was not given/, answer: 'Try Again' });
    const first = (await fake.commands.executeCommand('agensflow.newTask', 'write one file')) as RunResult | undefined;
    assert.equal(first?.status, 'failed');
    const shown = fake.state.messages.find((m) => /permission was not given/.test(m.text));
    assert.deepEqual(shown?.items, ['Try Again'], JSON.stringify(fake.state.messages));
    // Only the user's answer starts the second request, for the same task.
    assert.match(await again, /write one file/);
    await fake.commands.executeCommand('agensflow.cancelRun');
  });
});
