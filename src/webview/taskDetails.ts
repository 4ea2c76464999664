/**
 * The details pane of the graph panel: the selected task (objective, role, model, acceptance criteria,
 * streamed log, tool calls, files with diff links, findings, decisions with every option's figures,
 * Accept/Reject), or the run overview when no task is selected. Every string from the run is set as
 * text; sections are rebuilt only when their slice of the state changed, and the log grows by appending.
 */
import type { Task } from '../core/plan/schema';
import type { WebviewCommand } from '../protocol/messages';
import { decisionTitle, describeDecision } from '../protocol/decisionWords';
import type { DecisionView, LogLine, RunViewState, TaskDetail, ToolCallView } from '../protocol/viewState';
import { renderDiff } from './diffView';
import { button, h, replaceChildren, setText, type Child } from './dom';
import { formatCost, formatElapsed, formatFigure, formatTokens, splitGoal, stripAnsi } from './format';
import { STATUS_LOOK, statusIconClass } from './status';

type Post = (command: WebviewCommand) => void;

/** Keys of an option's figures, in first-seen order, without `id` (at most 12). */
function optionKeys(d: DecisionView): string[] {
  const keys = new Set<string>();
  for (const o of d.options) for (const k of Object.keys(o)) if (k !== 'id') keys.add(k);
  return [...keys].slice(0, 12);
}

function section(doc: Document, title: string, ...children: Child[]): HTMLElement {
  return h(doc, 'section', 'details-section', undefined, h(doc, 'h3', undefined, undefined, title), ...children);
}

/**
 * A decision in plain words first (what was chosen and why, from the shared wording), with the figures behind a
 * "Details" disclosure: the point, the mode, the reason as written with its numbers, and every option it
 * weighed, one per row with its figures as wrapping `key value` pairs (a table of up to 12 columns does not
 * fit a side pane).
 */
export function renderDecision(doc: Document, d: DecisionView): HTMLElement {
  const keys = optionKeys(d);
  const words = describeDecision(d);
  const options = h(doc, 'ul', 'decision-options', { 'aria-label': `Options of ${decisionTitle(d.point)}` },
    ...d.options.map((o) => {
      const chosen = o.id === d.choice;
      return h(doc, 'li', chosen ? 'decision-option chosen' : 'decision-option', chosen ? { 'aria-label': `${o.id} (chosen)` } : undefined,
        h(doc, 'span', 'option-id', undefined,
          h(doc, 'span', `codicon codicon-${chosen ? 'pass-filled' : 'circle-large-outline'}`, { 'aria-hidden': 'true' }), o.id),
        h(doc, 'span', 'option-figures', undefined, ...keys.filter((k) => o[k] !== undefined).map((k) =>
          h(doc, 'span', 'figure', undefined, h(doc, 'span', 'figure-key', undefined, k), ' ', h(doc, 'span', 'figure-value', undefined, formatFigure(o[k]))))));
    }));
  return h(doc, 'div', 'decision', undefined,
    h(doc, 'div', 'decision-head', undefined, h(doc, 'span', 'decision-title', undefined, decisionTitle(d.point))),
    h(doc, 'p', 'decision-summary', undefined, words.summary),
    h(doc, 'details', 'decision-details', undefined,
      h(doc, 'summary', undefined, { title: 'Show or hide the figures behind this decision' }, 'Details'),
      h(doc, 'div', 'decision-facts', undefined,
        h(doc, 'span', 'decision-point', undefined, d.point), ' → ',
        h(doc, 'strong', 'decision-choice', undefined, d.choice),
        h(doc, 'span', `badge mode-${d.mode}`, undefined, d.mode)),
      h(doc, 'p', 'decision-reason', undefined, words.details),
      d.options.length > 0 ? options : null));
}

const LOG_ICON: Record<LogLine['level'], string> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warning', error: 'error' };

/** Run-log lines as a list, each with its time since the run started; `withTask` shows the task id. */
export function renderLog(doc: Document, lines: readonly LogLine[], startedAt: number | undefined, withTask: boolean): HTMLElement {
  return h(doc, 'ol', 'run-log', undefined, ...lines.map((l) => h(doc, 'li', `log-${l.level}`, undefined,
    h(doc, 'span', `codicon codicon-${LOG_ICON[l.level]}`, { 'aria-label': l.level, role: 'img' }),
    h(doc, 'span', 'log-time', undefined, startedAt !== undefined ? `+${formatElapsed(l.ts - startedAt)}` : ''),
    h(doc, 'span', 'log-message', undefined,
      withTask && l.taskId ? h(doc, 'code', 'log-task', undefined, l.taskId) : null, withTask && l.taskId ? ' ' : null, stripAnsi(l.message)))));
}

