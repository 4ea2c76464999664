/**
 * The ids of the run views, in a module of their own: the startup entry (src/extension.ts) registers the
 * views under these names before the code that draws them is loaded.
 */
import type * as vscode from 'vscode';
import type { IDisposable } from './lifecycle';

/** The sidebar webview view in the `agensflow` activity-bar container. */
export const RUN_VIEW_ID = 'agensflow.run';

/** The graph panel's view type (its serializer restores it after a reload). */
export const GRAPH_VIEW_TYPE = 'agensflow.graph';

/** Where the run views register: `vscode.window`, or the startup entry's stand-ins that forward to them. */
export interface ViewRegistrar {
  registerWebviewViewProvider(viewId: string, provider: vscode.WebviewViewProvider): IDisposable;
  registerWebviewPanelSerializer(viewType: string, serializer: vscode.WebviewPanelSerializer): IDisposable;
}
