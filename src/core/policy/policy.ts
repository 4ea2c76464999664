import { randomUUID } from 'node:crypto';
import type { DecisionMode, DecisionOption, RunEventOf } from '../run/events';
import type { AuditCertificate, AuditEntry, AuditOption, AuditOutcome, AuditRecord } from './audit';
import { cellKeys, defaultOption, pointPrior, resolveArm, type ArmView } from './cells';
import { DEFAULT_CERTIFICATE, evaluateCertificate, type CertificateSettings } from './certificate';
import type { PolicyDocument } from './document';
import type { Features } from './features';
import { applyOp, DEFAULT_LEARNING, explorationAllowance, type LearningSettings, type PolicyOp } from './learning';
import { beta, systemRng, type Rng } from './random';
import { emptyState, type OpenDecision, type PolicyState } from './state';
import { betaInterval } from './stats';
import { DEFAULT_COST_REF_USD, DEFAULT_LATENCY_REF_MS, resolveWeights, type PresetName, type Weights } from './weights';

/**
 * Default cap on exploratory decisions per point (share of the last 100). The benchmark measured 10 % against
 * 20 %: lower regret warm and cold at 200 decisions, and the warm start's saving rises above half; the
 * user's `policy.exploration` setting overrides it.
 */
export const DEFAULT_EXPLORATION_SHARE = 0.1;

/** The decision point whose options are `run` and `skip` of a check; it follows certificates, not sampling. */
export const CHECK_POINT = 'verify';

/** An option offered at a decision point. Prices and identity are optional facts the caller knows. */
export interface OptionSpec {
  id: string;
  /** Price-sheet estimate of one use, before any real cost was observed. */
  costUsd?: number;
  latencyMs?: number;
  /** Model id and version (or a prompt's hash): when it changes, the option restarts optimistically. */
  fingerprint?: string;
}
export type OptionInput = string | OptionSpec;

/** Circumstances of one decision. */
export interface DecideFlags {
  taskId?: string;
  /** The user pinned this option for the context (setting or `--candidates`): no learning choice is made. */
  pinned?: string;
  /** The task is being retried: no exploration. */
  retry?: boolean;
  /** The task is risk-flagged (build, CI, security-sensitive paths, ...): no exploration, no skipped checks. */
  risk?: boolean | string;
  /** Why this decision must not explore (e.g. "merging stays off until learned"): the greedy option is taken. */
  noExploration?: string;
}

/** Circumstances of a check decision (`decideCheck`). */
export interface CheckFlags {
  taskId?: string;
  risk?: boolean | string;
  /** The user wants this check always run for this task (e.g. an "always verify" glob). */
  alwaysCheck?: boolean;
  /** Cost of running the check once, in the same unit as `defectCostUsd` (default: the prior's estimate). */
  checkCostUsd?: number;
}

/** The payload of a `decision` RunEvent (add `runId` and `ts` to emit it). */
export type DecisionEventPayload = Omit<RunEventOf<'decision'>, 'runId' | 'ts'>;

/** What `decide` returns. */
export interface Decision {
  id: string;
  point: string;
  taskId?: string;
  choice: string;
  mode: DecisionMode;
  reason: string;
  audit: AuditRecord;
  event: DecisionEventPayload;
}

/**
 * Where an outcome comes from. Only real checks and the user's verdicts teach the policy; a model's own claim
 * of success is not a source (the type has no such member on purpose).
 */
export type OutcomeSource = 'verification' | 'inspector' | 'user' | 'run-check';

export interface Outcome {
  /** The choice led to passed verification (for a check: the check found nothing). */
  success: boolean;
  source: OutcomeSource;
  costUsd?: number;
  latencyMs?: number;
}

export interface RecordResult {
  /** False when the decision is unknown (too old, or from another policy file). */
  ok: boolean;
  /** Whether the outcome changed the learned state. */
  counted: boolean;
  message?: string;
  outcome?: AuditOutcome;
}

