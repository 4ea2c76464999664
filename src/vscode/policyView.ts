/**
 * The text of "Show Learned Policy": every term explained in a sentence, then per decision point and
 * situation each option's chance of passing with its 90 % range, the share still from the starting guess,
 * cost and time once it ran here, and its score; the user's pins, and where the file is. Markdown, pure
 * (unit-tested in Node).
 */
import type { Pin, PointView } from '../core/policy';
import { modelTiers } from '../core/session/policyConfig';
import { COMMANDS } from './commands/commandIds';

/** The agents' models as configured now: the model point's options are their tiers, cheapest first. */
export interface PolicyModels {
  /** `models.agent` then `models.agentAlternatives`, cheapest first (empty when no model is set). */
  names: readonly string[];
  /** The provider's calls are included in the user's plan (VS Code's language models): no price applies. */
  included: boolean;
}

/** What "Show Learned Policy" renders. */
export interface PolicyDocumentView {
  points: readonly PointView[];
  pins: readonly Pin[];
  path: string;
  models?: PolicyModels;
}

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
/**
 * Cell text safe in a Markdown table and in the HTML it is rendered to: no pipes or line breaks, and no markup
 * from stored strings (an imported policy's option names are data, never HTML or links).
 */
const cell = (s: string): string => s.replace(/[|\n\r]/g, ' ').replace(/[&<>[\]`*_\\]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? `\\${c}`);

/** A link that runs Show Learned Policy with `args` (pin or unpin), for the policy's webview (inert in a Markdown preview). */
function commandLink(label: string, args: { point?: string; pin?: Pin; unpin?: Pin }): string {
  // Parentheses too: an unbalanced one would end the Markdown link early.
  const query = encodeURIComponent(JSON.stringify([args])).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${label}](command:${COMMANDS.showPolicy}?${query})`;
}

/** A situation in words: "kind of change: create, language: python, size: small (1 file)". */
export function situationLabel(features: Record<string, string>): string {
  const entries = Object.entries(features);
  if (entries.length === 0) return 'every task (all situations together)';
  return entries.map(([k, v]) => `${FEATURE[k] ?? k}: ${k === 'size' ? (SIZE[v] ?? v) : v}`).join(', ');
}

function pinned(pins: readonly Pin[], point: string, features: Record<string, string>): Pin | undefined {
  return pins.find((p) => p.point === point && Object.keys(p.when).length === Object.keys(features).length && Object.entries(p.when).every(([k, v]) => features[k] === v));
}

/** The column terms; the cost sentence depends on how the provider is paid. */
function terms(included: boolean, links: boolean): string[] {
  return TERMS.flatMap((line) => {
    if (line.startsWith('- **Cost**') && included) return ['- **Cost** and **time**: your provider\'s calls are included in your plan, so no price applies ("included"); time is the average per attempt seen in runs here.'];
    if (line.startsWith('- **Score**') && links) return [line, '- **Pin**: always use this option in this situation (the policy still records how it does); **Unpin** gives the choice back to the policy.'];
    return [line];
  });
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

/**
 * The Markdown document; `only` limits it to one decision point. With `links` (the policy's webview), each
 * option has a Pin (or Unpin) link and each pin an Unpin link. With `view.models`, the model point shows only
 * the tiers of the models configured now, each with its model's name, and no price for an included provider.
 */
export function renderPolicy(view: PolicyDocumentView, only?: string, opts: { links?: boolean } = {}): string {
  const links = opts.links === true;
  const included = view.models?.included === true;
  const lines = ['# AgensFlow: what this workspace has learned', '', 'AgensFlow makes a few decisions for each run (which model, how many candidate plans, ...). It learns from the outcome of every verified task which choice works best here.', ''];
  lines.push(...terms(included, links));
  if (view.pins.length) {
    lines.push('## Your pins', '', 'A pinned option is always used in its situation; outcomes are still recorded.', '');
    for (const p of view.pins) lines.push(`- ${cell(p.point)} → **${cell(p.option)}** for ${cell(situationLabel(p.when))}${links ? ` (${commandLink('Unpin', { ...(only !== undefined ? { point: only } : {}), unpin: p })})` : ''}`);
    lines.push('');
  }
  // The model point's options are tiers of the configured models: those that apply now, named by their model.
  const names = view.models?.names ?? [];
  const tierNames = new Map(modelTiers(names.length).map((tier, i) => [tier, names[i] as string]));
  for (const point of view.points) {
    if (only !== undefined && point.point !== only) continue;
    lines.push(`## ${cell(point.point)}`, '');
    if (WHAT[point.point]) lines.push(WHAT[point.point], '');
    const modelPoint = point.point === 'model' && names.length > 0;
    if (modelPoint && names.length === 1) lines.push(`Only one agent model is set (${cell(names[0] as string)}), so there is nothing to choose here; add a stronger one in the setting agensflow.models.agentAlternatives to let AgensFlow learn when to use it.`, '');
    if (point.defaultOption && !(modelPoint && !tierNames.has(point.defaultOption))) lines.push(`Before any run here, AgensFlow starts with ${cell(point.defaultOption)}.`, '');
    const pinnable = point.point !== 'verify'; // checks are never pinned off: skips need a record of clean reviews
    for (const ctx of point.contexts) {
      const pin = pinned(view.pins, point.point, ctx.features);
      const runs = Math.round(ctx.realRuns);
      lines.push(`### ${cell(situationLabel(ctx.features))}${runs ? ` (${runs} outcome${runs === 1 ? '' : 's'})` : ''}${pin ? ` (pinned: ${cell(pin.option)})` : ''}`, '');
      if (ctx.certificate) {
        lines.push(`${ctx.certificate.granted ? 'The review may be skipped here' : 'The review is not skipped here'}: ${cell(ctx.certificate.reason)}. Skipping is allowed only after enough runs in this situation where the review never disagreed with the tool checks.`, '');
      }
      const options = modelPoint ? ctx.options.filter((o) => tierNames.has(o.id)) : ctx.options;
      lines.push(`| option | chance of passing | likely range | runs here | starting guess | cost | time | score |${links ? ' |' : ''}`, `| --- | --- | --- | --- | --- | --- | --- | --- |${links ? ' --- |' : ''}`);
      const best = Math.max(...options.map((o) => o.expectedScore));
      for (const o of options) {
        const label = modelPoint ? `${o.id} (${tierNames.get(o.id) ?? ''})` : o.id;
        const name = o.expectedScore === best ? `**${cell(label)}**` : cell(label);
        const ran = o.realRuns > 0;
        const cost = included ? 'included' : ran && o.costUsd > 0 ? money(o.costUsd) : '—';
        const time = ran && o.latencyMs > 0 ? secs(o.latencyMs) : '—';
        const action = !links ? '' : !pinnable ? ' — |' : pin?.option === o.id
          ? ` ${commandLink('Unpin', { ...(only !== undefined ? { point: only } : {}), unpin: pin })} |`
          : ` ${commandLink('Pin', { ...(only !== undefined ? { point: only } : {}), pin: { point: point.point, when: ctx.features, option: o.id } })} |`;
        lines.push(`| ${name} | ${pct(o.pSuccess)} | ${pct(o.interval[0])}–${pct(o.interval[1])} | ${Math.round(o.realRuns)} | ${pct(o.priorShare)} | ${cost} | ${time} | ${o.expectedScore.toFixed(2)} |${action}`);
      }
      lines.push('');
    }
  }
  lines.push('---', '', `Stored in \`${view.path}\` (outside your workspace).`, '');
  return lines.join('\n');
}
