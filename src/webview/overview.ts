/**
 * The graph's overview (a minimap): the whole plan drawn small in a corner, one box per task in its status
 * colour and a frame around the part the main view shows. Shown only while the view does not show the
 * whole graph (a large plan opens at a legible zoom, not shrunk to fit). Pressing or dragging in it moves
 * the main view there. Pointer-only: the keyboard moves between tasks, and the view follows the focus.
 */
import type { TaskStatus } from '../core/run/events';
import { h, s } from './dom';
import type { GraphLayout } from './layout';
import type { PanZoom, Transform } from './panZoom';
import { statusClass } from './status';

/** The overview's largest size on screen, in pixels. */
export const OVERVIEW_MAX = { width: 200, height: 150 } as const;

export class Overview {
  readonly element: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly boxes: SVGGElement;
  private readonly view: SVGRectElement;
  private readonly rects = new Map<string, SVGRectElement>();
  private size = { width: 0, height: 0 };
  private drag: number | undefined;

  constructor(private readonly doc: Document, frame: HTMLElement, private readonly panZoom: PanZoom) {
    this.element = h(doc, 'div', 'graph-overview', { 'aria-hidden': 'true', hidden: '' });
    this.svg = s(doc, 'svg', { class: 'overview-svg', preserveAspectRatio: 'xMidYMid meet' });
    this.boxes = s(doc, 'g');
    this.view = s(doc, 'rect', { class: 'overview-view' });
    this.svg.append(this.boxes, this.view);
    this.element.appendChild(this.svg);
    frame.appendChild(this.element);
    const moveTo = (e: PointerEvent): void => {
      const rect = this.svg.getBoundingClientRect();
      if (rect.width <= 0 || rect.height <= 0) return;
      this.panZoom.centerOn(((e.clientX - rect.left) / rect.width) * this.size.width, ((e.clientY - rect.top) / rect.height) * this.size.height);
    };
    this.element.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      // The frame's own pan must not start under the overview.
      e.stopPropagation();
      e.preventDefault();
      this.drag = e.pointerId;
      this.element.setPointerCapture?.(e.pointerId);
      moveTo(e);
    });
    this.element.addEventListener('pointermove', (e) => {
      if (this.drag === e.pointerId) moveTo(e);
    });
    const end = (e: PointerEvent): void => {
      if (this.drag === e.pointerId) this.drag = undefined;
    };
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', end);
    this.element.addEventListener('wheel', (e) => e.stopPropagation());
  }

  /** Redraws the boxes for a new layout (or clears them without one). */
  setLayout(layout: GraphLayout | undefined): void {
    for (const r of this.rects.values()) r.remove();
    this.rects.clear();
    if (!layout) {
      this.size = { width: 0, height: 0 };
      this.element.hidden = true;
      return;
    }
    this.size = { width: layout.width, height: layout.height };
    const scale = Math.min(OVERVIEW_MAX.width / Math.max(1, layout.width), OVERVIEW_MAX.height / Math.max(1, layout.height));
    // The element takes the graph's aspect ratio within the maximum size (sizes set through the CSSOM).
    this.element.style.width = `${Math.max(24, Math.round(layout.width * scale))}px`;
    this.element.style.height = `${Math.max(24, Math.round(layout.height * scale))}px`;
    this.svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    const fragment = this.doc.createDocumentFragment();
    for (const n of layout.nodes.values()) {
      const r = s(this.doc, 'rect', { x: n.x, y: n.y, width: n.width, height: n.height, rx: 6, class: 'overview-node status-pending' });
      this.rects.set(n.id, r);
      fragment.appendChild(r);
    }
    this.boxes.appendChild(fragment);
  }

  /** Colours a task's box by its status. */
  setStatus(taskId: string, status: TaskStatus): void {
    const r = this.rects.get(taskId);
    const cls = `overview-node ${statusClass(status)}`;
    if (r && r.getAttribute('class') !== cls) r.setAttribute('class', cls);
  }

  /** Moves the frame of the visible part; hides the overview while the whole graph is in view. */
  update(t: Transform, frameWidth: number, frameHeight: number): void {
    const { width, height } = this.size;
    if (width <= 0 || height <= 0 || frameWidth <= 0 || frameHeight <= 0) {
      this.element.hidden = true;
      return;
    }
    const x = -t.x / t.scale;
    const y = -t.y / t.scale;
    const w = frameWidth / t.scale;
    const hh = frameHeight / t.scale;
    const whole = x <= 0.5 && y <= 0.5 && x + w >= width - 0.5 && y + hh >= height - 0.5;
    this.element.hidden = whole;
    if (whole) return;
    this.view.setAttribute('x', String(Math.round(x)));
    this.view.setAttribute('y', String(Math.round(y)));
    this.view.setAttribute('width', String(Math.round(w)));
    this.view.setAttribute('height', String(Math.round(hh)));
  }
}
