import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './paths';

/** Chromium flags that work on these machines (shared/vscode-host.md). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium, headless, with {@link CHROMIUM_ARGS}. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Runs a command as a person would: F1, `>query`, wait for the palette row matching `label`, Enter. */
export async function runPalette(page: Page, query: string, label: RegExp, timeoutMs: number): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${query}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
}

/** Opens `name` with Quick Open (Ctrl+P) and waits until its editor tab is the active one. */
export async function quickOpen(page: Page, name: string, timeoutMs: number): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: timeoutMs });
}
