/**
 * The new user's walk, end to end: the packaged extension in code-server 4.96.4, driven in Debian Chromium as
 * a person would, with a scripted loopback model (no model is involved). The steps follow what a new user
 * meets: no model set (the sidebar says so, with a link), a model set; a task typed, a start that fails (the
 * server is unreachable) and the typed task still there; the server fixed and Retry; a reload of the window
 * mid-run, after which the sidebar shows the run as interrupted with a Resume button; resume, cancel, resume
 * from the cancel notification's button; a 30-task plan at fit; then the graph and the sidebar in the four
 * themes (light, dark, and both high-contrast ones). Every step waits on what the page shows, never on a
 * fixed sleep. A screenshot is saved after each step in test-artifacts/walk/.
 *
 * Usage: tsx test/e2e/walk.e2e.ts --vsix agensflow-<version>.vsix [--keep] [--out DIR]   (npm run test:e2e)
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Frame, Page } from 'playwright-core';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { ensureCodeServer } from '../host/install-code-server';
import { installVsix, prepareServerDirs, setUserSettings, startCodeServer, workbenchUrl, type RunningServer } from '../host/lib/codeServer';
import { ARTIFACTS_DIR } from '../host/lib/paths';
import { until as poll } from '../host/lib/poll';
import { waitForActivation } from '../host/lib/readiness';
import { exitWithResult, sayer } from '../host/lib/steps';
import { finish, ShotSteps, stoppedOutside } from './harness';
import { launchChromium, runPalette, settled, startTaskFromEditor, webviewFrame } from '../host/lib/workbench';

const { values: opts } = parseArgs({ options: { vsix: { type: 'string' }, keep: { type: 'boolean', default: false }, out: { type: 'string' } } });

const STEP_TIMEOUT = 60_000;
const RUN_TIMEOUT = 180_000;
const ACTIVATION_TIMEOUT = 120_000;
const SHOTS = opts.out ? path.resolve(opts.out) : path.join(ARTIFACTS_DIR, 'walk');
/** The four themes: the name used in screenshot files, the theme's label, the workbench's class for it. */
const THEMES = [
  ['dark', 'Dark Modern', 'vs-dark'],
  ['light', 'Light Modern', 'vs'],
  ['hc-dark', 'Dark High Contrast', 'hc-black'],
  ['hc-light', 'Light High Contrast', 'hc-light'],
] as const;

/**
 * Picks `theme` in Preferences: Color Theme as a user would: types its name, moves the highlight to the row
 * with exactly that label (typing "Light Modern" may list another first), Enter.
 */
