// The region tree from the account's own region down to the towns. Children are loaded when a
// node is opened (ListRegionRanking names them with their open and overdue counts); each child's
// escalations come from its status, filled in as they arrive.
import { get } from '../api.js';
import { h, codeOf } from '../dom.js';
import { t, formatShare } from '../i18n.js';
import { escalatedThisMonth, shareClass, hasChildren } from './figures.js';

export async function renderTree(view, _, { me, signal }) {
  const root = await get(`/v1/regions/${me.region}/status`);
  const list = h('ul', {});
  list.append(node(me.region, root.displayName, root.figures?.open ?? 0, root.figures?.overdue ?? 0, root.overdueShare, signal, root));
  view.replaceChildren(h('h1', {}, t('tree.title')), h('p', { class: 'counts' }, t('tree.hint')), h('div', { class: 'tree' }, list));
}

function node(code, name, open, overdue, share, signal, status) {
  const escalated = h('span', { dataset: { figure: 'escalated' } }, status ? escalatedThisMonth(status.figures) : '…');
  const children = h('ul', { hidden: true });
  let loaded = false;
  const toggle = hasChildren(code)
    ? h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'false', title: t('tree.expand'), dataset: { expand: code } }, '▸')
    : h('span', { class: 'toggle' });
  if (hasChildren(code)) {
    toggle.addEventListener('click', async () => {
      const opening = children.hidden;
      children.hidden = !opening;
      toggle.textContent = opening ? '▾' : '▸';
      toggle.setAttribute('aria-expanded', String(opening));
      if (opening && !loaded) {
        loaded = true;
        await loadChildren(code, children, signal);
      }
    });
  }
  if (!status) {
    get(`/v1/regions/${code}/status`).then(s => { escalated.textContent = escalatedThisMonth(s.figures); }, () => { escalated.textContent = '—'; });
  }
  return h('li', { dataset: { region: code } },
    h('span', { class: `node ${shareClass(share)}` },
      toggle,
      h('a', { href: `#/regions/${code}` }, name),
      h('span', { class: 'counts' },
        `${t('figure.open')} `, h('span', { dataset: { figure: 'open' } }, open),
        ` · ${t('figure.overdue')} `, h('span', { dataset: { figure: 'overdue' } }, overdue),
        ` (${formatShare(share)}) · ${t('figure.escalated')} `, escalated)),
    children);
}

async function loadChildren(code, into, signal) {
  const ranking = await get(`/v1/regions/${code}/ranking`, 'key=RANKING_KEY_OVERDUE_SHARE');
  // Division order reads better in a tree than rank order.
  const entries = [...(ranking.entries ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  into.replaceChildren(...entries.map(e => node(codeOf(e.name), e.displayName, e.open ?? 0, e.overdue ?? 0, e.value ?? 0, signal)));
}
