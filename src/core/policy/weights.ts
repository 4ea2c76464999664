/**
 * How a decision weighs success against cost and latency:
 * `score = success·P(success) − cost·E[cost]/costRef − latency·E[latency]/latencyRef`.
 */
export interface Weights {
  success: number;
  cost: number;
  latency: number;
}

export type PresetName = 'quality' | 'balanced' | 'frugal';

/** The user-facing presets (settings `agensflow.policy.preset`); `policy.weights` overrides single weights. */
export const PRESETS: Readonly<Record<PresetName, Readonly<Weights>>> = {
  quality: { success: 1, cost: 0.1, latency: 0.02 },
  balanced: { success: 1, cost: 0.25, latency: 0.05 },
  frugal: { success: 1, cost: 0.6, latency: 0.1 },
};

/** The price of the most expensive binding for a median task, and a minute: the scales of cost and latency. */
export const DEFAULT_COST_REF_USD = 0.15;
export const DEFAULT_LATENCY_REF_MS = 60_000;

/** Weights from a preset with optional overrides; negative or non-finite overrides are ignored. */
export function resolveWeights(preset: PresetName = 'balanced', overrides: Partial<Weights> = {}): Weights {
  const base = { ...PRESETS[preset] };
  for (const key of ['success', 'cost', 'latency'] as const) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) base[key] = v;
  }
  return base;
}
