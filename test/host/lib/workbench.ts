import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './paths';
import { SignalTimeoutError } from './poll';

/** Chromium flags that work on these machines (shared/vscode-host.md). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium, headless, with {@link CHROMIUM_ARGS}. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** The quick input list never offered the row that was asked for; the message says what it offered instead. */
export class QuickInputRowMissingError extends SignalTimeoutError {
  override readonly name = 'QuickInputRowMissingError';
}

/** How long one query waits for its row before the quick input is closed and the query typed again. */
const FIRST_TRY_MS = 3000;
const LONGEST_TRY_MS = 15_000;

const quickInputBox = (page: Page): Locator => page.locator('.quick-input-widget .quick-input-box input');
const quickInputRows = (page: Page): Locator => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/**
 * Opens the quick input with `key`, types `value` and waits for a row matching `row`; if it is not listed
 * in time, closes the quick input and asks again (the palette computes its list when the query is typed and
 * does not add commands registered afterwards), each try waiting longer, until `timeoutMs`. Leaves the quick
 * input open on the row. Throws {@link QuickInputRowMissingError} naming the row and what was offered.
 */
async function queryQuickInput(page: Page, key: string, value: string, row: RegExp | string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = quickInputBox(page);
  const wanted = quickInputRows(page).filter({ hasText: row }).first();
  let tries = 0;
  for (;;) {
    tries++;
    const left = (): number => Math.max(deadline - Date.now(), 1);
    try {
      if (await input.isVisible()) await page.keyboard.press('Escape');
      await page.keyboard.press(key);
      await input.waitFor({ state: 'visible', timeout: left() });
      await input.fill(value);
      await wanted.waitFor({ timeout: Math.min(FIRST_TRY_MS * tries, LONGEST_TRY_MS, left()) });
      // A retry that helped is worth seeing in a CI log: it says how far the workbench lagged.
      if (tries > 1) process.stderr.write(`[workbench] "${value}" listed its row on try ${tries}, after ${((timeoutMs - left()) / 1000).toFixed(1)} s\n`);
      return;
    } catch (e) {
      if (Date.now() < deadline) continue;
      const offered = await quickInputRows(page).allInnerTexts().catch(() => []);
      const list = offered.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
      throw new QuickInputRowMissingError(
        `"${value}" never listed ${String(row)} within ${(timeoutMs / 1000).toFixed(0)} s (${tries} tries); it offered: ${list.length > 0 ? list.join(' | ') : 'nothing'}` +
          `${e instanceof Error ? `; last error: ${e.message.split('\n')[0]}` : ''}`,
      );
    }
  }
}

/**
 * Runs a command as a person would: F1, `>query`, wait for the palette row matching `label` (asking again
 * until it is listed, within `timeoutMs`), Enter. Wait for the extension's activation signal before
 * (test/host/lib/readiness.ts), so the retries cover the workbench's lag, not the extension's.
 */
export async function runPalette(page: Page, query: string, label: RegExp, timeoutMs: number): Promise<void> {
  await queryQuickInput(page, 'F1', `>${query}`, label, timeoutMs);
  await page.keyboard.press('Enter');
}

/** Opens `name` with Quick Open (Ctrl+P), asking again until it is listed, and waits until its editor tab is the active one. */
export async function quickOpen(page: Page, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await queryQuickInput(page, 'Control+P', name, name, timeoutMs);
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: Math.max(deadline - Date.now(), 1) });
}

/**
 * Presses Ctrl+Enter in the focused task document once the window shows its Start Task button: the binding's
 * `when` (the extension's `agensflow.taskDocument` context) is set by the extension host a moment after the
 * editor becomes active, and a Ctrl+Enter before that is only a new line in the task.
 */
export async function startTaskFromEditor(page: Page, timeoutMs: number): Promise<void> {
  await page.locator('.editor-group-container.active .editor-actions .action-label[aria-label^="Start Task"]').first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Control+Enter');
}

/**
 * The frame of one of the extension's webviews (`<body data-view="graph|sidebar">`, src/webview/main.ts):
 * webviews are nested iframes, so this looks through the page's frames each time one is attached.
 */
export async function webviewFrame(page: Page, view: 'graph' | 'sidebar', timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (await f.locator(`body[data-view="${view}"]`).count().catch(() => 0)) return f;
    }
    if (Date.now() > deadline) throw new SignalTimeoutError(`the ${view} webview did not open within ${(timeoutMs / 1000).toFixed(0)} s`);
    await page.waitForEvent('frameattached', { timeout: Math.min(1000, Math.max(deadline - Date.now(), 1)) }).catch(() => undefined);
  }
}

/**
 * Resolves when every frame of the page has finished its finite animations and painted twice since: the
 * moment a screenshot shows the settled layout (instead of a fixed pause). Endless animations (spinners)
 * are not waited for.
 */
export async function settled(page: Page): Promise<void> {
  for (const frame of page.frames()) {
    await frame
      .evaluate(async () => {
        const finite = document.getAnimations().filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)));
        await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
        await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
      })
      // A frame that went away meanwhile has nothing left to settle.
      .catch(() => undefined);
  }
}
