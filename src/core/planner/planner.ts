/**
 * The planner: draws K candidate plans concurrently through `submit_workflow`, drops invalid ones (schema or
 * graph rules, after the one repair round) with their reasons, and picks the best by the plan core's
 * selection rule. The choice is reported as the run's first policy decision (`plan.candidates`).
 */
import { callTool } from '../models/structured';
import { ModelAbortedError, isProviderError, isStructuredAnswerError } from '../models/errors';
import type { Model, ToolSpec, Usage } from '../models/types';
import { PlanSchema, planMetrics, reasonBody, renameCandidates, selectPlan, validatePlan, type PlanInput, type PlanMetrics, type ValidPlan } from '../plan';
import { DEFAULT_MAX_TASKS } from '../plan';
import type { DecisionOption, RunEventOf } from '../run/events';
import type { RuleFile } from '../run/projectRules';
import { DEFAULT_EXPLORE_TOKENS, DEFAULT_EXPLORE_TURNS, exploreThenSubmit, readOnlyWorkspace, type ExploreLimits } from './explore';
import { layoutProblems, workspaceLayout } from './layout';
import { plannerMessages, type PlanFeedback } from './prompt';

/** The `submit_workflow` tool: its argument is the plan JSON. */
export const SUBMIT_WORKFLOW: ToolSpec<PlanInput> = {
  name: 'submit_workflow',
  description: 'Submit the plan: the tasks of an AOV graph (a DAG), each with id, title, objective, role, deps, files and acceptance.',
  schema: PlanSchema as unknown as ToolSpec<PlanInput>['schema'],
};

export const DEFAULT_CANDIDATES = 3;

export interface PlannerOptions {
  model: Model;
  /** The task as the user gave it: the first user message, and the plan's `goal`. */
  task: string;
  /** Workspace file list for context (see `listWorkspaceFiles`). */
  files?: readonly string[];
  filesTruncated?: boolean;
  /** The repository overview within its token budget; replaces `files` in the prompt when given. */
  overview?: string;
  /** The project's rule files (AGENTS.md and the like), given to every candidate. */
  rules?: readonly RuleFile[];
  /**
   * The workspace the plan is for: each candidate may look at it with the read-only tools first (within
   * `explore`, default 6 turns and 60 000 tokens; 0 turns: no looking), and the files it assigns must fit its
   * layout (exist, or be new paths in an existing folder or under an existing top-level folder).
   */
  workspace?: { root: string; explore?: Partial<ExploreLimits> };
  /** The user's feedback on the plan they reviewed: each candidate is asked for a new plan that follows it. */
  feedback?: PlanFeedback;
  /** K, candidates drawn at once (default 3). */
  candidates?: number;
  maxTasks?: number;
  temperature?: number;
  signal?: AbortSignal;
  runId?: string;
  now?: () => number;
  /** Receives the `decision` event and a `log` warning per dropped candidate. */
  onEvent?: (event: RunEventOf<'decision'> | RunEventOf<'log'>) => void;
}

export interface PlanCandidate {
  /** 1-based, in the order drawn. */
  number: number;
  ok: boolean;
  plan?: ValidPlan;
  metrics?: PlanMetrics;
  /** Why it was dropped. */
  errors?: string[];
  /** The first answer was invalid and the repair round fixed it. */
  repaired: boolean;
  usage: Usage;
  /** What the candidate looked at before planning (one short line per tool call). */
  explored?: string[];
}

export interface PlannerResult {
  plan: ValidPlan;
  /** The chosen candidate's number (1-based). */
  chosen: number;
  candidates: PlanCandidate[];
  reason: string;
  decision: RunEventOf<'decision'>;
  usage: Usage;
}

/** Every candidate was invalid: each reason is listed. */
export class NoValidPlanError extends Error {
  override readonly name = 'NoValidPlanError' as const;
  constructor(readonly candidates: readonly PlanCandidate[]) {
    super(
      `no valid plan among ${candidates.length} candidate${candidates.length === 1 ? '' : 's'}:\n` +
        candidates.map((c) => `  candidate ${c.number}: ${(c.errors ?? []).join('; ')}`).join('\n'),
    );
  }
}

export function isNoValidPlanError(e: unknown): e is NoValidPlanError {
  return e instanceof Error && e.name === 'NoValidPlanError';
}

function optionOf(c: PlanCandidate): DecisionOption {
  const looked = c.explored?.length ? { explored: c.explored } : {};
  return c.ok && c.metrics
    ? { id: `candidate-${c.number}`, valid: true, ...c.metrics, repaired: c.repaired, ...looked }
    : { id: `candidate-${c.number}`, valid: false, errors: c.errors ?? [], ...looked };
}

