/**
 * The graph panel: a toolbar with the run's summary and actions, the plan graph, and the details of the
 * selected task. State comes only from host messages; the selection and zoom persist with `setState`.
 */
import type { HostMessage } from '../protocol/messages';
import type { RunViewState } from '../protocol/viewState';
import type { WorkbenchContext } from '../protocol/workbenchContext';
import type { Channel } from './channel';
import { button, h, replaceChildren, setText } from './dom';
import { formatCost, formatElapsed, formatTokens, splitGoal } from './format';
import { GraphView } from './graphView';
import { PlanGateBar } from './planGateBar';
import type { Transform } from './panZoom';
import { RunModel } from './runModel';
import { noPlanText, planPhase, progressOf, type PlanPhase } from './status';
import { TaskDetails } from './taskDetails';

interface SavedGraphState {
  selected?: string | null;
  transform?: Transform;
}

function isSaved(v: unknown): v is SavedGraphState {
  return typeof v === 'object' && v !== null;
}

function isTransform(v: unknown): v is Transform {
  const t = v as Partial<Transform> | undefined;
  return typeof t === 'object' && t !== null && [t.scale, t.x, t.y].every((n) => typeof n === 'number' && Number.isFinite(n));
}

export class GraphApp {
  readonly model = new RunModel();
  private readonly graph: GraphView;
  private readonly details: TaskDetails;
  private readonly summary: HTMLElement;
  private readonly progress: HTMLElement;
  /** Which project rule files (AGENTS.md and the like) the run gave its models. */
  private readonly rules: HTMLElement;
  private readonly cancel: HTMLButtonElement;
  private readonly empty: HTMLElement;
  private readonly emptyIcon: HTMLElement;
  private readonly emptyTitle: HTMLElement;
  private readonly emptyText: HTMLElement;
  /** The planning timer under "Planning…": the same elapsed time as the sidebar's. */
  private readonly emptyElapsed: HTMLElement;
  private readonly emptyAction: HTMLButtonElement;
  /** The run whose plan the graph shows: a new run fits its graph afresh. */
  private runId: string | undefined;
  private readonly main: HTMLElement;
  /** The plan gate: shown while the plan waits for the user's review. */
  private readonly gate: PlanGateBar;
  private selected: string | null = null;
  private rendered: RunViewState | undefined;
  private renderedContext: WorkbenchContext | undefined;
  private frame = 0;

  constructor(root: HTMLElement, private readonly channel: Pick<Channel, 'post' | 'getState' | 'setState'>) {
    const doc = root.ownerDocument;
    this.summary = h(doc, 'span', 'toolbar-title');
    this.progress = h(doc, 'span', 'toolbar-progress muted');
    this.rules = h(doc, 'span', 'toolbar-rules muted');
    this.cancel = button(doc, 'debug-stop', 'Cancel run', () => channel.post({ type: 'cancelRun' }), 'af-button secondary');
    const review = button(doc, 'diff', 'Review changes', () => channel.post({ type: 'reviewChanges' }), 'af-button secondary');
    const zoomOut = button(doc, 'zoom-out', 'Zoom out', () => this.graph.panZoom.zoomBy(1 / 1.25), 'icon-button');
    const zoomIn = button(doc, 'zoom-in', 'Zoom in', () => this.graph.panZoom.zoomBy(1.25), 'icon-button');
    const fit = button(doc, 'screen-full', 'Fit to view', () => this.graph.fit(), 'icon-button');
    const toolbar = h(doc, 'header', 'toolbar', { role: 'toolbar', 'aria-label': 'Run' },
      h(doc, 'div', 'toolbar-summary', undefined, this.summary, this.progress, this.rules),
      h(doc, 'div', 'toolbar-actions', undefined, this.cancel, review, h(doc, 'span', 'toolbar-sep'), zoomOut, zoomIn, fit));
    const graphFrame = h(doc, 'div', 'graph-frame');
    this.main = h(doc, 'div', 'main', undefined, graphFrame);
    this.emptyIcon = h(doc, 'span', 'codicon codicon-type-hierarchy empty-icon', { 'aria-hidden': 'true' });
    this.emptyTitle = h(doc, 'h2', 'empty-title', { role: 'status' });
    this.emptyText = h(doc, 'p', 'empty-text');
    this.emptyElapsed = h(doc, 'p', 'empty-elapsed muted', { 'aria-live': 'off' });
    this.emptyAction = button(doc, 'add', 'New Task', () => channel.post({ type: 'newTask' }), 'af-button primary');
    this.empty = h(doc, 'div', 'empty-state', undefined, this.emptyIcon, this.emptyTitle, this.emptyText, this.emptyElapsed, this.emptyAction);
    this.gate = new PlanGateBar(doc, (c) => channel.post(c));
    replaceChildren(root, toolbar, this.gate.element, this.main, this.empty);
    const saved = channel.getState();
    const restored = isSaved(saved) ? saved : {};
    this.selected = typeof restored.selected === 'string' ? restored.selected : null;
    this.graph = new GraphView(graphFrame, {
      onSelect: (id) => this.select(id === this.selected ? null : id),
      initialTransform: isTransform(restored.transform) ? restored.transform : undefined,
    });
    this.details = new TaskDetails(this.main, (c) => channel.post(c));
    this.graph.panZoom.onChange = (t) => this.save(t);
    graphFrame.addEventListener('keydown', (e) => {
      if (e.key === '+' || e.key === '=') this.graph.panZoom.zoomBy(1.25);
      else if (e.key === '-') this.graph.panZoom.zoomBy(1 / 1.25);
      else if (e.key === '0') this.graph.fit();
      else if (e.key === 'Escape') this.select(null);
    });
    root.ownerDocument.defaultView?.addEventListener('resize', () => this.graph.fit());
    this.render();
  }

