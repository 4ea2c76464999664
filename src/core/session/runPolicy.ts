/**
 * The learned policy of a run: it chooses K candidate plans, merges of chain links, the model, prompt
 * protocol and edit format of every agent attempt, whether a task's inspector pass may be skipped (only under a certificate;
 * canaries still checked), and the recovery after a failed attempt. Every choice is returned as a `decision`
 * event with its reason, which the session (planning) or the engine (attempts) emits and journals; real
 * outcomes (verification, the inspector's verdict, the whole-run check, the user's review) are told back, and
 * the learned state is saved when the run ends.
 *
 * The session plans with {@link RunPolicy.chooseCandidates} and {@link RunPolicy.mergePlan}, hands the engine
 * {@link RunPolicy.decide} (its decision points) and {@link RunPolicy.outcome} (what it learns from), and
 * `await close()`s at the end.
 */
import type { AuditEntry, AuditLog, CoordinationPolicy, Decision, DecisionEventPayload, Features, OptionSpec, Pin, PolicyStore } from '../policy';
import { EDIT_FORMAT_OPTIONS, editFormatFeatures, pinFor, mergeFeatures, mergeTasks, MERGE_OPTIONS, PLAN_K_OPTIONS, planningFeatures, PROTOCOL_OPTIONS, recoveryFeatures, taskFeatures } from '../policy';
import type { Model } from '../models';
import { validatePlan, toPlan, type Task, type ValidPlan } from '../plan';
import type { AttemptContext, AttemptOutcome, CheckChoice, DecisionHooks, EditFormatChoice, EditFormatContext, FailureInfo, ModelChoice, OutcomeHooks, RecoveryChoice, RunEnd, TaskStatus, VerifyVerdict } from '../run';
import { retryFeedback } from '../run/findings';
import { chainLinks, failureKindOf, riskOf } from './policyContext';
import { modelTiers } from './policyConfig';
import { protocolFingerprint, withProtocol } from './protocols';

/** What a run's policy needs. */
export interface RunPolicyOptions {
  policy: CoordinationPolicy;
  /** Where learned state is saved (none: nothing is saved, e.g. a newer version's file). */
  store?: PolicyStore;
  /** Audit entries waiting to be appended to the log beside the policy file. */
  audit?: AuditBuffer;
  /** The agents' model bindings, cheapest first (one: the model point is forced). */
  agentModels: readonly Model[];
  /** The user's pins (Show Policy, or the config's `policy.pins`): pinned decisions make no learned choice. */
  pins?: readonly Pin[];
  /** Most chain links considered for merging per plan. */
  maxMergeDecisions?: number;
}

interface PendingMerge {
  id: string;
  choice: string;
  first: string;
  second: string;
}

/** A decision's event, carrying its id so outcomes (the user's review) can reach it later. */
function eventOf(d: Decision, patch: (e: DecisionEventPayload) => DecisionEventPayload = (e) => e): DecisionEventPayload {
  return patch({ ...d.event, decisionId: d.id });
}

/** One run's use of the learned policy (see the module comment). */
export class RunPolicy {
  /** The decisions of each task's open attempt (model, protocol), closed by its outcome. */
  private readonly attempts = new Map<string, string[]>();
  /** The check decision of each task's verification under way. */
  private readonly checks = new Map<string, Decision>();
  private readonly failures = new Map<string, number>();
  private readonly escalate = new Set<string>();
  private readonly recoveries = new Map<string, string>();
  private readonly skipped: string[] = [];
  private readonly merges: PendingMerge[] = [];
  private planK: string | undefined;
  private readonly tiers: string[];
  private readonly warnings: string[] = [];
  private closing: Promise<string | undefined> | undefined;

  constructor(private readonly o: RunPolicyOptions) {
    if (o.agentModels.length === 0) throw new Error('RunPolicy needs at least one agent model');
    this.tiers = modelTiers(o.agentModels.length);
  }

  /** Messages for the user (a failed save, an audit log that could not be written). */
  get messages(): readonly string[] {
    return this.warnings;
  }

  /** The underlying policy (for views). */
  get policy(): CoordinationPolicy {
    return this.o.policy;
  }

  /** The user's pin for this decision, if one applies (a model may be pinned by its name or its tier). */
  private pin(point: string, features: Features, offered: readonly string[]): { pinned: string } | Record<string, never> {
    const pins = (this.o.pins ?? []).map((p) => (point === 'model' && p.point === 'model' ? { ...p, option: this.tierOf(p.option) } : p));
    const option = pinFor(pins, point, features, offered);
    return option === undefined ? {} : { pinned: option };
  }

