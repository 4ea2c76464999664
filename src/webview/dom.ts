/**
 * The only way webview code creates elements. Text goes in as text nodes (`textContent`), never as HTML,
 * so model output, file names and titles cannot become markup. Event-handler and style attributes are
 * refused here: handlers are attached with `addEventListener`, positions set through the CSSOM.
 */
export type Child = Node | string | number | null | undefined | false;

/** Attributes an element may be given; `on*`, `style`, `href`/`src` with script URLs are refused. */
export type Attrs = Record<string, string | number | boolean | undefined>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function checkAttr(name: string, value: string): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') {
    throw new Error(`refused attribute ${name}`);
  }
  if ((lower === 'href' || lower === 'src' || lower === 'xlink:href') && !value.startsWith('#')) {
    throw new Error(`refused attribute ${name}`);
  }
}

function setAttrs(element: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    const text = value === true ? '' : String(value);
    checkAttr(name, text);
    element.setAttribute(name, text);
  }
}

function append(doc: Document, parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? doc.createTextNode(String(c)) : c);
  }
}

/** Creates an HTML element with a class, attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document, tag: K, className?: string, attrs?: Attrs, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (className) element.className = className;
  setAttrs(element, attrs);
  append(doc, element, children);
  return element;
}

/** Creates an SVG element with attributes. */
export function s<K extends keyof SVGElementTagNameMap>(doc: Document, tag: K, attrs?: Attrs): SVGElementTagNameMap[K] {
  const element = doc.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  setAttrs(element, attrs);
  return element;
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent.ownerDocument, parent, children);
}

/** Sets text only when it changed, so unchanged nodes are not touched (keeps selection and screen readers calm). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** A codicon glyph (the font and classes come from media/codicons/codicon.css). */
export function icon(doc: Document, name: string, extra = ''): HTMLSpanElement {
  return h(doc, 'span', `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, { 'aria-hidden': 'true' });
}

/** A button with a codicon and a label; `label` is also its accessible name. */
export function button(doc: Document, iconName: string | undefined, label: string, onClick: () => void, className = ''): HTMLButtonElement {
  const b = h(doc, 'button', className || 'af-button', { type: 'button' },
    iconName ? icon(doc, iconName) : null, h(doc, 'span', 'af-button-label', undefined, label));
  b.addEventListener('click', onClick);
  return b;
}