/** A summary without its leading tool name or verb, which the row shows before it (`read a.py` after `read_file`). */
function stripToolName(summary: string, tool: string): string {
  const verb = tool.split('_')[0];
  if (summary === verb || summary === tool) return '';
  // `run_checks: 2 problems`, `write a.py (new file, 3 lines)`.
  const prefix = [`${tool}: `, `${tool} `, `${verb} `].find((p) => summary.startsWith(p));
  return prefix ? summary.slice(prefix.length) : summary;
}

/** What {@link TaskDetails} draws of one task besides the task itself. */
interface TaskView {
  detail: TaskDetail | undefined;
  status: keyof typeof STATUS_LOOK;
  decisions: DecisionView[];
  /** The task's run-log lines: attempts, verdicts, decisions, updates, patches. */
  history: LogLine[];
  startedAt: number | undefined;
  critical: boolean;
  /** The run is over (a failed task may be retried) and whether it had task text to edit. */
  runEnded: boolean;
  hasGoal: boolean;
}

export class TaskDetails {
  readonly element: HTMLElement;
  private readonly doc: Document;
  private taskId: string | null = null;
  private last: { task?: Task; detail?: TaskDetail; status?: string; decisions?: DecisionView[]; history?: LogLine[]; state?: RunViewState; runEnded?: boolean } = {};
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly logSection: HTMLElement;
  private readonly logPre: HTMLPreElement;
  private readonly logNote: HTMLElement;
  private readonly decisionsSection: HTMLElement;
  private shownLog = '';
  /** The rendered tool list and the calls it shows, reused while they are the same array. */
  private tools: { taskId: string; calls: TaskDetail['tools'] | undefined; element: HTMLElement } | undefined;
  /** Diffs the user opened or closed, by call, for the shown task. */
  private readonly opened = new Map<string, boolean>();

  constructor(container: HTMLElement, private readonly post: Post) {
    this.doc = container.ownerDocument;
    const doc = this.doc;
    this.header = h(doc, 'header', 'details-header');
    this.body = h(doc, 'div', 'details-body');
    this.logPre = h(doc, 'pre', 'agent-log', { tabindex: 0, 'aria-label': 'Agent log' });
    this.logNote = h(doc, 'p', 'muted');
    this.logSection = section(doc, 'Agent log', this.logNote, this.logPre);
    this.decisionsSection = h(doc, 'section', 'details-section');
    this.element = h(doc, 'aside', 'details', { 'aria-live': 'off' }, this.header, this.body, this.logSection, this.decisionsSection);
    container.appendChild(this.element);
  }

  /** Shows a task (or the run overview for `null`) as of `state`. */
  update(state: RunViewState, taskId: string | null): void {
    const task = taskId ? state.plan?.tasks.find((t) => t.id === taskId) : undefined;
    if (!task) {
      this.showRun(state);
      return;
    }
    const detail = state.tasks[task.id];
    const status = state.statuses[task.id] ?? 'pending';
    const decisions = state.decisions.filter((d) => d.taskId === task.id);
    const history = state.logs.filter((l) => l.taskId === task.id);
    const changedTask = this.taskId !== task.id;
    const runEnded = state.run !== null && state.run.status !== 'running';
    if (changedTask || this.last.task !== task || this.last.detail !== detail || this.last.status !== status
      || this.last.decisions?.length !== decisions.length || this.last.history?.at(-1) !== history.at(-1) || this.last.runEnded !== runEnded) {
      this.renderTask(task, { detail, status, decisions, history, startedAt: state.run?.startedAt, critical: state.criticalPath.includes(task.id), runEnded, hasGoal: Boolean(state.run?.goal) });
    }
    this.taskId = task.id;
    this.last = { task, detail, status, decisions, history, runEnded };
    this.updateLog(detail?.log ?? '', detail?.logTruncated ?? false, changedTask);
  }