/** Everything a policy can be tuned with; every field has a default. */
export interface PolicySettings {
  preset?: PresetName;
  weights?: Partial<Weights>;
  /** Most exploratory decisions allowed as a share of a point's recent window (default 0.1, see `DEFAULT_EXPLORATION_SHARE`). */
  explorationShare?: number;
  /** Cost of a defect that escapes because a check was skipped (default $1.50). */
  defectCostUsd?: number;
  costRefUsd?: number;
  latencyRefMs?: number;
  certificate?: Partial<CertificateSettings>;
  learning?: Partial<LearningSettings>;
  /** Compute 90 % intervals for the audit (default true; the benchmark turns them off for speed). */
  intervals?: boolean;
  rng?: Rng;
  now?: () => number;
  /** Receives every audit entry (decision and outcome), e.g. to append to an `AuditLog`. */
  onAudit?: (entry: AuditEntry) => void;
}

/** A programming error at a call site (no options, a pinned option that is not offered, ...). */
export class PolicyUsageError extends Error {
  override readonly name = 'PolicyUsageError';
}

const AUDIT_MEMORY = 1000;

const fmtP = (p: number): string => p.toFixed(2);
const fmtCost = (c: number): string => (c >= 0.1 ? `$${c.toFixed(2)}` : `$${c.toFixed(3)}`);
const fmtLat = (ms: number): string => (ms >= 10_000 ? `${Math.round(ms / 1000)}s` : `${(ms / 1000).toFixed(1)}s`);

interface Scored {
  id: string;
  view: ArmView;
  p: number;
  cost: number;
  lat: number;
  expected: number;
  sampled?: number;
}

/**
 * The learned per-workspace coordination policy: Thompson sampling on P(choice leads to passed verification)
 * per context, with cost and latency as running means, pooled fine -> coarse, warm-started from a prior
 * document, exploration capped, skips only by certificate. It is synchronous and does no I/O: the store
 * (`store.ts`) loads and saves its state and replays its pending operations.
 */
export class CoordinationPolicy {
  private state: PolicyState;
  private pending: PolicyOp[] = [];
  private readonly audits = new Map<string, AuditRecord>();
  readonly weights: Weights;
  private readonly learning: LearningSettings;
  private readonly cert: CertificateSettings;
  private readonly rng: Rng;
  private readonly now: () => number;

  constructor(
    readonly document: PolicyDocument,
    state: PolicyState | undefined,
    private readonly settings: PolicySettings = {},
  ) {
    this.now = settings.now ?? Date.now;
    this.state = state ?? emptyState(document.id, this.now());
    this.weights = resolveWeights(settings.preset, settings.weights);
    this.learning = { ...DEFAULT_LEARNING, ...settings.learning };
    this.cert = { ...DEFAULT_CERTIFICATE, ...settings.certificate };
    this.rng = settings.rng ?? systemRng();
  }

  /** A read-only view of the current state (do not modify; use `snapshot()` for a copy). */
  get current(): Readonly<PolicyState> {
    return this.state;
  }

  /** A deep copy of the state. */
  snapshot(): PolicyState {
    return structuredClone(this.state);
  }

  /** Operations applied since the last `takePending()`: what a save must replay onto the stored state. */
  takePending(): PolicyOp[] {
    const ops = this.pending;
    this.pending = [];
    return ops;
  }

  /** True if there are unsaved changes. */
  get dirty(): boolean {
    return this.pending.length > 0;
  }

  /** Puts operations back at the front of the pending list (a save failed; they will be replayed later). */
  restorePending(ops: readonly PolicyOp[]): void {
    this.pending = [...ops, ...this.pending];
  }

  /** Replays operations onto another copy of the state (the store's merge of concurrent writers). */
  replayOnto(state: PolicyState, ops: readonly PolicyOp[]): void {
    for (const op of ops) applyOp(state, this.document, op, this.learning);
  }

