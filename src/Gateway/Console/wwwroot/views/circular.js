// The monthly circular (月通报) of a region: pick a month (the previous one by default, by the
// service's clock), see its headline figures and the children's ranking, and download the
// document itself (HTML, CSV, PDF) from the API's export route, which takes the session cookie.
import { get } from '../api.js';
import { h, table } from '../dom.js';
import { t, formatShare } from '../i18n.js';

/** The month before the one `instant` falls in, China time, as YYYY-MM. */
function previousMonth(instant) {
  const china = new Date(new Date(instant).getTime() + 8 * 3600 * 1000);
  const year = china.getUTCFullYear();
  const month = china.getUTCMonth(); // 0-based: the previous month's 1-based number
  return month === 0 ? `${year - 1}-12` : `${year}-${String(month).padStart(2, '0')}`;
}

export async function renderCircular(view, [code]) {
  const status = await get(`/v1/regions/${code}/status`); // refuses outside the account's region
  const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('month') ?? previousMonth(status.asOf);
  const picker = h('input', { type: 'month', value: wanted, dataset: { testid: 'circular-month' } });
  const body = h('section', { dataset: { testid: 'circular' } }, t('common.loading'));
  picker.addEventListener('change', () => { if (picker.value) location.hash = `#/regions/${code}/circular?month=${picker.value}`; });

  view.replaceChildren(
    h('p', {}, h('a', { href: `#/regions/${code}` }, status.displayName)),
    h('h1', {}, t('circular.title', { region: status.displayName })),
    h('label', {}, t('circular.month'), ' ', picker),
    body);

  let circular;
  try {
    circular = await get(`/v1/regions/${code}/circulars/${wanted}`);
  } catch (error) {
    body.replaceChildren(h('p', { class: 'error' }, t('common.error', { message: error.message })));
    return;
  }

  const figures = circular.statistics?.figures ?? {};
  const exportLink = format => h('a', {
    href: `/v1/regions/${code}/circulars/${wanted}:export?format=${format}`,
    dataset: { download: format },
  }, t(`circular.download.${format}`));
  body.replaceChildren(
    h('div', { class: 'links' }, exportLink('html'), exportLink('csv'), exportLink('pdf')),
    table([t('circular.found'), t('circular.closed'), t('circular.closureRate'), t('circular.openAtEnd'), t('circular.overdueAtEnd'), t('circular.steps'), t('circular.deaths')],
      [[figures.found ?? 0, figures.closed ?? 0, formatShare(figures.closureRate ?? 1), figures.openAtEnd ?? 0, figures.overdueAtEnd ?? 0,
        (figures.warningLetters ?? 0) + (figures.circulars ?? 0) + (figures.summons ?? 0) + (figures.exposures ?? 0) + (figures.investigations ?? 0),
        circular.deaths ?? 0]],
      { dataset: { testid: 'circular-figures' } }),
    ...((circular.ranking ?? []).length === 0 ? [] : [h('h2', {}, t('circular.ranking')), table(
      [t('rank.rank'), t('rank.region'), t('rank.value'), t('circular.closureRate'), t('circular.overdueAtEnd')],
      circular.ranking.map(r => [r.rank, r.displayName, formatShare(r.overdueShare ?? 0), formatShare(r.figures?.closureRate ?? 1), r.figures?.overdueAtEnd ?? 0]))]),
    h('p', {}, t('circular.lists', { overdue: (circular.overdueHazards ?? []).length, escalated: (circular.escalatedHazards ?? []).length })));
}
