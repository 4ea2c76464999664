/**
 * Plan core at scale: validation, metrics, parsing and a local update on seeded random plans of 1,000
 * tasks and 5,000 dependencies (targets: validate and metrics under 50 ms each at the median and p95).
 */
import { applyPlanUpdate, parsePlanText, planMetrics, validatePlan, type ValidPlan } from '../src/core/plan';
import { mulberry32 } from '../src/core/policy/random';
import type { BenchSection } from './run';

const TASKS = 1_000;
const EDGES = 5_000;
const RUNS = 20;
const WARMUP = 3;
const TARGET_MS = 50;

/** A random DAG plan: edges i -> j with i < j in a hidden order, tasks listed shuffled. */
function randomPlanDocument(seed: number): { tasks: { id: string; title: string; objective: string; deps: string[]; files: string[] }[] } {
  // Seeded, so every run measures the same plans.
  const random = mulberry32(seed).next;
  const id = (i: number): string => `t${String(i).padStart(4, '0')}`;
  const deps: string[][] = Array.from({ length: TASKS }, () => []);
  const seen = new Set<number>();
  while (seen.size < EDGES) {
    const a = Math.floor(random() * TASKS);
    const b = Math.floor(random() * TASKS);
    if (a === b) continue;
    const [i, j] = a < b ? [a, b] : [b, a];
    if (seen.has(i * TASKS + j)) continue;
    seen.add(i * TASKS + j);
    deps[j].push(id(i));
  }
  const order = [...Array(TASKS).keys()];
  for (let k = order.length - 1; k > 0; k--) {
    const r = Math.floor(random() * (k + 1));
    [order[k], order[r]] = [order[r], order[k]];
  }
  return {
    tasks: order.map((i) => ({ id: id(i), title: `Task ${i}`, objective: `Implement part ${i}.`, deps: deps[i], files: [`src/part${i}.py`] })),
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return [value, Number(process.hrtime.bigint() - t0) / 1e6];
}

export default async function planBench(): Promise<BenchSection> {
  const samples: Record<'validate' | 'metrics' | 'parse' | 'update', number[]> = { validate: [], metrics: [], parse: [], update: [] };
  let depth = 0;
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const doc = randomPlanDocument(1_000 + run);
    const text = JSON.stringify(doc);
    const [validation, tValidate] = time(() => validatePlan(doc, { maxTasks: TASKS }));
    if (!validation.ok) throw new Error(`generated plan is invalid: ${validation.errors[0]?.message}`);
    const plan: ValidPlan = validation.plan;
    const [metrics, tMetrics] = time(() => planMetrics(plan));
    const [, tParse] = time(() => parsePlanText(text, { maxTasks: TASKS }));
    const victim = plan.tasks[0];
    const [updated, tUpdate] = time(() =>
      applyPlanUpdate(plan, { reason: 'bench', replace: [{ ...victim, objective: 'Again.' }], add: [{ id: 'extra', title: 'Extra', objective: 'More.', deps: [victim.id], files: ['src/extra.py'] }] }, { maxTasks: TASKS + 1 }),
    );
    if (!updated.ok) throw new Error(`update failed: ${updated.errors[0]?.message}`);
    if (run < WARMUP) continue;
    depth = Math.max(depth, metrics.depth);
    samples.validate.push(tValidate);
    samples.metrics.push(tMetrics);
    samples.parse.push(tParse);
    samples.update.push(tUpdate);
  }
  const rows: [string, keyof typeof samples, string][] = [
    ['`validatePlan` (schema, paths, owners, deps, cycles; object input)', 'validate', `< ${TARGET_MS} ms`],
    ['`planMetrics` (levels, P_avg, C_dep, critical path; cold caches)', 'metrics', `< ${TARGET_MS} ms`],
    ['`parsePlanText` (JSON text -> validated plan)', 'parse', '-'],
    ['`applyPlanUpdate` (replace 1, add 1, re-validate)', 'update', '-'],
  ];
  const lines = [
    `Seeded random plans of ${TASKS.toLocaleString('en')} tasks and ${EDGES.toLocaleString('en')} dependencies (seeds 1003-${1000 + WARMUP + RUNS - 1};`,
    `${WARMUP} warm-up plans discarded), ${RUNS} runs, one fresh plan per run; deepest plan: ${depth} levels.`,
    '',
    '| operation | median (ms) | p95 (ms) | target | met |',
    '| --- | ---: | ---: | --- | --- |',
  ];
  for (const [label, key, target] of rows) {
    const sorted = [...samples[key]].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    const p95 = quantile(sorted, 0.95);
    const met = target === '-' ? '-' : p95 < TARGET_MS ? 'yes' : '**no**';
    lines.push(`| ${label} | ${median.toFixed(2)} | ${p95.toFixed(2)} | ${target} | ${met} |`);
  }
  return { title: 'Plan core: validation and metrics at 1,000 tasks', markdown: lines.join('\n') };
}
