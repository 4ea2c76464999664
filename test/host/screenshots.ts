/**
 * Takes the README's screenshots in a real VS Code (code-server 4.96.4 + Debian Chromium): the extension from
 * this repository, a scripted loopback model server (openai-compatible, no key; no real model is involved),
 * a task typed into "AgensFlow: New Task…" and started with Ctrl+Enter. One task is held back so the graph
 * can be caught mid-run; then the run ends and the graph is taken again with the `ai` task selected (its first
 * answer fails the built-in Python check and is repaired by the recovery step: a retry, or a local update if the
 * policy picks one), then the sidebar. Light and dark.
 *
 * Usage: npm run build && tsx test/host/screenshots.ts [--out docs/screenshots] [--keep]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeModelServer, reply, type FakeReply, type RecordedRequest } from '../fixtures/fake-servers';
import { ensureCodeServer } from './install-code-server';
import { prepareServerDirs, setUserSettings, startCodeServer, workbenchUrl } from './lib/codeServer';
import { REPO_ROOT } from './lib/paths';
import { printFailureContext, waitForActivation } from './lib/readiness';
import { sayer } from './lib/steps';
import { launchChromium, runPalette, settled, webviewFrame } from './lib/workbench';

const { values: opts } = parseArgs({ options: { out: { type: 'string', default: path.join(REPO_ROOT, 'docs', 'screenshots') }, keep: { type: 'boolean', default: false } } });
const WAIT = 60_000;

const PLAN = {
  goal: 'A gobang (five in a row) game in Python with a Tkinter GUI and a simple AI opponent',
  tasks: [
    { id: 'board', title: 'Board model', objective: 'gobang/board.py: a 15x15 board, moves, and five-in-a-row detection in every direction.', role: 'python developer', files: ['gobang/board.py'], acceptance: ['detects five in a row horizontally, vertically and diagonally', 'rejects a move on an occupied cell'] },
    { id: 'ai', title: 'AI opponent', objective: 'gobang/ai.py: best_move(board, player) scores the empty cells for attack and defence and returns the best one.', role: 'python developer', deps: ['board'], files: ['gobang/ai.py'], acceptance: ['plays a legal move', 'completes its own four', 'blocks an open four'] },
    { id: 'gui', title: 'Tkinter GUI', objective: 'gobang/gui.py: draw the board, take clicks, show whose turn it is and the winner.', role: 'python developer', deps: ['board'], files: ['gobang/gui.py'], acceptance: ['shows whose turn it is', 'announces the winner'] },
    { id: 'main', title: 'Entry point', objective: 'gobang/__main__.py: wire the GUI, the board and the AI; python3 -m gobang starts a game.', role: 'python developer', deps: ['ai', 'gui'], files: ['gobang/__main__.py'], acceptance: ['python3 -m gobang opens the window'] },
    { id: 'tests', title: 'Unit tests', objective: 'tests/test_board.py: tests for the board rules.', role: 'tester', deps: ['board'], files: ['tests/test_board.py'], acceptance: ['covers the four directions'] },
    { id: 'readme', title: 'README', objective: 'README.md: how to install and play.', role: 'writer', deps: ['main'], files: ['README.md'], acceptance: ['names the command that starts the game'] },
  ],
};

/** The first answer of `ai`: cut off after a `def` line, so Python's own compile check fails it. */
const BROKEN_AI = 'from .board import SIZE\n\n\ndef best_move(board, player):\n';

