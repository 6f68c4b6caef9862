// A region's page: live figures (the watch stream, no reload), charts, the children's ranking,
// campaign progress, the province's direct reports, and links to what is behind the figures.
import { get, watchRegion, ApiError } from '../api.js';
import { h, table, ancestry, codeOf, forbidden } from '../dom.js';
import { t, formatTime, formatShare } from '../i18n.js';
import { escalatedThisMonth, hasChildren } from './figures.js';
import { chart, trendOption, sectorOption, levelOption } from './charts.js';

const cards = [
  ['open', f => f.open ?? 0],
  ['overdue', f => f.overdue ?? 0, true],
  ['escalated', f => escalatedThisMonth(f)],
  ['closedThisMonth', f => f.closedThisMonth ?? 0],
  ['exposed', f => f.exposed ?? 0],
  ['watchList', f => f.watchListEnterprises ?? 0],
  ['fatal', f => f.fatalAccidentsThisYear ?? 0],
];

export async function renderRegion(view, [code], { me, signal }) {
  const status = await get(`/v1/regions/${code}/status`); // a refusal ends here: nothing of the region is shown
  const figureValues = Object.fromEntries(cards.map(([key]) => [key, h('span', { class: 'value', dataset: { figure: key } })]));
  const share = h('span', { class: 'value', dataset: { figure: 'overdueShare' } });
  const summons = h('p', { class: 'error', hidden: true }, t('figure.summons'));
  const live = h('p', { class: 'live', dataset: { testid: 'live' } });
  const feed = h('section', {});
  const sectorChart = h('div', { class: 'chart', dataset: { chart: 'sector' } });
  const levelChart = h('div', { class: 'chart', dataset: { chart: 'level' } });
  const trendChart = h('div', { class: 'chart wide', dataset: { chart: 'trend' } });

  view.replaceChildren(
    h('nav', { class: 'crumbs' }, ancestry(code).filter(c => c.startsWith(me.region) && c !== code)
      .map(c => h('a', { href: `#/regions/${c}`, dataset: { crumb: c } }, c))),
    h('h1', { dataset: { testid: 'region-name' } }, status.displayName),
    live, summons,
    h('div', { class: 'cards' },
      cards.map(([key, , alert]) => h('div', { class: alert ? 'card alert' : 'card' }, figureValues[key], h('div', { class: 'label' }, t(`figure.${key}`)))),
      h('div', { class: 'card' }, share, h('div', { class: 'label' }, t('figure.overdueShare')))),
    h('div', { class: 'links' },
      h('a', { href: `#/regions/${code}/hazards`, dataset: { link: 'hazards' } }, t('region.hazards')),
      h('a', { href: `#/regions/${code}/hazards?overdue=true&orderBy=HAZARD_ORDER_BY_DEADLINE` }, t('region.overdueHazards')),
      h('a', { href: `#/regions/${code}/watchList`, dataset: { link: 'watchList' } }, t('region.watchList')),
      h('a', { href: `#/regions/${code}/escalationEvents`, dataset: { link: 'events' } }, t('region.events')),
      h('a', { href: `#/regions/${code}/circular`, dataset: { link: 'circular' } }, t('region.circular'))),
    h('div', { class: 'grid2' }, trendChart, sectorChart, levelChart),
    feed);

  const sectors = chart(sectorChart, signal);
  const levels = chart(levelChart, signal);

  // The sections counted from more than the status (ranking, campaign, trend) are drawn once,
  // then again a little after the live figures change (at most every 3 s: a busy province changes
  // many times a second).
  const trend = chart(trendChart, signal);
  const slow = h('div', {});
  view.append(slow);
  const drawSlow = async () => {
    const parts = [drawTrend(code, status.asOf, trend), campaign(code)];
    if (hasChildren(code)) parts.unshift(ranking(code));
    const sections = await Promise.all(parts.map(p => p.catch(error => {
      if (error instanceof ApiError && error.forbidden) throw error;
      return h('p', { class: 'error' }, error.message);
    })));
    if (!signal.aborted) slow.replaceChildren(...sections.filter(s => s instanceof Node));
  };
  let pending = null;
  let lastFigures = JSON.stringify(status.figures ?? {});
  signal.addEventListener('abort', () => clearTimeout(pending));

  // One function draws every live part, from the first status and from each one the stream sends.
  const show = s => {
    const f = s.figures ?? {};
    for (const [key, value] of cards) figureValues[key].textContent = value(f);
    share.textContent = formatShare(s.overdueShare);
    summons.hidden = !s.leadershipSummons;
    live.textContent = t('region.live', { time: formatTime(s.asOf) });
    sectors.setOption(sectorOption(f), true);
    levels.setOption(levelOption(f), true);
    if (code === '37') feed.replaceChildren(directReports(s.directReports ?? []));
    const figures = JSON.stringify(f);
    if (figures !== lastFigures && !pending) {
      pending = setTimeout(() => { pending = null; drawSlow().catch(() => {}); }, 3000);
    }
    lastFigures = figures;
  };
  show(status);
  // Live from here on: the stream's first line is the status now, then one per change.
  watchRegion(code, signal, show, state => {
    if (state === 'reconnecting') live.textContent = t('region.reconnecting');
  }).catch(error => { if (!signal.aborted) view.replaceChildren(error.forbidden ? forbidden() : h('p', {}, error.message)); });
  await drawSlow();
}

