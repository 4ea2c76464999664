/**
 * Uses the packaged extension as a person would: installs the .vsix into a fresh code-server, opens a plan
 * with errors, runs "AgensFlow: Validate Plan File…" from the command palette, and checks what the window
 * shows (the error notification, the problem count in the status bar, the underlines in the editor). A
 * screenshot of the result is always kept in test-artifacts/ (it is the thing to look at).
 *
 * Usage: tsx test/host/palette-check.ts --vsix agensflow-<version>.vsix   (npm run test:palette)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { ensureCodeServer } from './install-code-server';
import { installVsix, prepareServerDirs, startCodeServer, workbenchUrl, type RunningServer } from './lib/codeServer';
import { ARTIFACTS_DIR, REPO_ROOT } from './lib/paths';
import { printFailureContext, waitForActivation } from './lib/readiness';
import { exitWithResult, runStep, sayer, stepVerdict } from './lib/steps';
import { launchChromium, quickOpen, runPalette } from './lib/workbench';

const { values: opts } = parseArgs({ options: { vsix: { type: 'string' }, keep: { type: 'boolean', default: false } } });

const STEP_TIMEOUT = 30_000;
/** A cold extension host on a loaded 2-core machine: the workbench first, then our activate(). */
const ACTIVATION_TIMEOUT = 120_000;
/** The steps of a complete run. */
const STEPS = 6;
const say = sayer('palette-check');

async function main(): Promise<number> {
  if (!opts.vsix) throw new Error('--vsix FILE is required (npm run package makes it)');
  const serverDir = await ensureCodeServer();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-palette-'));
  const dirs = prepareServerDirs(tmp);
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
  await installVsix(serverDir, dirs, opts.vsix);

  const results: boolean[] = [];
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    server = await startCodeServer({ serverDir, dirs, folder: workspace });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const p = page;
    await p.goto(workbenchUrl(server.port, workspace), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    process.stdout.write(`\ncommand palette (code-server, VS Code 1.96.4, installed ${path.basename(opts.vsix)}):\n`);

    await runStep(results, 'the workbench opens the workspace', async () => {
      await p.locator('.explorer-folders-view .monaco-list-row', { hasText: 'invalid.plan.json' }).waitFor({ timeout: 90_000 });
    });
    await runStep(results, 'the extension reports that its activation finished', async () => {
      await waitForActivation(dirs.userDataDir, ACTIVATION_TIMEOUT);
    });
    await runStep(results, 'the plan opens in an editor (Quick Open)', async () => {
      await quickOpen(p, 'invalid.plan.json', STEP_TIMEOUT);
    });
    await runStep(results, 'the palette lists "AgensFlow: Validate Plan File…" and runs it', async () => {
      await runPalette(p, 'AgensFlow: Validate Plan File', /AgensFlow: Validate Plan File…/, STEP_TIMEOUT);
    });
    await runStep(results, 'an error notification names the problems', async () => {
      await p.locator('.notification-toast', { hasText: /invalid\.plan\.json has 3 problems/ }).waitFor({ timeout: STEP_TIMEOUT });
    });
    await runStep(results, 'the status bar counts 3 errors and the editor underlines them', async () => {
      await p.locator('.statusbar-item', { hasText: /^\s*3\s+0\s*$/ }).first().waitFor({ timeout: STEP_TIMEOUT });
      await p.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
    });
  } catch (e) {
    // A failed step has been printed; anything else (the server, the browser) is said here.
    if (!results.includes(false)) say(`stopped outside a step: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  } finally {
    let shot: string | undefined;
    if (page) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const file = path.join(ARTIFACTS_DIR, 'palette-validate-plan.png');
      await page.screenshot({ path: file }).then(
        () => {
          shot = file;
          say(`screenshot: ${path.relative(process.cwd(), file)}`);
        },
        (e: unknown) => say(`no screenshot: ${String(e)}`),
      );
    }
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (!stepVerdict(results, STEPS).ok) printFailureContext(dirs.userDataDir, shot ? [shot] : []);
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const { ok, line } = stepVerdict(results, STEPS);
  process.stdout.write(`\n${line}\n`);
  return ok ? 0 : 1;
}

exitWithResult(main, say);
