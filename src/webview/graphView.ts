/**
 * The plan graph: dagre layout, an SVG layer of edges and HTML nodes over it. Updates are incremental:
 * every task keeps its DOM node for the view's lifetime, a status change only touches its classes and
 * text, and the layout is recomputed only when the plan's shape changes.
 */
import type { Plan } from '../core/plan/schema';
import type { PatchState, TaskStatus } from '../core/run/events';
import type { RunViewState } from '../protocol/viewState';
import { h, s, setText } from './dom';
import {
  COMPACT_LAYOUT, layoutPlan, PANEL_LAYOUT, quickLayout, SYNC_LAYOUT_MAX, type GraphLayout, type LayoutEdge, type LayoutOptions, type Point,
} from './layout';
import { Overview } from './overview';
import { LEGIBLE_SCALE, PanZoom, type Transform } from './panZoom';
import { PATCH_LOOK, patchBadgeClass, STATUS_LOOK, statusClass, statusIconClass } from './status';

export interface GraphViewOptions {
  /** The sidebar's small graph: icon-only nodes, no zoom controls. */
  compact?: boolean;
  /** A node was chosen (click, Enter or Space). */
  onSelect: (taskId: string) => void;
  /** Zoom and pan to restore (from the webview's saved state) instead of fitting the first layout. */
  initialTransform?: Transform;
}

interface NodeParts {
  root: HTMLDivElement;
  icon: HTMLSpanElement;
  title: HTMLSpanElement;
  meta: HTMLSpanElement;
  /** The patch state's badge (hidden while the task has no patch). */
  patch: HTMLSpanElement;
}

/** A structural signature of a plan: ids and deps; nothing else moves nodes (titles are repainted in place). */
export function planShape(plan: Plan | null): string {
  if (!plan) return '';
  return JSON.stringify([...plan.tasks].map((t) => [t.id, [...t.deps].sort()]).sort());
}

function edgePath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  const f = (n: number): string => n.toFixed(1);
  let d = `M${f(points[0]!.x)},${f(points[0]!.y)}`;
  // Each leg is an S-curve that leaves and arrives vertically; a leg through a row (same x) is straight.
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1]!;
    const q = points[i]!;
    if (Math.abs(p.x - q.x) < 0.5) {
      d += ` L${f(q.x)},${f(q.y)}`;
    } else {
      const my = (p.y + q.y) / 2;
      d += ` C${f(p.x)},${f(my)} ${f(q.x)},${f(my)} ${f(q.x)},${f(q.y)}`;
    }
  }
  return d;
}

function sameTransform(a: Transform, b: Transform): boolean {
  return Math.abs(a.scale - b.scale) < 1e-9 && Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5;
}

export class GraphView {
  readonly element: HTMLDivElement;
  private readonly doc: Document;
  private readonly viewport: HTMLDivElement;
  private readonly edgesLayer: SVGSVGElement;
  private readonly edgeGroup: SVGGElement;
  private readonly nodesLayer: HTMLDivElement;
  readonly panZoom: PanZoom;
  /** The minimap of the panel's graph (none in the sidebar's). */
  readonly overview: Overview | undefined;
  private readonly nodes = new Map<string, NodeParts>();
  private readonly edges = new Map<string, SVGPathElement>();
  private layout: GraphLayout | undefined;
  private shape = '';
  private plan: Plan | null = null;
  private selected: string | null = null;
  private focused: string | null = null;
  private fitPending = true;
  private initialTransform: Transform | undefined;
  /** The transform the last fit set: a view still there is fitted again when the final layout arrives. */
  private fittedTransform: Transform | undefined;

