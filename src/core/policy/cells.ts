import type { PolicyDocument, PriorArm, PriorPoint } from './document';
import type { Features } from './features';
import type { ArmStats, Cell, PolicyState } from './state';

/**
 * Context cells and pooling. A decision point's signature levels (finest first) name one cell each. An
 * option's belief in a cell is its real outcomes there on top of a prior taken from the next coarser cell's
 * current belief, capped at `cap` pseudo-observations; the coarsest level's prior is the document's. So a new
 * context starts from its coarser parent and keeps borrowing from it as the parent learns, while its own data
 * soon outweighs the capped prior. Where the document has a rule that only a finer level can express (its
 * keys are not all in the coarser level), the rule is that level's prior: a coarse cell must not blur it.
 */

/** Tunables of the prior handling. */
export interface PriorSettings {
  /** At most this many pseudo-observations per option from a prior document or a coarser cell. */
  cap: number;
}

const UNKNOWN_ARM: PriorArm = { p: 0.5, strength: 2 };

/** The document's entry for a point, or a neutral one (one level, no beliefs) for a point it does not know. */
export function pointPrior(doc: PolicyDocument, point: string): PriorPoint {
  return doc.points[point] ?? { levels: [[]], arms: {}, rules: [] };
}

/** The cell key of each level, finest first: `point|kind=docs,size=S` (missing features read as `-`). */
export function cellKeys(prior: PriorPoint, point: string, features: Features): string[] {
  return prior.levels.map((keys) => `${point}|${keys.map((k) => `${k}=${features[k] ?? '-'}`).join(',')}`);
}

function ruleApplies(keys: readonly string[], when: Readonly<Record<string, string>>, features: Features): boolean {
  for (const k in when) {
    if (!keys.includes(k) || features[k] !== when[k]) return false;
  }
  return true;
}

/** The document's belief about `option` at signature level `level` for these features (rules applied in order). */
export function priorBelief(prior: PriorPoint, level: number, features: Features, option: string): PriorArm {
  const keys = prior.levels[level] ?? [];
  let arm: PriorArm = prior.arms[option] ?? prior.fallback ?? UNKNOWN_ARM;
  for (const rule of prior.rules) {
    const patch = rule.arms[option];
    if (patch && ruleApplies(keys, rule.when, features)) arm = { ...arm, ...patch };
  }
  return arm;
}

/** The document's default option for these features at the finest level (rules may change it). */
export function defaultOption(prior: PriorPoint, features: Features): string | undefined {
  const keys = prior.levels[0] ?? [];
  let choice = prior.defaultOption;
  for (const rule of prior.rules) if (rule.defaultOption && ruleApplies(keys, rule.when, features)) choice = rule.defaultOption;
  return choice;
}

/** True if some rule about `option` matches at level `fine` but cannot be expressed at level `coarse`. */
function hasSpecificRule(prior: PriorPoint, fine: number, coarse: number, features: Features, option: string): boolean {
  const fineKeys = prior.levels[fine] ?? [];
  const coarseKeys = prior.levels[coarse] ?? [];
  return prior.rules.some(
    (r) => r.arms[option] !== undefined && ruleApplies(fineKeys, r.when, features) && !ruleApplies(coarseKeys, r.when, features),
  );
}

/** Weight of the prior estimate in the running means of cost and latency, in observations. */
export const COST_PRIOR_WEIGHT = 2;

/** Where an option's prior in a cell comes from, for the audit. */
export type ArmSource = { kind: 'prior'; level: number } | { kind: 'inherited'; key: string } | { kind: 'restart' };

/** An option's belief in one cell. */
export interface ArmView {
  /** Beta parameters of P(success): prior pseudo-counts plus real outcomes. */
  a: number;
  b: number;
  /** Real outcomes here, and the prior's pseudo-observations. */
  realRuns: number;
  priorRuns: number;
  /** Prior mean of P(success) (before this cell's own outcomes). */
  priorMean: number;
  cost: number;
  latency: number;
  source: ArmSource;
  /** The stored outcomes, if the cell has any for this option. */
  stored?: ArmStats;
}

/** Facts the caller knows about an option (price sheet), used where the document has no estimate. */
export interface OptionFacts {
  costUsd?: number;
  latencyMs?: number;
}

/**
 * The belief about `option` in each level's cell from the coarsest down to `level` (index = level). Does not
 * modify the state. `trust` (per point) scales the document's beliefs; a cell's weight scales every prior in it.
 */