  /**
   * Adopts a merged state (after a save): operations made while the save was under way are re-applied to it,
   * so the in-memory state stays the stored one plus what is still pending.
   */
  adoptState(state: PolicyState): void {
    this.state = state;
    for (const op of this.pending) applyOp(this.state, this.document, op, this.learning);
  }

  /** The audit record of a recent decision (with outcomes so far), if still in memory. */
  auditOf(decisionId: string): AuditRecord | undefined {
    return this.audits.get(decisionId);
  }

  private apply(op: PolicyOp): void {
    applyOp(this.state, this.document, op, this.learning);
    this.pending.push(op);
  }

  private emit(entry: AuditEntry): void {
    this.settings.onAudit?.(entry);
  }

  private remember(record: AuditRecord): void {
    this.audits.set(record.id, record);
    if (this.audits.size > AUDIT_MEMORY) {
      const oldest = this.audits.keys().next().value;
      if (oldest !== undefined) this.audits.delete(oldest);
    }
  }

  /**
   * Tells the policy which model (or prompt) version an option currently stands for. A different fingerprint
   * than the one last seen restarts the option optimistically in every context. Returns true on a restart.
   */
  noteFingerprint(point: string, option: string, fingerprint: string): boolean {
    const seen = this.state.points[point]?.fingerprints[option];
    if (seen === fingerprint) return false;
    this.apply({ op: 'fingerprint', point, option, fingerprint, reset: seen !== undefined, t: this.now() });
    return seen !== undefined;
  }

  private scoreOf(p: number, cost: number, lat: number): number {
    const w = this.weights;
    return w.success * p - (w.cost * cost) / (this.settings.costRefUsd ?? DEFAULT_COST_REF_USD) - (w.latency * lat) / (this.settings.latencyRefMs ?? DEFAULT_LATENCY_REF_MS);
  }

  private auditOption(s: Scored): AuditOption {
    const v = s.view;
    const src = v.source;
    const out: AuditOption = {
      id: s.id,
      pSuccess: s.p,
      realRuns: v.realRuns,
      priorRuns: v.priorRuns,
      source: src.kind === 'prior' ? `prior:${this.document.id}` : src.kind === 'inherited' ? `inherited:${src.key}` : 'restart',
      costUsd: s.cost,
      latencyMs: s.lat,
      expectedScore: s.expected,
    };
    if (this.settings.intervals !== false) out.interval = betaInterval(v.a, v.b, 0.9);
    if (s.sampled !== undefined) out.sampledScore = s.sampled;
    return out;
  }

  private static eventOptions(options: readonly AuditOption[]): DecisionOption[] {
    return options.map((o) => ({ ...o }));
  }

