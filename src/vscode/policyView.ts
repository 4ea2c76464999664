/**
 * The text of "Show Learned Policy": every term explained in a sentence, then per decision point and
 * situation each option's chance of passing with its 90 % range, the share still from the starting guess,
 * cost and time once it ran here, and its score; the user's pins, and where the file is. Markdown, pure
 * (unit-tested in Node).
 */
import type { Pin, PointView } from '../core/policy';

const WHAT: Readonly<Record<string, string>> = {
  model: 'Which of your configured models an agent task gets.',
  protocol: 'How the agent is told to work: edit directly, plan then edit, or write the test first.',
  editFormat: 'How the agent changes existing files: search-replace (small exact edits with edit_file) or whole (the complete file with write_file).',
  verify: "Whether the model inspector's review of a finished task may be skipped. The tool checks (compilers, linters, your test command) always run.",
  merge: 'Whether two tasks of a chain are merged into one (off until outcomes favour it).',
  planK: 'How many candidate plans the planner drafts before the best one is chosen (unless the candidates setting fixes the number).',
  recovery: 'What to do after a failed attempt: retry, retry with the findings, re-plan the task, and so on.',
};

/** Plain names of the features a situation is described by. */
const FEATURE: Readonly<Record<string, string>> = {
  kind: 'kind of change',
  lang: 'language',
  size: 'size',
  depth: 'tasks before it in the plan',
  fails: 'failed tries before',
  role: 'role',
  failure: 'failure',
  attempt: 'attempt',
  type: 'type of task',
  scope: 'files in scope',
  check: 'check',
  model: 'model',
  existing: 'files that already exist',
};
const SIZE: Readonly<Record<string, string>> = { S: 'small (1 file)', M: 'medium (2-3 files)', L: 'large (4 or more files)' };

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const money = (x: number): string => (x >= 0.1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s`;
/** Cell text safe in a Markdown table (no pipes or line breaks from stored strings). */
const cell = (s: string): string => s.replace(/[|\n\r]/g, ' ');

/** A situation in words: "kind of change: create, language: python, size: small (1 file)". */
export function situationLabel(features: Record<string, string>): string {
  const entries = Object.entries(features);
  if (entries.length === 0) return 'every task (all situations together)';
  return entries.map(([k, v]) => `${FEATURE[k] ?? k}: ${k === 'size' ? (SIZE[v] ?? v) : v}`).join(', ');
}

function pinned(pins: readonly Pin[], point: string, features: Record<string, string>): Pin | undefined {
  return pins.find((p) => p.point === point && Object.keys(p.when).length === Object.keys(features).length && Object.entries(p.when).every(([k, v]) => features[k] === v));
}

const TERMS = [
  'What each column means:',
  '',
  '- **Chance of passing**: the estimated chance that a task given this option passes verification.',
  '- **Likely range**: the chance lies in this range with 90 % confidence; it narrows as runs here add evidence.',
  '- **Runs here**: how many verified outcomes in this workspace the estimate rests on.',
  '- **Starting guess**: how much of the estimate still comes from the built-in starting values rather than your runs (100 % means nothing was learned here yet).',
  '- **Cost** and **time**: the average per attempt seen in runs here; "—" until an option has run here (or when its model has no known price).',
  '- **Score**: chance of passing weighed against cost and time by the policy preset. The option in bold has the highest score; AgensFlow picks it unless you pinned another.',
  '',
  'A **situation** is the kind of task a decision was made for (the kind of change, its language, its size...). What is learned in one situation is used first for tasks like it, then for every task.',
  '',
];

/** The Markdown document; `only` limits it to one decision point. */
export function renderPolicy(view: { points: readonly PointView[]; pins: readonly Pin[]; path: string }, only?: string): string {
  const lines = ['# AgensFlow: what this workspace has learned', '', 'AgensFlow makes a few decisions for each run (which model, how many candidate plans, ...). It learns from the outcome of every verified task which choice works best here.', ''];
  lines.push(...TERMS);
  if (view.pins.length) {
    lines.push('## Your pins', '', 'A pinned option is always used in its situation; outcomes are still recorded.', '');
    for (const p of view.pins) lines.push(`- ${cell(p.point)} → **${cell(p.option)}** for ${cell(situationLabel(p.when))}`);
    lines.push('');
  }
  for (const point of view.points) {
    if (only !== undefined && point.point !== only) continue;
    lines.push(`## ${cell(point.point)}`, '');
    if (WHAT[point.point]) lines.push(WHAT[point.point], '');
    if (point.defaultOption) lines.push(`Before any run here, AgensFlow starts with ${cell(point.defaultOption)}.`, '');
    for (const ctx of point.contexts) {
      const pin = pinned(view.pins, point.point, ctx.features);
      const runs = Math.round(ctx.realRuns);
      lines.push(`### ${cell(situationLabel(ctx.features))}${runs ? ` (${runs} outcome${runs === 1 ? '' : 's'})` : ''}${pin ? ` (pinned: ${cell(pin.option)})` : ''}`, '');
      if (ctx.certificate) {
        lines.push(`${ctx.certificate.granted ? 'The review may be skipped here' : 'The review is not skipped here'}: ${cell(ctx.certificate.reason)}. Skipping is allowed only after enough runs in this situation where the review never disagreed with the tool checks.`, '');
      }
      lines.push('| option | chance of passing | likely range | runs here | starting guess | cost | time | score |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
      const best = Math.max(...ctx.options.map((o) => o.expectedScore));
      for (const o of ctx.options) {
        const name = o.expectedScore === best ? `**${cell(o.id)}**` : cell(o.id);
        const ran = o.realRuns > 0;
        const cost = ran && o.costUsd > 0 ? money(o.costUsd) : '—';
        const time = ran && o.latencyMs > 0 ? secs(o.latencyMs) : '—';
        lines.push(`| ${name} | ${pct(o.pSuccess)} | ${pct(o.interval[0])}–${pct(o.interval[1])} | ${Math.round(o.realRuns)} | ${pct(o.priorShare)} | ${cost} | ${time} | ${o.expectedScore.toFixed(2)} |`);
      }
      lines.push('');
    }
  }
  lines.push('---', '', `Stored in \`${view.path}\` (outside your workspace).`, '');
  return lines.join('\n');
}
