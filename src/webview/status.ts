/** How each task status looks: its codicon, label and CSS class (colours come from theme variables in CSS). */
import type { PatchState, TaskStatus } from '../core/run/events';
import type { RunViewState } from '../protocol/viewState';

export interface StatusLook {
  icon: string;
  label: string;
  /** Extra codicon classes (the running spinner). */
  iconModifier?: string;
}

export const STATUS_LOOK: Readonly<Record<TaskStatus, StatusLook>> = {
  pending: { icon: 'clock', label: 'Pending' },
  ready: { icon: 'circle-large-outline', label: 'Ready' },
  running: { icon: 'loading', label: 'Running', iconModifier: 'codicon-modifier-spin' },
  verifying: { icon: 'beaker', label: 'Verifying' },
  passed: { icon: 'pass-filled', label: 'Passed' },
  unverified: { icon: 'question', label: 'Unverified' },
  failed: { icon: 'error', label: 'Failed' },
  blocked: { icon: 'circle-slash', label: 'Blocked' },
  cancelled: { icon: 'stop-circle', label: 'Cancelled' },
};

/** How each patch state reads on a node's and a sidebar row's badge (its colour: `patch-<state>` in CSS). */
export const PATCH_LOOK: Readonly<Record<PatchState, { label: string }>> = {
  proposed: { label: 'to review' },
  applied: { label: 'applied' },
  merged: { label: 'merged' },
  rejected: { label: 'rejected' },
  conflicted: { label: 'conflicted' },
  'conflicted-markers': { label: 'markers to resolve' },
};

/** The badge class of a patch state. */
export function patchBadgeClass(state: PatchState): string {
  return `badge patch-badge patch-${state}`;
}

/** Display order of statuses in summaries. */
export const STATUS_ORDER: readonly TaskStatus[] = [
  'running', 'verifying', 'ready', 'pending', 'passed', 'unverified', 'failed', 'blocked', 'cancelled',
];

/** The class of a task's node: `status-<status>`. */
export function statusClass(status: TaskStatus): string {
  return `status-${status}`;
}

/** The full class list of a status icon. */
export function statusIconClass(status: TaskStatus): string {
  const look = STATUS_LOOK[status];
  return `codicon codicon-${look.icon}${look.iconModifier ? ` ${look.iconModifier}` : ''} status-icon`;
}

/** Statuses after which a task will not change again in this run. */
export function isSettled(status: TaskStatus): boolean {
  return status === 'passed' || status === 'unverified' || status === 'failed' || status === 'blocked' || status === 'cancelled';
}

/**
 * Progress of a run for its header and bar: finished tasks (cancelled ones are not finished work), and the
 * cancelled ones named apart: "4/6 settled", "2/6 settled · 4 cancelled".
 */
export function progressOf(statuses: readonly TaskStatus[]): { finished: number; cancelled: number; text: string } {
  const cancelled = statuses.filter((s) => s === 'cancelled').length;
  const finished = statuses.filter((s) => s !== 'cancelled' && isSettled(s)).length;
  return { finished, cancelled, text: `${finished}/${statuses.length} settled${cancelled ? ` · ${cancelled} cancelled` : ''}` };
}

/**
 * Where a run stands for a view that draws its plan: no run, still planning, or finished (failed, cancelled,
 * over budget) before any plan arrived, or with a plan. The graph's empty area says which of these it is
 * instead of "No plan yet" while the planner is working or after it failed.
 */
export type PlanPhase = 'idle' | 'planning' | 'no-plan' | 'planned';

export function planPhase(state: Pick<RunViewState, 'run' | 'plan'>): PlanPhase {
  if ((state.plan?.tasks.length ?? 0) > 0) return 'planned';
  if (!state.run) return 'idle';
  return state.run.status === 'running' ? 'planning' : 'no-plan';
}

/** The heading and sentence of the graph's empty area for a phase without a plan. */
export function noPlanText(state: Pick<RunViewState, 'run'>, phase: Exclude<PlanPhase, 'planned'>): { title: string; text: string } {
  const run = state.run;
  switch (phase) {
    case 'idle':
      return { title: 'No plan yet', text: 'Start a task and AgensFlow draws its plan here: one node per subtask, edges for dependencies.' };
    case 'planning':
      return { title: 'Planning…', text: 'The planner is drafting the task graph; it appears here as soon as the plan is ready.' };
    case 'no-plan': {
      const reason = run?.reason?.trim();
      if (run?.status === 'cancelled') return { title: 'Cancelled before a plan was ready', text: reason || 'The run was cancelled while planning.' };
      if (run?.status === 'completed') return { title: 'Nothing to do', text: reason || 'The run finished without a plan of tasks.' };
      if (run?.status === 'budget') return { title: 'Budget reached while planning', text: reason || 'The run hit its token or cost budget before the plan was ready.' };
      return { title: 'Planning failed', text: reason || 'The planner stopped without a plan. The run log has the details.' };
    }
  }
}
