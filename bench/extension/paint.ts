/**
 * Time to first paint of a large graph in the graph panel's webview page (the same page the static preview
 * uses: the real dist/webview.js and CSS, a stub acquireVsCodeApi that answers `ready` with the snapshot),
 * in Debian Chromium. Two figures per load, both from navigation start:
 * - first paint: when Chromium painted the first task's title (Element Timing: every node title is marked
 *   as it is inserted, and the earliest render time of those is taken), i.e. when the graph is on screen;
 * - final layout: when dagre's layout is in place and painted (`.graph[data-layout=final]` and two
 *   animation frames), which for a plan over the synchronous limit comes after the quick first layout.
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
  tasks: number;
  /** First paint of the graph, per load (ms from navigation start). */
  firstPaint: number[];
  /** Dagre's layout painted, per load. */
  finalLayout: number[];
  nodes: number;
}

/** Marks each node title for Element Timing as it is inserted and keeps the earliest render time. */
const OBSERVE = `globalThis.__name = globalThis.__name || ((f) => f);
window.__firstPaint = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const t = e.renderTime || e.loadTime;
    if (t && (!window.__firstPaint || t < window.__firstPaint)) window.__firstPaint = t;
  }
}).observe({ type: 'element', buffered: true });
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType === 1) for (const t of n.matches('.node-title') ? [n] : n.querySelectorAll('.node-title')) t.setAttribute('elementtiming', 'node-title');
  }
}).observe(document, { childList: true, subtree: true });`;

export async function measurePaint(chromiumPath: string, tasks = 200, runs = 7): Promise<PaintResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agensflow-paint-'));
  const data = JSON.stringify(state200(tasks)).replace(/</g, '\\u003c');
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
  const firstPaint: number[] = [];
  const finalLayout: number[] = [];
  let nodes = 0;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(OBSERVE);
    for (let i = 0; i < runs + 1; i++) {
      await page.goto(pathToFileURL(path.join(dir, 'graph.html')).href, { waitUntil: 'commit' });
      await page.waitForFunction(() => document.querySelector('.graph[data-layout="final"]') !== null, undefined, { timeout: 60_000, polling: 'raf' });
      const done = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))));
      await page.waitForFunction(() => (window as unknown as { __firstPaint: number }).__firstPaint > 0, undefined, { timeout: 10_000 });
      const first = await page.evaluate(() => (window as unknown as { __firstPaint: number }).__firstPaint);
      nodes = await page.evaluate(() => document.querySelectorAll('.node[data-task-id]').length);
      if (i > 0) { // the first load warms the disk cache
        firstPaint.push(first);
        finalLayout.push(done);
      }
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { tasks, firstPaint, finalLayout, nodes };
}
