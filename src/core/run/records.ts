/**
 * zod schemas of the journal's files (run.json and patches/<task>.json), applied on every read: a file that
 * does not match is reported as a JournalError naming the file and the first mismatch, never cast and used.
 * Records written before a field existed still load: the fields added later are optional or defaulted here
 * (the migration of the unversioned additions to version 1). The plan inside a run record is checked again
 * by the plan rules (an edited or damaged file can hold a cycle), see `journal.ts`.
 */
import { z } from 'zod';
import { PlanSchema } from '../plan/schema';
import type { RunRecord } from './journal';
import type { TaskPatch } from './patch';

const TaskStatusSchema = z.enum(['pending', 'ready', 'running', 'verifying', 'passed', 'unverified', 'failed', 'blocked', 'cancelled']);
const PatchStateSchema = z.enum(['proposed', 'applied', 'merged', 'rejected', 'conflicted', 'conflicted-markers']);
const DecisionModeSchema = z.enum(['exploit', 'explore', 'pinned', 'forced', 'certified-skip', 'canary', 'rule']);
const count = z.number().int().min(0);

const FindingSchema = z.object({ file: z.string().optional(), line: z.number().optional(), message: z.string(), tool: z.string().optional() });
// `cost` sums the priced calls; `unpricedCalls` counts calls of a model with no known price (cost unknown, not $0).
// `includedCalls` counts calls paid by the user's plan (their cost is 0 and nothing is owed).
const UsageSchema = z.object({ inputTokens: z.number().min(0), outputTokens: z.number().min(0), cost: z.number().min(0), unpricedCalls: count.optional(), includedCalls: count.optional() });
const zeroUsage = (): z.output<typeof UsageSchema> => ({ inputTokens: 0, outputTokens: 0, cost: 0 });

const TaskRecordSchema = z.object({
  status: TaskStatusSchema,
  reason: z.string().optional(),
  agent: z.string().optional(),
  attempts: count.default(0),
  summary: z.string().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  usage: UsageSchema.default(zeroUsage),
  refusals: count.default(0),
  patch: z.object({ state: PatchStateSchema, files: z.array(z.string()), reason: z.string().optional() }).optional(),
  findings: z.array(FindingSchema).optional(),
  updates: count.optional(),
  checkRetries: count.optional(),
});

const DecisionRecordSchema = z.object({
  ts: z.number(),
  taskId: z.string().optional(),
  point: z.string(),
  options: z.array(z.looseObject({ id: z.string() })),
  choice: z.string(),
  mode: DecisionModeSchema,
  reason: z.string(),
  decisionId: z.string().optional(),
});

const RunSettingsSchema = z.object({
  maxAgents: z.number().int().min(1),
  apply: z.enum(['review', 'auto']),
  maxTurns: z.number().int().min(1),
  provider: z.string().optional(),
  model: z.string().optional(),
  baseUrl: z.string().optional(),
  config: z.string().optional(),
});

export const RunRecordSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  goal: z.string().optional(),
  dir: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled', 'budget']),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  settings: RunSettingsSchema,
  plan: PlanSchema,
  tasks: z.record(z.string(), TaskRecordSchema),
  usage: UsageSchema.default(zeroUsage),
  decisions: z.array(DecisionRecordSchema).default([]),
  updates: count.optional(),
  check: z
    .object({
      outcome: z.enum(['passed', 'failed', 'unverified']),
      findings: z.array(FindingSchema),
      attributed: z.array(z.object({ taskId: z.string(), by: z.enum(['output', 'changed']), files: z.array(z.string()) })).optional(),
    })
    .optional(),
  resumes: count.default(0),
  verification: z.object({ view: z.enum(['overlay', 'copy']), sandbox: z.enum(['bwrap', 'sandbox-exec', 'none']), reason: z.string().optional() }).optional(),
  makespanMs: z.number().optional(),
  criticalPathMs: z.number().optional(),
});

const FilePatchSchema = z.object({
  path: z.string(),
  change: z.enum(['created', 'modified', 'deleted']),
  baseHash: z.string().nullable(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  diff: z.string(),
});

const AppliedFileSchema = z.object({
  how: z.enum(['written', 'merged', 'markers']),
  prior: z.string().nullable(),
  written: z.string().optional(),
});

export const TaskPatchSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  taskId: z.string(),
  state: PatchStateSchema,
  reason: z.string().optional(),
  files: z.array(FilePatchSchema),
  fileStates: z.record(z.string(), z.enum(['applied', 'rejected'])).optional(),
  verified: z.enum(['passed', 'unverified']).optional(),
  applying: z.number().optional(),
  // Added with three-way apply and undo; patches written before it have none (their base stands in).
  applied: z.record(z.string(), AppliedFileSchema).optional(),
});

/** The schemas' outputs are the journal's types (a field added to one and not the other fails `tsc`). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const recordMatches: Same<z.output<typeof RunRecordSchema>, RunRecord> = true;
const patchMatches: Same<z.output<typeof TaskPatchSchema>, TaskPatch> = true;
void recordMatches;
void patchMatches;

/** The first mismatch of a failed parse, as `<path>: <message>`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  return `${where}: ${issue.message}`;
}