  private tierOf(option: string): string {
    const i = this.o.agentModels.findIndex((m) => m.name === option);
    return i >= 0 ? (this.tiers[i] as string) : option;
  }

  private record(id: string, success: boolean, source: 'verification' | 'inspector' | 'user' | 'run-check', costUsd?: number, latencyMs?: number): void {
    const outcome: Parameters<CoordinationPolicy['record']>[1] = { success, source };
    if (costUsd !== undefined) outcome.costUsd = costUsd;
    if (latencyMs !== undefined) outcome.latencyMs = latencyMs;
    this.o.policy.record(id, outcome);
  }

  /** Learns from an outcome; a bug here is reported to the user and never stops the run. */
  private learn(what: string, f: () => void): void {
    try {
      f();
    } catch (err) {
      this.warnings.push(`the policy could not learn from ${what}: ${(err as Error).message}`);
    }
  }

  /**
   * K, the number of candidate plans to draw for `goal`, and its decision. `pinned` (the `--candidates` flag
   * or the setting) is used as given, and still recorded so its outcome teaches the policy.
   */
  chooseCandidates(goal: string, filesInScope: number, pinned?: number): { k: number; decision: DecisionEventPayload } {
    const options: string[] = [...PLAN_K_OPTIONS];
    const pin = pinned !== undefined && pinned > 0 ? String(Math.floor(pinned)) : undefined;
    if (pin !== undefined && !options.includes(pin)) options.push(pin);
    const features = planningFeatures(goal, filesInScope);
    const d = this.o.policy.decide('planK', features, options, pin !== undefined ? { pinned: pin } : this.pin('planK', features, options));
    this.planK = d.id;
    return { k: Number(d.choice), decision: eventOf(d) };
  }

  /**
   * Decides, for each link of a chain in a planned graph, whether to merge its two tasks into one (the prior
   * keeps them apart until outcomes say otherwise). Risk-flagged tasks are never merged. Returns the plan to
   * run and the decisions taken.
   */
  mergePlan(plan: ValidPlan): { plan: ValidPlan; decisions: DecisionEventPayload[] } {
    let result = plan;
    let current = toPlan(plan);
    const decisions: DecisionEventPayload[] = [];
    const seen = new Set<string>();
    let budget = this.o.maxMergeDecisions ?? 8;
    for (;;) {
      const link = chainLinks(current).find(([a, b]) => !seen.has(`${a}>${b}`));
      if (!link || budget <= 0) break;
      const [a, b] = link;
      seen.add(`${a}>${b}`);
      const first = current.tasks.find((t) => t.id === a) as Task;
      const second = current.tasks.find((t) => t.id === b) as Task;
      if (riskOf(first) || riskOf(second)) continue;
      budget--;
      const features = mergeFeatures(first, second);
      const d = this.o.policy.decide('merge', features, [...MERGE_OPTIONS], { taskId: b, noExploration: 'merging stays off until outcomes favour it', ...this.pin('merge', features, MERGE_OPTIONS) });
      let choice = d.choice;
      let note = '';
      if (choice === 'merge') {
        const merged = mergeTasks(current, a, b);
        const valid = merged.ok ? validatePlan(merged.plan) : undefined;
        if (merged.ok && valid?.ok) {
          result = valid.plan;
          current = toPlan(result);
          for (const key of [...seen]) if (key.startsWith(`${b}>`) || key.endsWith(`>${b}`)) seen.delete(key);
          note = ` Merged '${b}' into '${a}'.`;
        } else {
          choice = 'keep';
          note = ` The merge was not possible (${merged.ok ? 'the merged plan is invalid' : merged.reason}); kept apart.`;
        }
      }
      this.merges.push({ id: d.id, choice, first: a, second: b });
      decisions.push(eventOf(d, (e) => ({ ...e, choice, reason: `${e.reason}${note}` })));
    }
    return { plan: result, decisions };
  }

  /** The decision points the engine calls (see {@link DecisionHooks}). */
  readonly decide: Required<DecisionHooks> = {
    modelForAttempt: (task, ctx) => this.modelForAttempt(task, ctx),
    editFormat: (task, ctx) => this.editFormat(task, ctx),
    check: (task, ctx) => this.check(task, ctx),
    recovery: async (failure) => this.recover(failure),
  };

  /** The outcomes the engine tells (see {@link OutcomeHooks}). */
  readonly outcome: Required<OutcomeHooks> = {
    check: (task, verdict) => this.learn('a check', () => this.checkEnded(task, verdict)),
    attempt: (task, outcome) => this.learn('an attempt', () => this.attemptEnded(task, outcome)),
    run: (end) => this.learn('the run', () => this.runEnded(end)),
  };

