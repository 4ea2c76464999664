/**
 * The HTML shell of both webviews: a strict CSP (`default-src 'none'`, scripts only by a per-render nonce
 * from `crypto`, styles and fonts only from the webview's own resource origin), no inline script or
 * style, no data in the page: everything arrives by `postMessage`. Pure strings, so it is unit-tested.
 */
import { randomBytes } from 'node:crypto';
import type { ViewKind } from '../protocol/messages';

/** A fresh nonce: 128 random bits from the OS, base64 (never `Math.random`). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of a webview page. */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * A page with no script at all (the learned policy's view): `default-src 'none'`, styles only from the webview's
 * own origin, no inline style. `body` is HTML the host rendered from its own Markdown (stored strings escaped
 * there); its links may run only the commands the panel allows.
 */
export function renderStaticPageHtml(input: { title: string; cspSource: string; styleUris: readonly string[]; body: string }): string {
  const csp = ["default-src 'none'", `style-src ${input.cspSource}`, `font-src ${input.cspSource}`, `img-src ${input.cspSource}`, "form-action 'none'", "base-uri 'none'"].join('; ');
  const styles = input.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(input.title)}</title>
  </head>
  <body class="static-page">
${input.body}
  </body>
</html>`;
}

export interface WebviewHtmlInput {
  view: ViewKind;
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(...)` of dist/webview.js, as a string. */
  scriptUri: string;
  /** Stylesheets (codicons first, then ours), as webview URIs. */
  styleUris: readonly string[];
}

/** The page of one webview. */
export function renderWebviewHtml(input: WebviewHtmlInput): string {
  const styles = input.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(buildCsp(input.cspSource, input.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(input.title)}</title>
  </head>
  <body data-view="${escapeHtml(input.view)}">
    <div id="app"></div>
    <script nonce="${escapeHtml(input.nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
  </body>
</html>`;
}
