/**
 * The graph panel: a toolbar with the run's summary and actions, the plan graph, and the details of the
 * selected task. State comes only from host messages; the selection and zoom persist with `setState`.
 */
import type { HostMessage } from '../protocol/messages';
import type { RunViewState } from '../protocol/viewState';
import type { Channel } from './channel';
import { button, h, replaceChildren, setText } from './dom';
import { formatCost, formatElapsed, formatTokens, splitGoal } from './format';
import { GraphView } from './graphView';
import type { Transform } from './panZoom';
import { RunModel } from './runModel';
import { progressOf } from './status';
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
  private readonly main: HTMLElement;
  private selected: string | null = null;
  private rendered: RunViewState | undefined;
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
    const fit = button(doc, 'screen-full', 'Fit to view', () => this.graph.panZoom.fit(), 'icon-button');
    const toolbar = h(doc, 'header', 'toolbar', { role: 'toolbar', 'aria-label': 'Run' },
      h(doc, 'div', 'toolbar-summary', undefined, this.summary, this.progress, this.rules),
      h(doc, 'div', 'toolbar-actions', undefined, this.cancel, review, h(doc, 'span', 'toolbar-sep'), zoomOut, zoomIn, fit));
    const graphFrame = h(doc, 'div', 'graph-frame');
    this.main = h(doc, 'div', 'main', undefined, graphFrame);
    this.empty = h(doc, 'div', 'empty-state', undefined,
      h(doc, 'span', 'codicon codicon-type-hierarchy empty-icon', { 'aria-hidden': 'true' }),
      h(doc, 'h2', undefined, undefined, 'No plan yet'),
      h(doc, 'p', undefined, undefined, 'Start a task and AgensFlow draws its plan here: one node per subtask, edges for dependencies.'),
      button(doc, 'add', 'New Task', () => channel.post({ type: 'newTask' }), 'af-button primary'));
    replaceChildren(root, toolbar, this.main, this.empty);
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
      else if (e.key === '0') this.graph.panZoom.fit();
      else if (e.key === 'Escape') this.select(null);
    });
    root.ownerDocument.defaultView?.addEventListener('resize', () => this.graph.panZoom.fit());
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

  /** Draws the current state (incrementally). */
  render(): void {
    const state = this.model.state;
    const hasPlan = (state.plan?.tasks.length ?? 0) > 0;
    this.main.hidden = !hasPlan;
    this.empty.hidden = hasPlan;
    this.graph.update(state);
    if (this.selected && !state.plan?.tasks.some((t) => t.id === this.selected)) this.selected = null;
    this.graph.select(this.selected);
    this.details.update(state, this.selected);
    if (this.rendered !== state) this.renderSummary(state);
    this.rendered = state;
  }

  private renderSummary(state: RunViewState): void {
    const progress = progressOf((state.plan?.tasks ?? []).map((t) => state.statuses[t.id] ?? 'pending'));
    const run = state.run;
    const headline = run?.goal ? splitGoal(run.goal).headline : '';
    setText(this.summary, headline || (run ? 'Run' : 'AgensFlow'));
    const tip = run?.goal?.trim() ?? '';
    if (this.summary.title !== tip) this.summary.title = tip;
    const elapsed = run ? formatElapsed((run.finishedAt ?? Date.now()) - run.startedAt) : '';
    const status = run ? (run.status === 'running' ? 'running' : run.status) : 'idle';
    setText(this.progress, run
      ? `${status} · ${progress.text} · ${formatTokens(state.usage.inputTokens + state.usage.outputTokens)} tokens · ${formatCost(state.usage)} · ${elapsed}${run.verification ? ` · verification: ${run.verification}` : ''}`
      : '');
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