  /**
   * Chooses one option at a decision point for a context.
   * - pinned: the user's option, as given (still recorded, so its outcome teaches the policy);
   * - forced: only one option;
   * - exploit / explore: Thompson sampling; a draw that disagrees with the best expected score is an
   *   exploration, allowed only within the point's cap and never on retries or risk-flagged tasks.
   * Checks (`verify`) go through {@link decideCheck}, never through sampling.
   */
  decide(point: string, features: Features, options: readonly OptionInput[], flags: DecideFlags = {}): Decision {
    if (point === CHECK_POINT) throw new PolicyUsageError(`use decideCheck for the '${CHECK_POINT}' point: skips are never sampled`);
    const specs = normaliseOptions(options);
    if (flags.pinned !== undefined && !specs.some((o) => o.id === flags.pinned)) {
      throw new PolicyUsageError(`pinned option '${flags.pinned}' is not among the options of '${point}'`);
    }
    for (const o of specs) if (o.fingerprint !== undefined) this.noteFingerprint(point, o.id, o.fingerprint);

    const now = this.now();
    const prior = pointPrior(this.document, point);
    const fallback = defaultOption(prior, features);
    const sampling = flags.pinned === undefined && specs.length > 1;
    const scored: Scored[] = specs.map((o) => {
      const facts: { costUsd?: number; latencyMs?: number } = {};
      if (o.costUsd !== undefined) facts.costUsd = o.costUsd;
      if (o.latencyMs !== undefined) facts.latencyMs = o.latencyMs;
      const view = resolveArm(this.state, this.document, point, features, o.id, 0, this.learning, facts);
      const p = view.a / (view.a + view.b);
      const expected = this.scoreOf(p, view.cost, view.latency);
      const s: Scored = { id: o.id, view, p, cost: view.cost, lat: view.latency, expected };
      if (sampling) s.sampled = this.scoreOf(beta(this.rng, view.a, view.b), view.cost, view.latency);
      return s;
    });
    const rank = (key: 'expected' | 'sampled'): Scored => {
      let best = scored[0] as Scored;
      for (const s of scored.slice(1)) {
        const v = s[key] ?? s.expected;
        const bv = best[key] ?? best.expected;
        if (v > bv + 1e-12 || (Math.abs(v - bv) <= 1e-12 && s.id === fallback)) best = s;
      }
      return best;
    };
    const greedy = rank('expected');
    const allowance = explorationAllowance(this.state, point, this.settings.explorationShare ?? DEFAULT_EXPLORATION_SHARE, this.learning);
    let chosen = greedy;
    let mode: DecisionMode;
    let reason: string;
    const describe = (s: Scored): string =>
      `P(success) ${fmtP(s.p)}, ${fmtRuns(s.view)}, ~${fmtCost(s.cost)}, ~${fmtLat(s.lat)}`;
    if (flags.pinned !== undefined) {
      chosen = scored.find((s) => s.id === flags.pinned) as Scored;
      mode = 'pinned';
      reason = `Pinned by the user: '${chosen.id}' (${describe(chosen)}).`;
    } else if (specs.length === 1) {
      mode = 'forced';
      reason = `'${chosen.id}' is the only option (${describe(chosen)}).`;
    } else {
      const drawn = rank('sampled');
      const denied = drawn.id === greedy.id ? undefined : flags.retry ? 'the task is being retried' : flags.noExploration !== undefined ? flags.noExploration : flags.risk ? `the task is risk-flagged${typeof flags.risk === 'string' ? ` (${flags.risk})` : ''}` : allowance.left <= 0 ? `the exploration cap is used up (${allowance.used} of the last ${this.learning.explorationWindow} decisions)` : undefined;
      if (drawn.id !== greedy.id && denied === undefined) {
        chosen = drawn;
        mode = 'explore';
        reason =
          `Exploring '${drawn.id}': its sampled score ${fmtP(drawn.sampled as number)} beat '${greedy.id}' (expected ${fmtP(greedy.expected)} against ${fmtP(drawn.expected)}); ` +
          `expected price of this try ${fmtP(greedy.expected - drawn.expected)}; ${describe(drawn)}.`;
      } else {
        mode = 'exploit';
        reason = `'${greedy.id}' has the best expected score ${fmtP(greedy.expected)} (${describe(greedy)}).`;
        if (denied !== undefined) reason += ` A draw favoured '${drawn.id}', but no exploration: ${denied}.`;
      }
    }
    return this.finish(point, features, flags.taskId, scored, chosen.id, greedy.id, fallback, mode, reason, now, {
      explore: mode === 'explore',
      explorationLeft: Math.max(0, allowance.left - (mode === 'explore' ? 1 : 0)),
    });
  }

