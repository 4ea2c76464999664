/**
 * Zoom and pan of the graph: wheel zooms around the pointer, dragging the background pans, buttons and
 * keys call {@link PanZoom.zoomBy} / {@link PanZoom.fit}. The transform is set through the CSSOM (allowed
 * by the CSP, unlike inline style attributes).
 */
export interface Transform {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.2;
export const MAX_SCALE = 2.5;
/**
 * The smallest zoom a fit of the panel's graph goes down to: below it a node's 13 px title shrinks under
 * 9 px. A larger graph opens at this zoom showing its first layers, with the overview to move around;
 * the zoom buttons still go down to {@link MIN_SCALE}.
 */
export const LEGIBLE_SCALE = 0.7;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

export class PanZoom {
  private t: Transform = { scale: 1, x: 0, y: 0 };
  private drag: { pointerId: number; x: number; y: number } | undefined;
  /** Called after every change, e.g. to persist the view state. */
  onChange: ((t: Transform) => void) | undefined;
  /** Called after every change too, for what draws the visible part (the overview). */
  onView: ((t: Transform) => void) | undefined;
  /** The smallest scale {@link fit} uses (0: always the whole graph). */
  minFitScale = 0;

  constructor(private readonly frame: HTMLElement, private readonly content: HTMLElement, private contentSize = { width: 0, height: 0 }) {
    frame.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = frame.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });
    frame.addEventListener('pointerdown', (e) => {
      // Only the background pans; a press on a node selects it.
      if (e.button !== 0 || (e.target as Element | null)?.closest?.('.node')) return;
      // No text selection starts under a drag.
      e.preventDefault();
      this.drag = { pointerId: e.pointerId, x: e.clientX, y: e.clientY };
      frame.setPointerCapture?.(e.pointerId);
      frame.classList.add('panning');
    });
    frame.addEventListener('pointermove', (e) => {
      if (!this.drag || this.drag.pointerId !== e.pointerId) return;
      this.panBy(e.clientX - this.drag.x, e.clientY - this.drag.y);
      this.drag = { pointerId: e.pointerId, x: e.clientX, y: e.clientY };
    });
    const end = (e: PointerEvent): void => {
      if (this.drag?.pointerId !== e.pointerId) return;
      this.drag = undefined;
      frame.classList.remove('panning');
    };
    frame.addEventListener('pointerup', end);
    frame.addEventListener('pointercancel', end);
  }

  get transform(): Transform {
    return { ...this.t };
  }

  set transform(t: Transform) {
    this.t = { scale: clamp(t.scale, MIN_SCALE, MAX_SCALE), x: t.x, y: t.y };
    this.apply();
  }

  setContentSize(width: number, height: number): void {
    this.contentSize = { width, height };
  }

  panBy(dx: number, dy: number): void {
    this.t = { ...this.t, x: this.t.x + dx, y: this.t.y + dy };
    this.apply();
  }

  /** Zooms by a factor around the frame's centre. */
  zoomBy(factor: number): void {
    this.zoomAt(factor, this.frame.clientWidth / 2, this.frame.clientHeight / 2);
  }

  /** Zooms by a factor keeping the content point under (fx, fy) in place. */
  zoomAt(factor: number, fx: number, fy: number): void {
    const scale = clamp(this.t.scale * factor, MIN_SCALE, MAX_SCALE);
    const k = scale / this.t.scale;
    this.t = { scale, x: fx - (fx - this.t.x) * k, y: fy - (fy - this.t.y) * k };
    this.apply();
  }

  /** Pans so the content point (cx, cy) is in the frame's centre, leaving the zoom alone. */
  centerOn(cx: number, cy: number): void {
    const fw = this.frame.clientWidth;
    const fh = this.frame.clientHeight;
    this.t = { ...this.t, x: fw / 2 - cx * this.t.scale, y: fh / 2 - cy * this.t.scale };
    this.apply();
  }

  /**
   * Shows the whole graph, never enlarging past 1:1 nor shrinking below {@link minFitScale} (then the top of
   * the graph, centred); false when the frame has no size yet (nothing changed).
   */
  fit(): boolean {
    const fw = this.frame.clientWidth;
    const fh = this.frame.clientHeight;
    const { width, height } = this.contentSize;
    if (fw <= 0 || fh <= 0) return false;
    if (width <= 0 || height <= 0) {
      this.t = { scale: 1, x: 0, y: 0 };
    } else {
      const scale = clamp(Math.max(Math.min(fw / width, fh / height, 1), this.minFitScale), MIN_SCALE, MAX_SCALE);
      this.t = { scale, x: (fw - width * scale) / 2, y: Math.max(0, (fh - height * scale) / 2) };
    }
    this.apply();
    return true;
  }

  /** Pans so the box (content coordinates) is visible, leaving the zoom alone. */
  reveal(box: { x: number; y: number; width: number; height: number }): void {
    const fw = this.frame.clientWidth;
    const fh = this.frame.clientHeight;
    if (fw <= 0 || fh <= 0) return;
    const left = box.x * this.t.scale + this.t.x;
    const top = box.y * this.t.scale + this.t.y;
    const right = left + box.width * this.t.scale;
    const bottom = top + box.height * this.t.scale;
    const pad = 16;
    let dx = 0;
    let dy = 0;
    if (left < pad) dx = pad - left;
    else if (right > fw - pad) dx = fw - pad - right;
    if (top < pad) dy = pad - top;
    else if (bottom > fh - pad) dy = fh - pad - bottom;
    if (dx !== 0 || dy !== 0) this.panBy(dx, dy);
  }

  private apply(): void {
    this.content.style.transform = `translate(${this.t.x}px, ${this.t.y}px) scale(${this.t.scale})`;
    this.onChange?.(this.transform);
    this.onView?.(this.transform);
  }
}
