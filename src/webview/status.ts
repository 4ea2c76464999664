/** How each task status looks: its codicon, label and CSS class (colours come from theme variables in CSS). */
import type { PatchState, TaskStatus } from '../core/run/events';

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
