/**
 * Replays a journaled run as the events the views fold, so a past or interrupted run shows in the graph panel
 * and the sidebar after a reload exactly as a live one would (statuses, staged files, findings, patches,
 * decisions, usage). Pure: unit-tested in Node.
 */
import type { RunRecord } from '../../core/run/journal';
import type { RunEvent, TaskStatus } from '../../core/run/events';
import type { TaskPatch } from '../../core/run/patch';

const VERIFIED: ReadonlySet<TaskStatus> = new Set(['passed', 'unverified', 'failed']);

/** Task statuses of work in flight: after an interruption nothing is doing that work any more. */
const IN_FLIGHT: ReadonlySet<TaskStatus> = new Set(['running', 'verifying', 'ready']);

/** What the views say of a run whose journal still says running while nothing runs it (the window closed or VS Code stopped during the run). */
export const INTERRUPTED_VIEW_REASON = 'interrupted: the window closed or VS Code stopped during the run; Resume continues it where it stopped';

/**
 * The events that rebuild `record`'s view; `patches` are the stored patches by task id (for file lists).
 * With `interrupted`, a journal that still says `running` is shown as stopped (no spinner, no Cancel): the
 * run ends as cancelled with {@link INTERRUPTED_VIEW_REASON} and its in-flight tasks as cancelled. The journal
 * itself is not changed, so resuming it continues those tasks.
 */
export function recordToEvents(record: RunRecord, patches: ReadonlyMap<string, TaskPatch>, options: { interrupted?: boolean } = {}): RunEvent[] {
  const interrupted = options.interrupted === true && record.status === 'running';
  const runId = record.runId;
  const ts = record.updatedAt;
  const out: RunEvent[] = [
    { type: 'run.started', runId, ts: record.createdAt, ...(record.goal !== undefined ? { goal: record.goal } : {}), dir: record.dir },
    { type: 'plan.ready', runId, ts: record.createdAt, plan: record.plan },
  ];
  for (const d of record.decisions) out.push({ type: 'decision', runId, ...d });
  for (const task of record.plan.tasks) {
    const rec = record.tasks[task.id];
    if (!rec) continue;
    const patch = patches.get(task.id);
    for (const f of patch?.files ?? []) {
      out.push({ type: 'file.staged', runId, ts, taskId: task.id, path: f.path, change: f.change, bytes: Buffer.byteLength(f.after ?? '') });
    }
    if (rec.usage.inputTokens || rec.usage.outputTokens) {
      out.push({ type: 'usage', runId, ts, taskId: task.id, role: 'agent', model: '', inputTokens: rec.usage.inputTokens, outputTokens: rec.usage.outputTokens, ...(rec.usage.unpricedCalls && !rec.usage.cost ? {} : { cost: rec.usage.cost }), ...(rec.usage.includedCalls && !rec.usage.cost ? { included: true } : {}) });
    }
    if (VERIFIED.has(rec.status) && (rec.status !== 'failed' || rec.findings?.length)) {
      const outcome = rec.status === 'passed' || rec.status === 'unverified' ? rec.status : 'failed';
      out.push({ type: 'task.verified', runId, ts, taskId: task.id, outcome, findings: rec.findings ?? [] });
    }
    if (interrupted && IN_FLIGHT.has(rec.status)) out.push({ type: 'task.status', runId, ts, taskId: task.id, status: 'cancelled', reason: 'interrupted' });
    else out.push({ type: 'task.status', runId, ts, taskId: task.id, status: rec.status, ...(rec.reason ? { reason: rec.reason } : {}) });
    const p = patch ? { state: patch.state, files: patch.files.map((f) => f.path), reason: patch.reason } : rec.patch;
    if (p) out.push({ type: 'patch', runId, ts, taskId: task.id, state: p.state, files: p.files, ...(p.reason ? { reason: p.reason } : {}) });
  }
  if (record.check) out.push({ type: 'run.checked', runId, ts, outcome: record.check.outcome, findings: record.check.findings });
  if (record.status !== 'running') {
    out.push({ type: 'run.finished', runId, ts, exitCode: record.exitCode ?? 1, status: record.status, ...(record.reason ? { reason: record.reason } : {}) });
  } else if (interrupted) {
    out.push({ type: 'run.finished', runId, ts, exitCode: 130, status: 'cancelled', reason: INTERRUPTED_VIEW_REASON });
  }
  return out;
}

/** Whether a run can be continued: interrupted (still `running` in the journal), cancelled, or stopped by the budget. */
export function isResumable(record: Pick<RunRecord, 'status'>): boolean {
  return record.status === 'running' || record.status === 'cancelled' || record.status === 'budget';
}