async function ranking(code) {
  const answer = await get(`/v1/regions/${code}/ranking`, 'key=RANKING_KEY_OVERDUE_SHARE');
  return h('section', {},
    h('h2', {}, t('region.ranking')),
    table([t('rank.rank'), t('rank.region'), t('rank.value'), t('rank.open'), t('rank.overdue')],
      (answer.entries ?? []).map(e => [e.rank, h('a', { href: `#/regions/${codeOf(e.name)}`, dataset: { child: codeOf(e.name) } }, e.displayName),
        formatShare(e.value), e.open ?? 0, e.overdue ?? 0]),
      { dataset: { testid: 'ranking' } }));
}

async function campaign(code) {
  const p = await get(`/v1/regions/${code}/campaignProgress`);
  const stock = p.stock ?? {}, increment = p.increment ?? {}, zero = p.dynamicZero ?? {};
  const target = (name, detail, achieved) => h('div', { class: 'card' },
    h('div', { class: 'label' }, t(name)), h('div', {}, detail),
    h('strong', { class: achieved ? 'notice' : 'error' }, achieved ? t('campaign.achieved') : t('campaign.notAchieved')));
  return h('section', { dataset: { testid: 'campaign' } },
    h('h2', {}, t('region.campaign')),
    h('div', { class: 'cards' },
      target('campaign.stock', t('campaign.stockDetail', { stock: stock.stock ?? 0, closed: stock.closed ?? 0, open: stock.open ?? 0, share: formatShare(stock.clearedShare) }), stock.cleared),
      target('campaign.increment', t('campaign.incrementDetail', { current: increment.foundCurrent ?? 0, previous: increment.foundPrevious ?? 0, change: increment.change ?? 0 }), (increment.change ?? 0) <= 0),
      target('campaign.zero', t('campaign.zeroDetail', { overdue: zero.overdue ?? 0 }), zero.achieved)));
}

/** Open hazards at the end of each of the last 12 months (China calendar), counted up to the
 * service's own clock (status.asOf), not the browser's. */
async function drawTrend(code, asOf, instance) {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date(asOf ?? Date.now())).split('-').map(Number);
  const months = Array.from({ length: 12 }, (_, i) => {
    const index = year * 12 + (month - 1) - (11 - i);
    return { year: Math.floor(index / 12), month: index % 12 + 1 };
  });
  const points = await Promise.all(months.map(async m => {
    const stats = await get(`/v1/regions/${code}/statistics`, `period.month.year=${m.year}&period.month.month=${m.month}`).catch(() => null);
    return { label: `${m.year}-${String(m.month).padStart(2, '0')}`, open: stats?.figures?.openAtEnd ?? 0 };
  }));
  instance.setOption(trendOption(points), true);
}

function directReports(reports) {
  return h('section', { dataset: { testid: 'direct-reports' } },
    h('h2', {}, t('region.directReports')),
    reports.length === 0 ? h('p', {}, t('common.none')) : table(
      [t('direct.time'), t('direct.kind'), t('direct.enterprise'), t('direct.summary')],
      reports.map(r => [formatTime(r.receiveTime), t(r.kind),
        r.kind === 'DIRECT_REPORT_KIND_NEW_MAJOR_HAZARD' ? h('a', { href: `#/${r.id}` }, r.enterpriseDisplayName) : r.enterpriseDisplayName,
        r.summary ?? ''])));
}
