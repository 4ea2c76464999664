// Browser code of the graph panel and the sidebar view; bundled to dist/webview.js.
export {};
