/**
 * Plans a task in a workspace folder: the folder's file list as context, K candidates through the planner,
 * the chosen plan frozen for the engine. Shared by the CLI and the extension; errors are the planner's and
 * the model layer's typed errors, which each front end reports in its own way.
 */
import type { Model } from '../models';
import { toPlan, type Plan } from '../plan';
import { listWorkspaceFiles, planTask, type PlannerOptions, type PlannerResult } from '../planner';

/** Options of {@link planGoal}. */
export interface PlanGoalOptions {
  goal: string;
  /** The workspace root whose files are listed as context. */
  dir: string;
  model: Model;
  candidates?: number;
  maxTasks?: number;
  signal?: AbortSignal;
  runId?: string;
  onEvent?: PlannerOptions['onEvent'];
  /** The workspace's files when the caller listed them already (else they are listed here). */
  listing?: { files: readonly string[]; truncated: boolean };
}

/** The chosen plan and the planner's full result (candidates, decision). */
export interface PlannedGoal {
  plan: Plan;
  result: PlannerResult;
}

/** Plans `goal` in `dir` (throws the planner's NoValidPlanError when every candidate is invalid). */
export async function planGoal(opts: PlanGoalOptions): Promise<PlannedGoal> {
  const listing = opts.listing ?? (await listWorkspaceFiles(opts.dir));
  const result = await planTask({
    model: opts.model,
    task: opts.goal,
    files: listing.files,
    filesTruncated: listing.truncated,
    ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
    ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
    ...(opts.maxTasks !== undefined ? { maxTasks: opts.maxTasks } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  return { plan: toPlan(result.plan), result };
}
