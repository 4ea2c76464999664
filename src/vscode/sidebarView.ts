/**
 * The sidebar webview view `agensflow.run`: the same state as the graph panel, fed by the same
 * {@link RunViewSource}; a new page (and handshake) each time VS Code resolves the view.
 */
import type * as vscode from 'vscode';
import type { WebviewCommand } from '../protocol/messages';
import type { RunViewSource } from '../protocol/runViewSource';
import { defaultWorkbenchContext, type WorkbenchContextStore } from '../protocol/workbenchContext';
import { WebviewHost } from '../protocol/webviewHost';
import { Disposable } from './lifecycle';
import type { ChannelLog } from '../protocol/webviewHost';
import { setWebviewHtml, webviewOptions } from './webviewHtmlResources';

export { RUN_VIEW_ID } from './viewIds';

export interface SidebarViewDeps {
  extensionUri: vscode.Uri;
  source: RunViewSource;
  log: ChannelLog;
  onCommand: (command: WebviewCommand) => void;
  /** What the window is doing (trust, model, phase, resumable run): posted after each snapshot and on change. */
  context?: WorkbenchContextStore;
}

export class SidebarViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private host: WebviewHost | undefined;
  private viewSubscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: SidebarViewDeps) {
    super();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.release();
    view.webview.options = webviewOptions(this.deps.extensionUri);
    const host = new WebviewHost({
      view: 'sidebar',
      source: this.deps.source,
      post: (m) => view.webview.postMessage(m),
      onCommand: this.deps.onCommand,
      log: this.deps.log,
      ...(this.deps.context ? { afterSnapshot: () => [{ type: 'context' as const, context: this.deps.context?.snapshot() ?? defaultWorkbenchContext() }] } : {}),
    });
    this.host = host;
    const context = this.deps.context;
    this.viewSubscriptions = [
      ...(context ? [context.onDidChange((c) => host.send({ type: 'context', context: c }))] : []),
      view.webview.onDidReceiveMessage((m: unknown) => host.receive(m)),
      view.onDidChangeVisibility(() => host.setVisible(view.visible)),
      view.onDidDispose(() => this.release()),
    ];
    setWebviewHtml(view.webview, this.deps.extensionUri, 'sidebar', 'AgensFlow');
  }

  override dispose(): void {
    this.release();
    super.dispose();
  }

  private release(): void {
    this.host?.dispose();
    this.host = undefined;
    for (const d of this.viewSubscriptions.splice(0)) d.dispose();
  }
}
