/** A happy-dom document for webview tests (no globals are installed). */
// happy-dom is ESM-only; Node 20.19+ (and tsx) can require() it from this CommonJS-compiled test file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Window } = require('happy-dom') as typeof import('happy-dom', { with: { 'resolution-mode': 'import' } });
type Window = InstanceType<typeof Window>;

export function makeDocument(): { window: Window; document: Document; root: HTMLElement } {
  const window = new Window({ width: 1200, height: 800 });
  const document = window.document as unknown as Document;
  const root = document.createElement('div');
  document.body.appendChild(root);
  return { window, document, root };
}

/** Elements that must never be created from run data. */
export const DANGEROUS = 'img, script, iframe, object, embed, svg[onload], a[href], form, link, style, meta';

/** Every element carrying an event-handler attribute. */
export function elementsWithHandlers(root: ParentNode): Element[] {
  return [...root.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on')));
}
