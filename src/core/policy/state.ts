import { z } from 'zod';
import { PolicyDocumentSchema } from './document';

/**
 * The learned state of one workspace's policy, as stored (inside the versioned envelope of `store.ts`).
 * Counts are kept additive (sums, not means) so that two writers' updates can be replayed onto each other.
 */

const Count = z.number().min(0).max(1e9);

/**
 * One option's real outcomes in one context cell. The belief in P(passed verification) is
 * Beta(m·(k + 2) + s, (1 − m)·(k + 2) + f), where the prior (m, k) comes from the next coarser cell's current
 * belief (capped), or from the prior document (see `cells.ts`). `s`/`f` are real successes and failures
 * (weighted: an escaped defect weighs more); cost and latency are sums of real observations.
 */
export const ArmStatsSchema = z.object({
  s: Count,
  f: Count,
  cs: Count,
  cn: Count,
  ls: Count,
  ln: Count,
  /** Real clean outcomes in a row (a failure or an escaped defect resets it). */
  streak: Count,
  /** Last update, ms since the epoch. */
  t: z.number(),
  /** A prior that replaces the inherited one: set when the option restarted after a model change. */
  o: z.object({ p: z.number().min(0).max(1), n: z.number().min(0).max(1000) }).optional(),
});
export type ArmStats = z.output<typeof ArmStatsSchema>;

/** A context cell: its options' outcomes and the weight its priors keep (halved on prior-data conflict). */
export const CellSchema = z.object({
  w: z.number().min(0).max(1),
  arms: z.record(z.string(), ArmStatsSchema),
});
export type Cell = z.output<typeof CellSchema>;

export const PointStateSchema = z.object({
  /** 1 = exploratory, 0 = not; the most recent decisions of the point, oldest first (bounded window). */
  recent: z.array(z.union([z.literal(0), z.literal(1)])),
  /** outcome − predicted P(success) of the chosen options, for the optimism tripwire (bounded window). */
  resid: z.array(z.number().min(-1).max(1)),
  /** Multiplier on the document's prior strengths for new cells: halved each time the tripwire fires. */
  trust: z.number().min(0).max(1),
  trips: Count,
  /** Identity (model id and version, price, prompt hash) last seen per option; a change restarts the option. */
  fingerprints: z.record(z.string(), z.string()),
});
export type PointState = z.output<typeof PointStateSchema>;

/** A decision waiting for (or having received) its outcome; kept so that a later `record` can find it. */
export const OpenDecisionSchema = z.object({
  point: z.string(),
  features: z.record(z.string(), z.string()),
  choice: z.string(),
  mode: z.string(),
  /** Expected P(success) of the choice when it was made. */
  predicted: z.number().min(0).max(1),
  t: z.number(),
  taskId: z.string().optional(),
  /** Set once an outcome was counted; later evidence can still add a failure (a revert). */
  closed: z.boolean().optional(),
});
export type OpenDecision = z.output<typeof OpenDecisionSchema>;

export const PolicyStateSchema = z.object({
  priorId: z.string(),
  /** The prior document when it is not the shipped default (an imported policy). */
  prior: PolicyDocumentSchema.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  decisions: Count,
  cells: z.record(z.string(), CellSchema),
  points: z.record(z.string(), PointStateSchema),
  open: z.record(z.string(), OpenDecisionSchema),
});
export type PolicyState = z.output<typeof PolicyStateSchema>;

/** A fresh state that knows only its prior document's id. */
export function emptyState(priorId: string, now: number): PolicyState {
  return { priorId, createdAt: now, updatedAt: now, decisions: 0, cells: {}, points: {}, open: {} };
}

/** A deep copy (states are plain JSON). */
export function cloneState(state: PolicyState): PolicyState {
  return structuredClone(state);
}
