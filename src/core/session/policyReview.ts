/**
 * The user's review as an outcome for the policy: rejecting a task's patch means the choices behind its
 * last attempt (model, protocol, edit format, the inspector check) did not deliver, even though verification passed;
 * accepting confirms them (ignored where verification already counted). A rejected task whose inspector
 * pass was skipped is an escaped defect: its certificate is revoked.
 */
import type { CoordinationPolicy } from '../policy';
import type { RunRecord } from '../run/journal';

/** The ids of the decisions behind a task's last attempt, from the run's journal. */
export function lastAttemptDecisions(record: Pick<RunRecord, 'decisions'>, taskId: string): string[] {
  const latest = new Map<string, string>();
  for (const d of record.decisions) {
    if (d.taskId !== taskId || d.decisionId === undefined) continue;
    if (d.point === 'model' || d.point === 'protocol' || d.point === 'editFormat' || d.point === 'verify') latest.set(d.point, d.decisionId);
  }
  return [...latest.values()];
}

/** Records the user's verdict on a task's patch; returns how many decisions it reached. */
export function recordReview(policy: CoordinationPolicy, record: Pick<RunRecord, 'decisions'>, taskId: string, accepted: boolean): number {
  let reached = 0;
  for (const id of lastAttemptDecisions(record, taskId)) {
    const r = policy.record(id, { success: accepted, source: 'user' });
    if (r.ok) reached++;
  }
  return reached;
}
