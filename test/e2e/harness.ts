/**
 * What the end-to-end drivers share: steps that each leave a screenshot (test-artifacts/<suite>/NN-name.png),
 * the logs kept beside them, and the ending (the browser, the server and the model closed; on failure the
 * extension's log and the last screenshot printed; the verdict line). Each driver keeps its own scenario.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FakeModelServer } from '../fixtures/fake-servers';
import type { RunningServer, ServerDirs } from '../host/lib/codeServer';
import { extensionHostLogFiles, extensionLogFiles, printFailureContext } from '../host/lib/readiness';
import { runStep, stepVerdict } from '../host/lib/steps';
import { settled } from '../host/lib/workbench';

/** Runs steps on one page, numbering them and taking a screenshot after each (passed or not). */
export class ShotSteps {
  readonly results: boolean[] = [];
  private shot = 0;
  lastShot: string | undefined;

  /** `settle`: wait for the page's animations to end before each screenshot. */
  constructor(private readonly dir: string, private readonly say: (msg: string) => void, private readonly settle = false) {}

  async run(page: Page, title: string, fn: (p: Page) => Promise<void>, name?: string): Promise<void> {
    try {
      await runStep(this.results, title, () => fn(page));
    } finally {
      const file = `${String(++this.shot).padStart(2, '0')}-${name ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}.png`;
      if (this.settle) await settled(page).catch(() => undefined);
      await page.screenshot({ path: path.join(this.dir, file) }).then(
        () => (this.lastShot = path.join(this.dir, file)),
        (e: unknown) => this.say(`no screenshot: ${String(e)}`),
      );
    }
  }
}

/** Copies the extension's logs (its LogOutputChannel files), the extension-host logs and the server log into `dir`. */
export function keepLogs(dirs: ServerDirs, dir: string): string[] {
  const kept: string[] = [];
  const copy = (from: string, name: string): void => {
    fs.copyFileSync(from, path.join(dir, name));
    kept.push(path.join(dir, name));
  };
  extensionLogFiles(dirs.userDataDir).forEach((f, i) => copy(f, `extension-${i + 1}.log`));
  extensionHostLogFiles(dirs.userDataDir).forEach((f, i) => copy(f, `exthost-${i + 1}.log`));
  if (fs.existsSync(dirs.logFile)) copy(dirs.logFile, 'code-server.log');
  return kept;
}

export interface Ending {
  steps: ShotSteps;
  expected: number;
  dirs: ServerDirs;
  shots: string;
  tmp: string;
  keep: boolean;
  say: (msg: string) => void;
  browser: Browser | undefined;
  server: RunningServer | undefined;
  model: FakeModelServer;
}

/** What a driver's `catch` says: a failed step printed why already; anything else (the server, the browser) is said here. */
export function stoppedOutside(steps: ShotSteps, e: unknown, say: (msg: string) => void): void {
  if (!steps.results.includes(false)) say(`stopped outside a step: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
}

/** Closes everything, keeps the logs, prints the failure context and the verdict; resolves the exit code. */
export async function finish(o: Ending): Promise<number> {
  await o.browser?.close().catch(() => undefined);
  await o.server?.stop();
  await o.model.close();
  const logs = keepLogs(o.dirs, o.shots);
  if (!stepVerdict(o.steps.results, o.expected).ok) {
    printFailureContext(o.dirs.userDataDir, o.steps.lastShot ? [o.steps.lastShot] : []);
    o.say(`logs: ${logs.map((l) => path.relative(process.cwd(), l)).join(', ')}`);
  }
  if (!o.keep) fs.rmSync(o.tmp, { recursive: true, force: true });
  else o.say(`kept ${o.tmp}`);
  o.say(`screenshots: ${path.relative(process.cwd(), o.shots)}/`);
  const { ok, line } = stepVerdict(o.steps.results, o.expected);
  process.stdout.write(`\n${line}\n`);
  return ok ? 0 : 1;
}
