/**
 * Runs the in-host suite (test/integration, bundled to out/test/integration by `npm run build:tests`) inside
 * a real VS Code (1.96.4, or a current release with `--release current`): code-server on a free loopback
 * port, its workbench opened in Debian's Chromium by playwright-core, the extension loaded in the Node
 * extension host from extensionDevelopmentPath (or installed from a .vsix with `--vsix`). The suite writes mocha's JSON results to the file named in the
 * server's environment; this waits for it, prints the results and the closing line `N passed, N failed`,
 * keeps a screenshot and the logs in test-artifacts/ on failure, always stops the browser and the server, and
 * exits non-zero on failure or timeout.
 *
 * Usage: tsx test/host/run-in-code-server.ts [--release minimum|current] [--vsix FILE] [--workspace-trust]
 *          [--grep PATTERN] [--timeout SECONDS] [--tests DIR] [--workspace DIR] [--keep]
 *   --release NAME     the VS Code to run in: `minimum` (1.96.4, the default) or `current` (see lib/paths.ts)
 *   --extension DIR    package the extension in DIR and install it beside ours (repeatable; a test's helper)
 *   --vsix FILE        install FILE into the server's extensions dir and test that copy (a stub extension
 *                      stands in as extensionDevelopmentPath, which VS Code needs to run a suite)
 *   --workspace-trust  do not pass --disable-workspace-trust (the folder opens in Restricted Mode)
 *   --keep             keep the temporary folders (user data, workspace copy, server log)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { ensureCodeServer } from './install-code-server';
import { installVsix, packageExtension, prepareServerDirs, startCodeServer, workbenchUrl, type RunningServer } from './lib/codeServer';
import { ARTIFACTS_DIR, CHROMIUM_PATH, REPO_ROOT, hostRelease } from './lib/paths';
import { hasActivated, printFailureContext } from './lib/readiness';
import { ResultsTimeoutError, formatResults, waitForFile, type MochaResults } from './lib/results';
import { exitWithResult, sayer } from './lib/steps';
import { launchChromium } from './lib/workbench';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'workspace-trust': { type: 'boolean', default: false },
    grep: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    tests: { type: 'string', default: path.join(REPO_ROOT, 'out', 'test', 'integration') },
    workspace: { type: 'string', default: path.join(REPO_ROOT, 'test', 'integration', 'fixtures', 'workspace') },
    keep: { type: 'boolean', default: false },
    release: { type: 'string', default: 'minimum' },
    extension: { type: 'string', multiple: true, default: [] },
  },
});
const release = hostRelease(opts.release);

const say = sayer('run-in-code-server');

/** A stand-in extensionDevelopmentPath for `--vsix` runs: VS Code runs a suite only in development mode. */
function writeHarnessExtension(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'agensflow-test-harness', publisher: 'agensflow-tests', version: '0.0.0', engines: { vscode: '^1.96.0' } }),
  );
  return dir;
}

/**
 * Saves what a person would need to see why a run failed (a screenshot, the server and extension-host logs)
 * and prints the logs' last lines and the screenshot's name, so the CI log shows it too.
 */
async function saveArtifacts(page: Page | undefined, logFile: string, userDataDir: string): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(ARTIFACTS_DIR, `code-server-${stamp}`);
  fs.mkdirSync(dir, { recursive: true });
  const shot = path.join(dir, 'workbench.png');
  const shots: string[] = [];
  if (page) {
    await page.screenshot({ path: shot }).then(
      () => shots.push(shot),
      (e: unknown) => say(`no screenshot: ${String(e)}`),
    );
  }
  if (fs.existsSync(logFile)) fs.copyFileSync(logFile, path.join(dir, 'server.log'));
  const logs = path.join(userDataDir, 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dir, 'logs'), { recursive: true });
  printFailureContext(userDataDir, shots);
  say(`artifacts: ${path.relative(process.cwd(), dir) || dir}`);
}

async function main(): Promise<number> {
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`--timeout must be a number of seconds, not ${opts.timeout}`);
  const testsDir = path.resolve(opts.tests);
  if (!fs.existsSync(path.join(testsDir, 'index.js'))) throw new Error(`no ${path.join(testsDir, 'index.js')}: run \`npm run build:tests\` first`);
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (see .ci/apt-packages)`);

  const serverDir = await ensureCodeServer({ release });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-host-'));
  const dirs = prepareServerDirs(tmp);
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.resolve(opts.workspace), workspace, { recursive: true });
  const resultsFile = path.join(tmp, 'results', 'mocha.json');
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });

  let extensionDevelopmentPath = REPO_ROOT;
  const env: NodeJS.ProcessEnv = {
    AGENSFLOW_TEST_RESULTS: resultsFile,
    // With trust on, the fresh folder is untrusted: Restricted Mode.
    AGENSFLOW_EXPECT_WORKSPACE_TRUSTED: opts['workspace-trust'] ? '0' : '1',
  };
  if (opts.grep) env.AGENSFLOW_TEST_GREP = opts.grep;
  if (opts.vsix) {
    say(`installing ${opts.vsix}`);
    const out = await installVsix(serverDir, dirs, opts.vsix, release);
    say(out.trim().split('\n').pop() ?? '');
    extensionDevelopmentPath = writeHarnessExtension(path.join(tmp, 'harness'));
    env.AGENSFLOW_EXPECT_EXTENSIONS_DIR = dirs.extensionsDir;
  }

  for (const dir of opts.extension) {
    say(`installing the helper extension ${dir}`);
    await installVsix(serverDir, dirs, await packageExtension(path.resolve(dir), tmp), release);
  }

  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let ok = false;
  const started = Date.now();
  try {
    server = await startCodeServer({ serverDir, dirs, folder: workspace, workspaceTrust: opts['workspace-trust'], env, release });
    say(`code-server on 127.0.0.1:${server.port}${opts['workspace-trust'] ? ' (workspace trust on)' : ''}`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const url = workbenchUrl(server.port, workspace, { extensionDevelopmentPath, extensionTestsPath: testsDir });

    // Give up at once when the server or the browser dies, instead of waiting for the timeout.
    const currentBrowser = browser;
    const abort = Promise.race([
      server.exited.then((code) => `code-server exited (${code}) during the run`),
      new Promise<string>((resolve) => currentBrowser.once('disconnected', () => resolve('Chromium disconnected during the run'))),
      new Promise<string>((resolve) => page?.once('crash', () => resolve('the workbench page crashed'))),
    ]);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForFile(resultsFile, timeoutMs, abort);
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as MochaResults;
    process.stdout.write(`\nin-host suite (code-server, VS Code ${release.vscode}${opts.vsix ? `, installed ${path.basename(opts.vsix)}` : ''}):\n`);
    process.stdout.write(`${formatResults(results)}\n`);
    ok = results.stats.failures === 0 && results.stats.passes > 0;
    say(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    say(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    // Which signal never came: the extension's own (activation) or the suite's (its results file).
    if (e instanceof ResultsTimeoutError) {
      say(hasActivated(dirs.userDataDir)
        ? 'the extension reported its activation; the suite never wrote its results (a test hung: see the extension-host log below)'
        : 'the extension never reported its activation ("[extension] activated" in its log): the suite could not start');
    }
    process.stdout.write('0 passed, 1 failed\n');
  } finally {
    if (!ok) await saveArtifacts(page, dirs.logFile, dirs.userDataDir);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (opts.keep) say(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  return ok ? 0 : 1;
}

exitWithResult(main, say);
