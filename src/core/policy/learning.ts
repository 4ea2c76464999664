import { cellKeys, materialise, pointPrior, resolveArm, resolveLevels, type PriorSettings } from './cells';
import type { PolicyDocument } from './document';
import { logGamma } from './stats';
import type { ArmStats, Cell, OpenDecision, PointState, PolicyState } from './state';

/**
 * The learning rule as pure state transitions. Every change to a policy's state is one of these operations;
 * the store replays a writer's pending operations onto the freshest copy on disk, so two windows (or a window
 * and the CLI) on one workspace do not lose each other's updates.
 */
export type PolicyOp =
  | { op: 'decided'; id: string; explore: boolean; decision: OpenDecision }
  | { op: 'outcome'; id: string; point: string; features: Record<string, string>; option: string; success: boolean; weight: number; predicted: number; costUsd?: number; latencyMs?: number; t: number }
  | { op: 'escape'; id: string; point: string; features: Record<string, string>; option: string; weight: number; t: number }
  | { op: 'fingerprint'; point: string; option: string; fingerprint: string; reset: boolean; t: number }
  | { op: 'closed'; id: string };

/** Tunables of the learning rule (defaults in `DEFAULT_LEARNING`). */
export interface LearningSettings extends PriorSettings {
  /** Decisions remembered per point for the exploration cap. */
  explorationWindow: number;
  /** Outcomes remembered per point for the optimism tripwire, the fewest it judges on, and the mean
   * shortfall (outcome − prediction) that fires it. */
  tripwireWindow: number;
  tripwireMinRuns: number;
  tripwireThreshold: number;
  /** Real observations an arm needs before its prior can be found in conflict, and the distance (s.d.). */
  conflictMinRuns: number;
  conflictSd: number;
  /** Below `conflictMinRuns` (from 2 outcomes on), the prior-predictive tail probability that is a conflict. */
  conflictTail: number;
  /** Open decisions kept (oldest dropped first). */
  maxOpen: number;
}

export const DEFAULT_LEARNING: LearningSettings = {
  cap: 12,
  explorationWindow: 100,
  tripwireWindow: 100,
  tripwireMinRuns: 10,
  tripwireThreshold: -0.1,
  conflictMinRuns: 6,
  conflictSd: 2.5,
  conflictTail: 0.01,
  maxOpen: 2000,
};

/** The point's bookkeeping, created on first use. */
export function pointState(state: PolicyState, point: string): PointState {
  return (state.points[point] ??= { recent: [], resid: [], trust: 1, trips: 0, fingerprints: {} });
}

/**
 * Prior-data conflict, tested per option against the prior it had in the cell: with enough real runs, a real
 * success rate further than `conflictSd` predictive standard deviations from the prior mean; with fewer (from
 * two), an exact prior-predictive tail below `conflictTail`. A conflict halves the weight of every prior in the
 * cell (its data stays); once the weight is below a quarter, the document's means there slide toward 0.5 too.
 */
function checkConflict(cell: Cell, real: { s: number; f: number }, priorMean: number, priorRuns: number, settings: LearningSettings): void {
  const n = real.s + real.f;
  if (priorRuns < 1) return;
  if (n >= 2 && n < settings.conflictMinRuns) {
    // Too few outcomes for the normal approximation: the exact prior-predictive (beta-binomial) tail
    // probability of what was seen. Two failures against a confident 0.97 (tail ≈ 0.004) are a conflict
    // already; two against a modest 0.7 (≈ 0.1) are not.
    const a = priorMean * (priorRuns + 2);
    const b = (1 - priorMean) * (priorRuns + 2);
    if (a <= 0 || b <= 0) return;
    const k = Math.round(real.s);
    const m = Math.round(n);
    const pmf = (x: number): number => Math.exp(lnChoose(m, x) + lnBeta(a + x, b + m - x) - lnBeta(a, b));
    let tail = 0;
    if (k / m < priorMean) for (let x = 0; x <= k; x++) tail += pmf(x);
    else for (let x = k; x <= m; x++) tail += pmf(x);
    if (tail < settings.conflictTail) cell.w /= 2;
    return;
  }
  if (n < settings.conflictMinRuns) return;
  const pm = priorMean;
  const sd = Math.sqrt(Math.max(pm * (1 - pm), 0.01) * (1 / n + 1 / (priorRuns + 1)));
  if (Math.abs(real.s / n - pm) > settings.conflictSd * sd) cell.w /= 2;
}

