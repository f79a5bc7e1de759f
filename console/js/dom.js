/**
 * A tiny element builder: text is always text (never parsed as HTML), so data from the API cannot inject markup.
 *   h('a', { href: '#/' }, 'Oversikt')
 * Attributes: `class`, `for`, aria-*, data-*, boolean attributes (true/false), and `on<event>` handlers.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Says something to screen reader users (and shows it) without moving focus. */
export function announce(message) {
  const region = document.getElementById('kunngjoring');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick, so the same message said twice is read twice; cleared after a while.
  setTimeout(() => {
    region.textContent = message;
    setTimeout(() => {
      if (region.textContent === message) region.textContent = '';
    }, 10_000);
  }, 50);
}
