/**
 * The graph panel (`agensflow.graph`): at most one, revealed by "Show Graph", restored after a reload by
 * a `WebviewPanelSerializer`. The panel is a thin shell: state comes from the {@link RunViewSource}
 * through a {@link WebviewHost}, commands go to the shared dispatcher.
 */
import * as vscode from 'vscode';
import type { WebviewCommand } from '../protocol/messages';
import type { RunViewSource } from '../protocol/runViewSource';
import { WebviewHost } from '../protocol/webviewHost';
import { defaultWorkbenchContext, type WorkbenchContextStore } from '../protocol/workbenchContext';
import { Disposable, toDisposable } from './lifecycle';
import type { ChannelLog } from '../protocol/webviewHost';
import { setWebviewHtml, webviewOptions } from './webviewHtmlResources';

import { GRAPH_VIEW_TYPE, type ViewRegistrar } from './viewIds';

export { GRAPH_VIEW_TYPE };

export interface GraphPanelDeps {
  extensionUri: vscode.Uri;
  source: RunViewSource;
  log: ChannelLog;
  onCommand: (command: WebviewCommand) => void;
  /** The task the views agree is selected. */
  selectedTaskId: () => string | null;
  /** Where the serializer registers; default `vscode.window`. */
  register?: ViewRegistrar;
  /** What the window is doing: the header says "interrupted" for a run the window's closing stopped, as the sidebar does. */
  context?: WorkbenchContextStore;
}

class GraphPanel extends Disposable {
  readonly host: WebviewHost;
  private readonly disposedEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(readonly panel: vscode.WebviewPanel, deps: GraphPanelDeps) {
    super();
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'agensflow.svg');
    this.host = this._register(new WebviewHost({
      view: 'graph',
      source: deps.source,
      post: (m) => panel.webview.postMessage(m),
      onCommand: deps.onCommand,
      log: deps.log,
      selectedTaskId: deps.selectedTaskId,
      ...(deps.context ? { afterSnapshot: () => [{ type: 'context' as const, context: deps.context?.snapshot() ?? defaultWorkbenchContext() }] } : {}),
    }));
    const context = deps.context;
    if (context) this._register(context.onDidChange((c) => this.host.send({ type: 'context', context: c })));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => this.host.receive(m)));
    this._register(panel.onDidChangeViewState((e) => this.host.setVisible(e.webviewPanel.visible)));
    this._register(panel.onDidDispose(() => {
      this.disposedEmitter.fire();
      this.dispose();
    }));
    this.host.reset();
    setWebviewHtml(panel.webview, deps.extensionUri, 'graph', 'AgensFlow Graph');
  }
}

/** Owns the single graph panel: creates, reveals and revives it. */
export class GraphPanelManager extends Disposable {
  private current: GraphPanel | undefined;

  constructor(private readonly deps: GraphPanelDeps) {
    super();
    this._register((deps.register ?? vscode.window).registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        this.adopt(panel);
      },
    }));
    this._register(toDisposable(() => this.current?.panel.dispose()));
  }

  /** Opens the panel (or reveals it) and, when given, selects a task in it. */
  show(taskId?: string): void {
    if (!this.current) {
      const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'AgensFlow Graph', vscode.ViewColumn.Active, {
        ...webviewOptions(this.deps.extensionUri),
        // The host is the source of truth and re-posts the snapshot when the panel is shown again.
        retainContextWhenHidden: false,
      });
      this.adopt(panel);
    } else {
      this.current.panel.reveal();
    }
    if (taskId) this.current?.host.send({ type: 'focusTask', taskId });
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.current?.panel.dispose();
    const graph = new GraphPanel(panel, this.deps);
    this.current = graph;
    graph.onDidDispose(() => {
      if (this.current === graph) this.current = undefined;
    });
  }
}
