/**
 * What the graph panel and the sidebar consume: a snapshot of the current run and a stream of its events.
 * The run engine plugs in through {@link RunViewStore.push} (or by implementing {@link RunViewSource}
 * itself), so the views do not depend on src/core/run.
 */
import type { RunEvent, RunEventListener } from '../core/run/events';
import { applyEvent, type ReducerOptions } from './reducer';
import { emptyViewState, type RunViewState } from './viewState';

/** Something that can be stopped; structurally compatible with `vscode.Disposable`. */
export interface DisposableLike {
  dispose(): void;
}

/** The host-side view model of the run the views show. */
export interface RunViewSource {
  /** The state as of now; views get it on `ready` and after they were hidden. */
  snapshot(): RunViewState;
  /** Every event applied after the snapshot, in order. */
  onEvent(listener: RunEventListener): DisposableLike;
}

/**
 * A {@link RunViewSource} that folds pushed events with the shared reducer. One per extension; a new run
 * (`run.started` with another id) starts it over.
 */
export class RunViewStore implements RunViewSource {
  private state: RunViewState;
  private readonly listeners = new Set<RunEventListener>();

  constructor(initial: RunViewState = emptyViewState(), private readonly options: ReducerOptions = {}) {
    this.state = initial;
  }

  snapshot(): RunViewState {
    return this.state;
  }

  onEvent(listener: RunEventListener): DisposableLike {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Applies an event and tells the listeners; a throwing listener does not stop the others. */
  push(event: RunEvent): void {
    this.state = applyEvent(this.state, event, this.options);
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A view's failure must not stall the run's other subscribers; the view logs its own errors.
      }
    }
  }
}
