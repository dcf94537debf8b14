// DOM helpers. Every value that came from an event reaches the page through `textContent` or
// an attribute, never through HTML parsing, so a payload in a field is shown as written.

/** The element with this id; a missing one is a bug in the page, reported as such. */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no element #${id}`);
  return element;
}

/**
 * A new element. `props` sets `className`, `title`, `role`, `text`, `dataset` entries,
 * attributes (`attrs`) and event handlers (`on`); children are nodes or strings (strings
 * become text nodes).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A new SVG element, with attributes and children as for `h`. */
export function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

function apply(element, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') element.className = value;
    else if (key === 'title') element.title = value;
    else if (key === 'role') element.setAttribute('role', value);
    else if (key === 'text') element.textContent = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'attrs') {
      for (const [name, attr] of Object.entries(value)) element.setAttribute(name, String(attr));
    } else if (key === 'on') {
      for (const [type, handler] of Object.entries(value)) element.addEventListener(type, handler);
    } else {
      throw new TypeError(`h() does not know the property ${key}`);
    }
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Starts a download of a Blob under a file name. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { attrs: { href: url, download: name } });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken its own reference by the time the click's task has run.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
