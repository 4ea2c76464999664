/**
 * The host end of one webview's channel, free of `vscode` so it is unit-tested in Node:
 * - a `ready` handshake: nothing is posted before the webview says it listens, then a full snapshot;
 * - run events batched into `events` messages (a streaming agent emits many small deltas);
 * - while the view is hidden nothing is posted ("You cannot send messages to a hidden webview"); the next
 *   `ready` or reveal re-posts the snapshot, so no event is lost and none is applied twice;
 * - every inbound message validated; invalid ones are logged (without their content) and dropped.
 */
import type { RunEvent } from '../core/run/events';
import { PROTOCOL_VERSION, parseWebviewCommand, type HostMessage, type ViewKind, type WebviewCommand } from './messages';
import type { DisposableLike, RunViewSource } from './runViewSource';

/** How the channel reports what it rejects or fails to deliver. */
export interface ChannelLog {
  warn(message: string): void;
  debug?(message: string): void;
}

/** Dependencies of a {@link WebviewHost}. */
export interface WebviewHostOptions {
  view: ViewKind;
  source: RunViewSource;
  /** Posts to the webview; resolves false when it was not delivered (as `Webview.postMessage`). */
  post: (message: HostMessage) => PromiseLike<boolean>;
  /** Valid commands other than `ready`. */
  onCommand: (command: WebviewCommand) => void;
  log: ChannelLog;
  /** The task the view should select on its first snapshot. */
  selectedTaskId?: () => string | null;
  /** Messages posted right after each snapshot (the sidebar's workbench context). */
  afterSnapshot?: () => HostMessage[];
  /** Schedules a flush of batched events; tests pass a synchronous or manual scheduler. */
  schedule?: (flush: () => void) => void;
}

const defaultSchedule = (flush: () => void): void => {
  setTimeout(flush, 40);
};

export class WebviewHost implements DisposableLike {
  private ready = false;
  private visible = true;
  private pending: RunEvent[] = [];
  private flushScheduled = false;
  private readonly subscription: DisposableLike;
  private disposed = false;

  constructor(private readonly options: WebviewHostOptions) {
    this.subscription = options.source.onEvent((e) => this.enqueue(e));
  }

  /** Handles a raw message from the webview. Returns the command when valid (for tests and logging). */
  receive(raw: unknown): WebviewCommand | undefined {
    const parsed = parseWebviewCommand(raw);
    if (!parsed.ok) {
      const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string'
        ? JSON.stringify((raw as { type: string }).type.slice(0, 40)) : 'none';
      this.options.log.warn(`[webview:${this.options.view}] rejected a message (type ${type}): ${parsed.error}`);
      return undefined;
    }
    const command = parsed.value;
    if (command.type === 'ready') {
      if (command.protocol !== PROTOCOL_VERSION) {
        this.options.log.warn(`[webview:${this.options.view}] protocol ${command.protocol}, expected ${PROTOCOL_VERSION}`);
      }
      this.ready = true;
      this.postSnapshot();
      return command;
    }
    if (command.type === 'webviewError') {
      this.options.log.warn(`[webview:${this.options.view}] ${command.message}`);
      return command;
    }
    this.options.onCommand(command);
    return command;
  }

  /** Tells the channel whether the view is visible; becoming visible re-posts the snapshot. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible && this.ready) this.postSnapshot();
    if (!visible) this.pending = [];
  }

  /** The webview's document was replaced (e.g. HTML reset): wait for its next `ready`. */
  reset(): void {
    this.ready = false;
    this.pending = [];
  }

  /** Posts a message outside the event stream (e.g. `focusTask`) when the view can receive it. */
  send(message: HostMessage): void {
    if (this.ready && this.visible) this.deliver(message);
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
    this.pending = [];
  }

  private postSnapshot(): void {
    // The snapshot already holds every event so far: drop the queued ones so none is applied twice.
    this.pending = [];
    this.deliver({
      type: 'snapshot',
      state: this.options.source.snapshot(),
      selectedTaskId: this.options.selectedTaskId?.() ?? null,
    });
    for (const m of this.options.afterSnapshot?.() ?? []) this.deliver(m);
  }

  private enqueue(event: RunEvent): void {
    if (this.disposed || !this.ready || !this.visible) return;
    this.pending.push(event);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    (this.options.schedule ?? defaultSchedule)(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Sends the batched events now. */
  flush(): void {
    if (this.disposed || this.pending.length === 0 || !this.ready || !this.visible) return;
    const events = this.pending;
    this.pending = [];
    this.deliver({ type: 'events', events });
  }

  private deliver(message: HostMessage): void {
    if (this.disposed) return;
    this.options.post(message).then(
      (delivered) => {
        // Not delivered: the view went away; its next `ready` brings a fresh snapshot.
        if (!delivered) this.ready = false;
      },
      (err: unknown) => {
        this.ready = false;
        this.options.log.warn(`[webview:${this.options.view}] post failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
}
