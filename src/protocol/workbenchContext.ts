/**
 * What the sidebar needs to know about the window besides the run it shows: whether the folder is trusted
 * (Restricted Mode), whether a model is set, whether a run is being planned or run in this window right now,
 * and which run can be resumed. The run view state ({@link RunViewState}) says what a journal says; this
 * says what the window is doing, so a run whose journal still says "running" after a reload is shown
 * stopped, with Resume, and no Cancel. Posted to the webview as a `context` message; free of `vscode`.
 */
import { z } from 'zod';
import { LIMITS } from './runEventSchema';

export const WorkbenchContextSchema = z.object({
  /** The folder is trusted; false in Restricted Mode, where nothing runs. */
  trusted: z.boolean(),
  /** The agents' model as set (`agensflow.models.agent`); empty when none is set. */
  model: z.string().max(LIMITS.id * 4),
  /** What this window is doing now: a run being planned, running, or nothing. */
  phase: z.enum(['idle', 'planning', 'running']),
  /**
   * The run that Resume continues (the one the views show, when it stopped before its end), and whether it
   * was interrupted (the window closed or VS Code stopped) rather than cancelled or stopped by its budget.
   */
  resumable: z.object({ runId: z.string().min(1).max(LIMITS.id), interrupted: z.boolean() }).nullable(),
});
export type WorkbenchContext = z.output<typeof WorkbenchContextSchema>;

/** The context before the extension has said anything: trusted, no model known, nothing running. */
export function defaultWorkbenchContext(): WorkbenchContext {
  return { trusted: true, model: '', phase: 'idle', resumable: null };
}

/** Equal contexts (so an unchanged one is not posted again). */
export function sameWorkbenchContext(a: WorkbenchContext, b: WorkbenchContext): boolean {
  return a.trusted === b.trusted && a.model === b.model && a.phase === b.phase
    && (a.resumable?.runId ?? null) === (b.resumable?.runId ?? null) && (a.resumable?.interrupted ?? null) === (b.resumable?.interrupted ?? null);
}

/** Holds the current context and tells listeners when it changes; the run controller sets it. */
export class WorkbenchContextStore {
  private value: WorkbenchContext = defaultWorkbenchContext();
  private readonly listeners = new Set<(context: WorkbenchContext) => void>();

  snapshot(): WorkbenchContext {
    return this.value;
  }

  /** Replaces the context; listeners hear of it only when it changed. */
  set(next: WorkbenchContext): void {
    if (sameWorkbenchContext(this.value, next)) return;
    this.value = next;
    for (const l of [...this.listeners]) {
      try {
        l(next);
      } catch {
        // One view's failure must not keep the others stale; the view logs its own errors.
      }
    }
  }

  onDidChange(listener: (context: WorkbenchContext) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