  private renderTask(task: Task, view: TaskView): void {
    const { detail, status, decisions, history, startedAt, critical, runEnded, hasGoal } = view;
    const doc = this.doc;
    const look = STATUS_LOOK[status];
    const patchState = detail?.patch?.state;
    const decided = patchState === 'applied' || patchState === 'merged' || patchState === 'conflicted-markers' || patchState === 'rejected';
    const hasFiles = (detail?.files.length ?? 0) > 0;
    // Accepting needs a proposed patch or a task that passed or could not be checked; a failed task's
    // output can only be rejected (or re-planned), never applied from here.
    const acceptable = !decided && (patchState === 'proposed' || ((status === 'passed' || status === 'unverified') && hasFiles));
    const rejectable = !decided && (patchState === 'proposed' || hasFiles);
    const accept = button(doc, 'check', 'Accept', () => this.post({ type: 'acceptTask', taskId: task.id }), 'af-button primary');
    const reject = button(doc, 'close', 'Reject', () => this.post({ type: 'rejectTask', taskId: task.id }), 'af-button secondary');
    accept.disabled = !acceptable;
    reject.disabled = !rejectable;
    // A failed task offers to run it again (with the tasks blocked behind it) once the run is over, and to edit
    // the run's task text and start again.
    const failed = status === 'failed';
    const retry = failed ? button(doc, 'debug-restart', 'Retry', () => this.post({ type: 'retryTask', taskId: task.id }), 'af-button primary') : null;
    if (retry) {
      retry.disabled = !runEnded;
      retry.title = runEnded ? 'Run this task again, and the tasks waiting on it' : 'Available when the run is over';
    }
    const edit = failed && hasGoal ? button(doc, 'edit', 'Edit Task…', () => this.post({ type: 'editTask', taskId: task.id }), 'af-button secondary') : null;
    if (edit) edit.title = 'Edit the task text and start again';
    // A decision can be taken back here, as from the notification after it.
    const undo = patchState === 'rejected'
      ? button(doc, 'history', 'Undo Reject', () => this.post({ type: 'undoReject', taskId: task.id }), 'af-button secondary undo-action')
      : decided ? button(doc, 'discard', 'Undo Accept', () => this.post({ type: 'undoAccept', taskId: task.id }), 'af-button secondary undo-action') : null;
    // A conflict's next steps: resolve it in the merge editor, or have the task redo its work on the user's version.
    const conflictActions = patchState === 'conflicted' ? [
      button(doc, 'git-merge', 'Resolve in Merge Editor', () => this.post({ type: 'resolveConflict', taskId: task.id }), 'af-button secondary conflict-action'),
      button(doc, 'refresh', 'Re-run on My Version', () => this.post({ type: 'rerunTask', taskId: task.id }), 'af-button secondary conflict-action'),
    ] : [];
    replaceChildren(this.header,
      h(doc, 'div', `details-title status-${status}`, undefined,
        h(doc, 'span', statusIconClass(status), { 'aria-hidden': 'true' }),
        h(doc, 'h2', undefined, undefined, task.title)),
      h(doc, 'div', 'details-sub', undefined,
        h(doc, 'span', `badge status-badge status-${status}`, undefined, look.label),
        critical ? h(doc, 'span', 'badge critical-badge', undefined, 'critical path') : null,
        patchState ? h(doc, 'span', `badge patch-${patchState}`, undefined, `patch ${patchState}`) : null,
        h(doc, 'code', 'task-id', { title: 'Task id' }, task.id)),
      detail?.statusReason ? h(doc, 'p', 'status-reason', undefined, detail.statusReason) : null,
      h(doc, 'div', 'details-actions', undefined, retry, edit, accept, reject, undo, ...conflictActions));

    const agent = detail?.agent;
    const facts = h(doc, 'dl', 'facts', undefined,
      h(doc, 'dt', undefined, undefined, 'Role'), h(doc, 'dd', undefined, undefined, task.role),
      h(doc, 'dt', undefined, undefined, 'Model'), h(doc, 'dd', undefined, undefined, agent ? `${agent.model} (${agent.agent}, attempt ${agent.attempt})` : '—'),
      h(doc, 'dt', undefined, undefined, 'Depends on'), h(doc, 'dd', undefined, undefined, task.deps.length ? task.deps.join(', ') : 'nothing'),
      h(doc, 'dt', undefined, undefined, 'Tokens'), h(doc, 'dd', undefined, undefined,
        detail ? `${formatTokens(detail.usage.inputTokens)} in · ${formatTokens(detail.usage.outputTokens)} out · ${formatCost(detail.usage)}` : '—'));

    const staged = new Map((detail?.files ?? []).map((f) => [f.path, f]));
    const paths = [...new Set([...task.files, ...staged.keys()])];
    const files = paths.length === 0 ? h(doc, 'p', 'muted', undefined, 'This task owns no files.') : h(doc, 'ul', 'file-list', undefined,
      ...paths.map((p) => {
        const f = staged.get(p);
        const label = h(doc, 'span', 'file-path', undefined, p);
        const item = f
          ? h(doc, 'button', 'link file-link', { type: 'button', title: `Open the diff of ${p}` }, label)
          : h(doc, 'span', 'file-planned', undefined, label);
        if (f) item.addEventListener('click', () => this.post({ type: 'openDiff', taskId: task.id, path: p }));
        return h(doc, 'li', undefined, undefined, item,
          h(doc, 'span', 'muted', undefined, f ? ` ${f.change}, ${f.bytes} bytes` : ' not written yet'));
      }));
    const refused = detail && detail.refused.length > 0
      ? h(doc, 'ul', 'refused-list', undefined, ...detail.refused.map((r) => h(doc, 'li', undefined, undefined,
        h(doc, 'span', 'file-path', undefined, r.path), ` refused: ${r.reason}`)))
      : null;

    const findings = detail?.verification
      ? h(doc, 'div', undefined, undefined,
        h(doc, 'p', `verdict verdict-${detail.verification.outcome}`, undefined, `Verification: ${detail.verification.outcome}`),
        detail.verification.findings.length === 0 ? h(doc, 'p', 'muted', undefined, 'No findings.') : h(doc, 'ul', 'findings', undefined,
          ...detail.verification.findings.map((f) => h(doc, 'li', undefined, undefined,
            f.file ? h(doc, 'span', 'file-path', undefined, f.line !== undefined ? `${f.file}:${f.line}` : f.file) : null,
            f.file ? ' ' : null, stripAnsi(f.message), f.tool ? h(doc, 'span', 'badge', undefined, f.tool) : null))))
      : h(doc, 'p', 'muted', undefined, 'Not verified yet.');

    const tools = this.toolsElement(task.id, detail?.tools);

    // The tool list is reused while unchanged (a streamed log re-renders the rest): keyboard focus and opened
    // diffs stay where the user left them.
    const active = doc.activeElement;
    const refocus = active && tools.contains(active) ? (active as HTMLElement) : null;
    replaceChildren(this.body,
      section(doc, 'Objective', h(doc, 'p', 'objective', undefined, task.objective)),
      facts,
      section(doc, 'Acceptance criteria', task.acceptance.length === 0 ? h(doc, 'p', 'muted', undefined, 'None given.')
        : h(doc, 'ul', undefined, undefined, ...task.acceptance.map((a) => h(doc, 'li', undefined, undefined, a)))),
      section(doc, 'Files', files, refused),
      section(doc, 'Verification', findings),
      section(doc, 'History', history.length === 0 ? h(doc, 'p', 'muted', undefined, 'Nothing happened to this task yet.')
        : renderLog(doc, history, startedAt, false)),
      section(doc, 'Tool calls', tools));
    // Decisions come last: the History names each one; here are their reasons and every option's figures.
    replaceChildren(this.decisionsSection, h(doc, 'h3', undefined, undefined, 'Decisions'),
      decisions.length === 0 ? h(doc, 'p', 'muted', undefined, 'No decisions recorded for this task.')
        : h(doc, 'div', undefined, undefined, ...decisions.map((d) => renderDecision(doc, d))));
    this.decisionsSection.hidden = false;
    this.logSection.hidden = false;
    if (refocus && refocus.isConnected && doc.activeElement !== refocus) refocus.focus({ preventScroll: true });
  }

