/**
 * The state both webviews draw: one snapshot the host posts on `ready`, kept current by {@link applyEvent}.
 * Defined as a zod schema so the webview validates what it receives; the TypeScript types derive from it.
 */
import { z } from 'zod';
import { PlanSchema } from '../core/plan/schema';
import {
  DecisionModeSchema, DecisionOptionSchema, FindingSchema, LIMITS, LogLevelSchema, PatchStateSchema, PlanReviewActionSchema, TaskStatusSchema,
} from './runEventSchema';

/** Caps on what the state keeps, so a long run cannot grow the view without bound. */
export const CAPS = {
  /** Characters of an agent's streamed text kept per task (the tail). */
  taskLog: 64_000,
  toolCalls: 300,
  /** Tool calls of a task that keep their diff (the latest ones); older calls keep their summary only. */
  toolDiffs: 30,
  decisions: 300,
  logs: 500,
} as const;

const str = z.string().max(LIMITS.text * 4);
const id = z.string().min(1).max(LIMITS.id);
const path = z.string().max(LIMITS.path);

export const ToolCallViewSchema = z.object({
  ts: z.number(),
  tool: z.string().max(LIMITS.id),
  path: path.optional(),
  ok: z.boolean(),
  error: str.optional(),
  /** A short line of what the call did (`search "x" → 3 matches`, `edit a.py (+2 −1)`). */
  summary: str.optional(),
  /** The unified diff of an edit or write (bounded by the event); `diffOmitted` lines of it were left out. */
  diff: z.string().max(LIMITS.text).optional(),
  diffOmitted: z.number().int().min(0).optional(),
});

export const StagedFileViewSchema = z.object({
  path,
  change: z.enum(['created', 'modified', 'deleted']),
  bytes: z.number(),
});

export const UsageTotalsSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** Dollars over the priced calls. */
  cost: z.number(),
  /** Calls of a model with no known price: their cost is unknown, not zero. */
  unpricedCalls: z.number().optional(),
  /** Calls paid by the user's plan (VS Code's language models): shown as included, not as $0. */
  includedCalls: z.number().optional(),
});

export const TaskDetailSchema = z.object({
  statusReason: str.optional(),
  agent: z.object({ role: str, agent: str, model: str, attempt: z.number() }).optional(),
  /** The tail of the agent's streamed text, at most {@link CAPS.taskLog} characters. */
  log: z.string().max(CAPS.taskLog),
  logTruncated: z.boolean(),
  tools: z.array(ToolCallViewSchema).max(CAPS.toolCalls),
  files: z.array(StagedFileViewSchema).max(LIMITS.list),
  refused: z.array(z.object({ path, reason: str })).max(LIMITS.list),
  verification: z.object({
    outcome: z.enum(['passed', 'failed', 'unverified']),
    findings: z.array(FindingSchema).max(LIMITS.list),
  }).optional(),
  patch: z.object({ state: PatchStateSchema, files: z.array(path).max(LIMITS.list), reason: str.optional() }).optional(),
  usage: UsageTotalsSchema,
});

export const DecisionViewSchema = z.object({
  ts: z.number(),
  taskId: id.optional(),
  point: str,
  options: z.array(DecisionOptionSchema).max(LIMITS.list),
  choice: str,
  mode: DecisionModeSchema,
  reason: str,
});

export const LogLineSchema = z.object({ ts: z.number(), level: LogLevelSchema, message: str, taskId: id.optional() });

export const PlanMetricsSchema = z.object({
  tasks: z.number(),
  edges: z.number(),
  depth: z.number(),
  parallelism: z.number(),
  dependencyComplexity: z.number(),
  criticalPath: z.array(id),
});

export const RunInfoSchema = z.object({
  runId: id,
  goal: str.optional(),
  dir: path,
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled', 'budget']),
  exitCode: z.number().optional(),
  reason: str.optional(),
  /** How verification runs (see the `verify.mode` event), as one short phrase for the header. */
  verification: str.optional(),
});

/**
 * The plan gate of a run whose plan the user reviews before any agent starts: `waiting` for their answer,
 * `replanning` with their feedback, or `decided` (the last `action`). Absent for runs without the gate.
 */
export const PlanReviewViewSchema = z.object({
  state: z.enum(['waiting', 'replanning', 'decided']),
  round: z.number().int(),
  /** The shown plan's candidate number, of `candidates` drawn. */
  chosen: z.number().int().optional(),
  candidates: z.number().int().optional(),
  /** Why the user's last edit was refused. */
  problems: z.array(str).max(LIMITS.list).optional(),
  action: PlanReviewActionSchema.optional(),
  feedback: str.optional(),
});

export const RunViewStateSchema = z.object({
  version: z.literal(1),
  run: RunInfoSchema.nullable(),
  plan: PlanSchema.nullable(),
  /** Bumped whenever the plan's shape changes: views relayout only when it moves. */
  planRevision: z.number().int(),
  statuses: z.record(id, TaskStatusSchema),
  tasks: z.record(id, TaskDetailSchema),
  metrics: PlanMetricsSchema.nullable(),
  criticalPath: z.array(id),
  usage: UsageTotalsSchema.extend({ byRole: z.record(z.string().max(LIMITS.id * 2), UsageTotalsSchema) }),
  decisions: z.array(DecisionViewSchema).max(CAPS.decisions),
  logs: z.array(LogLineSchema).max(CAPS.logs),
  review: PlanReviewViewSchema.optional(),
});

export type RunViewState = z.output<typeof RunViewStateSchema>;
export type TaskDetail = z.output<typeof TaskDetailSchema>;
export type ToolCallView = z.output<typeof ToolCallViewSchema>;
export type DecisionView = z.output<typeof DecisionViewSchema>;
export type LogLine = z.output<typeof LogLineSchema>;
export type PlanMetrics = z.output<typeof PlanMetricsSchema>;
export type RunInfo = z.output<typeof RunInfoSchema>;
export type PlanReviewView = z.output<typeof PlanReviewViewSchema>;
export type UsageTotals = z.output<typeof UsageTotalsSchema>;

/** The state before any run: the views show their empty state. */
export function emptyViewState(): RunViewState {
  return {
    version: 1,
    run: null,
    plan: null,
    planRevision: 0,
    statuses: {},
    tasks: {},
    metrics: null,
    criticalPath: [],
    usage: { inputTokens: 0, outputTokens: 0, cost: 0, byRole: {} },
    decisions: [],
    logs: [],
  };
}

/** A task's details before anything happened to it. */
export function emptyTaskDetail(): TaskDetail {
  return {
    log: '',
    logTruncated: false,
    tools: [],
    files: [],
    refused: [],
    usage: { inputTokens: 0, outputTokens: 0, cost: 0 },
  };
}
