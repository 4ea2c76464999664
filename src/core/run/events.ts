/**
 * Typed events of a run: the views, the CLI's `--json` output and the journal all subscribe to these.
 * Every event carries `type`, `runId`, `ts` (milliseconds since the epoch) and, where it concerns one task,
 * `taskId`. Add variants as features arrive; never change existing shapes.
 */
import type { Plan } from '../plan/schema';

export type TaskStatus =
  | 'pending' // waiting on dependencies
  | 'ready' // dependencies done, waiting for an agent slot
  | 'running' // an agent is working
  | 'verifying' // tools and inspector are checking the staged output
  | 'passed' // verified (or skipped under a policy certificate)
  | 'unverified' // the agent finished but a check could not run (e.g. missing tool)
  | 'failed' // checks failed and retries/updates ran out
  | 'blocked' // a dependency failed or was cancelled
  | 'cancelled';

/** The statuses a user's Retry runs again (with the tasks blocked behind it): failed, blocked, cancelled. */
export const RETRYABLE_STATUSES: ReadonlySet<TaskStatus> = new Set(['failed', 'blocked', 'cancelled']);

/**
 * A patch's review state. `merged`: applied onto a file the user had changed since, both sets of changes kept
 * (three-way merge). `conflicted`: the changes overlap the user's (or a file changed in a way no merge can
 * take); nothing written. `conflicted-markers`: written with conflict markers, on the user's request, for the
 * user to resolve.
 */
export type PatchState = 'proposed' | 'applied' | 'merged' | 'rejected' | 'conflicted' | 'conflicted-markers';

/** What the user did at the plan gate (see the `plan.review.decided` event). */
export type PlanReviewAction = 'run' | 'run-edited' | 'edit-refused' | 'replan' | 'cancel';

export type DecisionMode = 'exploit' | 'explore' | 'pinned' | 'forced' | 'certified-skip' | 'canary' | 'rule';

export interface DecisionOption {
  id: string;
  /** Free-form figures shown in the audit view (metrics of a plan candidate, estimated success, ...). */
  [key: string]: unknown;
}

export interface Finding {
  file?: string;
  line?: number;
  message: string;
  tool?: string;
}

interface Base {
  runId: string;
  ts: number;
}

export type RunEvent = Base &
  (
    | { type: 'run.started'; goal?: string; dir: string }
    | { type: 'plan.ready'; plan: Plan }
    | { type: 'task.status'; taskId: string; status: TaskStatus; reason?: string }
    | { type: 'agent.started'; taskId: string; role: string; agent: string; model: string; attempt: number }
    | { type: 'agent.text'; taskId: string; delta: string }
    /** The model call restarted (a retried stream): views drop the last `discard` characters of the task's text. */
    | { type: 'agent.reset'; taskId: string; reason: string; discard: number }
    /**
     * A tool ran. `summary` is a short human line (`read a.py:10-40`, `search "x" → 3 matches`); `diff` a unified
     * diff of what an edit or write changed, bounded (at most 200 lines and 16 KB), with `diffOmitted` the
     * number of lines left out.
     */
    | { type: 'agent.tool'; taskId: string; tool: string; path?: string; ok: boolean; error?: string; summary?: string; diff?: string; diffOmitted?: number }
    | { type: 'file.staged'; taskId: string; path: string; change: 'created' | 'modified' | 'deleted'; bytes: number }
    | { type: 'write.refused'; taskId: string; path: string; reason: string }
    /** One model call. `cost` absent: the model has no known price. `included`: the user's plan pays for the call (cost 0, nothing owed). */
    | { type: 'usage'; taskId?: string; role: string; model: string; inputTokens: number; outputTokens: number; cost?: number; included?: true }
    | { type: 'task.verified'; taskId: string; outcome: 'passed' | 'failed' | 'unverified'; findings: Finding[] }
    | { type: 'decision'; taskId?: string; point: string; options: DecisionOption[]; choice: string; mode: DecisionMode; reason: string; /** The learned policy's id of the decision, to record outcomes later (e.g. the user's review). */ decisionId?: string }
    | { type: 'plan.updated'; taskId: string; reason: string; changed: string[]; added: string[]; removed: string[]; /** The whole plan after the update, so views can redraw without asking. */ plan?: Plan }
    | { type: 'patch'; taskId: string; state: PatchState; files: string[]; reason?: string }
    | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string; taskId?: string }
    /** How verification sees the workspace (an overlay at its own path, or a copy) and what sandbox contains its commands; `reason` says why it is less than an overlay in a sandbox. */
    | { type: 'verify.mode'; view: 'overlay' | 'copy'; sandbox: 'bwrap' | 'sandbox-exec' | 'none'; reason?: string }
    | { type: 'run.checked'; outcome: 'passed' | 'failed' | 'unverified'; findings: Finding[] }
    /**
     * The plan gate: the chosen plan waits for the user's review before any agent starts. `round` counts the
     * plans shown (1, then one more per re-plan); `chosen` is the shown plan's candidate number of `candidates`
     * drawn; `problems` say why the user's last edit was refused.
     */
    | { type: 'plan.review.waiting'; plan: Plan; round: number; chosen?: number; candidates?: number; problems?: string[] }
    /**
     * The user's answer at the plan gate: `run` the shown plan, `run-edited` (their edited plan, valid), `edit-refused`
     * (their edited plan is invalid: `problems`; the gate waits again), `replan` with `feedback`, or `cancel`.
     */
    | { type: 'plan.review.decided'; action: PlanReviewAction; round: number; feedback?: string; problems?: string[] }
    | { type: 'run.finished'; exitCode: number; status: 'completed' | 'failed' | 'cancelled' | 'budget'; reason?: string }
  );

export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
export type RunEventListener = (event: RunEvent) => void;

/** Distributes a union over its members so `Omit` keeps each variant. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the engine's parts emit it, before the engine stamps `runId` and `ts`. */
export type RunEventInput = DistributiveOmit<RunEvent, 'runId' | 'ts'>;
