/**
 * The sidebar view `agensflow.run`: the current run at a glance (progress, tasks by status, tokens, cost,
 * elapsed time), a compact graph, and the main actions; an empty state explains how to start. What the
 * window is doing (the host's `context` message) decides the actions: no Cancel or spinner unless a run goes
 * on in this window, Resume for a run that stopped before its end, a Restricted Mode banner with New Task
 * disabled, and "Set a model first" until a model is set.
 */
import type { TaskStatus } from '../core/run/events';
import type { HostMessage } from '../protocol/messages';
import { decisionSummary } from '../protocol/decisionWords';
import type { RunViewState } from '../protocol/viewState';
import type { Channel } from './channel';
import { button, h, replaceChildren, setText } from './dom';
import { formatCost, formatElapsed, formatTokens, splitGoal } from './format';
import { GraphView } from './graphView';
import { PlanGateBar } from './planGateBar';
import { RunModel } from './runModel';
import { PATCH_LOOK, patchBadgeClass, progressOf, STATUS_LOOK, STATUS_ORDER, statusIconClass } from './status';

export class SidebarApp {
  readonly model = new RunModel();
  private readonly doc: Document;
  private readonly empty: HTMLElement;
  private readonly runBox: HTMLElement;
  private readonly goal: HTMLElement;
  private readonly runStatus: HTMLElement;
  private readonly elapsed: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly progressText: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly usage: HTMLElement;
  /** The run's latest decision in plain words (its figures are in the graph's Decisions). */
  private readonly decision: HTMLElement;
  private readonly taskList: HTMLElement;
  private readonly graph: GraphView;
  private readonly cancel: HTMLButtonElement;
  private readonly acceptAll: HTMLButtonElement;
  private readonly review: HTMLButtonElement;
  private readonly resume: HTMLButtonElement;
  private readonly reason: HTMLElement;
  private readonly restricted: HTMLElement;
  private readonly setModel: HTMLElement;
  private readonly newTaskButtons: HTMLButtonElement[];
  /** The plan gate: "Waiting for your review of the plan" with its answers. */
  private readonly gate: PlanGateBar;
  private lastStatuses: RunViewState['statuses'] | undefined;
  /** The patch states last rendered in the task list (a decision re-renders its badges). */
  private lastPatches = '';
  private lastPlan: RunViewState['plan'] | undefined;

  constructor(root: HTMLElement, private readonly channel: Pick<Channel, 'post'>) {
    const doc = root.ownerDocument;
    this.doc = doc;
    const newTask = (className: string): HTMLButtonElement => button(doc, 'add', 'New Task', () => channel.post({ type: 'newTask' }), className);
    this.newTaskButtons = [newTask('af-button primary wide'), newTask('af-button primary')];
    this.restricted = h(doc, 'section', 'restricted-banner', { role: 'status', id: 'af-restricted' },
      h(doc, 'p', undefined, undefined, h(doc, 'span', 'codicon codicon-shield', { 'aria-hidden': 'true' }),
        ' Restricted Mode: AgensFlow runs no agent, check or test command in a folder you have not trusted. Past runs can still be viewed.'),
      button(doc, 'workspace-trusted', 'Trust this folder', () => channel.post({ type: 'manageTrust' }), 'af-button secondary'));
    this.setModel = h(doc, 'p', 'set-model', undefined,
      button(doc, 'settings-gear', 'Set a model first', () => channel.post({ type: 'selectModel' }), 'link'),
      ' (a provider, a model and, for a hosted one, an API key).');
    this.empty = h(doc, 'section', 'empty-state', undefined,
      h(doc, 'span', 'codicon codicon-type-hierarchy empty-icon', { 'aria-hidden': 'true' }),
      h(doc, 'p', undefined, undefined, 'No run yet. Describe a task (for example "a gobang game in Python with a GUI") and AgensFlow plans it as a graph of subtasks, runs agents in parallel and checks their work with real tools.'),
      this.newTaskButtons[0],
      h(doc, 'p', 'muted', undefined, 'Or run a saved plan: ',
        button(doc, undefined, 'Run Plan From File…', () => channel.post({ type: 'runPlanFile' }), 'link')));
    this.goal = h(doc, 'h2', 'run-goal');
    this.runStatus = h(doc, 'span', 'badge');
    this.elapsed = h(doc, 'span', 'muted');
    this.bar = h(doc, 'progress', 'run-progress', { max: 1, value: 0, 'aria-label': 'Tasks settled' });
    this.progressText = h(doc, 'span', 'muted');
    this.counts = h(doc, 'ul', 'status-counts', { 'aria-label': 'Tasks by status' });
    this.usage = h(doc, 'p', 'usage muted');
    this.reason = h(doc, 'p', 'run-reason muted');
    this.decision = h(doc, 'p', 'latest-decision muted');
    this.cancel = button(doc, 'debug-stop', 'Cancel', () => channel.post({ type: 'cancelRun' }), 'af-button secondary');
    this.resume = button(doc, 'debug-continue', 'Resume', () => channel.post({ type: 'resumeRun' }), 'af-button primary');
    this.review = button(doc, 'diff', 'Review Changes', () => channel.post({ type: 'reviewChanges' }), 'af-button secondary');
    this.acceptAll = button(doc, 'check-all', 'Accept All Verified', () => channel.post({ type: 'acceptAllVerified' }), 'af-button primary');
    const graphFrame = h(doc, 'div', 'compact-graph', { 'aria-label': 'Plan overview' });
    this.taskList = h(doc, 'ul', 'task-list', { 'aria-label': 'Tasks' });
    this.gate = new PlanGateBar(doc, (c) => channel.post(c), { compact: true });
    this.runBox = h(doc, 'section', 'run', undefined,
      h(doc, 'div', 'run-head', undefined, this.goal, h(doc, 'div', 'run-meta', undefined, this.runStatus, this.elapsed)),
      this.reason,
      this.gate.element,
      h(doc, 'div', 'run-progress-row', undefined, this.bar, this.progressText),
      this.counts, this.usage, this.decision,
      h(doc, 'div', 'actions', undefined,
        this.resume,
        this.newTaskButtons[1],
        button(doc, 'type-hierarchy', 'Show Graph', () => channel.post({ type: 'showGraph' }), 'af-button secondary'),
        this.cancel, this.review, this.acceptAll),
      graphFrame, this.taskList);
    replaceChildren(root, this.restricted, this.setModel, this.empty, this.runBox);
    this.graph = new GraphView(graphFrame, { compact: true, onSelect: (id) => channel.post({ type: 'showGraph', taskId: id }) });
    this.render();
  }

