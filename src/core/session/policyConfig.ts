/**
 * The policy's part of a run's configuration (the CLI's `--config` `policy` object, the extension's
 * `agensflow.policy.*` settings) and the model bindings the policy chooses among.
 */
import { z } from 'zod';
import { PinsSchema, type PolicySettings } from '../policy';

/** `policy` in the `--config` file; the same four knobs as the VS Code settings. */
export const PolicyConfigSchema = z
  .object({
    /** How success weighs against cost and latency. */
    preset: z.enum(['quality', 'balanced', 'frugal']),
    /** Single weights overriding the preset's. */
    weights: z.object({ success: z.number().min(0), cost: z.number().min(0), latency: z.number().min(0) }).partial(),
    /** Most exploratory decisions per point, as a share of the last 100 (0 turns exploration off). */
    exploration: z.number().min(0).max(1),
    /** What a defect that escapes a skipped check costs, in the price table's currency. */
    defectCost: z.number().min(0),
    /** Options pinned per point and context: `[{point: "model", when: {kind: "docs"}, option: "cheap-model"}]`. */
    pins: PinsSchema,
  })
  .partial();
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

/** The policy settings a configuration asks for (unset knobs keep the policy's defaults). */
export function policySettingsOf(config: PolicyConfig | undefined): PolicySettings {
  const out: PolicySettings = {};
  if (!config) return out;
  if (config.preset) out.preset = config.preset;
  if (config.weights) {
    const w: NonNullable<PolicySettings['weights']> = {};
    if (config.weights.success !== undefined) w.success = config.weights.success;
    if (config.weights.cost !== undefined) w.cost = config.weights.cost;
    if (config.weights.latency !== undefined) w.latency = config.weights.latency;
    out.weights = w;
  }
  if (config.exploration !== undefined) out.explorationShare = config.exploration;
  if (config.defectCost !== undefined) out.defectCostUsd = config.defectCost;
  return out;
}

/** A model role's names: one name, or several from the cheapest to the strongest. */
export const ModelNamesSchema = z.union([z.string(), z.array(z.string()).min(1)]);

/** The names of a role's models, cheapest first, without duplicates or empty names. */
export function modelNames(value: string | readonly string[] | undefined): string[] {
  const list = value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
  return [...new Set(list.map((n) => n.trim()).filter((n) => n.length > 0))];
}

/**
 * The policy's option ids for `count` model bindings listed cheapest first: the tiers its prior knows
 * (`cheap`, `standard`, `strong`), so the shipped warm start applies to any model names.
 */
export function modelTiers(count: number): string[] {
  if (count <= 1) return ['standard'];
  if (count === 2) return ['cheap', 'strong'];
  if (count === 3) return ['cheap', 'standard', 'strong'];
  return ['cheap', ...Array.from({ length: count - 2 }, (_, i) => `standard-${i + 1}`), 'strong'];
}
