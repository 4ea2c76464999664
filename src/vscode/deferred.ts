/**
 * Stand-ins that the startup entry registers so that activation needs none of the code behind them: each
 * contributed command, the sidebar view and the graph panel's serializer exist from the end of `activate()`,
 * and the first use of any of them loads the engine (src/vscode/engine.ts), which then takes their place.
 */
import type * as vscode from 'vscode';
import { Disposable, toDisposable, type IDisposable } from './lifecycle';
import { GRAPH_VIEW_TYPE, RUN_VIEW_ID, type ViewRegistrar } from './viewIds';

type Commands = Pick<typeof vscode.commands, 'registerCommand' | 'executeCommand'>;

/**
 * One stand-in per command id: it loads the engine, which registers the real command after {@link release},
 * then runs the real one with the same arguments and returns its result.
 */
export class DeferredCommands implements IDisposable {
  private stubs: IDisposable[];

  constructor(commands: Commands, ids: readonly string[], load: () => Promise<unknown>) {
    this.stubs = ids.map((id) => commands.registerCommand(id, async (...args: unknown[]) => {
      await load();
      return commands.executeCommand(id, ...args);
    }));
  }

  /** Removes the stand-ins, so that the engine can register the real commands under the same ids. */
  release(): void {
    for (const stub of this.stubs.splice(0)) stub.dispose();
  }

  dispose(): void {
    this.release();
  }
}

type ViewWindow = Pick<typeof vscode.window, 'registerWebviewViewProvider' | 'registerWebviewPanelSerializer'>;

/**
 * The sidebar view's provider and the graph panel's serializer, registered at activation: when VS Code shows
 * the view (or restores the panel after a reload) they load the engine, whose run views register here
 * ({@link ViewRegistrar}), and hand the view over to them.
 */
export class DeferredViews extends Disposable implements ViewRegistrar {
  private provider: vscode.WebviewViewProvider | undefined;
  private serializer: vscode.WebviewPanelSerializer | undefined;

  constructor(window: ViewWindow, load: () => Promise<unknown>) {
    super();
    this._register(window.registerWebviewViewProvider(RUN_VIEW_ID, {
      resolveWebviewView: async (view, context, token) => {
        await load();
        await this.provider?.resolveWebviewView(view, context, token);
      },
    }));
    this._register(window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        await load();
        await this.serializer?.deserializeWebviewPanel(panel, state);
      },
    }));
  }

  registerWebviewViewProvider(viewId: string, provider: vscode.WebviewViewProvider): IDisposable {
    if (viewId !== RUN_VIEW_ID) throw new Error(`no stand-in is registered for the view ${viewId}`);
    this.provider = provider;
    return toDisposable(() => {
      if (this.provider === provider) this.provider = undefined;
    });
  }

  registerWebviewPanelSerializer(viewType: string, serializer: vscode.WebviewPanelSerializer): IDisposable {
    if (viewType !== GRAPH_VIEW_TYPE) throw new Error(`no stand-in is registered for the panel ${viewType}`);
    this.serializer = serializer;
    return toDisposable(() => {
      if (this.serializer === serializer) this.serializer = undefined;
    });
  }
}