  receive(message: HostMessage): void {
    if (this.model.apply(message)) this.render();
  }

  /**
   * Refreshes the elapsed time (called by a timer). The clock runs only while this window runs the run: a
   * journal that says "running" with nothing running it (after a reload) does not count on.
   */
  tick(now = Date.now()): void {
    const run = this.model.state.run;
    if (!run) return;
    const live = run.finishedAt === undefined && this.model.context.phase !== 'idle';
    if (!live && run.finishedAt === undefined) return;
    setText(this.elapsed, formatElapsed((run.finishedAt ?? now) - run.startedAt));
  }

  render(): void {
    const state = this.model.state;
    const context = this.model.context;
    const run = state.run;
    const live = context.phase !== 'idle';
    // Restricted Mode: said before anything is typed; New Task is disabled with the reason as its description.
    this.restricted.hidden = context.trusted;
    for (const b of this.newTaskButtons) {
      b.disabled = !context.trusted || live;
      if (!context.trusted) b.setAttribute('aria-describedby', 'af-restricted');
      else b.removeAttribute('aria-describedby');
      b.title = !context.trusted ? 'Not in Restricted Mode: trust this folder first' : live ? 'A run is going on' : 'Describe a task for AgensFlow to plan and run';
    }
    this.setModel.hidden = context.model !== '' || !context.trusted;
    this.empty.hidden = run !== null || state.plan !== null;
    this.runBox.hidden = !this.empty.hidden;
    if (this.runBox.hidden) return;
    setText(this.goal, (run?.goal ? splitGoal(run.goal).headline : '') || 'Current run');
    const status = this.model.shownStatus();
    setText(this.runStatus, status);
    this.runStatus.className = `badge run-${status}`;
    this.tick();
    const tasks = state.plan?.tasks ?? [];
    const progress = progressOf(tasks.map((t) => state.statuses[t.id] ?? 'pending'));
    this.bar.max = Math.max(1, tasks.length);
    this.bar.value = progress.finished;
    // "planning…" only while this window plans; a run that ended without a plan says so.
    const planning = !tasks.length && live && (run?.status ?? 'running') === 'running';
    setText(this.progressText, tasks.length ? progress.text : planning ? 'planning…' : 'no plan');
    const reason = run && run.status !== 'running' && run.status !== 'completed' ? run.reason ?? '' : '';
    setText(this.reason, reason);
    this.reason.hidden = reason === '';
    this.reason.className = `run-reason${run?.status === 'failed' ? ' error' : ' muted'}`;
    const u = state.usage;
    setText(this.usage, `${formatTokens(u.inputTokens)} in · ${formatTokens(u.outputTokens)} out tokens · ${formatCost(u)}`);
    // Cancel only while this window runs the run: after a reload a journal's "running" is nothing to cancel.
    this.cancel.disabled = !live || run?.status !== 'running';
    const resumable = !live && context.resumable !== null && context.resumable.runId === run?.runId;
    this.resume.hidden = !resumable;
    this.resume.disabled = !context.trusted;
    const last = state.decisions.at(-1);
    this.decision.hidden = last === undefined;
    setText(this.decision, last ? `${last.taskId ? `${last.taskId}: ` : ''}${decisionSummary(last)}` : '');
    const anyPatch = tasks.some((t) => (state.tasks[t.id]?.files.length ?? 0) > 0);
    this.review.disabled = !anyPatch;
    // Still to decide: no patch state yet, proposed, or conflicted (an accept retries the merge).
    const undecided = (id: string): boolean => {
      const s = state.tasks[id]?.patch?.state;
      return s === undefined || s === 'proposed' || s === 'conflicted';
    };
    this.acceptAll.disabled = !tasks.some((t) => state.statuses[t.id] === 'passed' && undecided(t.id) && (state.tasks[t.id]?.files.length ?? 0) > 0);
    this.gate.update(state);
    this.graph.update(state);
    const patches = (state.plan?.tasks ?? []).map((t) => state.tasks[t.id]?.patch?.state ?? '').join(',');
    if (this.lastStatuses !== state.statuses || this.lastPlan !== state.plan || this.lastPatches !== patches) this.renderTasks(state);
    this.lastStatuses = state.statuses;
    this.lastPlan = state.plan;
    this.lastPatches = patches;
  }