const CONTENT: Record<string, string> = {
  'gobang/board.py': 'SIZE = 15\n\n\nclass Board:\n    def __init__(self):\n        self.cells = [[0] * SIZE for _ in range(SIZE)]\n\n    def play(self, row, col, player):\n        self.cells[row][col] = player\n        return self.five(row, col, player)\n\n    def five(self, row, col, player):\n        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):\n            n = 1\n            for s in (1, -1):\n                r, c = row + s * dr, col + s * dc\n                while 0 <= r < SIZE and 0 <= c < SIZE and self.cells[r][c] == player:\n                    n += 1\n                    r, c = r + s * dr, c + s * dc\n            if n >= 5:\n                return True\n        return False\n',
  'gobang/ai.py': 'from .board import SIZE\n\n\ndef best_move(board, player):\n    empty = [(r, c) for r in range(SIZE) for c in range(SIZE) if board.cells[r][c] == 0]\n    return empty[len(empty) // 2]\n',
  'gobang/gui.py': 'import tkinter as tk\n\nfrom .board import SIZE\n\n\nclass App(tk.Frame):\n    pass\n',
  'gobang/__main__.py': 'from .gui import App\n\nif __name__ == "__main__":\n    App().mainloop()\n',
  'tests/test_board.py': 'from gobang.board import Board\n\n\ndef test_five():\n    b = Board()\n    assert not any(b.play(0, c, 1) for c in range(4))\n    assert b.play(0, 4, 1)\n',
  'README.md': '# Gobang\n\nRun `python3 -m gobang`.\n',
};

let release: () => void = () => undefined;
let held = Promise.resolve();
/** Attempts started per task in the current theme's run. */
const attempts = new Map<string, number>();
/** Holds the `gui` agent back until {@link release} (one gate per theme's run) and resets the attempt counts. */
function hold(): void {
  attempts.clear();
  held = new Promise<void>((resolve) => {
    release = resolve;
  });
}

/**
 * The scripted model: the plan, then each agent writes its file and finishes; `gui` waits for `release`;
 * `ai`'s first answer is broken (the next attempt, or the task after a local update, writes the whole file).
 */
async function handler(req: RecordedRequest): Promise<FakeReply> {
  if (req.tools.includes('submit_workflow')) return reply.tool('submit_workflow', PLAN, { delayMs: 800 });
  // The inspector's conversation opens with "Task <id>: <title>" too: tell it apart by its tool.
  if (req.tools.includes('submit_verdict')) return reply.tool('submit_verdict', { pass: true, reasons: ['meets its acceptance criteria'] }, { delayMs: 150 });
  const ai = PLAN.tasks.find((t) => t.id === 'ai');
  if (req.tools.includes('submit_update') && ai) {
    return reply.tool('submit_update', {
      reason: 'ai.py stops after the best_move header: ask for the whole module and keep the interface',
      replace: [{ ...ai, objective: `${ai.objective} Write the whole module, ending with best_move's body.` }],
      add: [],
      remove: [],
    }, { delayMs: 400 });
  }
  const messages = (req.body as { messages?: { role: string; content?: unknown }[] }).messages ?? [];
  const first = messages.find((m) => m.role === 'user');
  const id = /^Task ([a-z0-9_-]+): /.exec(typeof first?.content === 'string' ? first.content : '')?.[1];
  const task = PLAN.tasks.find((t) => t.id === id);
  if (!task) throw new Error(`screenshots: unexpected request (tools ${req.tools.join(', ')})`);
  if (!messages.some((m) => m.role === 'assistant')) {
    if (task.id === 'gui') await held;
    const attempt = (attempts.get(task.id) ?? 0) + 1;
    attempts.set(task.id, attempt);
    const broken = task.id === 'ai' && attempt === 1;
    const text = broken ? `Writing ${task.files.join(', ')}: the scoring first, the helpers next.`
      : attempt > 1 ? `The check found ${task.files.join(', ')} cut off; writing the whole module this time.`
        : `Writing ${task.files.join(', ')} for "${task.title}".`;
    return { kind: 'message', text, toolCalls: task.files.map((p) => ({ name: 'write_file', arguments: { path: p, content: broken ? BROKEN_AI : CONTENT[p] ?? '' } })), delayMs: 300, chunkDelayMs: 20 };
  }
  return reply.tool('finish', { summary: `${task.title}: done` }, { delayMs: 200 });
}

const say = sayer('screenshots');