  /**
   * Decides whether a check (a verifier or the inspector, named by `features.check`) runs for a task.
   * It is skipped only under a certificate earned in this exact context, and even then a share of
   * certified tasks is still checked (canaries). Risk-flagged tasks and "always check" are always checked.
   */
  decideCheck(features: Features, flags: CheckFlags = {}): Decision {
    const now = this.now();
    const point = CHECK_POINT;
    const view = resolveArm(this.state, this.document, point, features, 'run', 0, this.learning);
    const p = view.a / (view.a + view.b);
    const checkCost = flags.checkCostUsd ?? view.cost;
    const lat = view.latency;
    const verdict = evaluateCertificate(view.stored, checkCost, this.settings.defectCostUsd ?? 1.5, this.cert);
    const run: Scored = { id: 'run', view, p, cost: checkCost, lat, expected: this.scoreOf(p, checkCost, lat) };
    // Skipping costs nothing now but risks a defect: its expected score charges the bounded failure rate.
    const skipRisk = verdict.failureBound * (this.settings.defectCostUsd ?? 1.5);
    const skip: Scored = { id: 'skip', view, p, cost: skipRisk, lat: 0, expected: this.scoreOf(p, skipRisk, 0) };
    let choice = 'run';
    let mode: DecisionMode = 'rule';
    let reason: string;
    if (flags.alwaysCheck) {
      mode = 'pinned';
      reason = 'Checked: the user asked for this check always to run here.';
    } else if (flags.risk) {
      reason = `Checked: the task is risk-flagged${typeof flags.risk === 'string' ? ` (${flags.risk})` : ''}; risky tasks are never skipped.`;
    } else if (!verdict.granted) {
      reason = `Checked: no skip certificate, ${verdict.reason}.`;
    } else if (this.rng.next() < this.cert.canaryShare) {
      mode = 'canary';
      reason = `Checked as a canary: certified to skip (${verdict.reason}), but ${Math.round(this.cert.canaryShare * 100)}% of certified tasks are still checked.`;
    } else {
      choice = 'skip';
      mode = 'certified-skip';
      reason = `Skipped under a certificate: ${verdict.reason}.`;
    }
    const certificate: AuditCertificate = {
      granted: verdict.granted,
      runs: verdict.runs,
      failures: verdict.failures,
      streak: verdict.streak,
      failureBound: verdict.failureBound,
      bar: verdict.bar,
    };
    return this.finish(point, features, flags.taskId, [run, skip], choice, verdict.granted ? 'skip' : 'run', 'run', mode, reason, now, {
      explore: false,
      certificate,
    });
  }

  private finish(
    point: string,
    features: Features,
    taskId: string | undefined,
    scored: readonly Scored[],
    choice: string,
    greedy: string,
    fallback: string | undefined,
    mode: DecisionMode,
    reason: string,
    now: number,
    extra: { explore: boolean; explorationLeft?: number; certificate?: AuditCertificate },
  ): Decision {
    const id = `${point}-${randomUUID().slice(0, 13)}`;
    const chosen = scored.find((s) => s.id === choice) as Scored;
    const open: OpenDecision = { point, features: { ...features }, choice, mode, predicted: chosen.p, t: now };
    if (taskId !== undefined) open.taskId = taskId;
    this.apply({ op: 'decided', id, explore: extra.explore, decision: open });
    const options = scored.map((s) => this.auditOption(s));
    const record: AuditRecord = {
      id,
      ts: now,
      point,
      features: { ...features },
      cell: cellKeys(pointPrior(this.document, point), point, features)[0] as string,
      priorId: this.state.priorId,
      weights: { ...this.weights },
      options,
      choice,
      greedy,
      mode,
      reason,
      outcomes: [],
    };
    if (taskId !== undefined) record.taskId = taskId;
    if (fallback !== undefined) record.defaultOption = fallback;
    if (extra.explorationLeft !== undefined) record.explorationLeft = extra.explorationLeft;
    if (extra.certificate) record.certificate = extra.certificate;
    this.remember(record);
    const { outcomes: _outcomes, ...logged } = record;
    this.emit({ kind: 'decision', record: logged });
    const event: DecisionEventPayload = { type: 'decision', point, options: CoordinationPolicy.eventOptions(options), choice, mode, reason };
    if (taskId !== undefined) event.taskId = taskId;
    const decision: Decision = { id, point, choice, mode, reason, audit: record, event };
    if (taskId !== undefined) decision.taskId = taskId;
    return decision;
  }

