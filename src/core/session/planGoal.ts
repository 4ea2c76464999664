/**
 * Plans a task in a workspace folder: the repository overview (within its token budget) as context, K candidates through the planner,
 * the chosen plan frozen for the engine. Shared by the CLI and the extension; errors are the planner's and
 * the model layer's typed errors, which each front end reports in its own way.
 */
import { buildOverview, type RepositoryOverview } from '../context/overview';
import type { Model } from '../models';
import { toPlan, type Plan } from '../plan';
import { listWorkspaceFiles, planTask, type PlannerOptions, type PlannerResult } from '../planner';
import type { ProjectRulesSource } from '../run/projectRules';

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
  /** Tokens the repository overview may take (default: the overview's default). */
  overviewTokens?: number;
  /** The overview when the caller built it already (else it is built here). */
  overview?: RepositoryOverview;
  /** The project's rule files, given to the planner (none without it). */
  rules?: ProjectRulesSource;
  /** How far each candidate may look at the workspace before planning (default 6 turns, 60 000 tokens). */
  explore?: { turns?: number; maxTokens?: number };
  /** The user's feedback on a plan they reviewed (the plan gate's Re-plan), given to every candidate. */
  feedback?: PlannerOptions['feedback'];
}

/** The chosen plan and the planner's full result (candidates, decision). */
export interface PlannedGoal {
  plan: Plan;
  result: PlannerResult;
  /** The repository overview the planner was given. */
  overview: RepositoryOverview;
}

/** The planner's exploration limits of a run configuration (its `planner` section). */
export function exploreOf(config: { planner?: { exploreTurns?: number; exploreTokens?: number } }): { turns?: number; maxTokens?: number } {
  const p = config.planner;
  return { ...(p?.exploreTurns !== undefined ? { turns: p.exploreTurns } : {}), ...(p?.exploreTokens !== undefined ? { maxTokens: p.exploreTokens } : {}) };
}

/** Plans `goal` in `dir` (throws the planner's NoValidPlanError when every candidate is invalid). */
export async function planGoal(opts: PlanGoalOptions): Promise<PlannedGoal> {
  const listing = opts.listing ?? (await listWorkspaceFiles(opts.dir));
  const overview = opts.overview ?? (await buildOverview(opts.dir, opts.overviewTokens !== undefined ? { budget: opts.overviewTokens } : {}));
  const rules = opts.rules ? (await opts.rules.load(opts.dir)).files : [];
  const result = await planTask({
    model: opts.model,
    task: opts.goal,
    files: listing.files,
    filesTruncated: listing.truncated,
    overview: overview.text,
    rules,
    workspace: { root: opts.dir, ...(opts.explore ? { explore: opts.explore } : {}) },
    ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
    ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
    ...(opts.maxTasks !== undefined ? { maxTasks: opts.maxTasks } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.feedback ? { feedback: opts.feedback } : {}),
  });
  return { plan: toPlan(result.plan), result, overview };
}