async function pickTheme(page: Page, theme: string): Promise<void> {
  // Ctrl+K Ctrl+T: the palette's "Color Theme" query also lists "Browse Color Themes in Marketplace", first.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await page.locator('.quick-input-widget .monaco-list-row .label-name', { hasText: /^Dark Modern$/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.keyboard.type(theme);
  const exact = new RegExp(`^${theme}$`);
  for (let moves = 0; ; moves++) {
    const focused = page.locator('.quick-input-widget .monaco-list-row.focused .label-name').first();
    await focused.waitFor({ timeout: STEP_TIMEOUT });
    if (exact.test(((await focused.textContent()) ?? '').trim())) break;
    if (moves === 8) throw new Error(`the Color Theme picker never highlighted ${theme}`);
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}
/** The steps of the walk, the themes' screenshots included. */
const STEPS = 12 + THEMES.length;

const say = sayer('walk');
const until = <T>(what: string, check: () => T | undefined | false, timeoutMs = STEP_TIMEOUT): Promise<T> => poll(what, check, { timeoutMs });

interface PlanTask { id: string; title: string; objective: string; role: string; deps?: string[]; files: string[]; acceptance: string[] }

/** The small plan of the first run: six tasks, `slow` held back by the script so the run can be caught mid-way. */
const SMALL: { goal: string; tasks: PlanTask[] } = {
  goal: 'A small command-line todo list in Python',
  tasks: [
    { id: 'store', title: 'Todo store', objective: 'todo/store.py: load and save the list as JSON.', role: 'python developer', files: ['todo/store.py'], acceptance: ['round-trips a list'] },
    { id: 'model', title: 'Todo model', objective: 'todo/model.py: a Todo with a title and a done flag.', role: 'python developer', files: ['todo/model.py'], acceptance: ['has title and done'] },
    { id: 'slow', title: 'Command line', objective: 'todo/cli.py: add, list and done commands.', role: 'python developer', deps: ['store', 'model'], files: ['todo/cli.py'], acceptance: ['three commands'] },
    { id: 'main', title: 'Entry point', objective: 'todo/__main__.py: python3 -m todo runs the command line.', role: 'python developer', deps: ['slow'], files: ['todo/__main__.py'], acceptance: ['python3 -m todo works'] },
    { id: 'tests', title: 'Unit tests', objective: 'tests/test_store.py: tests for the store.', role: 'tester', deps: ['store'], files: ['tests/test_store.py'], acceptance: ['covers save and load'] },
    { id: 'docs', title: 'README', objective: 'README.md: how to use the todo list.', role: 'writer', deps: ['main'], files: ['README.md'], acceptance: ['names the commands'] },
  ],
};

/** A 30-task plan in five layers, each task depending on one or two of the layer before. */
function largePlan(): { goal: string; tasks: PlanTask[] } {
  const words = ['parser', 'lexer', 'printer', 'config loader', 'cache', 'scheduler'];
  const tasks: PlanTask[] = [];
  for (let layer = 0; layer < 5; layer++) {
    for (let i = 0; i < 6; i++) {
      const id = `l${layer}-${words[i]!.split(' ')[0]}`;
      const deps = layer === 0 ? [] : [`l${layer - 1}-${words[i]!.split(' ')[0]}`, ...(i > 0 ? [`l${layer - 1}-${words[i - 1]!.split(' ')[0]}`] : [])];
      tasks.push({
        id,
        title: `Stage ${layer + 1} of the ${words[i]}: extend it with the next feature`,
        objective: `todo/stages/${id}.py: stage ${layer + 1} of the ${words[i]}.`,
        role: 'python developer',
        ...(deps.length > 0 ? { deps } : {}),
        files: [`todo/stages/${id}.py`],
        acceptance: ['compiles'],
      });
    }
  }
  return { goal: 'A 30-task refactoring of a small compiler', tasks };
}
const LARGE = largePlan();

/** Releases the held `slow` task (armed again by {@link hold}). */
let release: () => void = () => undefined;
let held: Promise<void> = Promise.resolve();
function hold(): void {
  held = new Promise<void>((resolve) => {
    release = resolve;
  });
}

/** Which plan the planner answers with next. */
let plan: { goal: string; tasks: PlanTask[] } = SMALL;

/** The scripted model: the plan, then each agent writes its files and finishes; the inspector passes everything. */
async function handler(req: RecordedRequest): Promise<FakeReply> {
  if (req.tools.includes('submit_workflow')) return reply.tool('submit_workflow', plan, { delayMs: 300 });
  if (req.tools.includes('submit_verdict')) return reply.tool('submit_verdict', { pass: true, reasons: ['meets its acceptance criteria'] });
  if (req.tools.includes('submit_update')) return reply.tool('submit_update', { reason: 'no change needed', replace: [], add: [], remove: [] });
  const messages = (req.body as { messages?: { role: string; content?: unknown }[] }).messages ?? [];
  const first = messages.find((m) => m.role === 'user');
  const id = /^Task ([a-z0-9_-]+): /.exec(typeof first?.content === 'string' ? first.content : '')?.[1];
  const task = plan.tasks.find((t) => t.id === id);
  if (!task) throw new Error(`walk: unexpected request (tools ${req.tools.join(', ')})`);
  if (!messages.some((m) => m.role === 'assistant')) {
    if (task.id === 'slow') await held;
    return { kind: 'message', text: `Writing ${task.files.join(', ')}.`, toolCalls: task.files.map((p) => ({ name: 'write_file', arguments: { path: p, content: `"""${task.title}."""\n\nVALUE = ${JSON.stringify(task.id)}\n` } })), delayMs: 100 };
  }
  return reply.tool('finish', { summary: `${task.title}: done` }, { delayMs: 50 });
}

/** A loopback port nobody listens on (an "unreachable server" that fails at once, not after a timeout). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Picks the quick pick's row that starts with `label`. */
async function pickRow(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT });
  await row.click();
}

