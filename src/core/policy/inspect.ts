import { pointPrior, resolveArm } from './cells';
import { DEFAULT_CERTIFICATE, evaluateCertificate } from './certificate';
import { DEFAULT_LEARNING, parseCellKey } from './learning';
import { CHECK_POINT, type CoordinationPolicy } from './policy';
import { betaInterval } from './stats';
import { DEFAULT_COST_REF_USD, DEFAULT_LATENCY_REF_MS } from './weights';

/**
 * A read-only view of what a policy believes, for the "Show Policy" view: per decision point and context, each
 * option's estimated P(success) with its 90 % interval, the share of the estimate that still comes from the
 * prior, cost, latency and expected score. It never changes the policy.
 */

/** One option's estimate in one context. */
export interface OptionEstimate {
  id: string;
  pSuccess: number;
  interval: [number, number];
  realRuns: number;
  priorRuns: number;
  /** priorRuns / (priorRuns + realRuns): how much of the estimate is still the warm start. */
  priorShare: number;
  costUsd: number;
  latencyMs: number;
  expectedScore: number;
}

/** One context (a cell of the point's signature levels) and its options. */
export interface ContextView {
  /** The cell key, e.g. `model|kind=create,size=S`; `<point>|` is the whole point. */
  cell: string;
  features: Record<string, string>;
  /** Real outcomes recorded in this cell over all its options. */
  realRuns: number;
  options: OptionEstimate[];
  /** For the check point: whether the inspector may be skipped here, and why. */
  certificate?: { granted: boolean; reason: string };
}

/** A decision point and its contexts (the whole point first, then learned contexts by traffic). */
export interface PointView {
  point: string;
  defaultOption?: string;
  contexts: ContextView[];
}

/** Describes a policy (see the module comment); `maxContexts` caps the learned contexts shown per point. */
export function describePolicy(policy: CoordinationPolicy, opts: { maxContexts?: number; defectCostUsd?: number } = {}): PointView[] {
  const doc = policy.document;
  const state = policy.current;
  const w = policy.weights;
  const byPoint = new Map<string, string[]>();
  for (const key of Object.keys(state.cells)) {
    const point = key.slice(0, key.indexOf('|'));
    byPoint.set(point, [...(byPoint.get(point) ?? []), key]);
  }
  const points = [...new Set([...Object.keys(doc.points), ...byPoint.keys()])];
  return points.map((point) => {
    const prior = pointPrior(doc, point);
    const levelOf = (features: Record<string, string>): number =>
      prior.levels.findIndex((keys) => keys.length === Object.keys(features).length && keys.every((k) => k in features));
    const context = (cell: string, features: Record<string, string>, level: number): ContextView => {
      const stored = state.cells[cell]?.arms ?? {};
      const ids = [...new Set([...Object.keys(prior.arms), ...Object.keys(stored)])];
      const options = ids.map((id): OptionEstimate => {
        const v = resolveArm(state, doc, point, features, id, level, DEFAULT_LEARNING);
        const p = v.a / (v.a + v.b);
        return {
          id,
          pSuccess: p,
          interval: betaInterval(v.a, v.b, 0.9),
          realRuns: v.realRuns,
          priorRuns: v.priorRuns,
          priorShare: v.priorRuns + v.realRuns > 0 ? v.priorRuns / (v.priorRuns + v.realRuns) : 1,
          costUsd: v.cost,
          latencyMs: v.latency,
          expectedScore: w.success * p - (w.cost * v.cost) / DEFAULT_COST_REF_USD - (w.latency * v.latency) / DEFAULT_LATENCY_REF_MS,
        };
      });
      const view: ContextView = { cell, features, realRuns: options.reduce((n, o) => n + o.realRuns, 0), options };
      if (point === CHECK_POINT) {
        const run = resolveArm(state, doc, point, features, 'run', level, DEFAULT_LEARNING);
        const verdict = evaluateCertificate(run.stored, run.cost, opts.defectCostUsd ?? 1.5, DEFAULT_CERTIFICATE);
        view.certificate = { granted: verdict.granted, reason: verdict.reason };
      }
      return view;
    };
    const whole = prior.levels.findIndex((keys) => keys.length === 0);
    const contexts: ContextView[] = whole >= 0 ? [context(`${point}|`, {}, whole)] : [];
    const learned = (byPoint.get(point) ?? [])
      .filter((key) => key !== `${point}|`)
      .map((key) => ({ key, features: parseCellKey(key) }))
      .map(({ key, features }) => ({ key, features, level: levelOf(features) }))
      .filter((c) => c.level >= 0)
      .map((c) => context(c.key, c.features, c.level))
      .sort((a, b) => b.realRuns - a.realRuns || a.cell.localeCompare(b.cell))
      .slice(0, opts.maxContexts ?? 50);
    const out: PointView = { point, contexts: [...contexts, ...learned] };
    if (prior.defaultOption !== undefined) out.defaultOption = prior.defaultOption;
    return out;
  });
}