  /** The task's last 50 tool calls, each with its summary and, for edits and writes, its diff (a disclosure). */
  private toolsElement(taskId: string, calls: TaskDetail['tools'] | undefined): HTMLElement {
    const doc = this.doc;
    if (this.tools && this.tools.taskId === taskId && this.tools.calls === calls) return this.tools.element;
    if (this.tools?.taskId !== taskId) this.opened.clear();
    let element: HTMLElement;
    if (!calls || calls.length === 0) {
      element = h(doc, 'p', 'muted', undefined, 'No tool calls yet.');
    } else {
      const shown = calls.slice(-50);
      // The latest diffs start open; the user's own choice is kept across updates.
      const withDiff = shown.filter((c) => c.diff !== undefined);
      const openByDefault = new Set(withDiff.slice(-3));
      element = h(doc, 'ol', 'tool-calls', { 'aria-label': 'Tool calls' }, ...shown.map((c) => this.toolCall(c, openByDefault.has(c))));
    }
    this.tools = { taskId, calls, element };
    return element;
  }

  private toolCall(c: ToolCallView, openByDefault: boolean): HTMLElement {
    const doc = this.doc;
    const what = c.summary ?? (c.path ? `${c.tool} ${c.path}` : c.tool);
    const head = [
      h(doc, 'span', `codicon codicon-${c.ok ? 'check' : 'error'}`, { role: 'img', 'aria-label': c.ok ? 'done' : 'failed' }),
      h(doc, 'code', 'tool-name', undefined, c.tool),
      h(doc, 'span', 'tool-summary', undefined, c.summary ? stripToolName(c.summary, c.tool) : c.path ?? ''),
      c.error ? h(doc, 'span', 'tool-error', undefined, c.error) : null,
    ];
    if (c.diff === undefined) return h(doc, 'li', `tool-call ${c.ok ? 'ok' : 'failed'}`, undefined, h(doc, 'div', 'tool-head', undefined, ...head));
    const key = `${c.ts}\u0000${c.tool}\u0000${c.path ?? ''}\u0000${c.summary ?? ''}`;
    const disclosure = h(doc, 'details', 'tool-diff', { open: this.opened.get(key) ?? openByDefault },
      h(doc, 'summary', 'tool-head', { title: `Show or hide the diff of ${what}` }, h(doc, 'span', 'codicon codicon-chevron-right tool-chevron', { 'aria-hidden': 'true' }), ...head),
      renderDiff(doc, c.diff, `Diff of ${what}`, c.diffOmitted));
    disclosure.addEventListener('toggle', () => this.opened.set(key, disclosure.open));
    return h(doc, 'li', `tool-call ${c.ok ? 'ok' : 'failed'} has-diff`, undefined, disclosure);
  }