export function resolveLevels(
  state: PolicyState,
  doc: PolicyDocument,
  point: string,
  features: Features,
  option: string,
  level: number,
  settings: PriorSettings,
  facts: OptionFacts = {},
): ArmView[] {
  const prior = pointPrior(doc, point);
  const keys = cellKeys(prior, point, features);
  const trust = state.points[point]?.trust ?? 1;
  const views: ArmView[] = new Array<ArmView>(keys.length);
  for (let i = keys.length - 1; i >= level; i--) {
    const cell: Cell | undefined = state.cells[keys[i] as string];
    const stored = cell?.arms[option];
    const weight = cell?.w ?? 1;
    let p: number;
    let n: number;
    let cost: number;
    let latency: number;
    let source: ArmSource;
    const parent = i + 1 < keys.length ? views[i + 1] : undefined;
    if (stored?.o && stored.s + stored.f < settings.cap) {
      p = stored.o.p;
      n = stored.o.n;
      cost = facts.costUsd ?? parent?.cost ?? priorBelief(prior, i, features, option).costUsd ?? 0;
      latency = facts.latencyMs ?? parent?.latency ?? priorBelief(prior, i, features, option).latencyMs ?? 0;
      source = { kind: 'restart' };
    } else if (!parent || hasSpecificRule(prior, i, i + 1, features, option)) {
      const belief = priorBelief(prior, i, features, option);
      // A distrusted document belief loses its mean as well as its strength: once the point's trust is below
      // a half (the optimism tripwire fired hard or twice) or the cell's weight below a quarter (its data
      // conflicted with the prior three times), the mean slides toward the cold start's uninformed 0.5. Else
      // an option the prior wrongly disparaged stays out of reach: down-weighting alone leaves
      // Beta(2p, 2 − 2p), still near 0 for p near 0, and an expensive option is then never tried.
      const credence = Math.min(1, 2 * trust) * Math.min(1, 4 * weight);
      p = 0.5 + (belief.p - 0.5) * credence;
      n = Math.min(settings.cap, belief.strength ?? 8) * trust;
      cost = facts.costUsd ?? belief.costUsd ?? parent?.cost ?? 0;
      latency = facts.latencyMs ?? belief.latencyMs ?? parent?.latency ?? 0;
      source = { kind: 'prior', level: i };
    } else {
      p = parent.a / (parent.a + parent.b);
      n = Math.min(settings.cap, parent.a + parent.b - 2);
      cost = parent.cost;
      latency = parent.latency;
      source = { kind: 'inherited', key: keys[i + 1] as string };
    }
    n *= weight;
    const s = stored?.s ?? 0;
    const f = stored?.f ?? 0;
    // Beta(p·(n+2), (1−p)·(n+2)): mean exactly p (so passing a belief down the levels does not drift toward
    // 0.5), and n = 0 with p = 0.5 is the uniform prior.
    const view: ArmView = {
      a: p * (n + 2) + s,
      b: (1 - p) * (n + 2) + f,
      realRuns: s + f,
      priorRuns: n,
      priorMean: p,
      cost: stored ? (cost * COST_PRIOR_WEIGHT + stored.cs) / (COST_PRIOR_WEIGHT + stored.cn) : cost,
      latency: stored ? (latency * COST_PRIOR_WEIGHT + stored.ls) / (COST_PRIOR_WEIGHT + stored.ln) : latency,
      source,
    };
    if (stored) view.stored = stored;
    views[i] = view;
  }
  return views;
}

/** The belief about `option` in the cell of level `level` (0: the finest). */
export function resolveArm(
  state: PolicyState,
  doc: PolicyDocument,
  point: string,
  features: Features,
  option: string,
  level: number,
  settings: PriorSettings,
  facts: OptionFacts = {},
): ArmView {
  return resolveLevels(state, doc, point, features, option, level, settings, facts)[level] as ArmView;
}

/** Empty outcome statistics. */
export function emptyArm(t: number): ArmStats {
  return { s: 0, f: 0, cs: 0, cn: 0, ls: 0, ln: 0, streak: 0, t };
}

/** The stored arms of `option` at every level (finest first), created empty where missing. */
export function materialise(state: PolicyState, doc: PolicyDocument, point: string, features: Features, option: string, now: number): ArmStats[] {
  const keys = cellKeys(pointPrior(doc, point), point, features);
  return keys.map((key) => {
    const cell = (state.cells[key] ??= { w: 1, arms: {} });
    return (cell.arms[option] ??= emptyArm(now));
  });
}
