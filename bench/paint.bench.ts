/**
 * First paint of a large plan's graph in the graph panel's webview page, in Chromium: 200 and 500 tasks
 * (targets: a median of at most 200 ms and 400 ms), and when dagre's final layout is in place.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { measurePaint } from './extension/paint';

const CHROMIUM = process.env.AGENSFLOW_CHROMIUM ?? '/usr/bin/chromium';
const ms = (n: number): string => `${n.toFixed(0)} ms`;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: readonly number[]): string => `median ${ms(median(xs))} (min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))}, n = ${xs.length})`;

export default async (): Promise<{ title: string; markdown: string }> => {
  const title = 'Graph panel: first paint of a 200- and a 500-task plan';
  if (!existsSync(CHROMIUM)) return { title, markdown: `Skipped: no Chromium at ${CHROMIUM}.` };
  const loads: string[] = [];
  const rows: string[] = [];
  for (const [tasks, target] of [[200, 200], [500, 400]] as const) {
    loads.push(loadavg()[0]!.toFixed(1));
    const r = await measurePaint(CHROMIUM, tasks);
    const m = median(r.firstPaint);
    rows.push(`| ${tasks} tasks (${r.nodes} nodes) | ${spread(r.firstPaint)} | ${m <= target ? 'met' : '**missed**'} (≤ ${target} ms) | ${spread(r.finalLayout)} |`);
  }
  return {
    title,
    markdown: [
      '| plan | first paint of the graph | target | dagre layout in place |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      "bench/extension/paint.ts opens the graph panel's page (the production dist/webview.js when `npm run package` or `node esbuild.js --production` built it last, media/webview.css, a stub host answering `ready` with a seeded mid-run snapshot of N tasks, 1-3 dependencies each) in Debian Chromium, headless, GPU off, 1280x800, dark theme; 7 loads after one discarded. First paint: the earliest Element Timing render time of a node title (every title is marked as it is inserted), from navigation start. A plan over 60 tasks is first drawn in its layers (longest chains, rows ordered by their dependencies) and moved to dagre's layout in the next task; the last column is when that layout is painted (`.graph[data-layout=final]` and two animation frames).",
      `The 1-minute load average was ${loads.join(' and ')} when each size started (other work on the machine inflates these figures).`,
    ].join('\n'),
  };
};
