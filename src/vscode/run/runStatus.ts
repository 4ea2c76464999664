/**
 * What the status bar item and the context keys say about the run the views show. Pure: unit-tested in Node.
 */
import { plural } from '../../core/words';
import type { RunViewState } from '../../protocol/viewState';
import type { WorkbenchContext } from '../../protocol/workbenchContext';

/**
 * Context keys of the walkthrough's steps that can be done through buttons (a notification's, a view's),
 * which run no command the walkthrough's `onCommand` events see; package.json's steps complete `onContext`.
 */
export const WALKTHROUGH_CONTEXT = {
  /** A key is stored for the provider chosen. */
  keyStored: 'agensflow.keyStored',
  /** The user opened a run's changes or decided on a patch. */
  reviewed: 'agensflow.reviewed',
} as const;
export type WalkthroughStep = keyof typeof WALKTHROUGH_CONTEXT;

/** The context keys `when` clauses use (package.json menus). */
export interface RunContextKeys {
  /** A run is being planned or is running. */
  'agensflow.running': boolean;
  /** The run shown has patches waiting for review. */
  'agensflow.hasPatches': boolean;
  /** A run is shown. */
  'agensflow.hasRun': boolean;
  /** The run shown stopped before its end (interrupted, cancelled, budget) and can be continued. */
  'agensflow.canResume': boolean;
}

/** The status bar item's text and tooltip. */
export interface StatusLine {
  text: string;
  tooltip: string;
}

/** Patches of the run shown that wait for a decision. */
export function openPatchCount(state: RunViewState): number {
  return Object.values(state.tasks).filter((t) => t.patch && (t.patch.state === 'proposed' || t.patch.state === 'conflicted' || t.patch.state === 'conflicted-markers') && t.patch.files.length > 0).length;
}

/**
 * The status line of `state`; `planning` while the planner works (before the engine's first event);
 * `interrupted` when the run shown stopped because its window closed (it says so, and that Resume continues it).
 */
export function statusLine(state: RunViewState, phase: 'idle' | 'planning' | 'running', interrupted = false): StatusLine {
  if (phase === 'planning' && state.review?.state === 'waiting') {
    return { text: '$(eye) AgensFlow: review the plan', tooltip: `The plan (${plural(state.plan?.tasks.length ?? 0, 'task')}) waits for your review: Run, Edit as JSON, Re-plan or Cancel in the graph or the sidebar. Click to show the graph.` };
  }
  if (phase === 'planning' && state.review?.state === 'replanning') return { text: '$(loading~spin) AgensFlow: re-planning', tooltip: 'AgensFlow is planning again with your feedback. Click to show the graph.' };
  if (phase === 'planning') return { text: '$(loading~spin) AgensFlow: planning', tooltip: 'AgensFlow is drawing candidate plans. Click to show the graph.' };
  const run = state.run;
  if (!run) return { text: '$(type-hierarchy) AgensFlow', tooltip: 'No run yet. Click to show the graph; start one with "AgensFlow: New Task…".' };
  const ids = Object.keys(state.statuses);
  const count = (s: string): number => ids.filter((id) => state.statuses[id] === s).length;
  const done = count('passed') + count('unverified') + count('failed') + count('blocked');
  const patches = openPatchCount(state);
  const review = patches ? `, ${patches} to review` : '';
  if (phase === 'running' || run.status === 'running') {
    const active = count('running') + count('verifying');
    return { text: `$(sync~spin) AgensFlow: ${done}/${ids.length}`, tooltip: `Run ${run.runId}: ${done} of ${ids.length} tasks finished, ${active} running${review}. Click to show the graph.` };
  }
  if (interrupted) {
    return {
      text: `$(debug-pause) AgensFlow: interrupted${patches ? ` · ${patches} to review` : ''}`,
      tooltip: `Run ${run.runId} was interrupted (the window closed or VS Code stopped) with ${done} of ${ids.length} tasks finished${review}. Resume continues it. Click to show the graph.`,
    };
  }
  const icon = run.status === 'completed' ? '$(pass)' : run.status === 'cancelled' ? '$(circle-slash)' : '$(warning)';
  return {
    text: `${icon} AgensFlow: ${run.status}${patches ? ` · ${patches} to review` : ''}`,
    tooltip: `Run ${run.runId}: ${run.status}${run.reason ? ` (${run.reason})` : ''}; ${count('passed')} passed, ${count('unverified')} unverified, ${count('failed')} failed, ${count('blocked')} blocked${review}. Click to show the graph.`,
  };
}

/** The context keys of `state`. */
export function contextKeys(state: RunViewState, phase: 'idle' | 'planning' | 'running'): RunContextKeys {
  const run = state.run;
  const running = phase !== 'idle';
  return {
    'agensflow.running': running,
    'agensflow.hasPatches': openPatchCount(state) > 0,
    'agensflow.hasRun': run !== null,
    'agensflow.canResume': !running && run !== null && (run.status === 'running' || run.status === 'cancelled' || run.status === 'budget'),
  };
}

/**
 * What the sidebar is told about the window: the facts given, this window's phase, and the run Resume
 * continues (the run shown, when nothing runs and it stopped before its end).
 */
export function workbenchContextOf(state: RunViewState, phase: 'idle' | 'planning' | 'running', facts: { trusted: boolean; model: string; interrupted: boolean }): WorkbenchContext {
  const run = state.run;
  const resumable = run !== null && contextKeys(state, phase)['agensflow.canResume'];
  return {
    trusted: facts.trusted,
    model: facts.model.trim(),
    phase,
    resumable: resumable && run ? { runId: run.runId, interrupted: facts.interrupted } : null,
  };
}
