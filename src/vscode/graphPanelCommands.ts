/**
 * What the host does with a valid webview command. Pure routing (no `vscode` at run time) so it is tested
 * in Node: a message never names a command to run or a path to open by itself; `openDiff` is honoured
 * only for a file the task actually staged, and task commands only for tasks of the current plan.
 */
import { RETRYABLE_STATUSES } from '../core/run/events';
import type { WebviewCommand } from '../protocol/messages';
import type { RunViewSource } from '../protocol/runViewSource';

/** The statuses from which a task may be run again. */

/** The actions the views can trigger; the extension binds them to its commands. */
export interface GraphViewActions {
  newTask(): void;
  showGraph(taskId?: string): void;
  cancelRun(): void;
  reviewChanges(): void;
  acceptAllVerified(): void;
  acceptTask(taskId: string): void;
  rejectTask(taskId: string): void;
  /** Runs the failed task `taskId` of run `runId` again (a resume with that task retried). */
  retryTask(runId: string, taskId: string): void;
  /** Opens a new task document holding `goal`, to edit and start again. */
  editTask(goal: string): void;
  undoAccept(taskId: string): void;
  undoReject(taskId: string): void;
  resolveConflict(taskId: string): void;
  rerunTask(taskId: string): void;
  openDiff(taskId: string, path: string): void;
  /** Continues the run the views show (the command checks that it can be resumed). */
  resumeRun(runId: string): void;
  selectModel(): void;
  runPlanFile(): void;
  /** VS Code's Manage Workspace Trust (the Restricted Mode banner). */
  manageTrust(): void;
  /** The plan gate's answers (see src/vscode/planGate). */
  planRun(): void;
  planReplan(feedback: string): void;
  planEdit(): void;
}

export interface CommandRouterDeps {
  source: RunViewSource;
  actions: GraphViewActions;
  warn: (message: string) => void;
  /** Remembers the selection both views share. */
  setSelected: (taskId: string | null) => void;
}

/** Routes one validated command; returns false (and warns) when it was refused. */
export function routeWebviewCommand(command: WebviewCommand, deps: CommandRouterDeps): boolean {
  const state = deps.source.snapshot();
  const known = (taskId: string): boolean => state.plan?.tasks.some((t) => t.id === taskId) ?? false;
  const refuse = (why: string): false => {
    deps.warn(`[webview] refused ${command.type}: ${why}`);
    return false;
  };
  switch (command.type) {
    case 'ready':
    case 'webviewError':
      return true; // handled by the channel
    case 'selectTask':
      if (command.taskId !== null && !known(command.taskId)) return refuse('unknown task');
      deps.setSelected(command.taskId);
      return true;
    case 'showGraph':
      if (command.taskId !== undefined && !known(command.taskId)) return refuse('unknown task');
      if (command.taskId !== undefined) deps.setSelected(command.taskId);
      deps.actions.showGraph(command.taskId);
      return true;
    case 'openDiff': {
      if (!known(command.taskId)) return refuse('unknown task');
      const staged = state.tasks[command.taskId]?.files.some((f) => f.path === command.path) ?? false;
      if (!staged) return refuse('not a file this task staged');
      deps.actions.openDiff(command.taskId, command.path);
      return true;
    }
    case 'acceptTask':
    case 'rejectTask':
      if (!known(command.taskId)) return refuse('unknown task');
      if (command.type === 'acceptTask') deps.actions.acceptTask(command.taskId);
      else deps.actions.rejectTask(command.taskId);
      return true;
    case 'retryTask': {
      if (!known(command.taskId)) return refuse('unknown task');
      if (!state.run || state.run.status === 'running') return refuse('the run is still going');
      if (!RETRYABLE_STATUSES.has(state.statuses[command.taskId] ?? 'pending')) return refuse('the task did not fail');
      deps.actions.retryTask(state.run.runId, command.taskId);
      return true;
    }
    case 'editTask':
      if (!known(command.taskId)) return refuse('unknown task');
      if (!state.run?.goal) return refuse('the run has no task text (a plan file)');
      deps.actions.editTask(state.run.goal);
      return true;
    case 'undoAccept':
    case 'undoReject':
      if (!known(command.taskId)) return refuse('unknown task');
      if (command.type === 'undoAccept') deps.actions.undoAccept(command.taskId);
      else deps.actions.undoReject(command.taskId);
      return true;
    case 'resolveConflict':
    case 'rerunTask':
      if (!known(command.taskId)) return refuse('unknown task');
      if (command.type === 'resolveConflict') deps.actions.resolveConflict(command.taskId);
      else deps.actions.rerunTask(command.taskId);
      return true;
    case 'cancelRun':
      deps.actions.cancelRun();
      return true;
    case 'newTask':
      deps.actions.newTask();
      return true;
    case 'reviewChanges':
      deps.actions.reviewChanges();
      return true;
    case 'acceptAllVerified':
      deps.actions.acceptAllVerified();
      return true;
    case 'resumeRun': {
      // The run shown, never an id from the page.
      const runId = state.run?.runId;
      if (!runId) return refuse('no run is shown');
      deps.actions.resumeRun(runId);
      return true;
    }
    case 'selectModel':
      deps.actions.selectModel();
      return true;
    case 'runPlanFile':
      deps.actions.runPlanFile();
      return true;
    case 'manageTrust':
      deps.actions.manageTrust();
      return true;
    case 'planRun':
    case 'planReplan':
    case 'planEdit':
      // Only while a plan waits for review: a stale button of a finished gate does nothing.
      if (state.review?.state !== 'waiting' || state.run?.status !== 'running') return refuse('no plan is waiting for review');
      if (command.type === 'planRun') deps.actions.planRun();
      else if (command.type === 'planReplan') deps.actions.planReplan(command.feedback);
      else deps.actions.planEdit();
      return true;
  }
}
