/**
 * The local updater: K candidate updates drawn through `submit_update`, each applied to a
 * copy of the plan and validated (an update touching a task outside the failing task's neighbourhood is
 * invalid, and it must change or remove the failing task), the valid ones scored with the plan selection
 * rule (core/plan/select.ts) on the plans they produce, the best returned with every candidate for the decision event.
 */
import { callTool } from '../models/structured';
import type { Model, ModelRequest, ModelResult } from '../models/types';
import { isBudgetExceededError } from '../models/errors';
import { applyPlanUpdate, DEFAULT_MAX_TASKS, droppedFiles, formatJsonPath, planMetrics, renameCandidates, selectPlan, toPlan, validatePlan, type PlanError, type PlanUpdate, type ValidPlan } from '../plan';
import { isFatalModelError, type ChosenUpdate, type UpdateCandidateOption, type UpdateProposal, type UpdateRequest, type UpdaterHook } from '../run/hooks';
import { rulesFor, type ProjectRulesSource } from '../run/projectRules';
import { updaterMessages } from './prompt';
import { SUBMIT_UPDATE } from './tool';
import { distinctErrors } from '../words';

export interface UpdaterOptions {
  model: Model;
  /** Candidates drawn per failure (K, as for plans). Default 3. */
  candidates?: number;
  /** The plan's task cap (`--max-tasks`). */
  maxTasks?: number;
  maxTokens?: number;
  temperature?: number;
  /** The project's rule files: the updater is given those that apply to the failing task's files. */
  rules?: ProjectRulesSource;
}

type Applied = Extract<ReturnType<typeof applyPlanUpdate>, { ok: true }>;

interface Candidate {
  update?: PlanUpdate;
  applied?: Applied;
  repaired?: boolean;
  error?: string;
}

const planErrorText = (e: PlanError): string => `${e.path?.length ? `${formatJsonPath(e.path)}: ` : ''}${e.message}`;

/** Longest `reason` an update may give (it is shown in events, the journal and the views). */
export const MAX_UPDATE_REASON = 2000;

/**
 * Why `update` is too big to even parse (100k tasks would block for seconds), naming
 * the limit, or `undefined`. More tasks added than the plan's cap, or more replaced than the plan has, can
 * never give a valid plan.
 */
function oversizeUpdate(plan: ValidPlan, update: unknown, maxTasks: number): string | undefined {
  if (typeof update !== 'object' || update === null) return undefined;
  const u = update as { add?: unknown; replace?: unknown; remove?: unknown; reason?: unknown };
  const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
  if (count(u.add) > maxTasks) return `the update adds ${count(u.add)} tasks, more than the plan's cap of ${maxTasks} tasks (--max-tasks)`;
  if (count(u.replace) > plan.tasks.length) return `the update replaces ${count(u.replace)} tasks; the plan has ${plan.tasks.length}`;
  if (count(u.remove) > plan.tasks.length) return `the update removes ${count(u.remove)} tasks; the plan has ${plan.tasks.length}`;
  if (typeof u.reason === 'string' && u.reason.length > MAX_UPDATE_REASON) return `the reason has ${u.reason.length} characters, more than the limit of ${MAX_UPDATE_REASON}`;
  return undefined;
}

/** True when an applied update changes nothing: "the plan stands", the failing task runs again as planned. */
export function keepsPlan(applied: { readonly changed: readonly string[]; readonly added: readonly string[]; readonly removed: readonly string[] }): boolean {
  return applied.changed.length === 0 && applied.added.length === 0 && applied.removed.length === 0;
}

/**
 * Applies `update` within `editable` and checks the updater's own rules; returns the result or the problems.
 * An update that changes nothing is valid: the plan stands and the failing task runs again as planned. One
 * that changes something must change or remove the failing task, and may not drop a file that a changed or
 * removed task owned unless another task takes it over (else the run could end "completed" without it).
 */
export function judgeUpdate(plan: ValidPlan, taskId: string, editable: readonly string[], update: unknown, maxTasks?: number): { ok: true; applied: Applied } | { ok: false; problems: string[] } {
  const oversize = oversizeUpdate(plan, update, maxTasks ?? DEFAULT_MAX_TASKS);
  if (oversize) return { ok: false, problems: [oversize] };
  const applied = applyPlanUpdate(plan, update, { allowed: editable, ...(maxTasks !== undefined ? { maxTasks } : {}) });
  if (!applied.ok) return { ok: false, problems: applied.errors.map(planErrorText) };
  if (keepsPlan(applied)) return { ok: true, applied };
  if (!applied.changed.includes(taskId) && !applied.removed.includes(taskId)) {
    return { ok: false, problems: [`the update must change or remove the failing task "${taskId}", or change nothing to run it again as planned`] };
  }
  const dropped = droppedFiles(plan, applied.plan, [...applied.changed, ...applied.removed]);
  if (dropped.length) {
    return { ok: false, problems: dropped.map((d) => `the update drops ${d.file} (owned by "${d.taskId}"): another task must own it, or the run would end without it`) };
  }
  return { ok: true, applied };
}