  /** Applies a host message and redraws (coalesced to one frame when the browser offers it). */
  receive(message: HostMessage): void {
    const changed = this.model.apply(message);
    if (this.model.requestedSelection !== undefined) {
      this.selected = this.model.requestedSelection;
      this.model.requestedSelection = undefined;
    }
    if (changed) this.scheduleRender();
  }

  private scheduleRender(): void {
    const win = this.summary.ownerDocument.defaultView;
    if (!win?.requestAnimationFrame) {
      this.render();
      return;
    }
    if (this.frame) return;
    this.frame = win.requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Refreshes the elapsed times (called every second by the page, like the sidebar's timer). */
  tick(now = Date.now()): void {
    const run = this.model.state.run;
    const elapsed = run ? formatElapsed((run.finishedAt ?? now) - run.startedAt) : '';
    setText(this.emptyElapsed, run && planPhase(this.model.state) === 'planning' ? elapsed : '');
    this.renderProgress(this.model.state, now);
  }

  /** Draws the current state (incrementally). */
  render(): void {
    const state = this.model.state;
    const phase = planPhase(state);
    const hasPlan = phase === 'planned';
    this.main.hidden = !hasPlan;
    this.empty.hidden = hasPlan;
    if (!hasPlan) this.renderEmpty(state, phase);
    const runId = state.run?.runId;
    if (runId !== this.runId) {
      // A new run starts from a fitted view, whatever the last run's zoom and pan were.
      if (this.runId !== undefined) this.graph.resetView();
      this.runId = runId;
    }
    this.gate.update(state);
    this.graph.update(state);
    if (this.selected && !state.plan?.tasks.some((t) => t.id === this.selected)) this.selected = null;
    this.graph.select(this.selected);
    this.details.update(state, this.selected);
    // The header follows the window's state too (a run the window's closing stopped reads "interrupted").
    if (this.rendered !== state || this.renderedContext !== this.model.context) this.renderSummary(state);
    this.rendered = state;
    this.renderedContext = this.model.context;
  }

  private renderEmpty(state: RunViewState, phase: Exclude<PlanPhase, 'planned'>): void {
    const { title, text } = noPlanText(state, phase);
    setText(this.emptyTitle, title);
    setText(this.emptyText, text);
    const iconName = phase === 'planning' ? 'loading codicon-modifier-spin' : phase === 'no-plan' ? 'error' : 'type-hierarchy';
    const iconClass = `codicon codicon-${iconName} empty-icon${phase === 'no-plan' ? ' empty-failed' : ''}`;
    if (this.emptyIcon.className !== iconClass) this.emptyIcon.className = iconClass;
    this.empty.classList.toggle('planning', phase === 'planning');
    // While the planner works there is nothing to start; the toolbar's Cancel stops it.
    this.emptyAction.hidden = phase === 'planning';
    this.tick();
  }

  /** The header's run line: state, progress, tokens, cost, elapsed time (the part the timer refreshes). */
  private renderProgress(state: RunViewState, now = Date.now()): void {
    const run = state.run;
    if (!run) {
      setText(this.progress, '');
      return;
    }
    const elapsed = formatElapsed((run.finishedAt ?? now) - run.startedAt);
    const planning = planPhase(state) === 'planning';
    const status = planning ? 'planning' : this.model.shownStatus();
    const progress = planning ? '' : ` · ${progressOf((state.plan?.tasks ?? []).map((t) => state.statuses[t.id] ?? 'pending')).text}`;
    setText(this.progress, `${status}${progress} · ${formatTokens(state.usage.inputTokens + state.usage.outputTokens)} tokens · ${formatCost(state.usage)} · ${elapsed}${run.verification ? ` · verification: ${run.verification}` : ''}`);
  }

  private renderSummary(state: RunViewState): void {
    const run = state.run;
    const headline = run?.goal ? splitGoal(run.goal).headline : '';
    setText(this.summary, headline || (run ? 'Run' : 'AgensFlow'));
    const tip = run?.goal?.trim() ?? '';
    if (this.summary.title !== tip) this.summary.title = tip;
    this.renderProgress(state);
    this.cancel.disabled = run?.status !== 'running';
    const rules = state.decisions.find((d) => d.point === 'context.rules' && d.taskId === undefined);
    setText(this.rules, rules ? `Project rules: ${rules.choice}` : '');
    if (rules && this.rules.title !== rules.reason) this.rules.title = rules.reason;
  }

  private select(taskId: string | null): void {
    this.selected = taskId;
    this.channel.post({ type: 'selectTask', taskId });
    this.save(this.graph.panZoom.transform);
    this.render();
  }

  private save(transform: Transform): void {
    const saved: SavedGraphState = { selected: this.selected, transform };
    this.channel.setState(saved);
  }
}
