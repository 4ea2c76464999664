/**
 * Time to first paint of a 200-task graph in the graph panel's webview page (the same page the static
 * preview uses: the real dist/webview.js and CSS, a stub acquireVsCodeApi that answers `ready` with the
 * snapshot), in Debian Chromium: from navigation start until all 200 nodes are in the DOM and two animation
 * frames have passed (the frame that shows them has been painted).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { state200 } from './plan200';

const root = path.resolve(__dirname, '..', '..');
const url = (p: string): string => pathToFileURL(path.join(root, p)).href;

export interface PaintResult {
  samples: number[];
  nodes: number;
}

export async function measurePaint(chromiumPath: string, runs = 7): Promise<PaintResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agensflow-paint-'));
  const data = JSON.stringify(state200()).replace(/</g, '\\u003c');
  writeFileSync(
    path.join(dir, 'graph.html'),
    `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>paint</title>
<link rel="stylesheet" href="${url('media/codicons/codicon.css')}"><link rel="stylesheet" href="${url('media/webview.css')}"></head>
<body data-view="graph" class="vscode-dark"><div id="app"></div>
<script>window.acquireVsCodeApi = function () { var state = ${data}; return {
  postMessage: function (m) { if (m && m.type === 'ready') setTimeout(function () { window.postMessage({ type: 'snapshot', state: state, selectedTaskId: null }, '*'); }, 0); },
  getState: function () { return undefined; }, setState: function () {} }; };</script>
<script src="${url('dist/webview.js')}"></script></body></html>`,
  );
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  const samples: number[] = [];
  let nodes = 0;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
    for (let i = 0; i < runs + 1; i++) {
      await page.goto(pathToFileURL(path.join(dir, 'graph.html')).href, { waitUntil: 'commit' });
      await page.waitForFunction(() => document.querySelectorAll('.node[data-task-id]').length >= 200, undefined, { timeout: 30_000, polling: 'raf' });
      const ms = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))));
      nodes = await page.evaluate(() => document.querySelectorAll('.node[data-task-id]').length);
      if (i > 0) samples.push(ms); // the first load warms the disk cache
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { samples, nodes };
}