  private renderTasks(state: RunViewState): void {
    const doc = this.doc;
    const byStatus = new Map<TaskStatus, string[]>();
    for (const t of state.plan?.tasks ?? []) {
      const st = state.statuses[t.id] ?? 'pending';
      byStatus.set(st, [...(byStatus.get(st) ?? []), t.id]);
    }
    replaceChildren(this.counts, ...STATUS_ORDER.filter((st) => byStatus.has(st)).map((st) =>
      h(doc, 'li', `count status-${st}`, { title: STATUS_LOOK[st].label },
        h(doc, 'span', statusIconClass(st), { 'aria-hidden': 'true' }), ` ${byStatus.get(st)?.length ?? 0} ${STATUS_LOOK[st].label.toLowerCase()}`)));
    const titles = new Map((state.plan?.tasks ?? []).map((t) => [t.id, t.title]));
    const items = STATUS_ORDER.flatMap((st) => (byStatus.get(st) ?? []).map((id) => {
      // A task that needed more than one attempt says so: the graph panel's History tells why.
      const attempt = state.tasks[id]?.agent?.attempt ?? 1;
      const label = attempt > 1 ? `${STATUS_LOOK[st].label} · try ${attempt}` : STATUS_LOOK[st].label;
      const patch = state.tasks[id]?.patch;
      const patchState = patch && patch.files.length > 0 ? patch.state : undefined;
      const patchNote = patchState ? `, changes ${PATCH_LOOK[patchState].label}` : '';
      const b = h(doc, 'button', `task-row status-${st}`, { type: 'button', title: `${titles.get(id) ?? id}: ${label}${patchNote}` },
        h(doc, 'span', statusIconClass(st), { 'aria-hidden': 'true' }),
        h(doc, 'span', 'task-title', undefined, titles.get(id) ?? id),
        h(doc, 'span', 'task-status muted', undefined, label),
        patchState ? h(doc, 'span', patchBadgeClass(patchState), undefined, PATCH_LOOK[patchState].label) : null);
      b.addEventListener('click', () => this.channel.post({ type: 'showGraph', taskId: id }));
      // A decided patch can be taken back from its row.
      const undo = patchState === 'rejected'
        ? button(doc, 'history', `Undo Reject of ${titles.get(id) ?? id}`, () => this.channel.post({ type: 'undoReject', taskId: id }), 'icon-button undo-action')
        : patchState === 'applied' || patchState === 'merged' || patchState === 'conflicted-markers'
          ? button(doc, 'discard', `Undo Accept of ${titles.get(id) ?? id}`, () => this.channel.post({ type: 'undoAccept', taskId: id }), 'icon-button undo-action')
          : null;
      if (undo) undo.title = undo.textContent ?? '';
      return h(doc, 'li', undo ? 'task-item' : undefined, undefined, b, undo);
    }));
    replaceChildren(this.taskList, ...items);
  }
}