/** Draws K candidates and returns the best valid one. */
export async function planTask(o: PlannerOptions): Promise<PlannerResult> {
  const k = Math.max(1, Math.floor(o.candidates ?? DEFAULT_CANDIDATES));
  const maxTasks = o.maxTasks ?? DEFAULT_MAX_TASKS;
  const now = o.now ?? Date.now;
  const runId = o.runId ?? '';
  const limits: ExploreLimits = { turns: o.workspace?.explore?.turns ?? DEFAULT_EXPLORE_TURNS, maxTokens: o.workspace?.explore?.maxTokens ?? DEFAULT_EXPLORE_TOKENS };
  const layer = o.workspace && limits.turns > 0 ? readOnlyWorkspace(o.workspace.root) : undefined;
  const layout = o.workspace ? await workspaceLayout(o.workspace.root) : undefined;
  const messages = plannerMessages({
    task: o.task, files: o.files ?? [], filesTruncated: o.filesTruncated ?? false, maxTasks,
    ...(o.overview !== undefined ? { overview: o.overview } : {}),
    ...(o.rules ? { rules: o.rules } : {}),
    ...(layer ? { exploreTurns: limits.turns } : {}),
    ...(o.feedback ? { feedback: o.feedback } : {}),
  });
  const withGoal = (v: PlanInput): PlanInput => ({ ...v, goal: o.task });
  const graphProblems = (v: PlanInput): string[] => {
    const r = validatePlan(withGoal(v), { maxTasks });
    if (!r.ok) return r.errors.map((e) => e.message);
    return layout ? layoutProblems(v, layout) : [];
  };
  const common = {
    messages,
    tool: SUBMIT_WORKFLOW,
    check: graphProblems,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
  };

  const settled = await Promise.allSettled(
    Array.from({ length: k }, () =>
      layer ? exploreThenSubmit({ ...common, model: o.model, layer, limits }) : callTool(o.model, { ...common, step: 'planner' }).then((r) => ({ ...r, explored: [] as string[] })),
    ),
  );
  if (o.signal?.aborted) throw new ModelAbortedError();

  const candidates: PlanCandidate[] = [];
  const transportErrors: Error[] = [];
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  settled.forEach((s, i) => {
    const number = i + 1;
    if (s.status === 'fulfilled') {
      usage.inputTokens += s.value.usage.inputTokens;
      usage.outputTokens += s.value.usage.outputTokens;
      const v = validatePlan(withGoal(s.value.value), { maxTasks });
      const explored = s.value.explored.length ? { explored: s.value.explored } : {};
      if (v.ok) {
        candidates.push({ number, ok: true, plan: v.plan, metrics: planMetrics(v.plan), repaired: s.value.repaired, usage: s.value.usage, ...explored });
      } else {
        candidates.push({ number, ok: false, errors: v.errors.map((e) => e.message), repaired: s.value.repaired, usage: s.value.usage, ...explored });
      }
      return;
    }
    const err = s.reason as Error;
    if (isStructuredAnswerError(err)) {
      candidates.push({ number, ok: false, errors: [err.problem], repaired: false, usage: { inputTokens: 0, outputTokens: 0 } });
      return;
    }
    // A key, model or URL the user must fix is the same for every candidate: stop with it. A bad, too large
    // or too slow answer belongs to this candidate only.
    if (isProviderError(err) && !err.retryable && !['bad-response', 'answer-too-large', 'deadline'].includes(err.kind)) throw err;
    if (!isProviderError(err)) throw err;
    transportErrors.push(err);
    candidates.push({ number, ok: false, errors: [err.message], repaired: false, usage: { inputTokens: 0, outputTokens: 0 } });
  });

  for (const c of candidates) {
    if (!c.ok) o.onEvent?.({ type: 'log', runId, ts: now(), level: 'warn', message: `plan candidate ${c.number} dropped: ${(c.errors ?? []).join('; ')}` });
  }
  const valid = candidates.filter((c) => c.ok && c.plan);
  if (valid.length === 0) {
    // Every draw failed at the transport level: report that error, not "invalid plans".
    if (transportErrors.length === candidates.length && transportErrors[0]) throw transportErrors[0];
    throw new NoValidPlanError(candidates);
  }
  const selection = selectPlan(valid.map((c) => c.plan!));
  const winner = valid[selection.index]!;
  // The plan core names candidates by their position among the valid ones; rename them to draw numbers.
  const reason = renameCandidates(reasonBody(selection.reason), (n) => valid[n - 1]?.number ?? n);
  const dropped = candidates.length - valid.length;
  const fullReason = `chose candidate ${winner.number} of ${k}: ${reason}${dropped > 0 ? ` (${dropped} invalid candidate${dropped === 1 ? '' : 's'} dropped)` : ''}`;
  const decision: RunEventOf<'decision'> = {
    type: 'decision',
    runId,
    ts: now(),
    point: 'plan.candidates',
    options: candidates.map(optionOf),
    choice: `candidate-${winner.number}`,
    mode: 'rule',
    reason: fullReason,
  };
  o.onEvent?.(decision);
  return { plan: winner.plan!, chosen: winner.number, candidates, reason: fullReason, decision, usage };
}
