/**
 * `npm run preview:webview`: writes static pages of the graph panel and the sidebar with the sample
 * 12-task mid-run state, in light, dark and high-contrast VS Code-like themes, to out/preview/. They load
 * the real bundle (dist/webview.js) and stylesheets; a stub `acquireVsCodeApi` answers `ready` with the
 * snapshot, exactly as the host does. For looking at and screenshotting, not shipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { THEMES, VSCODE_DEFAULT_CSS } from './previewTheme';
import { PLAN_30, stateOf } from './sampleLarge';
import { sampleState } from './sampleRun';

const root = resolve(__dirname, '../../..');
const out = join(root, 'out', 'preview');
mkdirSync(out, { recursive: true });

// The 12-task sample (graph and sidebar pages) and the 30-task plan (graph30 pages, the layout at fit).
const dataOf = (state: unknown): string => `window.__AGENSFLOW_PREVIEW__ = ${JSON.stringify(state).replace(/</g, '\\u003c')};\n`;
writeFileSync(join(out, 'preview-data.js'), dataOf(sampleState()));
writeFileSync(join(out, 'preview-data-30.js'), dataOf(stateOf(PLAN_30)));
writeFileSync(join(out, 'vscode-default.css'), VSCODE_DEFAULT_CSS);
writeFileSync(join(out, 'preview-stub.js'), `// Stands in for VS Code: answers "ready" with the snapshot, like the host.
(function () {
  var state = window.__AGENSFLOW_PREVIEW__;
  var shift = Date.now() - 754000 - state.run.startedAt;
  state.run.startedAt += shift;
  state.logs.forEach(function (l) { l.ts += shift; });
  var select = document.body.dataset.select || null;
  window.__posted__ = [];
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) {
        window.__posted__.push(m);
        if (m && m.type === 'ready') setTimeout(function () {
          window.postMessage({ type: 'snapshot', state: state, selectedTaskId: select }, '*');
          // What the window is doing (sidebar-* pages): as the host's \`context\` message.
          if (document.body.dataset.context) window.postMessage({ type: 'context', context: JSON.parse(document.body.dataset.context) }, '*');
        }, 0);
      },
      getState: function () { return undefined; },
      setState: function () {},
    };
  };
})();
`);

const rel = (p: string): string => relative(out, join(root, p)).split('\\').join('/');
const pages: string[] = [];
for (const [themeName, theme] of Object.entries(THEMES)) {
  const vars = Object.entries(theme.vars).map(([k, v]) => `  ${k}: ${v};`).join('\n');
  writeFileSync(join(out, `theme-${themeName}.css`), `html {\n${vars}\n}\n`);
  for (const page of ['graph', 'sidebar', 'graph30', 'sidebar-interrupted', 'sidebar-restricted'] as const) {
    const view = page.startsWith('sidebar') ? 'sidebar' : 'graph';
    // The sidebar after a reload mid-run (interrupted, Resume), and in Restricted Mode (banner, New Task disabled).
    const context = page === 'sidebar-interrupted'
      ? { trusted: true, model: 'gpt-4.1-mini', phase: 'idle', resumable: { runId: 'run-2026-demo', interrupted: true } }
      : page === 'sidebar-restricted' ? { trusted: false, model: 'gpt-4.1-mini', phase: 'idle', resumable: null }
        : page === 'sidebar' ? { trusted: true, model: 'gpt-4.1-mini', phase: 'running', resumable: null } : undefined;
    const name = `${page}-${themeName}.html`;
    writeFileSync(join(out, name), `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>AgensFlow ${view} preview (${themeName})</title>
  <link rel="stylesheet" href="vscode-default.css">
  <link rel="stylesheet" href="theme-${themeName}.css">
  <link rel="stylesheet" href="${rel('media/codicons/codicon.css')}">
  <link rel="stylesheet" href="${rel('media/webview.css')}">
</head>
<body class="${theme.bodyClass}" data-view="${view}" data-select="${page === 'graph' ? 'save' : ''}"${context ? ` data-context="${JSON.stringify(context).replace(/"/g, '&quot;')}"` : ''}>
  <div id="app"></div>
  <script src="${page === 'graph30' ? 'preview-data-30.js' : 'preview-data.js'}"></script>
  <script src="preview-stub.js"></script>
  <script src="${rel('dist/webview.js')}"></script>
</body>
</html>
`);
    pages.push(name);
  }
}
writeFileSync(join(out, 'graph.html'), `<!DOCTYPE html><meta charset="UTF-8"><title>AgensFlow previews</title>
<ul>${pages.map((p) => `<li><a href="${p}">${p}</a></li>`).join('')}</ul>\n`);
process.stdout.write(`wrote ${pages.length} pages to ${relative(root, out)}/ (index: graph.html)\n`);
