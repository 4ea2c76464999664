/** The injection points of a run: verification (helper H3's src/core/verify), failure handling, pricing. */
import type { Task } from '../plan/schema';
import { isModelConfigError, isProviderError, type Model, type Usage } from '../models';
import type { Finding } from './events';
import type { StagedView } from './staging';

export interface VerifyResult {
  outcome: 'passed' | 'failed' | 'unverified';
  findings: Finding[];
}

/** Checks a task's staged output. Must not throw for a failing check: return `failed` with findings. */
export type VerifyHook = (task: Task, view: StagedView, ctx: { runId: string; signal: AbortSignal }) => Promise<VerifyResult>;

export interface FailureInfo {
  task: Task;
  /** 1 for the first attempt. */
  attempt: number;
  /** Why the attempt failed: the agent gave up, or verification failed. */
  reason: string;
  findings: Finding[];
  view: StagedView;
  signal: AbortSignal;
}

/** What to do with a failed attempt: give up, or run the agent again with feedback (a new conversation). */
export type FailureDecision = { action: 'fail' } | { action: 'retry'; feedback: string };
export type FailureHook = (info: FailureInfo) => Promise<FailureDecision>;

/** Cost in the user's currency of one call, or `undefined` when no price is known. */
export type PriceHook = (model: string, usage: Usage) => number | undefined;

/** Which model serves a task's agent. */
export type AgentModelChoice = Model | ((task: Task) => Model);

/**
 * Model errors that no other task can get past (a rejected key, a model or endpoint that does not exist,
 * bad settings): the run stops and exits 2 (design.md exit codes).
 */
export function isFatalModelError(e: unknown): boolean {
  if (isModelConfigError(e)) return true;
  return isProviderError(e) && (e.kind === 'auth' || e.kind === 'permission' || e.kind === 'not-found');
}
