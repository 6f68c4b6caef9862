// The monthly circular (月通报) is a later piece of work; its place in the console is kept here so
// region pages can link to it already.
import { get } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

export async function renderCircular(view, [code]) {
  const status = await get(`/v1/regions/${code}/status`); // refuses outside the account's region
  view.replaceChildren(
    h('h1', {}, t('circular.title', { region: status.displayName })),
    h('p', { dataset: { testid: 'circular-coming' } }, t('circular.coming')),
    h('p', {}, h('a', { href: `#/regions/${code}` }, status.displayName)));
}
