/**
 * The text of "Show Learned Policy": per decision point and context, each option's estimated P(success)
 * with its 90 % interval, the share of the estimate still from the prior, cost, latency and expected score,
 * the user's pins, and where the file is. Markdown, pure (unit-tested in Node).
 */
import type { Pin, PointView } from '../core/policy';

const WHAT: Readonly<Record<string, string>> = {
  model: 'which configured model an agent task gets (tiers cheapest → strongest)',
  protocol: "the agent's prompt protocol",
  verify: 'whether the inspector pass may be skipped (only under a certificate earned here; canaries still checked)',
  merge: 'merging two tasks of a chain (off until outcomes favour it)',
  planK: 'how many candidate plans to draw (unless the candidates setting pins it)',
  recovery: 'what to do after a failed attempt',
};

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const money = (x: number): string => (x >= 0.1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s`;
/** Cell text safe in a Markdown table (no pipes or line breaks from stored strings). */
const cell = (s: string): string => s.replace(/[|\n\r]/g, ' ');

function contextLabel(features: Record<string, string>): string {
  const entries = Object.entries(features);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'every context (the whole point)';
}

function pinned(pins: readonly Pin[], point: string, features: Record<string, string>): Pin | undefined {
  return pins.find((p) => p.point === point && Object.keys(p.when).length === Object.keys(features).length && Object.entries(p.when).every(([k, v]) => features[k] === v));
}

/** The Markdown document; `only` limits it to one point. */
export function renderPolicy(view: { points: readonly PointView[]; pins: readonly Pin[]; path: string }, only?: string): string {
  const lines = ['# AgensFlow: learned policy of this workspace', '', `File: \`${view.path}\``, ''];
  lines.push('Estimates are P(passed verification) with a 90 % interval; "prior" is the share of the estimate that still comes from the warm start rather than runs here. Score = the preset\'s weighing of success, cost and latency.', '');
  if (view.pins.length) {
    lines.push('## Pins', '');
    for (const p of view.pins) lines.push(`- ${cell(p.point)} → **${cell(p.option)}** in ${cell(contextLabel(p.when))}`);
    lines.push('');
  }
  for (const point of view.points) {
    if (only !== undefined && point.point !== only) continue;
    lines.push(`## ${cell(point.point)}${WHAT[point.point] ? `: ${WHAT[point.point]}` : ''}`, '');
    if (point.defaultOption) lines.push(`Default of the warm start: ${cell(point.defaultOption)}.`, '');
    for (const ctx of point.contexts) {
      const pin = pinned(view.pins, point.point, ctx.features);
      lines.push(`### ${cell(contextLabel(ctx.features))}${ctx.realRuns ? ` (${Math.round(ctx.realRuns)} outcomes)` : ''}${pin ? ` (pinned: ${cell(pin.option)})` : ''}`, '');
      if (ctx.certificate) lines.push(`Skip certificate: ${ctx.certificate.granted ? 'granted' : 'not granted'} (${cell(ctx.certificate.reason)}).`, '');
      lines.push('| option | P(success) | 90 % interval | runs here | prior | cost | latency | score |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
      const best = Math.max(...ctx.options.map((o) => o.expectedScore));
      for (const o of ctx.options) {
        const name = o.expectedScore === best ? `**${cell(o.id)}**` : cell(o.id);
        lines.push(`| ${name} | ${pct(o.pSuccess)} | ${pct(o.interval[0])}–${pct(o.interval[1])} | ${Math.round(o.realRuns)} | ${pct(o.priorShare)} | ${money(o.costUsd)} | ${secs(o.latencyMs)} | ${o.expectedScore.toFixed(2)} |`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}