/** Waits for the input box whose title matches `title`, types `value` over its text (when given) and presses Enter. */
async function acceptInput(page: Page, title: RegExp, value?: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title, .quick-input-widget .quick-input-message', { hasText: title }).first().waitFor({ timeout: STEP_TIMEOUT });
  const box = page.locator('.quick-input-widget .quick-input-box input');
  if (value !== undefined) await box.fill(value);
  await box.press('Enter');
}

const graphFrame = (page: Page): Promise<Frame> => webviewFrame(page, 'graph', STEP_TIMEOUT);
const sidebarFrame = (page: Page): Promise<Frame> => webviewFrame(page, 'sidebar', STEP_TIMEOUT);

/** Opens AgensFlow's view container in the activity bar. */
async function openSidebar(page: Page): Promise<Frame> {
  const item = page.locator('.activitybar .action-item a[aria-label^="AgensFlow"]').first();
  await item.waitFor({ timeout: STEP_TIMEOUT });
  if (!(await page.locator('.part.sidebar .composite.title', { hasText: /AgensFlow/i }).isVisible().catch(() => false))) await item.click();
  return sidebarFrame(page);
}

/** Clicks a button of a notification toast (or of one in the notification centre). */
async function clickNotificationButton(page: Page, message: RegExp, label: string | RegExp): Promise<void> {
  const toast = page.locator('.notification-toast, .notifications-center .notification-list-item').filter({ hasText: message }).first();
  await toast.waitFor({ timeout: STEP_TIMEOUT });
  await toast.locator('.monaco-button', { hasText: label }).first().click();
}

