// A region's watch list and escalation events, paged with page tokens kept in the URL.
import { get } from '../api.js';
import { h, table } from '../dom.js';
import { t, formatTime } from '../i18n.js';

async function paged(view, code, query, kind, title, columns, rowsOf) {
  const api = new URLSearchParams({ pageSize: '50' });
  if (query.get('pageToken')) api.set('pageToken', query.get('pageToken'));
  const [status, page] = await Promise.all([get(`/v1/regions/${code}/status`), get(`/v1/regions/${code}/${kind}`, api.toString())]);
  const rows = rowsOf(page);
  view.replaceChildren(
    h('nav', { class: 'crumbs' }, h('a', { href: `#/regions/${code}` }, status.displayName)),
    h('h1', {}, t(title, { region: status.displayName })),
    rows.length === 0 ? h('p', {}, t('common.none')) : table(columns, rows, { dataset: { testid: kind } }),
    page.nextPageToken ? h('p', {}, h('a', { href: `#/regions/${code}/${kind}?pageToken=${encodeURIComponent(page.nextPageToken)}` }, t('common.next'))) : null);
}

export function renderWatchList(view, [code], { query }) {
  return paged(view, code, query, 'watchList', 'watch.title',
    [t('col.enterprise'), t('col.town'), t('watch.exposed'), t('watch.overdue'), t('watch.fatal')],
    page => (page.entries ?? []).map(e => [e.enterprise.replace(/^enterprises\//, ''), e.town, e.exposed ? t('hazards.yes') : t('hazards.no'),
      e.overdueHazards ?? 0, e.fatalAccidentsThisYear ?? 0]));
}

export function renderEscalationEvents(view, [code], { query }) {
  return paged(view, code, query, 'escalationEvents', 'events.title',
    [t('col.hazard'), t('col.town'), t('events.step'), t('events.due'), t('events.fired')],
    page => (page.events ?? []).map(e => [h('a', { href: `#/${e.hazard}` }, e.hazard.replace(/^enterprises\//, '')), e.town, t(e.step),
      formatTime(e.dueTime), formatTime(e.fireTime)]));
}