  /** For each attempt, the policy binds a model and a prompt protocol to the task. */
  private modelForAttempt(task: Task, ctx: AttemptContext): ModelChoice {
    const fails = this.failures.get(task.id) ?? 0;
    const features = taskFeatures(task, { plan: ctx.plan, priorFailures: fails });
    const risk = riskOf(task);
    const flags = { taskId: task.id, retry: fails > 0, ...(risk ? { risk } : {}) };
    const models = this.o.agentModels;
    const strongest = this.tiers.length - 1;
    const escalated = this.escalate.delete(task.id) && models.length > 1;
    const options: OptionSpec[] = this.tiers.map((id, i) => ({ id, fingerprint: (models[i] as Model).name }));
    const d = this.o.policy.decide('model', features, escalated ? [options[strongest] as OptionSpec] : options, { ...flags, ...(escalated ? {} : this.pin('model', features, this.tiers)) });
    const index = Math.max(0, this.tiers.indexOf(d.choice));
    const model = models[index] as Model;
    const chosen = eventOf(d, (e) => ({
      ...e,
      // The model's name, and on an escalation the fact itself: the views word the decision from these figures.
      options: e.options.map((opt) => ({ ...opt, model: models[this.tiers.indexOf(opt.id)]?.name, ...(escalated ? { escalated: true } : {}) })),
      reason: `${escalated ? 'Escalated after a failed attempt: ' : ''}${e.reason} Model: ${model.name}.`,
    }));
    const p = this.o.policy.decide('protocol', features, PROTOCOL_OPTIONS.map((id) => ({ id, fingerprint: protocolFingerprint(id) })), { ...flags, ...this.pin('protocol', features, PROTOCOL_OPTIONS) });
    this.attempts.set(task.id, [d.id, p.id]);
    this.checks.delete(task.id);
    return { model: withProtocol(model, p.choice), decisions: [chosen, eventOf(p)] };
  }

  /**
   * How the attempt's agent changes files, learned per model and context (the prior prefers search-replace,
   * most for files that exist). A task that only creates files does not explore: write_file serves both.
   */
  private editFormat(task: Task, ctx: EditFormatContext): EditFormatChoice {
    const fails = this.failures.get(task.id) ?? 0;
    const features = editFormatFeatures(task, ctx.model, ctx.existing.length);
    const risk = riskOf(task);
    const d = this.o.policy.decide('editFormat', features, [...EDIT_FORMAT_OPTIONS], {
      taskId: task.id,
      retry: fails > 0,
      ...(risk ? { risk } : {}),
      ...(ctx.existing.length === 0 ? { noExploration: 'the task only creates files, which write_file does in either format' } : {}),
      ...this.pin('editFormat', features, EDIT_FORMAT_OPTIONS),
    });
    this.attempts.get(task.id)?.push(d.id);
    return { format: d.choice === 'whole' ? 'whole' : 'search-replace', decision: eventOf(d) };
  }

  /** Whether the inspector may be skipped for this verification: only under a certificate, never for a risky task. */
  private check(task: Task, ctx: AttemptContext): CheckChoice {
    const risk = riskOf(task);
    const features: Features = { ...taskFeatures(task, { plan: ctx.plan, priorFailures: this.failures.get(task.id) ?? 0 }), check: 'inspector' };
    const d = this.o.policy.decideCheck(features, { taskId: task.id, ...(risk ? { risk } : {}) });
    this.checks.set(task.id, d);
    // Why the inspector runs or not, as figures the views word: the risk that keeps it, the clean streak behind a skip.
    const streak = d.audit.certificate?.granted ? d.audit.certificate.streak : undefined;
    const decision = eventOf(d, (e) => ({
      ...e,
      options: e.options.map((o) => (o.id === 'run' && risk ? { ...o, risk } : o.id === 'skip' && streak !== undefined ? { ...o, cleanStreak: streak } : o)),
    }));
    return { skipInspector: d.choice === 'skip', decision };
  }

  private checkEnded(task: Task, r: VerifyVerdict): void {
    const d = this.checks.get(task.id);
    if (!d) return;
    this.checks.delete(task.id);
    if (d.choice === 'skip') {
      if (r.outcome === 'passed') this.skipped.push(d.id);
      return;
    }
    // The inspector ran only when the tools passed: its verdict is the check's outcome.
    if (r.outcome === 'passed') this.record(d.id, true, 'inspector');
    else if (r.findings.some((f) => f.tool === 'inspector')) this.record(d.id, false, 'inspector');
  }

  /** Closes the open attempt of a task with its outcome. */
  private closeAttempt(taskId: string, success: boolean, costUsd: number | undefined, latencyMs: number): void {
    const ids = this.attempts.get(taskId);
    if (!ids) return;
    this.attempts.delete(taskId);
    for (const id of ids) this.record(id, success, 'verification', costUsd, latencyMs);
  }

