import { MODULE_START } from './vscode/startupClock';
import * as vscode from 'vscode';
import type { ProviderModelInfo } from './core/models';
import type { RunEvent } from './core/run/events';
import { newestRunInterrupted } from './core/run/runId';
import type { RunViewState } from './protocol/viewState';
import { COMMANDS } from './vscode/commands/commandIds';
import { DeferredCommands, DeferredViews } from './vscode/deferred';
import type { Engine } from './vscode/engine';
import { toDisposable } from './vscode/lifecycle';
import { LOG_CHANNEL_NAME, createLogger, type Logger } from './vscode/log';
import { ACTIVATED_CONTEXT, activatedMessage, type ActivationTiming } from './vscode/readiness';

/** When this bundle's modules had all run (see ./vscode/startupClock.ts for when they began). */
const MODULE_LOADED = performance.now();

/** What `deactivate` must finish (the run in progress): set by `activate`, the one piece of module state. */
let shutdown: (() => Promise<unknown>) | undefined;

/** What `activate` returns (`Extension.exports`): what tests and other extensions may inspect. */
export interface AgensFlowExports {
  /** Where this workspace's run journals live (the extension's workspace storage). */
  readonly stateDir: string;
  /** Where the time of this window's activation went (from the first module of this bundle to the end of `activate()`). */
  readonly activation: ActivationTiming;
  /** Whether the engine (dist/engine.js: the services, the model SDKs, the run engine) has been loaded. */
  readonly engineLoaded: boolean;
  /** Loads the engine as a first command or view does; resolves once every contribution is registered. */
  ready(): Promise<void>;
  /** Names of the contributions that failed to start (logged with their error); empty before the engine loads. */
  readonly failedContributions: readonly string[];
  /** The state of the run the views show (the engine must be loaded: see {@link ready}). */
  runState(): RunViewState;
  /** Calls `listener` after each event of the run the views show (the engine must be loaded; tests wait on it instead of polling). */
  onRunEvent(listener: (event: RunEvent) => void): { dispose(): void };
  /**
   * The models "Select Provider and Model…" offers for `provider` now (live for providers that list theirs,
   * such as `vscode-lm` or an OpenAI-compatible server), with the agents' current model as the current choice;
   * empty for an unknown provider.
   */
  modelChoices(provider: string): Promise<ProviderModelInfo[]>;
}

/** Loads the engine bundle once, replacing the stand-ins by the real contributions. */
function engineLoader(context: vscode.ExtensionContext, log: Logger, stateDir: string): { load(): Promise<Engine>; current(): Engine | undefined; attach(c: DeferredCommands, v: DeferredViews): void } {
  let loading: Promise<Engine> | undefined;
  let engine: Engine | undefined;
  let commands: DeferredCommands | undefined;
  let views: DeferredViews | undefined;
  const load = async (): Promise<Engine> => {
    const started = performance.now();
    const { compose } = await import('./vscode/engine.js');
    if (!commands || !views) throw new Error('the engine was loaded before the stand-ins were registered');
    // The real commands take the stand-ins' ids in the same tick.
    commands.release();
    const composed = compose(context, { log, stateDir, views });
    engine = composed;
    log.info(`loaded the engine in ${Math.round(performance.now() - started)} ms`);
    return composed;
  };
  return {
    load: () => (loading ??= load().catch((e: unknown) => {
      log.error('could not load the engine', e);
      void vscode.window.showErrorMessage('AgensFlow could not start: see its log (AgensFlow: Show Log).');
      throw e;
    })),
    current: () => engine,
    attach: (c, v) => {
      commands = c;
      views = v;
    },
  };
}

/**
 * Activation registers only what the first screen needs: the log channel, a stand-in for every contributed
 * command, the sidebar view and the graph panel's serializer (src/vscode/deferred.ts). The engine
 * (src/vscode/engine.ts, bundled apart as dist/engine.js with the model SDKs, the run engine and tree-sitter)
 * is loaded on first use, or at once when the newest run was interrupted by a closed window, to offer its
 * resume. Everything is owned by `context.subscriptions`.
 */
export function activate(context: vscode.ExtensionContext): AgensFlowExports {
  const entered = performance.now();
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel, 'extension');
  log.info(`activating ${context.extension.id} ${String(context.extension.packageJSON.version)} (VS Code ${vscode.version})`);
  // Runs persist with the workspace (a reloaded window continues them); no folder: per user.
  const stateDir = (context.storageUri ?? context.globalStorageUri).fsPath;

  const engine = engineLoader(context, log, stateDir);
  const load = (): Promise<Engine> => engine.load();
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.showLog, () => channel.show(true)));
  const commands = new DeferredCommands(vscode.commands, Object.values(COMMANDS).filter((id) => id !== COMMANDS.showLog), load);
  const views = new DeferredViews(vscode.window, load);
  engine.attach(commands, views);
  context.subscriptions.push(commands, views);
  // A run interrupted by a closed window is shown, and its resume offered, without waiting for a first use.
  newestRunInterrupted(stateDir).then((interrupted) => (interrupted ? load() : undefined)).catch((e: unknown) => log.warn(`could not restore the last run: ${e instanceof Error ? e.message : String(e)}`));
  shutdown = async () => engine.current()?.shutdown();
  context.subscriptions.push(toDisposable(() => {
    shutdown = undefined;
  }));
  const end = performance.now();
  const activation: ActivationTiming = { totalMs: end - MODULE_START, loadMs: MODULE_LOADED - MODULE_START, waitMs: entered - MODULE_LOADED, activateMs: end - entered };
  // Every command is registered now: say so, for `when` clauses and for test drivers waiting to use the palette.
  log.info(activatedMessage(context.extension.id, activation));
  void vscode.commands.executeCommand('setContext', ACTIVATED_CONTEXT, true);
  return {
    stateDir,
    activation,
    get engineLoaded() {
      return engine.current() !== undefined;
    },
    ready: async () => {
      await load();
    },
    get failedContributions() {
      return engine.current()?.failedContributions ?? [];
    },
    runState: () => {
      const loaded = engine.current();
      if (!loaded) throw new Error('the AgensFlow engine is not loaded yet: await ready() first');
      return loaded.runState();
    },
    onRunEvent: (listener) => {
      const loaded = engine.current();
      if (!loaded) throw new Error('the AgensFlow engine is not loaded yet: await ready() first');
      return loaded.onRunEvent(listener);
    },
    modelChoices: async (provider) => (await load()).modelChoices(provider),
  };
}

/**
 * Called by VS Code when the window closes or reloads, before `context.subscriptions` are disposed: a
 * run in progress is cancelled (its requests aborted, its processes killed) and its journal written, under a
 * short deadline, so the reloaded window shows it as interrupted and can resume it. Everything else is
 * disposed through `context.subscriptions`.
 */
export async function deactivate(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  await stop?.();
}
