/**
 * The run log the views show: one line per thing a user would want to read back after a run (lifecycle,
 * attempts, verdicts, decisions, plan updates, patches, errors), derived from run events by the reducer.
 * Model text, tool calls and usage are never logged here (they have their own places in a task's details);
 * `log` events at trace/debug level are left to the output channel, since they may carry prompts.
 */
import type { RunEvent, RunEventOf } from '../core/run/events';
import { plural } from '../core/words';
import { decisionSummary } from './decisionWords';
import type { LogLine, RunViewState } from './viewState';

const SETTLED_LEVEL = {
  passed: 'info',
  unverified: 'warn',
  failed: 'error',
  blocked: 'warn',
  cancelled: 'warn',
} as const;

function firstFinding(findings: readonly { file?: string; line?: number; message: string }[]): string {
  const f = findings[0];
  if (!f) return '';
  const where = f.file ? `${f.file}${f.line !== undefined ? `:${f.line}` : ''}: ` : '';
  // One line is enough for the log: the task's Verification section has them all.
  const message = f.message.split('\n', 1)[0] ?? '';
  return `${where}${message.length > 200 ? `${message.slice(0, 199)}…` : message}`;
}

function changes(e: Extract<RunEvent, { type: 'plan.updated' }>): string {
  const parts = [
    e.changed.length ? `changed ${e.changed.join(', ')}` : '',
    e.added.length ? `added ${e.added.join(', ')}` : '',
    e.removed.length ? `removed ${e.removed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/**
 * The run-log line for `event`, or undefined when it is not worth one. `next` is the state after the
 * event (for figures such as the plan's metrics).
 */
export function runLogLine(event: RunEvent, next: RunViewState): Omit<LogLine, 'ts'> | undefined {
  switch (event.type) {
    case 'run.started':
      return { level: 'info', message: 'Run started' };
    case 'plan.ready': {
      const m = next.metrics;
      return { level: 'info', message: m ? `Plan ready: ${plural(m.tasks, 'task')}, ${plural(m.edges, 'dependency', 'dependencies')}, depth ${m.depth}` : 'Plan ready' };
    }
    case 'agent.started':
      return { level: 'info', taskId: event.taskId, message: event.attempt > 1 ? `attempt ${event.attempt} started on ${event.model}` : `started on ${event.model}` };
    case 'task.status': {
      if (!(event.status in SETTLED_LEVEL)) return undefined;
      const status = event.status as keyof typeof SETTLED_LEVEL;
      return { level: SETTLED_LEVEL[status], taskId: event.taskId, message: event.reason ? `${status}: ${event.reason}` : status };
    }
    case 'task.verified':
      // A pass shows as the task's `passed` status line that follows.
      if (event.outcome === 'passed') return undefined;
      return {
        level: 'warn',
        taskId: event.taskId,
        message: `verification ${event.outcome}${event.findings.length ? ` (${plural(event.findings.length, 'finding')}): ${firstFinding(event.findings)}` : ''}`,
      };
    case 'write.refused':
      return { level: 'warn', taskId: event.taskId, message: `write to ${event.path} refused: ${event.reason}` };
    case 'decision':
      // In plain words; the figures are behind the Details of the Decisions section beside the log.
      return { level: 'info', taskId: event.taskId, message: decisionSummary(event) };
    case 'plan.updated':
      return { level: 'warn', taskId: event.taskId, message: `plan updated: ${event.reason}${changes(event)}` };
    case 'patch':
      if (event.state === 'proposed') return undefined;
      return {
        level: event.state === 'conflicted' ? 'warn' : 'info',
        taskId: event.taskId,
        message: `patch ${event.state} (${plural(event.files.length, 'file')})${event.reason ? `: ${event.reason}` : ''}`,
      };
    case 'log':
      if (event.level === 'trace' || event.level === 'debug') return undefined;
      return { level: event.level, message: event.message, ...(event.taskId !== undefined ? { taskId: event.taskId } : {}) };
    case 'verify.mode':
      return { level: event.sandbox === 'none' ? 'warn' : 'info', message: `Verification: ${verificationLabel(event)}${event.reason ? ` (${event.reason})` : ''}` };
    case 'run.checked':
      return {
        level: event.outcome === 'passed' ? 'info' : 'error',
        message: `test command ${event.outcome}${event.findings.length ? `: ${event.findings.map((f) => f.message).slice(0, 3).join('; ')}` : ''}`,
      };
    case 'plan.review.waiting':
      return {
        level: 'info',
        message: `Waiting for your review of the plan (${plural(event.plan.tasks.length, 'task')})${event.problems?.length ? `; your edit was refused: ${event.problems[0]}` : ''}`,
      };
    case 'plan.review.decided':
      return { level: event.action === 'edit-refused' || event.action === 'cancel' ? 'warn' : 'info', message: REVIEW_LINE[event.action](event) };
    case 'run.finished':
      return {
        level: event.status === 'completed' ? 'info' : event.status === 'cancelled' ? 'warn' : 'error',
        message: `Run ${event.status}${event.reason ? `: ${event.reason}` : ''} (exit code ${event.exitCode})`,
      };
    default:
      return undefined;
  }
}

/** The run-log line of each answer at the plan gate. */
const REVIEW_LINE: Record<RunEventOf<'plan.review.decided'>['action'], (e: RunEventOf<'plan.review.decided'>) => string> = {
  run: () => 'Plan approved: running it',
  'run-edited': () => 'Edited plan approved: running it',
  'edit-refused': (e) => {
    const problems = e.problems ?? [];
    return `Edited plan refused: ${problems[0] ?? 'it is not a valid plan'}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`;
  },
  replan: (e) => `Re-planning with your feedback${e.feedback ? `: ${e.feedback}` : ''}`,
  cancel: () => 'Plan review cancelled: no agent started',
};

/** The verification mode as one phrase: "overlay view, bwrap sandbox", "copy, no sandbox". */
export function verificationLabel(e: Pick<RunEventOf<'verify.mode'>, 'view' | 'sandbox'>): string {
  return `${e.view === 'overlay' ? 'overlay view' : 'copy'}, ${e.sandbox === 'none' ? 'no sandbox' : `${e.sandbox} sandbox`}`;
}