async function shoot(theme: 'light' | 'dark', model: FakeModelServer, serverDir: string): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-shots-'));
  const dirs = prepareServerDirs(tmp);
  setUserSettings(dirs, {
    'workbench.colorTheme': theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern',
    'security.workspace.trust.enabled': false,
    'agensflow.provider': 'openai-compatible',
    'agensflow.baseUrl': model.openaiBaseUrl,
    'agensflow.models.agent': 'scripted-model',
    'agensflow.candidates': 1,
    'agensflow.maxAgents': 3,
  });
  const workspace = path.join(tmp, 'gobang');
  fs.mkdirSync(workspace);
  const server = await startCodeServer({ serverDir, dirs, folder: workspace });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(workbenchUrl(server.port, workspace, { extensionDevelopmentPath: REPO_ROOT }), { waitUntil: 'domcontentloaded', timeout: WAIT });
    await page.locator('.statusbar-item', { hasText: /AgensFlow/ }).first().waitFor({ timeout: WAIT });
    await waitForActivation(dirs.userDataDir, 2 * WAIT);
    await runPalette(page, 'AgensFlow: New Task', /AgensFlow: New Task…/, WAIT);
    await page.locator('.monaco-editor .view-lines', { hasText: 'AgensFlow task' }).first().waitFor({ timeout: WAIT });
    // The command puts the cursor below its comment line once the editor is shown: typing earlier splits the
    // task text where the cursor jumps (the goal then read "Pyth\n\non").
    await page.locator('.statusbar-item', { hasText: /Ln 3, Col 1/ }).first().waitFor({ timeout: WAIT });
    await page.keyboard.type(PLAN.goal);
    await page.keyboard.press('Control+Enter');
    // Mid-run: board done, gui held back, ai/tests running or done.
    await page.locator('.statusbar-item', { hasText: /AgensFlow: [2-5]\/6/ }).first().waitFor({ timeout: WAIT });
    const graph = page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
    await graph.locator('svg').first().waitFor({ timeout: WAIT });
    // The Explorer of the empty folder only takes room from the graph; the sidebar shot opens AgensFlow's.
    await runPalette(page, 'View: Close Primary Side Bar', /Close Primary Side Bar/, WAIT);
    await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: WAIT });
    await settled(page);
    await page.screenshot({ path: path.join(opts.out, `graph-running-${theme}.png`) });
    release();
    await page.locator('.statusbar-item', { hasText: /to review|completed|failed/ }).first().waitFor({ timeout: WAIT });
    // The completion toast would cover the details pane; the status bar still says how the run ended.
    await runPalette(page, 'Notifications: Clear All Notifications', /Clear All Notifications/, WAIT);
    await graph.locator('.node', { hasText: 'AI opponent' }).first().click();
    await graph.locator('.details h2', { hasText: 'AI opponent' }).waitFor({ timeout: WAIT });
    say(`${theme}: goal shown as ${JSON.stringify(await graph.locator('.toolbar-title').textContent())}`);
    await settled(page);
    await page.screenshot({ path: path.join(opts.out, `graph-done-${theme}.png`) });
    await page.locator('.activitybar .action-item a[aria-label^="AgensFlow"]').first().click();
    const sidebar = await webviewFrame(page, 'sidebar', WAIT);
    await sidebar.locator('.badge').first().waitFor({ timeout: WAIT });
    await settled(page);
    await page.screenshot({ path: path.join(opts.out, `sidebar-${theme}.png`) });
    say(`${theme}: 3 screenshots`);
  } catch (e) {
    printFailureContext(dirs.userDataDir, []);
    throw e;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(opts.out, { recursive: true });
  const serverDir = await ensureCodeServer();
  for (const theme of ['light', 'dark'] as const) {
    hold();
    const model = await FakeModelServer.start({ handler });
    try {
      await shoot(theme, model, serverDir);
    } finally {
      await model.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    say(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    process.exit(1);
  },
);