function observe(arm: ArmStats, success: boolean, weight: number, costUsd: number | undefined, latencyMs: number | undefined, t: number): void {
  if (success) {
    arm.s += weight;
    arm.streak += 1;
  } else {
    arm.f += weight;
    arm.streak = 0;
  }
  if (costUsd !== undefined && Number.isFinite(costUsd) && costUsd >= 0) {
    arm.cs += costUsd;
    arm.cn += 1;
  }
  if (latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0) {
    arm.ls += latencyMs;
    arm.ln += 1;
  }
  arm.t = Math.max(arm.t, t);
}

function lnChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}
function lnBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Every stored cell of a point (by key prefix), with its key. */
function cellsOf(state: PolicyState, point: string): [string, Cell][] {
  const prefix = `${point}|`;
  return Object.entries(state.cells).filter(([key]) => key.startsWith(prefix));
}

/** The features a cell key names (`model|kind=docs,size=S` -> {kind: 'docs', size: 'S'}). */
export function parseCellKey(key: string): Record<string, string> {
  const body = key.slice(key.indexOf('|') + 1);
  const out: Record<string, string> = {};
  if (!body) return out;
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * Optimism tripwire: when the chosen options' outcomes fall short of their predictions, on average over the
 * recent window, by more than the threshold and by more than three standard errors (so that a good prior's
 * noise does not trip it, while a confidently wrong one trips within a few dozen outcomes), every prior of the
 * point is halved, and so is the trust given to the document's beliefs for cells created later.
 */
function tripwire(state: PolicyState, point: string, residual: number, settings: LearningSettings): void {
  const ps = pointState(state, point);
  ps.resid.push(Math.max(-1, Math.min(1, residual)));
  if (ps.resid.length > settings.tripwireWindow) ps.resid.splice(0, ps.resid.length - settings.tripwireWindow);
  const n = ps.resid.length;
  if (n < settings.tripwireMinRuns) return;
  let sum = 0;
  let sq = 0;
  for (const r of ps.resid) {
    sum += r;
    sq += r * r;
  }
  const mean = sum / n;
  const sd = Math.max(0.3, Math.sqrt(Math.max(0, sq / n - mean * mean)));
  if (mean >= settings.tripwireThreshold || (mean * Math.sqrt(n)) / sd > -3) return;
  // A shortfall twice the threshold is a confidently wrong prior: cut it to a quarter at once; three times
  // the threshold (outcomes far below every prediction) leaves it a sixteenth, and then its means slide
  // toward uninformed too (see `resolveLevels`).
  const factor = mean < 3 * settings.tripwireThreshold ? 16 : mean < 2 * settings.tripwireThreshold ? 4 : 2;
  for (const [, cell] of cellsOf(state, point)) cell.w /= factor;
  ps.trust /= factor;
  ps.trips += 1;
  ps.resid = [];
}

/**
 * Restarts an option everywhere in a point, optimistically: its outcomes are forgotten in every cell, and each
 * cell starts it from the mean of that cell's best option with 2 pseudo-observations (until it has `cap` real
 * outcomes there, then it borrows from coarser cells as usual), so the new model or version is tried again soon.
 */
function restartOption(state: PolicyState, doc: PolicyDocument, point: string, option: string, t: number, settings: LearningSettings): void {
  const prior = pointPrior(doc, point);
  const cells = cellsOf(state, point).filter(([, cell]) => cell.arms[option] !== undefined);
  const optimistic = cells.map(([key, cell]) => {
    const features = parseCellKey(key);
    const level = prior.levels.findIndex((_, i) => cellKeys(prior, point, features)[i] === key);
    let best = 0;
    for (const other of Object.keys(cell.arms)) {
      if (other === option || level < 0) continue;
      const v = resolveArm(state, doc, point, features, other, level, settings);
      best = Math.max(best, v.a / (v.a + v.b));
    }
    return best > 0 ? best : 0.5;
  });
  cells.forEach(([, cell], i) => {
    cell.arms[option] = { s: 0, f: 0, cs: 0, cn: 0, ls: 0, ln: 0, streak: 0, t, o: { p: optimistic[i] as number, n: 2 } };
  });
}

/** Applies one operation to `state` (mutating it). The same function serves live updates and replays. */
export function applyOp(state: PolicyState, doc: PolicyDocument, op: PolicyOp, settings: LearningSettings): void {
  switch (op.op) {
    case 'decided': {
      const ps = pointState(state, op.decision.point);
      ps.recent.push(op.explore ? 1 : 0);
      if (ps.recent.length > settings.explorationWindow) ps.recent.splice(0, ps.recent.length - settings.explorationWindow);
      state.open[op.id] = op.decision;
      state.decisions += 1;
      // Every 100 decisions, drop the oldest (insertion order) past the bound: their outcomes can no
      // longer be credited. Checking every time would cost a key listing per decision.
      if (state.decisions % 100 === 0) {
        const ids = Object.keys(state.open);
        for (let i = 0; i < ids.length - settings.maxOpen; i++) delete state.open[ids[i] as string];
      }
      state.updatedAt = Math.max(state.updatedAt, op.decision.t);
      return;
    }
    case 'outcome': {
      const arms = materialise(state, doc, op.point, op.features, op.option, op.t);
      for (const arm of arms) observe(arm, op.success, op.weight, op.costUsd, op.latencyMs, op.t);
      const keys = cellKeys(pointPrior(doc, op.point), op.point, op.features);
      const views = resolveLevels(state, doc, op.point, op.features, op.option, 0, settings);
      views.forEach((v, level) => checkConflict(state.cells[keys[level] as string] as Cell, arms[level] as ArmStats, v.priorMean, v.priorRuns, settings));
      tripwire(state, op.point, (op.success ? 1 : 0) - op.predicted, settings);
      const open = state.open[op.id];
      if (open) open.closed = true;
      state.updatedAt = Math.max(state.updatedAt, op.t);
      return;
    }
    case 'escape': {
      const arms = materialise(state, doc, op.point, op.features, op.option, op.t);
      for (const arm of arms) observe(arm, false, op.weight, undefined, undefined, op.t);
      const open = state.open[op.id];
      if (open) open.closed = true;
      state.updatedAt = Math.max(state.updatedAt, op.t);
      return;
    }
    case 'fingerprint': {
      const ps = pointState(state, op.point);
      // Replayed onto a state where another writer already restarted this version: do not restart twice.
      if (ps.fingerprints[op.option] === op.fingerprint) return;
      if (op.reset && ps.fingerprints[op.option] !== undefined) restartOption(state, doc, op.point, op.option, op.t, settings);
      ps.fingerprints[op.option] = op.fingerprint;
      return;
    }
    case 'closed': {
      const open = state.open[op.id];
      if (open) open.closed = true;
      return;
    }
  }
}

/** Exploratory decisions in the point's window, and how many more the cap allows. */
export function explorationAllowance(state: PolicyState, point: string, share: number, settings: LearningSettings): { used: number; left: number } {
  const recent = state.points[point]?.recent ?? [];
  let used = 0;
  for (const r of recent) used += r;
  // The share counts the decisions actually taken (this one included), not the window's size: a new policy
  // may not spend its whole window's allowance on its first decisions.
  const decisions = Math.min(recent.length, settings.explorationWindow - 1) + 1;
  return { used, left: Math.max(0, Math.floor(share * decisions + 1e-9) - used) };
}
