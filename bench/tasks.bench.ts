/**
 * The paper-tasks harness against the scripted model (one trial per task): proves the harness and scorers
 * end to end. It measures no model; `npm run bench:tasks -- --provider openai --trials 5` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PAPER_TASKS, runBenchTasks } from './tasks/harness';
import { renderReport } from './tasks/report';

export default async (): Promise<{ title: string; markdown: string }> => {
  const out = mkdtempSync(path.join(tmpdir(), 'agensflow-bench-tasks-'));
  try {
    const results = await runBenchTasks({ provider: 'scripted', trials: 1, tasks: PAPER_TASKS, out, env: process.env, log: (l) => void process.stderr.write(`  ${l}\n`) });
    const markdown = [
      'The paper\'s three tasks (gobang, beamer slides, conference website) through `agensflow run`, scored automatically per the paper\'s criteria.',
      'Here against the **scripted model** (canned answers, one injected gobang failure repaired by a local update): a check of the harness and the scorers, not a model\'s success rate.',
      'For a model: `npm run bench:tasks -- --provider openai --model gpt-4o-mini --trials 5` (or `--provider openai-compatible --base-url http://localhost:11434/v1 --model NAME`); it writes test-artifacts/bench-tasks/report.md.',
      '',
      renderReport(results, 'scripted model, 1 trial per task'),
    ].join('\n');
    return { title: 'Paper tasks (bench:tasks harness, scripted model)', markdown };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