  private updateLog(raw: string, truncated: boolean, reset: boolean): void {
    const log = stripAnsi(raw);
    setText(this.logNote, truncated ? 'Earlier output was trimmed.' : log ? '' : 'No output yet.');
    const atBottom = this.logPre.scrollTop + this.logPre.clientHeight >= this.logPre.scrollHeight - 4;
    if (!reset && log.startsWith(this.shownLog) && this.logPre.firstChild) {
      const delta = log.slice(this.shownLog.length);
      if (delta) this.logPre.appendChild(this.doc.createTextNode(delta));
    } else {
      this.logPre.textContent = log;
    }
    this.shownLog = log;
    if (atBottom) this.logPre.scrollTop = this.logPre.scrollHeight;
  }

  private showRun(state: RunViewState): void {
    if (this.taskId === null && this.last.state === state) return;
    this.taskId = null;
    this.last = { state };
    this.shownLog = '';
    const doc = this.doc;
    const m = state.metrics;
    const goal = splitGoal(state.run?.goal ?? '');
    replaceChildren(this.header,
      h(doc, 'div', 'details-title', undefined, h(doc, 'h2', undefined, undefined, goal.headline || 'Run')),
      goal.rest ? h(doc, 'p', 'objective', undefined, goal.rest) : null,
      h(doc, 'p', 'muted', undefined, 'Select a task in the graph to see its work, files, checks and decisions.'));
    const planDecisions = state.decisions.filter((d) => d.taskId === undefined);
    const logs = state.logs.slice(-100);
    replaceChildren(this.body,
      m ? section(doc, 'Plan', h(doc, 'dl', 'facts', undefined,
        h(doc, 'dt', undefined, undefined, 'Tasks'), h(doc, 'dd', undefined, undefined, `${m.tasks} (${m.edges} dependencies)`),
        h(doc, 'dt', undefined, undefined, 'Depth'), h(doc, 'dd', undefined, undefined, String(m.depth)),
        h(doc, 'dt', undefined, undefined, 'Parallelism'), h(doc, 'dd', undefined, undefined, m.parallelism.toFixed(2)),
        h(doc, 'dt', undefined, undefined, 'Dependency complexity'), h(doc, 'dd', undefined, undefined, m.dependencyComplexity.toFixed(3)),
        h(doc, 'dt', undefined, undefined, 'Critical path'), h(doc, 'dd', undefined, undefined, m.criticalPath.join(' → ')))) : null,
      section(doc, 'Run log', logs.length === 0 ? h(doc, 'p', 'muted', undefined, 'Nothing logged yet.')
        : renderLog(doc, logs, state.run?.startedAt, true)),
      // After the log, which is what one follows during a run; these are for auditing the plan's choices.
      section(doc, 'Decisions', planDecisions.length === 0 ? h(doc, 'p', 'muted', undefined, 'No run-level decisions yet.')
        : h(doc, 'div', undefined, undefined, ...planDecisions.map((d) => renderDecision(doc, d)))));
    this.logSection.hidden = true;
    this.decisionsSection.hidden = true;
    this.logPre.textContent = '';
  }
}