async function main(): Promise<number> {
  if (!opts.vsix) throw new Error('--vsix FILE is required (npm run package makes it)');
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const serverDir = await ensureCodeServer();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-walk-'));
  const dirs = prepareServerDirs(tmp);
  const workspace = path.join(tmp, 'todo');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'README.md'), '# Todo\n');
  const model = await FakeModelServer.start({ handler });
  const unreachable = `http://127.0.0.1:${await closedPort()}/v1`;
  // A new user: the provider chosen, no model yet, and (first) a base URL where nothing answers.
  setUserSettings(dirs, {
    'agensflow.provider': 'openai-compatible',
    'agensflow.baseUrl': unreachable,
    'agensflow.candidates': 1,
    'agensflow.maxAgents': 3,
    'workbench.colorTheme': 'Default Dark Modern',
    'security.workspace.trust.enabled': false,
  });
  await installVsix(serverDir, dirs, opts.vsix);

  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const steps = new ShotSteps(SHOTS, say, true);
  const step = (title: string, fn: (p: Page) => Promise<void>, name?: string): Promise<void> => steps.run(page as Page, title, fn, name);

  try {
    server = await startCodeServer({ serverDir, dirs, folder: workspace });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(workbenchUrl(server.port, workspace), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    process.stdout.write(`\nwalk (code-server, installed ${path.basename(opts.vsix)}, scripted model at ${model.openaiBaseUrl}):\n`);

    await step('with no model set, the sidebar says so with a link', async (p) => {
      await waitForActivation(dirs.userDataDir, ACTIVATION_TIMEOUT);
      const sb = await openSidebar(p);
      await sb.locator('button', { hasText: /Set a model/i }).first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    }, 'no-model');
    await step('Set a model first leads through Select Provider and Model; then the sidebar no longer asks', async (p) => {
      const sb = await sidebarFrame(p);
      await sb.locator('button', { hasText: /Set a model first/ }).first().click();
      await pickRow(p, 'OpenAI-compatible');
      // The base URL as set (nothing answers there yet): the server cannot list its models, so a name is typed.
      await acceptInput(p, /base URL/i);
      await acceptInput(p, /model name/i, 'scripted-walk');
      await sb.locator('button', { hasText: /Set a model first/ }).first().waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
    }, 'model-set');
    await step('New Task opens a task document and the task is typed', async (p) => {
      await runPalette(p, 'AgensFlow: New Task', /AgensFlow: New Task…/, STEP_TIMEOUT);
      await p.locator('.monaco-editor .view-lines', { hasText: 'AgensFlow task' }).first().waitFor({ timeout: STEP_TIMEOUT });
      await p.locator('.statusbar-item', { hasText: /Ln 3, Col 1/ }).first().waitFor({ timeout: STEP_TIMEOUT });
      await p.keyboard.type(SMALL.goal);
      await p.locator('.monaco-editor.focused .view-lines', { hasText: 'todo list' }).waitFor({ timeout: STEP_TIMEOUT });
    }, 'task-typed');
    await step('starting against an unreachable server fails with Open Settings and Retry, and keeps the typed task', async (p) => {
      await startTaskFromEditor(p, STEP_TIMEOUT);
      const toast = p.locator('.notification-toast').filter({ hasText: /reach|connect/i }).first();
      await toast.waitFor({ timeout: STEP_TIMEOUT });
      await toast.locator('.monaco-button', { hasText: 'Open Settings' }).waitFor({ timeout: STEP_TIMEOUT });
      await toast.locator('.monaco-button', { hasText: 'Retry' }).waitFor({ timeout: STEP_TIMEOUT });
      await p.locator('.monaco-editor .view-lines', { hasText: 'todo list' }).first().waitFor({ timeout: STEP_TIMEOUT });
    }, 'start-failed');
    await step('with the base URL fixed in Settings, the kept task starts again and the graph shows the plan', async (p) => {
      hold();
      await clickNotificationButton(p, /reach/i, 'Open Settings');
      const input = p.locator('.settings-editor .setting-item-contents', { hasText: /Base Url/i }).locator('input').first();
      await input.waitFor({ timeout: STEP_TIMEOUT });
      await input.fill(model.openaiBaseUrl);
      await input.press('Enter');
      await until('the new base URL in the user settings', () => fs.readFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), 'utf8').includes(model.openaiBaseUrl));
      // Open Settings closed the notice; the typed task is still in its editor: start it again from there. The
      // setting reaches the extension host a moment after the file is written: a start that still met the old
      // address says so again, and the user presses Ctrl+Enter once more (counted in the output).
      for (let attempt = 1; ; attempt++) {
        await p.keyboard.press('Escape');
        await p.locator('.tab', { hasText: /AgensFlow task/ }).first().click();
        await p.locator('.monaco-editor.focused .view-lines', { hasText: 'todo list' }).waitFor({ timeout: STEP_TIMEOUT });
        await startTaskFromEditor(p, STEP_TIMEOUT);
        const planned = graphFrame(p).then((g) => g.locator('.node[data-task-id]').first().waitFor({ timeout: STEP_TIMEOUT })).then(() => true);
        const refused = p.locator('.notification-toast').filter({ hasText: /reach/i }).first().waitFor({ timeout: STEP_TIMEOUT }).then(() => false);
        if (await Promise.race([planned, refused])) break;
        say(`start ${attempt} still met the old base URL`);
        if (attempt === 3) throw new Error('three starts after the base URL was fixed still used the old one');
      }
      const g = await graphFrame(p);
      await g.locator('.node[data-task-id]').nth(5).waitFor({ timeout: STEP_TIMEOUT });
      await p.locator('.statusbar-item', { hasText: /AgensFlow: [2-5]\/6/ }).first().waitFor({ timeout: RUN_TIMEOUT });
    }, 'running');
    await step('after Reload Window mid-run the sidebar shows the run interrupted, with Resume and Cancel disabled', async (p) => {
      await runPalette(p, 'Developer: Reload Window', /Developer: Reload Window/, STEP_TIMEOUT);
      await p.waitForEvent('load', { timeout: STEP_TIMEOUT }).catch(() => undefined);
      await p.locator('.statusbar-item', { hasText: /AgensFlow/ }).first().waitFor({ timeout: ACTIVATION_TIMEOUT });
      const sb = await openSidebar(p);
      await sb.locator('button', { hasText: /^\s*Resume/ }).first().waitFor({ timeout: STEP_TIMEOUT });
      const cancel = sb.locator('button', { hasText: /^\s*Cancel\s*$/ });
      if ((await cancel.count()) > 0 && (await cancel.first().isEnabled())) throw new Error('the sidebar still offers an enabled Cancel for an interrupted run');
      if (await sb.locator('.codicon-modifier-spin, .spinner').count() > 0) throw new Error('the sidebar still shows a spinner for an interrupted run');
    }, 'reloaded');
    await step('Resume continues the run', async (p) => {
      const sb = await sidebarFrame(p);
      await sb.locator('button', { hasText: /^\s*Resume/ }).first().click();
      await p.locator('.statusbar-item', { hasText: /AgensFlow: [0-9]+\/6/ }).first().waitFor({ timeout: STEP_TIMEOUT });
    }, 'resumed');
    await step('Cancel Run stops it, and the notification offers Resume', async (p) => {
      await runPalette(p, 'AgensFlow: Cancel Run', /AgensFlow: Cancel Run/, STEP_TIMEOUT);
      const toast = p.locator('.notification-toast').filter({ hasText: /cancel/i }).first();
      await toast.waitFor({ timeout: STEP_TIMEOUT });
      await toast.locator('.monaco-button', { hasText: /Resume/ }).waitFor({ timeout: STEP_TIMEOUT });
    }, 'cancelled');
    await step('Resume from the notification runs the rest to the end', async (p) => {
      release();
      await clickNotificationButton(p, /cancel/i, /Resume/);
      await p.locator('.statusbar-item', { hasText: /to review|completed/ }).first().waitFor({ timeout: RUN_TIMEOUT });
      const g = await graphFrame(p);
      await g.waitForFunction(() => [...document.querySelectorAll('.node[data-task-id]')].every((n) => n.classList.contains('status-passed')), undefined, { timeout: RUN_TIMEOUT, polling: 500 });
    }, 'finished');
    await step('Accept All Verified applies the patches', async (p) => {
      await runPalette(p, 'AgensFlow: Accept All Verified', /Accept All Verified/, STEP_TIMEOUT);
      await until('todo/cli.py on disk', () => fs.existsSync(path.join(workspace, 'todo', 'cli.py')));
    }, 'accepted');
    await step('a 30-task plan is readable at fit', async (p) => {
      plan = LARGE;
      await runPalette(p, 'Notifications: Clear All Notifications', /Clear All Notifications/, STEP_TIMEOUT);
      await runPalette(p, 'AgensFlow: New Task', /AgensFlow: New Task…/, STEP_TIMEOUT);
      await p.locator('.statusbar-item', { hasText: /Ln 3, Col 1/ }).first().waitFor({ timeout: STEP_TIMEOUT });
      await p.keyboard.type(LARGE.goal);
      await startTaskFromEditor(p, STEP_TIMEOUT);
      const g = await graphFrame(p);
      await g.locator('.node[data-task-id]').nth(29).waitFor({ timeout: STEP_TIMEOUT });
      await p.locator('.statusbar-item', { hasText: /to review|completed/ }).first().waitFor({ timeout: RUN_TIMEOUT });
      await runPalette(p, 'View: Close Primary Side Bar', /Close Primary Side Bar/, STEP_TIMEOUT);
      await runPalette(p, 'Notifications: Clear All Notifications', /Clear All Notifications/, STEP_TIMEOUT);
      await settled(p);
      // Readable at fit: a node's title text is drawn at least 9 CSS pixels high on the page.
      const smallest = await g.evaluate(() => Math.min(...[...document.querySelectorAll('.node[data-task-id] .node-title, .node[data-task-id] text')].map((e) => e.getBoundingClientRect().height).filter((h) => h > 0)));
      say(`smallest node title at fit: ${smallest.toFixed(1)} px`);
      if (!(smallest >= 9)) throw new Error(`node titles are ${smallest.toFixed(1)} px high at fit`);
    }, 'large-plan');
    await step('the sidebar after the runs', async (p) => {
      await openSidebar(p);
    }, 'sidebar');
    for (const [name, theme, look] of THEMES) {
      await step(`the graph and sidebar in ${theme}`, async (p) => {
        if (name !== 'dark') await pickTheme(p, theme);
        await p.locator(`.monaco-workbench.${look}`).waitFor({ timeout: STEP_TIMEOUT });
        await openSidebar(p);
        await runPalette(p, 'Notifications: Clear All Notifications', /Clear All Notifications/, STEP_TIMEOUT);
      }, `theme-${name}`);
    }
  } catch (e) {
    stoppedOutside(steps, e, say);
  }
  return finish({ steps, expected: STEPS, dirs, shots: SHOTS, tmp, keep: opts.keep, say, browser, server, model });
}

exitWithResult(main, say);
