/**
 * zod schema of every {@link RunEvent} variant, so the webview can validate the events the host forwards
 * (messages are checked on receipt on both sides). The compile-time checks at the bottom keep this schema
 * and the `RunEvent` union of src/core/run/events.ts in step: adding a variant there without adding it here
 * fails `tsc`.
 */
import { z } from 'zod';
import { PlanSchema } from '../core/plan/schema';
import type { RunEvent } from '../core/run/events';

/** Upper bounds keep a hostile or runaway payload from swamping the view. */
export const LIMITS = {
  id: 128,
  text: 20_000,
  path: 1024,
  list: 1000,
} as const;

const str = z.string().max(LIMITS.text);
const id = z.string().min(1).max(LIMITS.id);
const path = z.string().max(LIMITS.path);

export const TaskStatusSchema = z.enum([
  'pending', 'ready', 'running', 'verifying', 'passed', 'unverified', 'failed', 'blocked', 'cancelled',
]);
export const PatchStateSchema = z.enum(['proposed', 'applied', 'merged', 'rejected', 'conflicted', 'conflicted-markers']);
export const DecisionModeSchema = z.enum(['exploit', 'explore', 'pinned', 'forced', 'certified-skip', 'canary', 'rule']);
export const PlanReviewActionSchema = z.enum(['run', 'run-edited', 'edit-refused', 'replan', 'cancel']);
export const LogLevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error']);

export const FindingSchema = z.object({
  file: path.optional(),
  line: z.number().int().optional(),
  message: str,
  tool: z.string().max(LIMITS.id).optional(),
});

/** Options keep their free-form figures (metrics of a plan candidate, estimated success, ...). */
export const DecisionOptionSchema = z.looseObject({ id: z.string().max(LIMITS.id) });

const base = { runId: id, ts: z.number() };

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('run.started'), goal: str.optional(), dir: path }),
  z.object({ ...base, type: z.literal('plan.ready'), plan: PlanSchema }),
  z.object({ ...base, type: z.literal('task.status'), taskId: id, status: TaskStatusSchema, reason: str.optional() }),
  z.object({
    ...base, type: z.literal('agent.started'), taskId: id, role: str, agent: str, model: str, attempt: z.number().int(),
  }),
  z.object({ ...base, type: z.literal('agent.text'), taskId: id, delta: str }),
  z.object({ ...base, type: z.literal('agent.reset'), taskId: id, reason: str, discard: z.number().int().min(0) }),
  z.object({
    ...base, type: z.literal('agent.tool'), taskId: id, tool: z.string().max(LIMITS.id), path: path.optional(),
    ok: z.boolean(), error: str.optional(), summary: str.optional(), diff: str.optional(), diffOmitted: z.number().int().min(0).optional(),
  }),
  z.object({
    ...base, type: z.literal('file.staged'), taskId: id, path, change: z.enum(['created', 'modified', 'deleted']),
    bytes: z.number(),
  }),
  z.object({ ...base, type: z.literal('write.refused'), taskId: id, path, reason: str }),
  z.object({
    ...base, type: z.literal('usage'), taskId: id.optional(), role: str, model: str, inputTokens: z.number(),
    outputTokens: z.number(), cost: z.number().optional(), included: z.literal(true).optional(),
  }),
  z.object({
    ...base, type: z.literal('task.verified'), taskId: id, outcome: z.enum(['passed', 'failed', 'unverified']),
    findings: z.array(FindingSchema).max(LIMITS.list),
  }),
  z.object({
    ...base, type: z.literal('decision'), taskId: id.optional(), point: str,
    options: z.array(DecisionOptionSchema).max(LIMITS.list), choice: str, mode: DecisionModeSchema, reason: str,
  }),
  z.object({
    ...base, type: z.literal('plan.updated'), taskId: id, reason: str, changed: z.array(id), added: z.array(id),
    removed: z.array(id), plan: PlanSchema.optional(),
  }),
  z.object({
    ...base, type: z.literal('patch'), taskId: id, state: PatchStateSchema, files: z.array(path).max(LIMITS.list),
    reason: str.optional(),
  }),
  z.object({ ...base, type: z.literal('log'), level: LogLevelSchema, message: str, taskId: id.optional() }),
  z.object({
    ...base, type: z.literal('verify.mode'), view: z.enum(['overlay', 'copy']), sandbox: z.enum(['bwrap', 'sandbox-exec', 'none']),
    reason: str.optional(),
  }),
  z.object({
    ...base, type: z.literal('run.checked'), outcome: z.enum(['passed', 'failed', 'unverified']),
    findings: z.array(FindingSchema).max(LIMITS.list),
  }),
  z.object({
    ...base, type: z.literal('plan.review.waiting'), plan: PlanSchema, round: z.number().int().min(1),
    chosen: z.number().int().optional(), candidates: z.number().int().optional(), problems: z.array(str).max(LIMITS.list).optional(),
  }),
  z.object({
    ...base, type: z.literal('plan.review.decided'), action: PlanReviewActionSchema, round: z.number().int().min(1),
    feedback: str.optional(), problems: z.array(str).max(LIMITS.list).optional(),
  }),
  z.object({
    ...base, type: z.literal('run.finished'), exitCode: z.number().int(),
    status: z.enum(['completed', 'failed', 'cancelled', 'budget']), reason: str.optional(),
  }),
]);

// Compile-time agreement between the schema and the core's union, in both directions.
type Parsed = z.output<typeof RunEventSchema>;
const _schemaToCore = (e: Parsed): RunEvent => e;
const _coreToSchema = (e: RunEvent): z.input<typeof RunEventSchema> => e;
type MissingVariant = Exclude<RunEvent['type'], Parsed['type']>;
const _allVariants: [MissingVariant] extends [never] ? true : MissingVariant = true;
void _schemaToCore;
void _coreToSchema;
void _allVariants;
