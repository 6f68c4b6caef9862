// Building the page from data without innerHTML: every value the API returns becomes text, never markup.
import { t } from './i18n.js';

/** h('a', { href: '#/x', dataset: { region: '37' } }, 'text', child, …) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A table from column labels and rows of cells (a cell is text or an element). */
export function table(columns, rows, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {}, c)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map(cell => h('td', {}, cell))))));
}

/** The only thing a page shows when the API refuses: no partial data, no names. */
export function forbidden() {
  return h('section', { class: 'forbidden', role: 'alert', dataset: { testid: 'forbidden' } },
    h('strong', {}, t('common.forbidden')),
    h('p', {}, t('common.forbiddenDetail')));
}

export function failure(error) {
  return h('p', { class: 'error', role: 'alert' }, t('common.error', { message: error.message }));
}

/** The region codes from the province down to code (37 → 3704 → 370406 → 370406001). */
export function ancestry(code) {
  return [2, 4, 6, 9].filter(n => n <= code.length).map(n => code.slice(0, n));
}

/** The division code of a resource name: regions/370406 → 370406. */
export const codeOf = name => (name ?? '').split('/').pop();
