import { CoordinationPolicy, PolicyDocumentSchema, seededRng, type PolicyDocument, type PolicyDocumentInput, type PolicySettings } from '../../../src/core/policy';

/** A two-option document: `a` believed at 0.8, `b` at 0.5, no costs, levels [kind, size] -> [kind] -> []. */
export function twoOptionDoc(extra: Partial<PolicyDocumentInput['points'][string]> = {}): PolicyDocument {
  return PolicyDocumentSchema.parse({
    id: 'test@1',
    points: {
      model: {
        levels: [['kind', 'size'], ['kind'], []],
        defaultOption: 'a',
        arms: { a: { p: 0.8, strength: 8 }, b: { p: 0.5, strength: 8 } },
        ...extra,
      },
    },
  });
}

/** A policy with a seeded generator, a fixed clock and no latency or cost weight unless given. */
export function makePolicy(doc: PolicyDocument = twoOptionDoc(), settings: PolicySettings = {}, seed = 1): CoordinationPolicy {
  return new CoordinationPolicy(doc, undefined, { rng: seededRng(seed), now: () => 1_000, ...settings });
}
