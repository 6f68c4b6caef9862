// A region's hazard list with ListHazards' filters, paged with page tokens. The filters and the
// page token live in the URL (#/regions/{code}/hazards?state=…&pageToken=…), so a page is a bookmark.
import { get } from '../api.js';
import { h, table } from '../dom.js';
import { t, formatTime } from '../i18n.js';

const states = ['HAZARD_STATE_REGISTERED', 'HAZARD_STATE_RECTIFYING', 'HAZARD_STATE_AWAITING_VERIFICATION', 'HAZARD_STATE_CLOSED', 'HAZARD_STATE_WITHDRAWN', 'HAZARD_STATE_INVALID'];
const sectors = ['SECTOR_CHEMICALS', 'SECTOR_COAL_MINING', 'SECTOR_NON_COAL_MINING', 'SECTOR_INDUSTRY_TRADE', 'SECTOR_FIRE_SAFETY', 'SECTOR_TRANSPORT',
  'SECTOR_CONSTRUCTION', 'SECTOR_GAS', 'SECTOR_MARITIME', 'SECTOR_SPECIAL_EQUIPMENT', 'SECTOR_FIREWORKS', 'SECTOR_CIVIL_EXPLOSIVES',
  'SECTOR_DUST_EXPLOSION', 'SECTOR_AMMONIA_REFRIGERATION'];
const levels = ['SUPERVISION_LEVEL_COUNTY', 'SUPERVISION_LEVEL_CITY', 'SUPERVISION_LEVEL_PROVINCE'];
const steps = ['ESCALATION_STEP_DEADLINE_WARNING', 'ESCALATION_STEP_WARNING_LETTER', 'ESCALATION_STEP_CIRCULAR', 'ESCALATION_STEP_SUMMONS', 'ESCALATION_STEP_PUBLIC_EXPOSURE', 'ESCALATION_STEP_ACCIDENT_INVESTIGATION'];
const orders = ['HAZARD_ORDER_BY_DEADLINE', 'HAZARD_ORDER_BY_FOUND_TIME', 'HAZARD_ORDER_BY_NAME'];

// The console's URL parameter → the API's query parameter (proto field path).
const filterParameters = {
  state: 'filter.states', sector: 'filter.sectors', level: 'filter.supervisionLevels', overdue: 'filter.overdue',
  stock: 'filter.stock', minStep: 'filter.minEscalationStep', orderBy: 'orderBy', pageToken: 'pageToken',
};

export async function renderHazards(view, [code], { query }) {
  // 50 a page unless the address says otherwise (the API caps it at 500).
  const api = new URLSearchParams({ pageSize: query.get('pageSize') || '50' });
  for (const [name, value] of query) if (filterParameters[name] && value) api.append(filterParameters[name], value);
  const [status, page] = await Promise.all([get(`/v1/regions/${code}/status`), get(`/v1/regions/${code}/hazards`, api.toString())]);

  const rows = (page.hazards ?? []).map(z => [
    h('a', { href: `#/${z.name}`, dataset: { hazard: z.name } }, z.name.replace(/^enterprises\//, '')),
    z.enterpriseDisplayName ?? '', z.location ?? '', t(z.sector), t(z.state), formatTime(z.deadline), t(z.supervisionLevel), formatTime(z.foundTime)]);
  const next = new URLSearchParams(query);
  next.set('pageToken', page.nextPageToken ?? '');
  const first = new URLSearchParams(query);
  first.delete('pageToken');

  view.replaceChildren(
    h('h1', {}, t('hazards.title', { region: status.displayName })),
    filters(code, query),
    h('p', { dataset: { testid: 'total' } }, t('common.total', { n: page.totalSize ?? 0 })),
    rows.length === 0 ? h('p', {}, t('hazards.empty')) : table(
      [t('col.hazard'), t('col.enterprise'), t('col.location'), t('col.sector'), t('col.state'), t('col.deadline'), t('col.level'), t('col.found')],
      rows, { dataset: { testid: 'hazards' } }),
    h('p', { class: 'links' },
      query.get('pageToken') ? h('a', { href: `#/regions/${code}/hazards?${first}` }, t('common.first')) : null,
      page.nextPageToken ? h('a', { href: `#/regions/${code}/hazards?${next}`, dataset: { link: 'next' } }, t('common.next')) : null));
}

function select(name, label, values, query, multiple = false) {
  const chosen = new Set(query.getAll(name));
  return h('label', {}, label, h('select', { name, multiple },
    multiple ? null : h('option', { value: '' }, t('hazards.any')),
    values.map(([value, text]) => h('option', { value, selected: chosen.has(value) }, text))));
}

function filters(code, query) {
  const named = list => list.map(v => [v, t(v)]);
  const form = h('form', { class: 'filters', dataset: { testid: 'filters' } },
    select('state', t('hazards.state'), named(states), query, true),
    select('sector', t('hazards.sector'), named(sectors), query, true),
    select('level', t('hazards.level'), named(levels), query, true),
    select('overdue', t('hazards.overdue'), [['true', t('hazards.yes')], ['false', t('hazards.no')]], query),
    select('stock', t('hazards.stock'), [['true', t('hazards.stockYes')], ['false', t('hazards.stockNo')]], query),
    select('minStep', t('hazards.minStep'), named(steps), query),
    select('orderBy', t('hazards.order'), named(orders), query),
    h('button', { type: 'submit' }, t('hazards.apply')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    // A new filter starts a new listing: no page token.
    const chosen = new URLSearchParams();
    if (query.get('pageSize')) chosen.set('pageSize', query.get('pageSize'));
    for (const element of form.querySelectorAll('select')) {
      for (const option of element.selectedOptions) if (option.value) chosen.append(element.name, option.value);
    }
    location.hash = `#/regions/${code}/hazards?${chosen}`;
  });
  return form;
}
