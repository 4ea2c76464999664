import { z } from 'zod';

/**
 * The prior "policy graph": a JSON document that says, per decision point, which context features form the
 * signature levels (finest first), what each option is believed to achieve before any real outcome, and
 * rules that sharpen that belief for some contexts. The shipped default is `default-policy.json`; an imported
 * policy becomes one of these too (learned counts turned into capped pseudo-observations).
 */

const Probability = z.number().min(0).max(1);

/** Belief about one option: P(passed verification), its strength in pseudo-observations, cost and latency. */
export const PriorArmSchema = z.object({
  p: Probability,
  strength: z.number().min(0).max(1000).optional(),
  costUsd: z.number().min(0).optional(),
  latencyMs: z.number().min(0).optional(),
});
export type PriorArm = z.output<typeof PriorArmSchema>;

/** Overrides for contexts whose features match `when` (every key equal). Later rules win over earlier ones. */
export const PriorRuleSchema = z.object({
  when: z.record(z.string(), z.string()),
  arms: z.record(z.string(), PriorArmSchema.partial()),
  defaultOption: z.string().optional(),
});
export type PriorRule = z.output<typeof PriorRuleSchema>;

export const PriorPointSchema = z.object({
  /** Feature names per signature level, finest first; the last level is usually `[]` (the whole point). */
  levels: z.array(z.array(z.string())).min(1),
  /** What a static pipeline would pick: the tie-breaker and the audit's "default". */
  defaultOption: z.string().optional(),
  arms: z.record(z.string(), PriorArmSchema),
  /** Belief for an option the document does not name (e.g. a user's own model binding). */
  fallback: PriorArmSchema.optional(),
  rules: z.array(PriorRuleSchema).default([]),
});
export type PriorPoint = z.output<typeof PriorPointSchema>;

export const PolicyDocumentSchema = z.object({
  id: z.string().min(1),
  description: z.string().optional(),
  points: z.record(z.string(), PriorPointSchema),
});
export type PolicyDocument = z.output<typeof PolicyDocumentSchema>;
export type PolicyDocumentInput = z.input<typeof PolicyDocumentSchema>;
