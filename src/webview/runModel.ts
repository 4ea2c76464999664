/** The webview's copy of the run: applies host messages through the shared reducer. */
import type { HostMessage } from '../protocol/messages';
import { applyEvent } from '../protocol/reducer';
import { emptyViewState, type RunViewState } from '../protocol/viewState';
import { defaultWorkbenchContext, type WorkbenchContext } from '../protocol/workbenchContext';

export class RunModel {
  state: RunViewState = emptyViewState();
  /** What the window is doing (trust, model, phase, the run Resume continues); the sidebar and the graph draw it. */
  context: WorkbenchContext = defaultWorkbenchContext();
  /** Set by a snapshot or `focusTask`; the app consumes it. */
  requestedSelection: string | null | undefined;

  /** Applies a message; returns true when the state changed. */
  apply(message: HostMessage): boolean {
    switch (message.type) {
      case 'snapshot':
        this.state = message.state;
        if (message.selectedTaskId) this.requestedSelection = message.selectedTaskId;
        return true;
      case 'events': {
        const before = this.state;
        for (const e of message.events) this.state = applyEvent(this.state, e);
        return this.state !== before;
      }
      case 'focusTask':
        this.requestedSelection = message.taskId;
        return true;
      case 'context':
        this.context = message.context;
        return true;
    }
  }

  /**
   * The run's status as the views show it: the journal's, except that a run stopped by the window closing
   * (resumable, or journaled "running" with nothing running it after a reload) is "interrupted", and a run with
   * no record yet is "planning" while this window plans. One rule for the sidebar and the graph's header.
   */
  shownStatus(): string {
    const { run } = this.state;
    const context = this.context;
    const resumable = context.resumable !== null && context.resumable.runId === run?.runId;
    if (resumable && context.resumable?.interrupted) return 'interrupted';
    if (!run) return context.phase === 'idle' ? 'stopped' : 'planning';
    if (run.status === 'running' && context.phase === 'idle') return 'interrupted';
    return run.status;
  }
}
