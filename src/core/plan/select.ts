import { plural } from '../words';
import { canonicalPlanJson } from './canonical';
import { NoCandidatesError } from './errors';
import { planMetrics, type PlanMetrics } from './metrics';
import type { ValidPlan } from './validPlan';

/** Metrics closer than this count as equal (P_avg and C_dep are ratios and square roots). */
export const METRIC_EPSILON = 1e-9;

/** The outcome of {@link selectPlan}. */
export interface PlanSelection {
  /** Index of the chosen candidate in the array given. */
  readonly index: number;
  /** Metrics of every candidate, in the order given. */
  readonly metrics: readonly PlanMetrics[];
  /** Plain-language reason for the choice, naming candidates 1-based in the order given. */
  readonly reason: string;
}

/**
 * Renames the candidates a selection reason names (1-based in the order given to {@link selectPlan}) with
 * `rename`, e.g. to their draw numbers when only some draws were valid. The space after a number is kept:
 * "candidate 1 of 3", "candidates 2, 3 are the same plan".
 */
export function renameCandidates(reason: string, rename: (n: number) => number): string {
  return reason.replace(/\bcandidate(s?) (\d+(?:, \d+)*)/g, (_m, plural: string, list: string) =>
    `candidate${plural} ${list.split(', ').map((n) => String(rename(Number(n)))).join(', ')}`);
}

/** The reason without its leading "candidate N of M: " (for callers that name the winner themselves). */
export function reasonBody(reason: string): string {
  return reason.replace(/^candidate \d+ of \d+: /, '');
}

const fmt = (x: number): string => String(Number(x.toFixed(3)));
const names = (ids: readonly number[]): string =>
  ids.length === 1 ? `candidate ${ids[0] + 1}` : `candidates ${ids.map((i) => i + 1).join(', ')}`;

/**
 * Chooses among valid plan candidates: the highest P_avg; ties (within 1e-9)
 * go to fewer edges, then the lowest C_dep (within 1e-9), then the lexicographically smallest canonical
 * JSON. Each rule filters the set of survivors, so the choice never depends on the order of arrival.
 * Identical candidates are one plan; the first of them is reported.
 * @throws NoCandidatesError for an empty array.
 */
export function selectPlan(candidates: readonly ValidPlan[]): PlanSelection {
  if (candidates.length === 0) throw new NoCandidatesError();
  const metrics = candidates.map(planMetrics);
  const all = candidates.map((_, i) => i);
  const m = (i: number): PlanMetrics => metrics[i];
  if (candidates.length === 1) {
    const only = m(0);
    return {
      index: 0,
      metrics,
      reason: `the only valid candidate: P_avg ${fmt(only.parallelism)} (${plural(only.tasks, 'task')} in ${plural(only.depth, 'level')}), ${plural(only.edges, 'dependency', 'dependencies')}, C_dep ${fmt(only.dependencyComplexity)}`,
    };
  }

  const steps: string[] = [];
  const bestP = Math.max(...all.map((i) => m(i).parallelism));
  const byP = all.filter((i) => m(i).parallelism >= bestP - METRIC_EPSILON);
  const lowerP = all.filter((i) => !byP.includes(i));

  const fewestEdges = Math.min(...byP.map((i) => m(i).edges));
  const byEdges = byP.filter((i) => m(i).edges === fewestEdges);
  const moreEdges = byP.filter((i) => !byEdges.includes(i));

  const lowestC = Math.min(...byEdges.map((i) => m(i).dependencyComplexity));
  const byC = byEdges.filter((i) => m(i).dependencyComplexity <= lowestC + METRIC_EPSILON);
  const higherC = byEdges.filter((i) => !byC.includes(i));

  const canon = byC.map((i) => ({ i, json: canonicalPlanJson(candidates[i]) }));
  const smallest = canon.reduce((a, b) => (b.json < a.json ? b : a)).json;
  const index = Math.min(...canon.filter((c) => c.json === smallest).map((c) => c.i));
  const larger = canon.filter((c) => c.json !== smallest).map((c) => c.i);
  const same = canon.filter((c) => c.json === smallest && c.i !== index).map((c) => c.i);

  const w = m(index);
  steps.push(`highest parallelism P_avg ${fmt(w.parallelism)} (${plural(w.tasks, 'task')} in ${plural(w.depth, 'level')})`);
  if (lowerP.length > 0) steps.push(`${names(lowerP)} had lower P_avg (${lowerP.map((i) => fmt(m(i).parallelism)).join(', ')})`);
  if (moreEdges.length > 0) {
    steps.push(`tied on P_avg, it has fewer dependencies (${w.edges} against ${moreEdges.map((i) => m(i).edges).join(', ')} for ${names(moreEdges)})`);
  }
  if (higherC.length > 0) {
    steps.push(`tied on P_avg and dependencies, it has lower dependency complexity C_dep ${fmt(w.dependencyComplexity)} (against ${higherC.map((i) => fmt(m(i).dependencyComplexity)).join(', ')} for ${names(higherC)})`);
  }
  if (larger.length > 0) steps.push(`tied with ${names(larger)} on every metric, its canonical JSON sorts first`);
  if (same.length > 0) steps.push(`${names(same)} ${same.length === 1 ? 'is' : 'are'} the same plan`);
  return { index, metrics, reason: `candidate ${index + 1} of ${candidates.length}: ${steps.join('; ')}` };
}