  private attemptEnded(task: Task, o: AttemptOutcome): void {
    // An agent that gave up produced no verification: its attempt failed all the same.
    if (!o.verified) {
      this.closeAttempt(task.id, false, o.costUsd, o.durationMs);
      return;
    }
    if (o.outcome === 'unverified') {
      this.attempts.delete(task.id);
      return;
    }
    const passed = o.outcome === 'passed';
    this.closeAttempt(task.id, passed, o.costUsd, o.durationMs);
    const rec = this.recoveries.get(task.id);
    if (rec !== undefined) {
      this.recoveries.delete(task.id);
      this.record(rec, passed, 'verification');
    }
  }

  /** Outcomes that are known only at the end: escaped defects, K, merges, recoveries whose task was replaced. */
  private runEnded(end: RunEnd): void {
    // The whole-run check found a defect: every check skipped in this run may have let it through.
    if (end.check?.outcome === 'failed') for (const id of this.skipped.splice(0)) this.o.policy.recordDefect(id, 'run-check');
    if (end.exitCode !== 0 && end.exitCode !== 1) return; // cancelled or misconfigured: nothing was learned
    if (this.planK !== undefined) this.record(this.planK, end.exitCode === 0, 'verification');
    this.planK = undefined;
    const verdict = (ids: string[]): boolean | undefined => {
      const s = ids.map((id): TaskStatus | undefined => end.statuses[id]);
      if (s.some((x) => x === 'failed')) return false;
      if (s.every((x) => x === 'passed')) return true;
      return undefined;
    };
    for (const m of this.merges.splice(0)) {
      const v = verdict(m.choice === 'merge' ? [m.first] : [m.first, m.second]);
      if (v !== undefined) this.record(m.id, v, 'verification');
    }
    for (const [taskId, id] of this.recoveries) {
      const v = verdict([taskId]);
      if (v !== undefined) this.record(id, v, 'verification');
    }
    this.recoveries.clear();
  }

  /** Chooses how to recover from a failed attempt; the engine's recovery code executes it within its budgets. */
  private recover(info: FailureInfo): RecoveryChoice {
    const task = info.task;
    const fails = (this.failures.get(task.id) ?? 0) + 1;
    this.failures.set(task.id, fails);
    const retryLeft = info.retriesLeft > 0;
    const options: string[] = [];
    if (retryLeft) options.push('retry');
    if (retryLeft && this.o.agentModels.length > 1) options.push('escalate');
    if (info.updater) options.push('replan-task', 'replan-subtree');
    if (options.length === 0) return { action: 'replan' }; // nothing to choose: the engine fails the task with its reason
    const features = recoveryFeatures(task, failureKindOf(info.reason, info.findings), fails);
    // A failed task is on a retry path: the policy exploits what it knows and never experiments here.
    const d = this.o.policy.decide('recovery', features, options, { taskId: task.id, retry: true, ...this.pin('recovery', features, options) });
    this.recoveries.set(task.id, d.id);
    const decision = eventOf(d);
    switch (d.choice) {
      case 'escalate':
        this.escalate.add(task.id);
        return { action: 'retry', feedback: retryFeedback(info.reason, info.findings), decision };
      case 'replan-task':
        return { action: 'replan', scope: 'task', decision };
      case 'replan-subtree':
        return { action: 'replan', scope: 'subtree', decision };
      default:
        return { action: 'retry', feedback: retryFeedback(info.reason, info.findings), decision };
    }
  }

  /** Saves what was learned (merging with other writers), once however often called. Resolves to a message for the user on failure. */
  close(): Promise<string | undefined> {
    this.closing ??= this.save();
    return this.closing;
  }

  private async save(): Promise<string | undefined> {
    const auditProblem = await this.o.audit?.flush();
    if (auditProblem) this.warnings.push(auditProblem);
    if (!this.o.store) return auditProblem;
    const r = await this.o.store.save(this.o.policy);
    const problem = r.ok ? r.message : (r.message ?? 'the policy could not be saved');
    if (problem) this.warnings.push(problem);
    return problem ?? auditProblem;
  }
}

/** Collects audit entries and appends them to the log in one write (at save time). */
export class AuditBuffer {
  private entries: AuditEntry[] = [];

  constructor(private readonly log: AuditLog | undefined) {}

  readonly add = (entry: AuditEntry): void => {
    this.entries.push(entry);
  };

  async flush(): Promise<string | undefined> {
    const batch = this.entries;
    this.entries = [];
    return this.log ? this.log.append(batch) : undefined;
  }
}
