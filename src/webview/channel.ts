/**
 * The webview end of the protocol: the VS Code API object stays private to this module (never on
 * `window`), every host message is validated before use, and the `ready` handshake is sent once the
 * listener is in place.
 */
import { PROTOCOL_VERSION, parseHostMessage, type HostMessage, type ViewKind, type WebviewCommand } from '../protocol/messages';

/** The part of the object `acquireVsCodeApi()` returns that we use. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Typed access to the host for one view. */
export interface Channel {
  post(command: WebviewCommand): void;
  getState(): unknown;
  setState(state: unknown): void;
  /** Sends the `ready` handshake; call once the view can draw what the host answers with. */
  ready(): void;
}

/** Acquires the API (once per page, as VS Code requires) or returns undefined outside a webview. */
export function vscodeApi(): VsCodeApi | undefined {
  return typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
}

/** Listens for host messages on `win`; the caller says `ready` when its view exists. */
export function connect(win: Window, api: VsCodeApi, view: ViewKind, onMessage: (message: HostMessage) => void): Channel {
  const channel: Channel = {
    post: (command) => api.postMessage(command),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
    ready: () => api.postMessage({ type: 'ready', view, protocol: PROTOCOL_VERSION } satisfies WebviewCommand),
  };
  win.addEventListener('message', (event: MessageEvent) => {
    const parsed = parseHostMessage(event.data);
    if (!parsed.ok) {
      channel.post({ type: 'webviewError', message: `invalid host message: ${parsed.error}`.slice(0, 2000) });
      return;
    }
    try {
      onMessage(parsed.value);
    } catch (err) {
      channel.post({ type: 'webviewError', message: `render failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 2000) });
    }
  });
  return channel;
}
