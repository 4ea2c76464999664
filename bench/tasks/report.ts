/** The paper-tasks benchmark's Markdown: every trial, then success per task beside the paper's figures. */
import { PAPER_FIGURES } from './prompts';
import { GOBANG_ENTRY_SENTENCE } from './score/gobang';
import type { PaperTask } from './score/types';
import type { TrialResult } from './harness';

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function renderReport(results: readonly TrialResult[], setting: string): string {
  const tasks = [...new Set(results.map((r) => r.task))] as PaperTask[];
  const trials = results.map((r) =>
    [r.task, r.trial, r.exitCode, ...r.score.criteria.map((c) => (c.ok ? '✔' : `✘ ${c.why.replace(/\|/g, '\\|').slice(0, 80)}`)), pct(r.score.score), r.tokens, r.cost === undefined ? '-' : `$${r.cost.toFixed(4)}`, seconds(r.wallMs), r.planUpdates].join(' | '),
  );
  const perTask = tasks.map((t) => {
    const rs = results.filter((r) => r.task === t);
    const names = rs[0]?.score.criteria.map((c) => c.name) ?? [];
    const crit = names.map((n, i) => `${n} ${pct(mean(rs.map((r) => (r.score.criteria[i]?.ok ? 1 : 0))))}`).join(', ');
    return `| ${t} | ${rs.length} | ${pct(mean(rs.map((r) => r.score.score)))} | ${crit} | ${PAPER_FIGURES.flow[t]}% | ${Math.round(mean(rs.map((r) => r.tokens)))} | ${seconds(mean(rs.map((r) => r.wallMs)))} |`;
  });
  const overall = mean(tasks.map((t) => mean(results.filter((r) => r.task === t).map((r) => r.score.score))));
  return [
    `Setting: ${setting}.`,
    '',
    '| task | trials | success (mean of criteria) | per criterion | Flow (paper) | mean tokens | mean wall time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...perTask,
    `| **average** | | **${pct(overall)}** | | **${PAPER_FIGURES.flow.average}%** | | |`,
    '',
    `Paper baselines (average over the three tasks, GPT-4o-mini, 5 trials): ${Object.entries(PAPER_FIGURES.baselinesAverage).map(([k, v]) => `${k} ${v}%`).join(', ')}.`,
    '',
    '| task | trial | exit | criterion 1 | criterion 2 | criterion 3 | score | tokens | cost | wall time | plan updates |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...trials.map((t) => `| ${t} |`),
    '',
    `Criteria: gobang Compilable / Interactable / Game rule; slides Compilable / Completeness / Page limit; website Compilable / Basic information / Sections (bench/tasks/score/). The gobang prompt is the paper's plus one sentence fixing an entry point the scorer plays headless: "${GOBANG_ENTRY_SENTENCE}"`,
  ].join('\n');
}
