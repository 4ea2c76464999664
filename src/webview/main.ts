// Browser entry of both webviews (bundled to dist/webview.js): the page says which view it is in
// `<body data-view>`; the VS Code API object stays inside this module scope.
import { config } from 'zod';
import type { HostMessage } from '../protocol/messages';
import { connect, vscodeApi } from './channel';
import { GraphApp } from './graphApp';
import { SidebarApp } from './sidebarApp';

// The webview's CSP has no 'unsafe-eval': zod validates host messages without compiling code (and without
// probing `new Function`, which the CSP reports as a violation).
config({ jitless: true });

function start(): void {
  const api = vscodeApi();
  const root = document.getElementById('app');
  if (!api || !root) return;
  const view = document.body.dataset.view === 'sidebar' ? 'sidebar' : 'graph';
  let app: { receive(m: HostMessage): void } | undefined;
  const channel = connect(window, api, view, (m) => app?.receive(m));
  if (view === 'sidebar') {
    const sidebar = new SidebarApp(root, channel);
    app = sidebar;
    window.setInterval(() => sidebar.tick(), 1000);
  } else {
    const graph = new GraphApp(root, channel);
    app = graph;
    window.setInterval(() => graph.tick(), 1000);
  }
  channel.ready();
}

start();