/** A model that adds up the tokens of every call made through it (repair rounds and failed answers included). */
function counting(model: Model, sink: Array<{ model: string; inputTokens: number; outputTokens: number }>): Model {
  return {
    provider: model.provider,
    name: model.name,
    call: async (req: ModelRequest): Promise<ModelResult> => {
      const r = await model.call(req);
      sink.push({ model: r.model, inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens });
      return r;
    },
  };
}

/** Draws K candidate updates for one failure and picks the best valid one. */
export async function proposeUpdate(opts: UpdaterOptions, req: UpdateRequest): Promise<UpdateProposal> {
  const usage: UpdateProposal['usage'] = [];
  const k = Math.max(1, opts.candidates ?? 3);
  const validated = validatePlan(req.plan, opts.maxTasks !== undefined ? { maxTasks: Math.max(opts.maxTasks, req.plan.tasks.length) } : {});
  if (!validated.ok) {
    return { error: `the current plan is not valid: ${validated.errors.map(planErrorText).join('; ')}`, decision: { options: [], choice: 'none', mode: 'rule', reason: 'the plan could not be validated' }, usage };
  }
  const plan = validated.plan;
  const model = counting(opts.model, usage);
  const loaded = await opts.rules?.current();
  const failing = req.plan.tasks.find((t) => t.id === req.taskId);
  const messages = updaterMessages(req, loaded && failing ? rulesFor(loaded, failing.files) : []);
  const settled = await Promise.allSettled(
    Array.from({ length: k }, () =>
      callTool(model, {
        messages,
        tool: SUBMIT_UPDATE,
        step: 'updater',
        signal: req.signal,
        ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        check: (value) => {
          const j = judgeUpdate(plan, req.taskId, req.editable, value, opts.maxTasks);
          return j.ok ? [] : j.problems;
        },
      }),
    ),
  );
  // A key the provider rejects or a spent budget stops the run: never turned into "no valid candidate".
  for (const s of settled) if (s.status === 'rejected' && (isFatalModelError(s.reason) || isBudgetExceededError(s.reason))) throw s.reason;
  if (req.signal.aborted) throw settled.find((s) => s.status === 'rejected')?.reason ?? new Error('cancelled');
  const candidates: Candidate[] = settled.map((s) => {
    if (s.status === 'rejected') return { error: s.reason instanceof Error ? s.reason.message : String(s.reason) };
    const j = judgeUpdate(plan, req.taskId, req.editable, s.value.value, opts.maxTasks);
    return j.ok ? { update: s.value.value, applied: j.applied, repaired: s.value.repaired } : { update: s.value.value, error: j.problems.join('; ') };
  });
  const valid = candidates.map((c, i) => ({ c, i })).filter((x) => x.c.applied);
  let best = -1;
  let reason: string;
  if (valid.length === 0) {
    reason = `none of the ${k} candidate update${k === 1 ? ' was' : 's were'} valid`;
  } else {
    // A candidate that changes something is a fix; "no change" only wins when no candidate proposes one.
    const changing = valid.filter((x) => !keepsPlan(x.c.applied as Applied));
    const pool = changing.length ? changing : valid;
    const selection = selectPlan(pool.map((x) => (x.c.applied as Applied).plan));
    best = pool[selection.index].i;
    const among = pool.length < valid.length ? `${pool.length} of them change the plan; ` : '';
    reason = `${valid.length} of ${k} candidates valid; ${among}by the plan selection rule among them: ${renameCandidates(selection.reason.replace(/^candidate (\d+) of \d+: /, 'candidate $1: '), (n) => (pool[n - 1]?.i ?? n - 1) + 1)}`;
    if (keepsPlan(candidates[best].applied as Applied)) reason += `; it changes nothing: the plan stands and ${req.taskId} runs again as planned`;
  }
  const options: UpdateCandidateOption[] = candidates.map((c, i) => {
    const m = c.applied ? selectionMetrics(c.applied.plan) : undefined;
    return {
      id: `candidate-${i + 1}`,
      valid: c.applied !== undefined,
      ...(c.update ? { reason: c.update.reason } : {}),
      ...(c.applied ? { changed: c.applied.changed, added: c.applied.added, removed: c.applied.removed, reset: c.applied.affected.length } : {}),
      ...(m ? m : {}),
      ...(c.repaired ? { repaired: true } : {}),
      ...(c.error ? { error: c.error } : {}),
    };
  });
  const decision = { options, choice: best >= 0 ? `candidate-${best + 1}` : 'none', mode: 'rule' as const, reason };
  if (best < 0) return { error: distinctErrors(candidates.map((c) => c.error)), decision, usage };
  const a = candidates[best].applied as Applied;
  const chosen: ChosenUpdate = {
    reason: (candidates[best].update as PlanUpdate).reason,
    plan: toPlan(a.plan),
    changed: [...a.changed],
    added: [...a.added],
    removed: [...a.removed],
    affected: [...a.affected],
  };
  return { chosen, decision, usage };
}

function selectionMetrics(plan: ValidPlan): Record<string, number> {
  const m = planMetrics(plan);
  return { parallelism: m.parallelism, edges: m.edges, dependencyComplexity: m.dependencyComplexity, tasks: m.tasks };
}

/** The engine's {@link UpdaterHook} over a model. */
export function createUpdater(opts: UpdaterOptions): UpdaterHook {
  return (req) => proposeUpdate(opts, req);
}
