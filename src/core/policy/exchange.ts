import { z } from 'zod';
import { pointPrior, resolveArm } from './cells';
import { PolicyDocumentSchema, type PolicyDocument, type PriorRule } from './document';
import { parseCellKey } from './learning';
import { CHECK_POINT, type CoordinationPolicy } from './policy';
import { withShippedPoints } from './points';
import { emptyState, type PolicyState } from './state';

/**
 * Export and import. An export is a prior document: the policy's own prior plus, for every learned context,
 * a rule holding its current belief as capped pseudo-observations. Importing it gives a fresh state whose
 * prior is that document: nothing real comes with it, so no skip certificate can (certificates need real
 * verified runs in this workspace), and the check point's learned rules are dropped on both sides.
 */
export const EXPORT_SCHEMA = 'agensflow-policy-export';
export const EXPORT_VERSION = 1;

export const PolicyExportSchema = z.object({
  schema: z.literal(EXPORT_SCHEMA),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.number(),
  document: PolicyDocumentSchema,
});
export type PolicyExport = z.output<typeof PolicyExportSchema>;

/** Strength of an exported belief: never more than this many pseudo-observations. */
export const EXPORT_CAP = 12;

function withoutCheckRules(doc: PolicyDocument): PolicyDocument {
  const points = { ...doc.points };
  const check = points[CHECK_POINT];
  if (check) points[CHECK_POINT] = { ...check, rules: [] };
  return { ...doc, points };
}

/** The policy as a shareable document (see the module comment). Open decisions and counts stay behind. */
export function exportPolicy(policy: CoordinationPolicy, now = Date.now()): PolicyExport {
  const base = policy.document;
  const points: PolicyDocument['points'] = {};
  for (const [point, prior] of Object.entries(base.points)) points[point] = { ...prior, rules: [...prior.rules] };
  const state = policy.current;
  // Coarse cells first, so that a finer context's rule comes later and wins where both apply.
  const keys = Object.keys(state.cells).sort((a, b) => a.split(',').length - b.split(',').length || a.localeCompare(b));
  for (const key of keys) {
    const point = key.slice(0, key.indexOf('|'));
    if (point === CHECK_POINT) continue;
    const prior = pointPrior(base, point);
    const features = parseCellKey(key);
    const level = prior.levels.findIndex((levelKeys) => levelKeys.length === Object.keys(features).length && levelKeys.every((k) => k in features));
    if (level < 0) continue;
    const arms: PriorRule['arms'] = {};
    for (const option of Object.keys(state.cells[key]?.arms ?? {})) {
      const v = resolveArm(state as PolicyState, base, point, features, option, level, { cap: EXPORT_CAP });
      arms[option] = { p: v.a / (v.a + v.b), strength: Math.min(EXPORT_CAP, v.a + v.b - 2), costUsd: v.cost, latencyMs: v.latency };
    }
    const point0 = points[point] ?? { levels: prior.levels, arms: {}, rules: [] };
    point0.rules.push({ when: features, arms });
    points[point] = point0;
  }
  const document = withoutCheckRules({ id: `${base.id}+learned@${new Date(now).toISOString().slice(0, 10)}`, description: `Exported from a workspace policy (prior ${base.id}).`, points });
  return { schema: EXPORT_SCHEMA, version: EXPORT_VERSION, exportedAt: now, document };
}

/** The result of checking an import. */
export type ImportResult = { ok: true; state: PolicyState; document: PolicyDocument } | { ok: false; message: string };

/**
 * Validates an exported policy (already JSON-parsed) and builds a fresh state with it as the prior.
 * Strengths are capped again on the way in; check-point rules are dropped.
 */
export function importPolicy(json: unknown, now = Date.now()): ImportResult {
  const parsed = PolicyExportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `not an AgensFlow policy export: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}` };
  }
  const doc = withoutCheckRules(withShippedPoints(parsed.data.document));
  const capped: PolicyDocument = {
    ...doc,
    points: Object.fromEntries(
      Object.entries(doc.points).map(([point, prior]) => [
        point,
        {
          ...prior,
          arms: Object.fromEntries(Object.entries(prior.arms).map(([k, a]) => [k, { ...a, strength: Math.min(EXPORT_CAP, a.strength ?? 8) }])),
          rules: prior.rules.map((r) => ({ ...r, arms: Object.fromEntries(Object.entries(r.arms).map(([k, a]) => [k, a.strength === undefined ? a : { ...a, strength: Math.min(EXPORT_CAP, a.strength) }])) })),
        },
      ]),
    ),
  };
  const state = emptyState(capped.id, now);
  state.prior = capped;
  return { ok: true, state, document: capped };
}
