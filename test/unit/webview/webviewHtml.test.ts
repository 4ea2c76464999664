import assert from 'node:assert/strict';
import { buildCsp, createNonce, renderWebviewHtml } from '../../../src/vscode/webviewHtml';
import { makeDocument } from './dom';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function render(nonce = createNonce()) {
  return renderWebviewHtml({
    view: 'graph', title: 'AgensFlow Graph', cspSource: CSP_SOURCE, nonce,
    scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`, styleUris: [`${CSP_SOURCE}/ext/media/codicons/codicon.css`, `${CSP_SOURCE}/ext/media/webview.css`],
  });
}

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name, values];
  }));
}

describe('webview: HTML shell and CSP', () => {
  it('nonces are 128 random bits and differ per render', () => {
    const a = createNonce();
    const b = createNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });

  it('has a strict CSP: default-src none, scripts only by nonce, no unsafe-*, no remote hosts', () => {
    const nonce = createNonce();
    const html = render(nonce);
    const { document } = makeDocument();
    document.documentElement.innerHTML = html.replace(/^<!DOCTYPE html>/, '');
    const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
    assert.ok(meta);
    const csp = meta.getAttribute('content') ?? '';
    assert.equal(csp, buildCsp(CSP_SOURCE, nonce));
    const d = directives(csp);
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(d.get('style-src'), [CSP_SOURCE]);
    assert.deepEqual(d.get('font-src'), [CSP_SOURCE]);
    assert.deepEqual(d.get('img-src'), [CSP_SOURCE]);
    assert.equal(d.has('connect-src'), false, 'connect-src falls back to none');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https:(?!\/\/file)|\*/);
    const scripts = [...document.querySelectorAll('script')];
    assert.equal(scripts.length, 1);
    assert.equal(scripts[0].getAttribute('nonce'), nonce);
    assert.equal(scripts[0].textContent, '', 'no inline script');
    assert.equal(document.querySelectorAll('style, [style]').length, 0, 'no inline style');
    assert.equal(document.body.getAttribute('data-view'), 'graph');
  });

  it('escapes what it interpolates', () => {
    const html = renderWebviewHtml({ view: 'sidebar', title: '</title><script>alert(1)</script>', cspSource: CSP_SOURCE, nonce: 'n"><script>', scriptUri: 'x', styleUris: [] });
    assert.equal(html.match(/<script/g)?.length, 1);
  });
});
