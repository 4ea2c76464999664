/**
 * Canned model answers for the paper's three tasks: what a scripted planner, agents, inspector and updater
 * answer, so the demo and bench:tasks run end to end with no model involved (and say so).
 */
import type { PlanInput } from '../../../src/core/plan/schema';
import type { PlanUpdateInput } from '../../../src/core/plan/update';
import type { PaperTask } from '../score/types';

export interface ScriptedTask {
  readonly name: PaperTask;
  /** The task text given to the planner (the paper's prompt, plus any sentence the benchmark appends). */
  readonly prompt: string;
  /** The `submit_workflow` answers, served in turn to the K candidate requests. */
  readonly candidates: readonly PlanInput[];
  /**
   * What an agent writes for plan task `id`, given the objective it was shown (an injected failure can
   * depend on it), and what is wrong with it when the failure is injected. Undefined: no canned answer.
   */
  files(id: string, objective: string): AgentAnswer | undefined;
  /** The `submit_update` answer for a failure of task `id`, if this script has one. */
  update?(id: string): PlanUpdateInput | undefined;
}

/** The canned output of one agent turn. */
export interface AgentAnswer {
  readonly files: Readonly<Record<string, string>>;
  /** Set when this answer is a deliberately broken one: what is wrong with it. */
  readonly injected?: string;
}
