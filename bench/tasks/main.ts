/**
 * `npm run bench:tasks -- [--provider scripted|openai|openai-compatible|anthropic] [--base-url URL]
 * [--model NAME] [--trials N] [--tasks gobang,slides,website] [--max-agents N] [--out DIR]`
 *
 * Runs the paper's three tasks and scores them; prints the Markdown report and writes it with the raw
 * results to DIR (default test-artifacts/bench-tasks). Keys come from the environment as for the CLI.
 * Exit 0 when every trial ran; with --provider scripted also only when every criterion passed (a harness check).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PAPER_TASKS, runBenchTasks, type BenchTasksOptions } from './harness';
import { renderReport } from './report';
import type { PaperTask } from './score/types';

const PROVIDERS = ['scripted', 'openai', 'openai-compatible', 'anthropic'] as const;

async function cli(): Promise<number> {
  const { values } = parseArgs({
    options: {
      provider: { type: 'string', default: 'scripted' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      trials: { type: 'string', default: '1' },
      tasks: { type: 'string', default: PAPER_TASKS.join(',') },
      'max-agents': { type: 'string' },
      out: { type: 'string', default: path.join('test-artifacts', 'bench-tasks') },
    },
  });
  const provider = values.provider as BenchTasksOptions['provider'];
  const tasks = values.tasks.split(',').map((t) => t.trim()) as PaperTask[];
  const trials = Number(values.trials);
  if (!PROVIDERS.includes(provider) || tasks.some((t) => !PAPER_TASKS.includes(t)) || !Number.isInteger(trials) || trials < 1) {
    process.stderr.write(`usage: npm run bench:tasks -- --provider ${PROVIDERS.join('|')} --trials N --tasks ${PAPER_TASKS.join(',')}\n`);
    return 2;
  }
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const results = await runBenchTasks({
    provider,
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    ...(values.model ? { model: values.model } : {}),
    trials,
    tasks,
    ...(values['max-agents'] ? { maxAgents: Number(values['max-agents']) } : {}),
    out,
    env: process.env,
    log: (l) => void process.stderr.write(`bench:tasks: ${l}\n`),
  });
  const setting =
    provider === 'scripted'
      ? 'scripted model (canned answers, no model involved: a test of the harness and scorers, not a measurement of a model)'
      : `${provider}${values.model ? ` ${values.model}` : ''}${values['base-url'] ? ` at ${values['base-url']}` : ''}, ${trials} trial(s) per task`;
  const report = renderReport(results, setting);
  writeFileSync(path.join(out, 'report.md'), `# Paper tasks\n\n${report}\n`);
  writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`${report}\n`);
  process.stderr.write(`bench:tasks: wrote ${path.join(out, 'report.md')} and results.json; workspaces in ${out}/<task>-<trial>/\n`);
  if (provider === 'scripted') return results.every((r) => r.exitCode === 0 && r.score.score === 1) ? 0 : 1;
  return 0;
}

cli().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench:tasks: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
