/**
 * The learned policy in a webview: the Markdown of "Show Learned Policy" rendered by VS Code's own Markdown
 * engine, with Pin and Unpin links that run Show Learned Policy (the only command the page may run; it has
 * no script). A Markdown preview cannot do this: VS Code disables command links there.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './commands/commandIds';
import { Disposable } from './lifecycle';
import { renderStaticPageHtml } from './webviewHtml';
import { webviewResourceRoots } from './webviewHtmlResources';

export const POLICY_VIEW_TYPE = 'agensflow.policy';

export class PolicyPanel extends Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
  }

  /**
   * Shows `markdown` rendered (revealing the panel, or opening it); false when VS Code's Markdown renderer is
   * not there (the built-in Markdown extension disabled), so the caller falls back to a Markdown preview.
   */
  async show(markdown: string): Promise<boolean> {
    let body: unknown;
    try {
      body = await vscode.commands.executeCommand<unknown>('markdown.api.render', markdown);
    } catch {
      return false;
    }
    if (typeof body !== 'string') return false;
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(POLICY_VIEW_TYPE, 'AgensFlow: Learned Policy', vscode.ViewColumn.Active, {
        enableScripts: false,
        enableForms: false,
        enableCommandUris: [COMMANDS.showPolicy],
        localResourceRoots: webviewResourceRoots(this.extensionUri),
      });
      this.panel = panel;
      this._register(panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = undefined;
      }));
    }
    const webview = this.panel.webview;
    webview.html = renderStaticPageHtml({
      title: 'AgensFlow: Learned Policy',
      cspSource: webview.cspSource,
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'webview.css')).toString()],
      body,
    });
    this.panel.reveal(undefined, false);
    return true;
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}
