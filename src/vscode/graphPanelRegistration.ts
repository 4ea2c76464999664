/**
 * One call wires the run views into the extension: the sidebar view provider, the graph panel with its
 * serializer, and the routing of webview commands to the extension's commands. Returns the store the run
 * engine pushes events into (or uses the source given) and `showGraph` for the `agensflow.showGraph` command.
 */
import * as vscode from 'vscode';
import { RunViewStore, type RunViewSource } from '../protocol/runViewSource';
import type { WorkbenchContextStore } from '../protocol/workbenchContext';
import { COMMANDS } from './commands/commandIds';
import { GraphPanelManager } from './graphPanel';
import { routeWebviewCommand, type GraphViewActions } from './graphPanelCommands';
import { Disposable } from './lifecycle';
import type { Logger } from './log';
import { RUN_VIEW_ID, SidebarViewProvider } from './sidebarView';
import type { ViewRegistrar } from './viewIds';

export interface GraphViewsDeps {
  log: Logger;
  /** The run the views show; by default a fresh {@link RunViewStore} the engine can push into. */
  source?: RunViewSource;
  /** What the window is doing, for the sidebar (trust, model, phase, the run Resume continues). */
  context?: WorkbenchContextStore;
  /** Overrides of the default actions (which run the `agensflow.*` commands). */
  actions?: Partial<GraphViewActions>;
  /** Where the sidebar provider and the panel serializer register; default `vscode.window`. */
  register?: ViewRegistrar;
}

/** The extension's handle on the run views. */
export class GraphViews extends Disposable {
  readonly source: RunViewSource;
  private readonly panels: GraphPanelManager;
  private selected: string | null = null;

  constructor(extensionUri: vscode.Uri, deps: GraphViewsDeps) {
    super();
    this.source = deps.source ?? new RunViewStore();
    const log = deps.log;
    const run = (command: string, ...args: unknown[]): void => {
      vscode.commands.executeCommand(command, ...args).then(undefined, (e: unknown) => {
        log.warn(`${command} failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    };
    const actions: GraphViewActions = {
      newTask: () => run(COMMANDS.newTask),
      showGraph: (taskId) => this.showGraph(taskId),
      cancelRun: () => run(COMMANDS.cancelRun),
      reviewChanges: () => run(COMMANDS.reviewChanges),
      acceptAllVerified: () => run(COMMANDS.acceptAllVerified),
      acceptTask: (taskId) => run(COMMANDS.acceptTask, taskId),
      rejectTask: (taskId) => run(COMMANDS.rejectTask, taskId),
      retryTask: (runId, taskId) => run(COMMANDS.resumeRun, runId, [taskId]),
      editTask: (goal) => run(COMMANDS.newTask, { draft: goal }),
      undoAccept: (taskId) => run(COMMANDS.undoAccept, taskId),
      undoReject: (taskId) => run(COMMANDS.undoReject, taskId),
      resolveConflict: (taskId) => run(COMMANDS.resolveConflict, taskId),
      rerunTask: (taskId) => run(COMMANDS.rerunTask, taskId),
      // The review command opens one file's diff when given a task and a path.
      openDiff: (taskId, path) => run(COMMANDS.reviewChanges, taskId, path),
      resumeRun: (runId) => run(COMMANDS.resumeRun, runId),
      selectModel: () => run(COMMANDS.selectModel),
      runPlanFile: () => run(COMMANDS.runPlanFile),
      manageTrust: () => run('workbench.trust.manage'),
      planRun: () => run(COMMANDS.planRun),
      planReplan: (feedback) => run(COMMANDS.planReplan, { feedback }),
      planEdit: () => run(COMMANDS.planEdit),
      ...deps.actions,
    };
    const onCommand = (command: Parameters<typeof routeWebviewCommand>[0]): void => {
      routeWebviewCommand(command, {
        source: this.source,
        actions,
        warn: (m) => log.warn(m),
        setSelected: (id) => {
          this.selected = id;
        },
      });
    };
    this.panels = this._register(new GraphPanelManager({
      extensionUri, source: this.source, log, onCommand, selectedTaskId: () => this.selected, ...(deps.register ? { register: deps.register } : {}), ...(deps.context ? { context: deps.context } : {}),
    }));
    const sidebar = this._register(new SidebarViewProvider({ extensionUri, source: this.source, log, onCommand, ...(deps.context ? { context: deps.context } : {}) }));
    this._register((deps.register ?? vscode.window).registerWebviewViewProvider(RUN_VIEW_ID, sidebar));
  }

  /** Opens or reveals the graph panel, selecting `taskId` when given. */
  showGraph(taskId?: string): void {
    if (taskId) this.selected = taskId;
    this.panels.show(taskId);
  }
}

/** Registers the sidebar view and the graph panel; the result is disposed with the extension. */
export function registerGraphViews(context: Pick<vscode.ExtensionContext, 'extensionUri'>, deps: GraphViewsDeps): GraphViews {
  return new GraphViews(context.extensionUri, deps);
}
