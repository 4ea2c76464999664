import defaultPolicyJson from './default-policy.json';
import { PolicyDocumentSchema, type PolicyDocument } from './document';

/**
 * The decision points of the learned policy and their fixed option sets. The model point's options are the caller's
 * model bindings per role (e.g. `cheap`, `standard`, `strong`); the others are listed here.
 */
export type DecisionPoint = 'model' | 'protocol' | 'editFormat' | 'verify' | 'merge' | 'planK' | 'recovery';

export const DECISION_POINTS: readonly DecisionPoint[] = ['model', 'protocol', 'editFormat', 'verify', 'merge', 'planK', 'recovery'];

/** Agent prompt protocols. */
export const PROTOCOL_OPTIONS = ['direct-edit', 'plan-then-edit', 'test-first'] as const;
/**
 * How an agent changes existing files: `search-replace` (edit_file beside write_file) or `whole` (write_file
 * alone). The prior prefers search-replace, most for files that exist; each workspace learns per model.
 */
export const EDIT_FORMAT_OPTIONS = ['whole', 'search-replace'] as const;
/** Merging two adjacent tasks before running them (the prior keeps them apart until outcomes say otherwise). */
export const MERGE_OPTIONS = ['keep', 'merge'] as const;
/** Numbers of candidate plans drawn (unless the user pinned K). */
export const PLAN_K_OPTIONS = ['1', '2', '3', '5'] as const;
/** Recovery after a failed task; the prior retries first, then re-plans. */
export const RECOVERY_OPTIONS = ['retry', 'escalate', 'replan-task', 'replan-subtree'] as const;

/** The shipped warm start, validated once at load (a broken bundle fails loudly in tests, not at a user's). */
export const DEFAULT_POLICY: PolicyDocument = PolicyDocumentSchema.parse(defaultPolicyJson);

/**
 * A prior document (an imported policy, stored with a workspace's state) completed with the shipped points it
 * lacks: a decision point added after it was exported (e.g. `editFormat`) starts from the shipped warm start,
 * not from no belief. The stored state keeps its document as it was; learned cells are keyed by point, so
 * nothing else changes.
 */
export function withShippedPoints(doc: PolicyDocument): PolicyDocument {
  const missing = Object.entries(DEFAULT_POLICY.points).filter(([point]) => !(point in doc.points));
  return missing.length === 0 ? doc : { ...doc, points: { ...doc.points, ...Object.fromEntries(missing) } };
}