  constructor(container: HTMLElement, private readonly options: GraphViewOptions) {
    this.doc = container.ownerDocument;
    this.initialTransform = options.initialTransform;
    const doc = this.doc;
    this.element = h(doc, 'div', `graph${options.compact ? ' compact' : ''}`);
    this.viewport = h(doc, 'div', 'graph-viewport');
    this.edgesLayer = s(doc, 'svg', { class: 'graph-edges', 'aria-hidden': 'true' });
    const defs = s(doc, 'defs');
    for (const kind of ['normal', 'critical']) {
      const marker = s(doc, 'marker', {
        // User-space units: the arrowhead keeps its size on the thicker critical-path edges.
        id: `arrow-${kind}${options.compact ? '-c' : ''}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerUnits: 'userSpaceOnUse',
        markerWidth: options.compact ? 5 : 9, markerHeight: options.compact ? 5 : 9, orient: 'auto-start-reverse',
      });
      marker.appendChild(s(doc, 'path', { d: 'M0,0 L10,5 L0,10 z', class: `arrow arrow-${kind}` }));
      defs.appendChild(marker);
    }
    this.edgesLayer.appendChild(defs);
    this.edgeGroup = s(doc, 'g');
    this.edgesLayer.appendChild(this.edgeGroup);
    this.nodesLayer = h(doc, 'div', 'graph-nodes', { role: 'group', 'aria-label': 'Plan graph' });
    this.viewport.append(this.edgesLayer, this.nodesLayer);
    this.element.appendChild(this.viewport);
    container.appendChild(this.element);
    this.panZoom = new PanZoom(this.element, this.viewport);
    if (!options.compact) {
      this.panZoom.minFitScale = LEGIBLE_SCALE;
      const overview = new Overview(doc, this.element, this.panZoom);
      this.overview = overview;
      this.panZoom.onView = (t) => overview.update(t, this.element.clientWidth, this.element.clientHeight);
    }
    this.nodesLayer.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** The DOM node of a task (for tests and for revealing). */
  nodeElement(taskId: string): HTMLDivElement | undefined {
    return this.nodes.get(taskId)?.root;
  }

  /** The current layout, if a plan is shown. */
  currentLayout(): GraphLayout | undefined {
    return this.layout;
  }

  /** Brings the view up to date with the state, touching only what changed. */
  update(state: RunViewState): void {
    const shape = planShape(state.plan);
    if (shape !== this.shape) {
      this.shape = shape;
      this.plan = state.plan;
      this.relayout();
    } else {
      this.plan = state.plan;
    }
    const critical = new Set(state.criticalPath);
    const criticalEdges = new Set<string>();
    for (let i = 1; i < state.criticalPath.length; i++) criticalEdges.add(`${state.criticalPath[i - 1]}->${state.criticalPath[i]}`);
    for (const task of state.plan?.tasks ?? []) {
      const parts = this.nodes.get(task.id);
      if (!parts) continue;
      const status: TaskStatus = state.statuses[task.id] ?? 'pending';
      this.paintNode(parts, task.id, task.title, task.role, status, critical.has(task.id), state.tasks[task.id]?.agent?.attempt, state.tasks[task.id]?.patch);
      this.overview?.setStatus(task.id, status);
    }
    for (const [key, path] of this.edges) path.classList.toggle('critical', criticalEdges.has(key));
    for (const [key, path] of this.edges) {
      path.setAttribute('marker-end', `url(#arrow-${criticalEdges.has(key) ? 'critical' : 'normal'}${this.options.compact ? '-c' : ''})`);
    }
    if (this.fitPending && this.layout) {
      const restore = this.initialTransform;
      if (restore) {
        this.fitPending = false;
        this.initialTransform = undefined;
        this.panZoom.transform = restore;
      } else {
        // A hidden frame has no size to fit to: the fit waits for the next update or resize.
        this.fit();
      }
    }
  }

  /** Marks a task as selected (or none); `focus` moves keyboard focus to it too. */
  select(taskId: string | null, focus = false): void {
    if (this.selected) this.nodes.get(this.selected)?.root.classList.remove('selected');
    if (this.selected) this.nodes.get(this.selected)?.root.setAttribute('aria-pressed', 'false');
    this.selected = taskId && this.nodes.has(taskId) ? taskId : null;
    if (this.selected) {
      const root = this.nodes.get(this.selected)?.root;
      root?.classList.add('selected');
      root?.setAttribute('aria-pressed', 'true');
      this.setFocusable(this.selected);
      if (focus) root?.focus();
      this.revealTask(this.selected);
    }
  }

  /** Re-fits the graph at the next update (after the frame got its size). */
  fitSoon(): void {
    this.fitPending = true;
  }

  /** Fits the graph now; a fit still pending from a layout is done by this one. */
  fit(): void {
    if (this.panZoom.fit()) {
      this.fitPending = false;
      this.fittedTransform = this.panZoom.transform;
    }
  }

  /** Forgets the zoom and pan (a restored one too): the next plan is shown fitted. */
  resetView(): void {
    this.initialTransform = undefined;
    this.fitPending = true;
  }

  private revealTask(taskId: string): void {
    const n = this.layout?.nodes.get(taskId);
    if (n) this.panZoom.reveal(n);
  }

  private relayout(): void {
    const plan = this.plan;
    const keep = new Set(plan?.tasks.map((t) => t.id) ?? []);
    for (const [id, parts] of this.nodes) {
      if (!keep.has(id)) {
        parts.root.remove();
        this.nodes.delete(id);
      }
    }
    if (!plan || plan.tasks.length === 0) {
      this.layout = undefined;
      this.overview?.setLayout(undefined);
      for (const p of this.edges.values()) p.remove();
      this.edges.clear();
      this.element.classList.add('empty');
      return;
    }
    this.element.classList.remove('empty');
    const options = this.options.compact ? COMPACT_LAYOUT : PANEL_LAYOUT;
    const quick = plan.tasks.length > SYNC_LAYOUT_MAX;
    this.applyLayout(plan, quick ? quickLayout(plan, options) : layoutPlan(plan, options), quick ? 'quick' : 'final');
    if (quick) this.finishLayoutSoon(options);
    if (!this.focused || !this.nodes.has(this.focused)) this.setFocusable(this.firstTask());
    if (this.selected && !this.nodes.has(this.selected)) this.selected = null;
    this.fitPending = true;
  }

  /** Places the nodes and edges of a layout ('quick' until dagre's 'final' one replaces it). */
  private applyLayout(plan: Plan, layout: GraphLayout, kind: 'quick' | 'final'): void {
    this.layout = layout;
    this.element.dataset.layout = kind;
    this.edgesLayer.setAttribute('width', String(layout.width));
    this.edgesLayer.setAttribute('height', String(layout.height));
    this.edgesLayer.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    this.viewport.style.width = `${layout.width}px`;
    this.viewport.style.height = `${layout.height}px`;
    this.panZoom.setContentSize(layout.width, layout.height);
    const fresh = this.doc.createDocumentFragment();
    for (const t of plan.tasks) {
      let parts = this.nodes.get(t.id);
      if (!parts) {
        parts = this.createNode(t.id);
        this.nodes.set(t.id, parts);
        fresh.appendChild(parts.root);
      }
      const box = layout.nodes.get(t.id);
      if (box) {
        parts.root.style.left = `${box.x}px`;
        parts.root.style.top = `${box.y}px`;
        parts.root.style.width = `${box.width}px`;
        parts.root.style.height = `${box.height}px`;
      }
    }
    this.nodesLayer.appendChild(fresh);
    this.drawEdges(layout.edges);
    this.overview?.setLayout(layout);
  }

  /**
   * After the quick layout's frame is painted, runs dagre and moves the nodes there, unless the plan changed
   * meanwhile; a view still as its fit left it is fitted again.
   */
  private finishLayoutSoon(options: LayoutOptions): void {
    const win = this.doc.defaultView;
    const shape = this.shape;
    const run = (): void => {
      if (this.shape !== shape || !this.plan) return;
      const fitted = this.fittedTransform !== undefined && sameTransform(this.fittedTransform, this.panZoom.transform);
      this.applyLayout(this.plan, layoutPlan(this.plan, options), 'final');
      if (fitted || this.fitPending) this.fit();
    };
    // The render runs in an animation frame: a task queued from it runs once that frame is painted.
    if (win) win.setTimeout(run, 0);
    else run();
  }

  private drawEdges(edges: readonly LayoutEdge[]): void {
    const seen = new Set<string>();
    for (const e of edges) {
      const key = `${e.from}->${e.to}`;
      seen.add(key);
      let path = this.edges.get(key);
      if (!path) {
        path = s(this.doc, 'path', { class: 'edge', 'data-from': e.from, 'data-to': e.to });
        this.edges.set(key, path);
        this.edgeGroup.appendChild(path);
      }
      path.setAttribute('d', edgePath(e.points));
    }
    for (const [key, path] of this.edges) {
      if (!seen.has(key)) {
        path.remove();
        this.edges.delete(key);
      }
    }
  }

  private createNode(taskId: string): NodeParts {
    const doc = this.doc;
    const iconEl = h(doc, 'span', statusIconClass('pending'), { 'aria-hidden': 'true' });
    const title = h(doc, 'span', 'node-title');
    const meta = h(doc, 'span', 'node-meta');
    const patch = h(doc, 'span', 'badge patch-badge', { hidden: '' });
    // The title has the node's whole width for its two lines; the patch badge sits on the id and role line.
    const root = h(doc, 'div', 'node status-pending', { tabindex: -1, role: 'button', 'aria-pressed': 'false', 'data-task-id': taskId },
      iconEl, h(doc, 'span', 'node-text', undefined, title, h(doc, 'span', 'node-sub', undefined, meta, patch)));
    root.addEventListener('click', () => {
      this.setFocusable(taskId);
      this.options.onSelect(taskId);
    });
    root.addEventListener('focus', () => this.setFocusable(taskId));
    return { root, icon: iconEl, title, meta, patch };
  }

  private paintNode(parts: NodeParts, id: string, title: string, role: string, status: TaskStatus, critical: boolean, attempt: number | undefined, patch: { state: PatchState; files: readonly string[] } | undefined): void {
    const root = parts.root;
    const wanted = statusClass(status);
    if (!root.classList.contains(wanted)) {
      for (const c of [...root.classList]) if (c.startsWith('status-')) root.classList.remove(c);
      root.classList.add(wanted);
      parts.icon.className = statusIconClass(status);
    }
    root.classList.toggle('critical', critical);
    const label = STATUS_LOOK[status].label;
    setText(parts.title, title);
    // The attempt goes before the role, which is the part an ellipsis may cut.
    const retry = attempt !== undefined && attempt > 1 ? ` · try ${attempt}` : '';
    setText(parts.meta, `${id}${retry} · ${role}`);
    // The patch's review state, once there is something to review.
    const shown = patch && patch.files.length > 0 ? patch.state : undefined;
    const patchText = shown ? PATCH_LOOK[shown].label : '';
    if (shown) {
      const cls = patchBadgeClass(shown);
      if (parts.patch.className !== cls) parts.patch.className = cls;
      parts.patch.removeAttribute('hidden');
    } else if (!parts.patch.hasAttribute('hidden')) parts.patch.setAttribute('hidden', '');
    setText(parts.patch, patchText);
    const patchNote = shown ? `, changes ${patchText}` : '';
    const aria = `${title}, ${label}${retry ? `, attempt ${attempt}` : ''}${critical ? ', on the critical path' : ''}${patchNote}`;
    if (root.getAttribute('aria-label') !== aria) root.setAttribute('aria-label', aria);
    const tip = `${title} (${id}): ${label}${retry ? `, attempt ${attempt}` : ''}${patchNote}`;
    if (root.getAttribute('title') !== tip) root.setAttribute('title', tip);
  }

  private firstTask(): string | null {
    if (!this.layout) return null;
    const sorted = [...this.layout.nodes.values()].sort((a, b) => a.rank - b.rank || a.x - b.x);
    return sorted[0]?.id ?? null;
  }

  /** Roving tabindex: exactly one node is in the tab order. */
  private setFocusable(taskId: string | null): void {
    if (this.focused === taskId) return;
    if (this.focused) this.nodes.get(this.focused)?.root.setAttribute('tabindex', '-1');
    this.focused = taskId;
    if (taskId) this.nodes.get(taskId)?.root.setAttribute('tabindex', '0');
  }

  private onKey(e: KeyboardEvent): void {
    const current = (e.target as Element | null)?.closest?.('.node')?.getAttribute('data-task-id') ?? this.focused;
    if (!current) return;
    let next: string | null = null;
    switch (e.key) {
      case 'ArrowDown': next = this.neighbour(current, 'next'); break;
      case 'ArrowUp': next = this.neighbour(current, 'prev'); break;
      case 'ArrowRight': next = this.sibling(current, 1); break;
      case 'ArrowLeft': next = this.sibling(current, -1); break;
      case 'Home': next = this.firstTask(); break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.options.onSelect(current);
        return;
      default: return;
    }
    e.preventDefault();
    if (next) {
      this.setFocusable(next);
      this.nodes.get(next)?.root.focus();
      this.revealTask(next);
    }
  }

  /** Along an edge: the first dependant (down) or dependency (up), nearest in position, else the next layer. */
  private neighbour(taskId: string, dir: 'next' | 'prev'): string | null {
    const layout = this.layout;
    const me = layout?.nodes.get(taskId);
    if (!layout || !me) return null;
    const linked = layout.edges
      .filter((e) => (dir === 'next' ? e.from === taskId : e.to === taskId))
      .map((e) => layout.nodes.get(dir === 'next' ? e.to : e.from))
      .filter((n): n is NonNullable<typeof n> => n !== undefined);
    const pool = linked.length > 0 ? linked
      : [...layout.nodes.values()].filter((n) => n.rank === me.rank + (dir === 'next' ? 1 : -1));
    pool.sort((a, b) => Math.abs(a.x - me.x) - Math.abs(b.x - me.x) || a.x - b.x);
    return pool[0]?.id ?? null;
  }

  /** The next node in the same layer, left or right. */
  private sibling(taskId: string, step: 1 | -1): string | null {
    const layout = this.layout;
    const me = layout?.nodes.get(taskId);
    if (!layout || !me) return null;
    const row = [...layout.nodes.values()].filter((n) => n.rank === me.rank).sort((a, b) => a.x - b.x);
    const i = row.findIndex((n) => n.id === taskId);
    return row[i + step]?.id ?? null;
  }
}