  /**
   * Records a real outcome of a decision. The first outcome is counted; a later failure (the user rejected or
   * reverted, a run-level check found a defect) adds a failure; a later success is ignored. For a skipped
   * check only a defect counts, weighted heavily, and it revokes the certificate (the clean streak restarts).
   */
  record(decisionId: string, outcome: Outcome): RecordResult {
    const open = this.state.open[decisionId];
    if (!open) return { ok: false, counted: false, message: `no open decision '${decisionId}' (too old, or made by another policy)` };
    const now = this.now();
    const isCheck = open.point === CHECK_POINT;
    const option = isCheck ? 'run' : open.choice;
    let counted = true;
    let note: string | undefined;
    if (isCheck && open.choice === 'skip') {
      if (outcome.success) {
        counted = false;
        note = 'a skipped check teaches nothing from a success (the defect may be unseen)';
        if (!open.closed) this.apply({ op: 'closed', id: decisionId });
      } else {
        this.apply({ op: 'escape', id: decisionId, point: open.point, features: open.features, option, weight: this.cert.escapeWeight, t: now });
        note = `escaped defect: counted as ${this.cert.escapeWeight} failures; the certificate is revoked`;
      }
    } else if (open.closed && outcome.success) {
      counted = false;
      note = 'already counted';
    } else {
      const op: PolicyOp = { op: 'outcome', id: decisionId, point: open.point, features: open.features, option, success: outcome.success, weight: 1, predicted: open.predicted, t: now };
      if (!open.closed && outcome.costUsd !== undefined) op.costUsd = outcome.costUsd;
      if (!open.closed && outcome.latencyMs !== undefined) op.latencyMs = outcome.latencyMs;
      this.apply(op);
      if (open.closed) note = 'late evidence: counted as an extra failure';
    }
    const after = resolveArm(this.state, this.document, open.point, open.features, option, 0, this.learning);
    const result: AuditOutcome = {
      decisionId,
      ts: now,
      success: outcome.success,
      source: outcome.source,
      predicted: open.predicted,
      after: { pSuccess: after.a / (after.a + after.b), realRuns: after.realRuns },
    };
    if (outcome.costUsd !== undefined) result.costUsd = outcome.costUsd;
    if (outcome.latencyMs !== undefined) result.latencyMs = outcome.latencyMs;
    if (!counted) result.ignored = true;
    if (note !== undefined) result.note = note;
    this.audits.get(decisionId)?.outcomes.push(result);
    this.emit({ kind: 'outcome', outcome: result });
    const res: RecordResult = { ok: true, counted, outcome: result };
    if (note !== undefined) res.message = note;
    return res;
  }

  /** Shorthand: a task whose check was skipped (or passed) was later found defective. */
  recordDefect(decisionId: string, source: OutcomeSource = 'user'): RecordResult {
    return this.record(decisionId, { success: false, source });
  }
}

function fmtRuns(view: ArmView): string {
  return `${Math.round(view.realRuns)} runs here + ${Math.round(view.priorRuns)} prior`;
}

function normaliseOptions(options: readonly OptionInput[]): OptionSpec[] {
  const seen = new Set<string>();
  const out: OptionSpec[] = [];
  for (const o of options) {
    const spec = typeof o === 'string' ? { id: o } : o;
    if (!spec.id) throw new PolicyUsageError('an option needs a non-empty id');
    if (seen.has(spec.id)) continue;
    seen.add(spec.id);
    out.push(spec);
  }
  if (out.length === 0) throw new PolicyUsageError('a decision needs at least one option');
  return out;
}
