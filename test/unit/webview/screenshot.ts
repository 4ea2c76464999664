/**
 * `npm run screenshot:webview`: opens the preview pages in Debian's Chromium through playwright-core and
 * saves PNGs next to them (out/preview/*.png; for the graph, also the details pane scrolled to the selected
 * task's tool calls, *-tools.png). Skips with a message when Chromium is not installed.
 * Run `npm run preview:webview` first. The 30-task graph at fit in the four themes is also copied to
 * docs/screenshots/ (graph-30-<theme>.png), the pictures the documentation shows, and so is the sidebar after a
 * reload mid-run and in Restricted Mode (sidebar-interrupted-<theme>.png, sidebar-restricted-<theme>.png).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const out = resolve(__dirname, '../../..', 'out', 'preview');
const docs = resolve(__dirname, '../../..', 'docs', 'screenshots');
const executable = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

async function main(): Promise<void> {
  if (!executable) {
    process.stdout.write('Chromium not found; install it with apt-get install chromium\n');
    return;
  }
  const browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  try {
    for (const page of readdirSync(out).filter((f) => /^(graph|graph30|sidebar)-.*\.html$/.test(f))) {
      const sidebar = page.startsWith('sidebar');
      const tab = await browser.newPage({ viewport: sidebar ? { width: 320, height: 900 } : { width: 1400, height: 820 } });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      tab.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await tab.goto(pathToFileURL(join(out, page)).href);
      await tab.waitForSelector(sidebar ? '.run:not([hidden])' : '.node.status-running');
      // Two frames: the fit and the overview are drawn after the nodes.
      await tab.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      await tab.evaluate(() => document.fonts.ready);
      const posted = await tab.evaluate(() => JSON.stringify((window as unknown as { __posted__: unknown[] }).__posted__));
      const png = join(out, page.replace(/\.html$/, '.png'));
      await tab.screenshot({ path: png });
      process.stdout.write(`${png}${errors.length ? `  errors: ${errors.join(' | ')}` : ''}  posted: ${posted}\n`);
      if (/^sidebar-(interrupted|restricted)-/.test(page)) {
        mkdirSync(docs, { recursive: true });
        copyFileSync(png, join(docs, page.replace(/\.html$/, '.png')));
      }
      if (page.startsWith('graph30-')) {
        mkdirSync(docs, { recursive: true });
        copyFileSync(png, join(docs, page.replace(/^graph30-(.*)\.html$/, 'graph-30-$1.png')));
      }
      if (page.startsWith('graph-')) {
        // The selected task's tool calls (summaries and diffs) sit below the fold of the details pane.
        const tools = tab.locator('.tool-calls');
        if ((await tools.count()) > 0) {
          await tools.scrollIntoViewIfNeeded();
          const shot = png.replace(/\.png$/, '-tools.png');
          await tab.locator('.details').screenshot({ path: shot });
          process.stdout.write(`${shot}\n`);
        }
      }
      await tab.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
