// The console's router: hash routes, so every page is a bookmarkable URL served by the one page
// /console/. Each route renders into <main>; leaving a route aborts its work (the watch stream).
import { get, getEarly, ApiError } from './api.js';
import { t, language, switchLanguage } from './i18n.js';
import { forbidden, failure, h } from './dom.js';
import { renderTree } from './views/tree.js';
import { renderRegion } from './views/region.js';
import { renderHazards } from './views/hazards.js';
import { renderHazard } from './views/hazard.js';
import { renderWatchList, renderEscalationEvents } from './views/lists.js';
import { renderCircular } from './views/circular.js';

const routes = [
  [/^\/tree$/, renderTree],
  [/^\/regions\/(\d{2,9})$/, renderRegion],
  [/^\/regions\/(\d{2,9})\/hazards$/, renderHazards],
  [/^\/regions\/(\d{2,9})\/watchList$/, renderWatchList],
  [/^\/regions\/(\d{2,9})\/escalationEvents$/, renderEscalationEvents],
  [/^\/regions\/(\d{2,9})\/circular$/, renderCircular],
  [/^\/enterprises\/([0-9A-Z]{18})\/hazards\/(\d+)$/, renderHazard],
];

let current = null;

async function route(me) {
  current?.abort();
  current = new AbortController();
  const signal = current.signal;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const view = document.getElementById('view');
  if (!path || path === '/') {
    location.replace(`#/regions/${me.region}`);
    return;
  }
  const match = routes.map(([pattern, render]) => [path.match(pattern), render]).find(([m]) => m);
  if (!match) {
    view.replaceChildren(h('p', {}, '404'));
    return;
  }
  const [groups, render] = match;
  view.replaceChildren(h('p', {}, t('common.loading')));
  try {
    await render(view, groups.slice(1), { me, signal, query: new URLSearchParams(query) });
  } catch (error) {
    if (signal.aborted) return;
    // Outside the account's region the server refuses; the page then shows that and nothing else.
    view.replaceChildren(error instanceof ApiError && error.forbidden ? forbidden() : failure(error));
  }
}

function translateStatic() {
  document.documentElement.lang = language();
  document.title = `${t('app.title')} · HazardGrid`;
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  document.getElementById('lang').textContent = t('nav.language');
}

async function start() {
  // A region's page (the usual first page) needs its status: ask for it alongside the account.
  const region = location.hash.match(/^#\/regions\/(\d{2,9})$/);
  if (region) getEarly(`/v1/regions/${region[1]}/status`);
  const me = await get('/console/me');
  document.getElementById('who').textContent = me.userName;
  document.getElementById('nav-home').href = `#/regions/${me.region}`;
  document.getElementById('lang').addEventListener('click', () => {
    switchLanguage();
    translateStatic();
    route(me);
  });
  translateStatic();
  window.addEventListener('hashchange', () => route(me));
  await route(me);
}

start();
