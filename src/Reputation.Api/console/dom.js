// Small DOM helpers: every value from the API goes in as text, never as markup.

/** h('p', { class: 'x', onclick }, 'text', child) — an element with attributes, handlers and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const byId = (id) => document.getElementById(id);

/** Replaces an element's children. */
export function show(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

export function status(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle('error', isError);
}

/** A table: columns are [heading, value(row), { numeric }]. */
export function table(caption, columns, rows) {
  return h('table', {},
    caption ? h('caption', { class: 'hint' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map(([heading, , options]) => h('th', { scope: 'col', class: options?.numeric ? 'num' : null }, heading)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, value, options]) => h('td', { class: options?.numeric ? 'num' : null }, value(row)))))));
}

/** A definition list of [term, value] pairs, skipping absent values. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

export const number = (n) => (typeof n === 'number' ? n.toLocaleString('en') : '');
export const score = (s) => (typeof s === 'number' ? s.toFixed(3) : '');
export const when = (t) => (t ? new Date(t).toISOString().replace('.000Z', 'Z') : '');

/** Score bands of the graph's colours and the legend. */
export function band(s) {
  if (typeof s !== 'number') return 'low';
  if (s >= 0.8) return 'critical';
  if (s >= 0.6) return 'high';
  if (s >= 0.3) return 'medium';
  return 'low';
}
