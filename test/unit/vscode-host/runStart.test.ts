/**
 * Starting a run from VS Code when something is in the way, in the stand-in host (./fakeVscode.ts) against a
 * loopback fake model server: the typed task survives a start failure, the notices speak VS Code's words and
 * offer the fix (Set API Key for the provider, Open Settings and Retry for an unreachable server), Restricted
 * Mode is said before anything is typed, the task editor closes without touching other editors, and a
 * cancelled run's notice offers Resume.
 */
import './install';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeModelServer, type FakeHandler, type RecordedRequest } from '../../fixtures/fake-servers';
import { taskOf } from '../cli-run/fakeAgent';
import { activate, deactivate, type AgensFlowExports } from '../../../src/extension';
import { TASK_DOCUMENT_HEADER } from '../../../src/vscode/commands/taskDocument';
import type { RunResult } from '../../../src/vscode/run/runController';
import { secretKeyOf } from '../../../src/vscode/secrets';
import * as fake from './fakeVscode';

const EXTENSION_ROOT = resolve(__dirname, '../../..');
const KEY = 'sk-TEST-run-start-0123456789';

describe('vscode: starting a run when something is in the way (stand-in host)', function () {
  this.timeout(90_000);
  let base: string;
  let server: FakeModelServer | undefined;
  let context: ReturnType<typeof fake.extensionContext> | undefined;
  let exports: AgensFlowExports | undefined;
  let savedEnv: string | undefined;

  beforeEach(() => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-start-'));
    savedEnv = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
  });
  afterEach(async () => {
    await deactivate();
    for (const d of context?.subscriptions.splice(0).reverse() ?? []) d.dispose();
    context = undefined;
    await server?.close();
    server = undefined;
    if (savedEnv !== undefined) process.env.OPENAI_API_KEY = savedEnv;
    rmSync(base, { recursive: true, force: true });
  });

  /** Activates on a folder with the user's settings pointing at the fake server (`key`: stored or not). */
  async function start(handler: FakeHandler, options: { key?: boolean } = {}) {
    server = await FakeModelServer.start({ handler });
    const root = join(base, 'ws');
    mkdirSync(root, { recursive: true });
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(root), name: 'ws', index: 0 }];
    fake.state.config.set('agensflow.provider', 'openai');
    fake.state.config.set('agensflow.baseUrl', server.openaiBaseUrl);
    fake.state.config.set('agensflow.models.agent', 'gpt-4o-mini');
    fake.state.config.set('agensflow.candidates', 1);
    fake.state.config.set('agensflow.recovery.maxRetries', 0);
    context = fake.extensionContext(join(base, 'storage'), EXTENSION_ROOT);
    if (options.key !== false) context.secrets.values.set(secretKeyOf('openai'), KEY);
    exports = activate(context as never);
    return { root };
  }

  /** A message shown from now on whose text matches `pattern`. */
  function shown(pattern: RegExp): Promise<fake.ShownMessage> {
    const earlier = fake.state.messages.find((m) => pattern.test(m.text));
    if (earlier) return Promise.resolve(earlier);
    return new Promise((r) => {
      const previous = fake.state.onMessage;
      fake.state.onMessage = (m) => {
        previous?.(m);
        if (pattern.test(m.text)) r(m);
      };
    });
  }

  /** The command `id` runs next (the host's executeCommand), with its arguments. */
  function executed(id: string): Promise<unknown[]> {
    const from = fake.state.executed.length;
    return new Promise((r) => {
      const poll = (): void => {
        const hit = fake.state.executed.slice(from).find((e) => e.command === id);
        if (hit) r(hit.args);
        else setImmediate(poll);
      };
      poll();
    });
  }

  /** New Task, then the user types `text` below the header: the task document, active. */
  async function typeTask(text: string): Promise<fake.FakeTextDocument> {
    await fake.commands.executeCommand('agensflow.newTask');
    const doc = fake.state.activeEditor?.document;
    assert.ok(doc, 'New Task opened a document');
    assert.equal(doc.uri.scheme, 'untitled');
    doc.type(`${doc.getText()}${text}`);
    return doc;
  }

  const openTaskDocs = (): fake.FakeTextDocument[] => fake.state.documents.filter((d) => d.uri.scheme === 'untitled'
    && fake.state.tabs.some((t) => t.input instanceof fake.TabInputText && t.input.uri.toString() === d.uri.toString()));

  const planner = (plan: object) => (req: RecordedRequest) => {
    if (req.tools.includes('submit_workflow')) return { kind: 'message' as const, toolCalls: [{ name: 'submit_workflow', arguments: plan }] };
    if (req.forcedTool === 'submit_verdict') return { kind: 'message' as const, toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
    const t = taskOf(req);
    if (t?.turn === 1) return { kind: 'message' as const, toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: 'x\n' } })) };
    return { kind: 'message' as const, toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
  };
  const PLAN = { goal: 'g', tasks: [{ id: 'one', title: 'One', objective: 'o', files: ['one.txt'] }] };

  it('no key: "No API key for OpenAI." with Set API Key for OpenAI; the typed task comes back in its editor, and New Task reopens with it', async () => {
    await start(planner(PLAN), { key: false });
    const doc = await typeTask('a gobang game\nwith a GUI');
    const result = (await fake.commands.executeCommand('agensflow.startTask')) as RunResult | undefined;
    assert.equal(result?.status, 'failed');
    assert.equal(result?.planned, false);
    const error = await shown(/No API key/);
    assert.match(error.text, /^AgensFlow: No API key for OpenAI\. /);
    assert.doesNotMatch(error.text, /--api-key|pass /);
    assert.deepEqual(error.items, ['Set API Key']);
    assert.equal(server?.requests.length, 0);
    // The typed text is in the task editor again (the first one closed without a save prompt).
    assert.deepEqual(fake.state.savePrompts, []);
    const again = fake.state.activeEditor?.document;
    assert.ok(again && again !== doc);
    assert.equal(again.getText(), `${TASK_DOCUMENT_HEADER}a gobang game\nwith a GUI`);
    assert.deepEqual(openTaskDocs(), [again]);
    // Closed by the user: New Task opens with the text again.
    await fake.window.tabGroups.close(fake.state.tabs);
    await fake.commands.executeCommand('agensflow.newTask');
    assert.equal(fake.state.activeEditor?.document.getText(), `${TASK_DOCUMENT_HEADER}a gobang game\nwith a GUI`);
    // The notice's button stores the key for that provider (no picker).
    fake.state.answers.push({ match: /No API key/, answer: 'Set API Key' });
    fake.state.inputBoxAnswers.push(KEY);
    const setKey = executed('agensflow.setApiKey');
    await fake.commands.executeCommand('agensflow.newTask', 'a gobang game');
    assert.deepEqual(await setKey, ['openai']);
  });

  it('a task that gets a plan closes its editor for good, and New Task opens empty', async () => {
    await start(planner(PLAN));
    await typeTask('a small thing');
    const result = (await fake.commands.executeCommand('agensflow.startTask')) as RunResult | undefined;
    assert.equal(result?.status, 'completed');
    assert.equal(result?.planned, true);
    assert.deepEqual(openTaskDocs(), []);
    assert.deepEqual(fake.state.savePrompts, []);
    await fake.commands.executeCommand('agensflow.newTask');
    assert.equal(fake.state.activeEditor?.document.getText(), TASK_DOCUMENT_HEADER);
  });

  it('the task editor is closed by its own tabs: the active editor (a preview beside it) is never reverted or closed', async () => {
    await start(planner(PLAN));
    const doc = await typeTask('a small thing');
    // Another editor's tab (say a Markdown preview of README.md) stays open through the start.
    const readme = fake.Uri.file(join(base, 'README.md'));
    writeFileSync(readme.fsPath, '# readme\n');
    const other = { input: new fake.TabInputText(readme) };
    fake.state.tabs.push(other);
    // VS Code's Revert and Close acts on whatever editor is active: record which one that was.
    const reverted: string[] = [];
    fake.state.commands.set('workbench.action.revertAndCloseActiveEditor', async () => {
      const active = fake.state.activeEditor?.document;
      reverted.push(active?.uri.toString() ?? 'none');
      if (!active) return;
      active.setText('');
      active.isDirty = false;
      await fake.window.tabGroups.close(fake.state.tabs.filter((t) => t.input instanceof fake.TabInputText && t.input.uri.toString() === active.uri.toString()));
    });
    await fake.commands.executeCommand('agensflow.startTask');
    assert.ok(fake.state.tabs.includes(other), 'the other editor is still open');
    assert.ok(!fake.state.tabs.some((t) => t.input instanceof fake.TabInputText && t.input.uri.toString() === doc.uri.toString()), 'no tab of the task document is left');
    assert.deepEqual(reverted, [doc.uri.toString()], 'only the task document was reverted and closed');
    assert.equal(doc.getText(), '', 'nothing of the task is left in an untitled buffer');
    assert.equal(doc.isDirty, false);
    assert.deepEqual(fake.state.savePrompts, []);
  });

  it('Restricted Mode: New Task says so before anything is typed (no editor opens); a typed task\'s editor stays open', async () => {
    await start(planner(PLAN));
    const doc = await typeTask('typed while trusted');
    fake.workspace.isTrusted = false;
    assert.equal(await fake.commands.executeCommand('agensflow.startTask'), undefined);
    assert.ok(fake.state.tabs.some((t) => t.input instanceof fake.TabInputText && t.input.uri.toString() === doc.uri.toString()), 'the typed task stays in its editor');
    assert.equal(fake.state.activeEditor?.document, doc);
    const warning = fake.state.messages.at(-1);
    assert.match(warning?.text ?? '', /Restricted Mode/);
    assert.deepEqual(warning?.items, ['Manage Workspace Trust']);
    const before = fake.state.documents.length;
    fake.state.messages = [];
    assert.equal(await fake.commands.executeCommand('agensflow.newTask'), undefined);
    assert.equal(fake.state.documents.length, before, 'no task editor opened');
    assert.match(fake.state.messages[0]?.text ?? '', /Restricted Mode/);
    assert.equal(server?.requests.length, 0);
  });

  it('an unreachable server: Open Settings (at agensflow.baseUrl) and Retry, the run shows failed with the reason, and Retry starts the task again', async () => {
    await start(planner(PLAN));
    // The server goes away: its port now refuses connections.
    const url = server?.openaiBaseUrl ?? '';
    await server?.close();
    server = undefined;
    fake.state.config.set('agensflow.baseUrl', url);
    fake.state.answers.push({ match: /cannot reach/, answer: 'Open Settings' });
    const opened = executed('workbench.action.openSettings');
    const result = (await fake.commands.executeCommand('agensflow.newTask', 'a game')) as RunResult | undefined;
    assert.equal(result?.status, 'failed');
    const notice = await shown(/cannot reach/);
    assert.match(notice.text, new RegExp(`cannot reach OpenAI at ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(notice.items, ['Open Settings', 'Retry', 'Show Log']);
    assert.deepEqual(await opened, ['agensflow.baseUrl']);
    // What reaches the views: failed, with the reason, no plan.
    const view = exports?.runState();
    assert.equal(view?.run?.status, 'failed');
    assert.ok(view?.run?.reason, 'the reason is in the state');
    assert.equal(view?.plan, null);
    // Retry: the same task is started again once; the notice of that second try is left unanswered.
    fake.state.messages = [];
    fake.state.answers = [{ match: /cannot reach/, answer: 'Retry' }];
    const retried = new Promise<void>((r) => {
      let seen = 0;
      fake.state.onMessage = (m) => {
        if (!/cannot reach/.test(m.text) || ++seen < 2) return;
        fake.state.answers = [];
        r();
      };
    });
    const firstRun = view?.run?.runId;
    await fake.commands.executeCommand('agensflow.newTask', 'a game');
    const secondRun = exports?.runState().run?.runId;
    await retried;
    const retriedRun = exports?.runState().run;
    assert.notEqual(retriedRun?.runId, secondRun, 'Retry started a new run');
    assert.notEqual(retriedRun?.runId, firstRun);
    assert.equal(retriedRun?.goal, 'a game', 'of the same task');
  });

  it('a cancelled run\'s notice offers Resume, which continues that run', async () => {
    let hang = true;
    let arrived: () => void = () => undefined;
    const waiting = new Promise<void>((r) => {
      arrived = r;
    });
    await start((req) => {
      const t = taskOf(req);
      if (t?.id === 'one' && hang) {
        arrived();
        return { kind: 'hang' };
      }
      return planner(PLAN)(req);
    });
    const plan = join(base, 'plan.json');
    writeFileSync(plan, JSON.stringify(PLAN));
    const running = Promise.resolve(fake.commands.executeCommand('agensflow.runPlanFile', fake.Uri.file(plan)));
    await waiting;
    // The user will press the notice's Resume; the model answers from now on.
    hang = false;
    fake.state.answers.push({ match: /run cancelled/, answer: 'Resume' });
    const notice = shown(/run cancelled/);
    const resumed = executed('agensflow.resumeRun');
    const completed = shown(/run completed/);
    fake.state.messages = [];
    await fake.commands.executeCommand('agensflow.cancelRun');
    const result = (await running) as RunResult;
    assert.equal(result.status, 'cancelled');
    const message = await notice;
    assert.doesNotMatch(message.text, /Resume it with|AgensFlow: Resume Run/);
    assert.deepEqual(message.items, ['Resume', 'Show Graph']);
    assert.deepEqual(await resumed, [result.runId]);
    await completed;
    assert.equal(exports?.runState().run?.runId, result.runId, 'the same run continued');
    assert.equal(exports?.runState().run?.status, 'completed');
  });
});
