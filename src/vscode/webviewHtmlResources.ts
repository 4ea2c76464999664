/** Binds the webview shell to VS Code: resource roots, URIs of the bundle and stylesheets. */
import * as vscode from 'vscode';
import type { ViewKind } from '../protocol/messages';
import { createNonce, renderWebviewHtml } from './webviewHtml';

/** Only media/ and dist/ of the extension may be loaded (never the workspace). */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')];
}

/** Options of both webviews: scripts on, command URIs and forms off, local resources limited. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, enableForms: false, localResourceRoots: webviewResourceRoots(extensionUri) };
}

/** Sets a fresh page (with a fresh nonce) on the webview. */
export function setWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: ViewKind, title: string): void {
  const uri = (...parts: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  webview.html = renderWebviewHtml({
    view,
    title,
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: uri('dist', 'webview.js'),
    styleUris: [uri('media', 'codicons', 'codicon.css'), uri('media', 'webview.css')],
  });
}
