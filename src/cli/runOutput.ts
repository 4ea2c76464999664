/**
 * Human output of `run` on stderr: a live line per task (status, agent, elapsed) redrawn in place on a TTY,
 * plain lines on status changes otherwise, and a final table with the makespan against the critical-path
 * bound. `--json` output is separate (one event per line on stdout).
 */
import { verificationLabel } from '../protocol/reducerLog';
import type { RunEvent, TaskStatus } from '../core/run/events';
import type { RunRecord } from '../core/run/journal';
import { findingLine } from '../core/run/findings';
import { formatUsageCost } from '../protocol/cost';
import { decisionSummary } from '../protocol/decisionWords';

const MARK: Record<TaskStatus, string> = {
  pending: '·',
  ready: '○',
  running: '▶',
  verifying: '…',
  passed: '✔',
  unverified: '?',
  failed: '✘',
  blocked: '⊘',
  cancelled: '■',
};

interface Row {
  id: string;
  role: string;
  status: TaskStatus;
  agent?: string;
  startedAt?: number;
  endedAt?: number;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** Follows run events and writes progress to `write`. Call `stop()` before printing the table. */
export class LiveView {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private runId = '';

  private readonly tty: boolean;

  /**
   * `write` prints text (the io's stderr, which escapes control characters); `control`, given on a live
   * terminal, moves the cursor for the redraw in place.
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly control?: (sequence: string) => void,
  ) {
    this.tty = control !== undefined;
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run.started':
        this.runId = e.runId;
        this.write(`run ${e.runId} started in ${e.dir}\n`);
        break;
      case 'plan.ready':
        for (const t of e.plan.tasks) if (!this.rows.has(t.id)) this.rows.set(t.id, { id: t.id, role: t.role, status: 'pending' });
        if (this.tty && !this.timer) {
          this.timer = setInterval(() => this.redraw(), 250);
          this.timer.unref();
        }
        break;
      case 'agent.started': {
        const r = this.rows.get(e.taskId);
        if (r) {
          r.agent = e.agent;
          r.startedAt ??= e.ts;
        }
        break;
      }
      case 'task.status': {
        const r = this.rows.get(e.taskId);
        if (!r || r.status === e.status) break;
        r.status = e.status;
        if (['passed', 'unverified', 'failed', 'blocked', 'cancelled'].includes(e.status)) r.endedAt = e.ts;
        if (!this.tty) this.write(`${this.line(r, e.ts)}${e.reason ? `  (${e.reason})` : ''}\n`);
        break;
      }
      case 'task.verified':
        if (e.outcome !== 'passed' && e.findings.length) {
          this.clear();
          this.write(`  ${e.taskId}: ${e.outcome === 'failed' ? 'checks failed' : 'not verified'}:\n${findingsBlock(e.findings, '    ')}`);
        }
        break;
      case 'decision':
        // One line per decision in plain words (the learned policy's choices, recoveries, updates); the figures
        // are in --json and run.json.
        this.clear();
        this.write(`  ${e.taskId ?? 'run'}: ${decisionSummary(e)}\n`);
        break;
      case 'plan.updated':
        this.clear();
        for (const id of e.added) if (!this.rows.has(id)) this.rows.set(id, { id, role: e.plan?.tasks.find((t) => t.id === id)?.role ?? 'developer', status: 'pending' });
        for (const id of e.removed) this.rows.delete(id);
        this.write(`  ${e.taskId}: plan updated (${e.reason})${e.changed.length ? `; changed ${e.changed.join(', ')}` : ''}${e.added.length ? `; added ${e.added.join(', ')}` : ''}${e.removed.length ? `; removed ${e.removed.join(', ')}` : ''}\n`);
        break;
      case 'verify.mode':
        this.clear();
        this.write(`verification: ${verificationLabel(e)}${e.reason ? ` (${e.reason})` : ''}\n`);
        break;
      case 'run.checked':
        this.clear();
        this.write(`test command: ${e.outcome}\n${e.findings.length ? findingsBlock(e.findings, '    ') : ''}`);
        break;
      case 'agent.tool':
        // Plain output follows what each agent does (`t1: edit a.py (+2 −1)`); the live table has no room for it.
        if (!this.tty && e.tool !== 'finish') this.write(`  ${e.taskId}: ${e.summary ?? `${e.tool}${e.path ? ` ${e.path}` : ''}`}${e.ok ? '' : ` failed: ${e.error ?? ''}`}\n`);
        break;
      case 'write.refused':
        if (!this.tty) this.write(`  ${e.taskId}: write refused: ${e.path}: ${e.reason}\n`);
        break;
      case 'patch':
        if (!this.tty && e.state !== 'proposed') this.write(`  ${e.taskId}: patch ${e.state}${e.reason ? `: ${e.reason}` : ''}\n`);
        break;
      case 'log':
        if (e.level === 'error' || e.level === 'warn') {
          this.clear();
          this.write(`${e.level}: ${e.taskId ? `${e.taskId}: ` : ''}${e.message}\n`);
        }
        break;
      default:
        break;
    }
    if (this.tty && (e.type === 'task.status' || e.type === 'agent.started')) this.redraw();
  }

  private line(r: Row, now: number): string {
    const elapsed = r.startedAt ? formatDuration((r.endedAt ?? now) - r.startedAt) : '';
    return `${MARK[r.status]} ${r.id.padEnd(this.width())}  ${r.status.padEnd(10)}  ${(r.agent ?? r.role).padEnd(24)}  ${elapsed}`;
  }

  private width(): number {
    return Math.max(4, ...[...this.rows.keys()].map((k) => k.length));
  }

  private clear(): void {
    if (!this.tty || this.drawn === 0) return;
    this.control?.(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (!this.tty || this.rows.size === 0) return;
    const now = Date.now();
    const lines = [...this.rows.values()].map((r) => this.line(r, now));
    this.clear();
    this.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  /** Stops redrawing (leaves the last frame on screen). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.redraw();
    this.drawn = 0;
    void this.runId;
  }
}

/** Findings one per line under `indent`, at most `max` (the rest counted). */
export function findingsBlock(findings: readonly { file?: string; line?: number; message: string; tool?: string }[], indent: string, max = 10): string {
  const lines = findings.slice(0, max).map((f) => `${indent}${findingLine(f)}`);
  if (findings.length > max) lines.push(`${indent}... and ${findings.length - max} more`);
  return lines.map((l) => `${l}\n`).join('');
}

/** Four decimals in the table (a task's cost is often under a cent); "price unknown" for an unpriced model, "included in your plan". */
function cliCost(u: { cost: number; unpricedCalls?: number; includedCalls?: number }): string {
  return u.unpricedCalls || u.includedCalls ? formatUsageCost(u) : `$${u.cost.toFixed(4)}`;
}

/** Whether usage has a cost worth a column: priced, unpriced or included calls. */
function costly(u: { cost: number; unpricedCalls?: number; includedCalls?: number }): boolean {
  return u.cost > 0 || (u.unpricedCalls ?? 0) > 0 || (u.includedCalls ?? 0) > 0;
}

/**
 * The final table: task, status, attempts, files, tokens, cost, time; the counts of passed / unverified /
 * failed / blocked tasks; why each task that did not pass ended as it did, with its findings; the test
 * command's result; then makespan vs critical-path bound.
 */
export function summaryTable(record: RunRecord): string {
  const head = ['task', 'status', 'tries', 'files', 'tokens', 'cost', 'time'];
  const rows = record.plan.tasks.map((t) => {
    const r = record.tasks[t.id];
    const time = r.startedAt && r.endedAt ? formatDuration(r.endedAt - r.startedAt) : '-';
    const patch = r.patch ? `${r.patch.files.length}${r.patch.state !== 'proposed' ? ` ${r.patch.state}` : ''}` : '-';
    return [t.id, r.status, `${r.attempts}${r.updates ? ` (${r.updates} upd)` : ''}`, patch, String(r.usage.inputTokens + r.usage.outputTokens), costly(r.usage) ? cliCost(r.usage) : '-', time];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const lines = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
  const count = (s: string): number => record.plan.tasks.filter((t) => record.tasks[t.id]?.status === s).length;
  const others = record.plan.tasks.filter((t) => !['passed', 'unverified', 'failed', 'blocked'].includes(record.tasks[t.id]?.status ?? '')).length;
  lines.push('', `passed ${count('passed')} / unverified ${count('unverified')} / failed ${count('failed')} / blocked ${count('blocked')}${others ? ` / other ${others}` : ''}${record.updates ? `; ${record.updates} plan update${record.updates === 1 ? '' : 's'}` : ''}`);
  const troubled = record.plan.tasks.filter((t) => record.tasks[t.id] && record.tasks[t.id].status !== 'passed' && (record.tasks[t.id].reason || record.tasks[t.id].findings?.length));
  if (troubled.length) {
    lines.push('', 'why:');
    for (const t of troubled) {
      const r = record.tasks[t.id];
      lines.push(`  ${t.id} (${r.status}): ${r.reason ?? ''}`.trimEnd());
      if (r.status !== 'blocked' && r.findings?.length) lines.push(findingsBlock(r.findings, '    ').trimEnd());
    }
  }
  if (record.check) {
    lines.push('', `test command: ${record.check.outcome}`);
    if (record.check.findings.length) lines.push(findingsBlock(record.check.findings, '    ').trimEnd());
  }
  const total = record.usage.inputTokens + record.usage.outputTokens;
  lines.push('', `tokens ${total} (in ${record.usage.inputTokens}, out ${record.usage.outputTokens})${costly(record.usage) ? `, cost ${cliCost(record.usage)}` : ''}`);
  if (record.makespanMs !== undefined) {
    const bound = record.criticalPathMs ?? 0;
    const ratio = bound > 0 ? ` (${(record.makespanMs / bound).toFixed(2)}x)` : '';
    lines.push(`makespan ${formatDuration(record.makespanMs)} against a critical-path bound of ${formatDuration(bound)}${ratio}`);
  }
  const refusals = Object.values(record.tasks).reduce((n, t) => n + t.refusals, 0);
  if (refusals) lines.push(`${refusals} write${refusals === 1 ? '' : 's'} refused (outside the task's files, protected or outside the workspace)`);
  return lines.join('\n') + '\n';
}
