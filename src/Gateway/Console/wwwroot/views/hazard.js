// One hazard: its record, trail, three-party confirmations, ladder and notifications, and the
// supervisor decisions (extend the deadline, raise the supervision level). The API makes every
// check; a refusal's message is shown as the API words it.
import { get, post, requestId } from '../api.js';
import { h, table } from '../dom.js';
import { t, formatTime } from '../i18n.js';

export async function renderHazard(view, [creditCode, number], context) {
  const name = `enterprises/${creditCode}/hazards/${number}`;
  const [hazard, notices] = await Promise.all([get(`/v1/${name}`), get(`/v1/enterprises/${creditCode}/notifications`)]);
  const mine = (notices.notifications ?? []).filter(n => n.hazard === name);
  const ladder = hazard.ladder ?? {};

  view.replaceChildren(
    h('nav', { class: 'crumbs' }, h('a', { href: `#/regions/${hazard.town}` }, hazard.town)),
    h('h1', { dataset: { testid: 'hazard-name' } }, t('hazard.title', { name: `${hazard.enterpriseDisplayName ?? ''} #${number}` })),
    h('h2', {}, t('hazard.record')),
    h('dl', { class: 'record', dataset: { testid: 'record' } },
      field('hazard.enterprise', `${hazard.enterpriseDisplayName ?? ''} (${creditCode})`),
      field('col.state', t(hazard.state), 'state'),
      field('col.sector', t(hazard.sector)),
      field('col.level', t(hazard.supervisionLevel), 'level'),
      field('col.deadline', formatTime(hazard.deadline), 'deadline'),
      field('hazard.extension', t('hazard.extensionDays', { days: Math.round((hazard.totalExtensionDays ?? 0) * 10) / 10 })
        + (hazard.pendingExtension ? ' ' + t('hazard.pendingExtension', { deadline: formatTime(hazard.pendingExtension.deadline), reason: hazard.pendingExtension.reason ?? '' }) : ''), 'extension'),
      field('hazard.ladderVersion', String(hazard.ladderVersion || 1)),
      field('hazard.criterion', hazard.criterion),
      field('col.location', hazard.location),
      field('hazard.description', hazard.description),
      field('hazard.channels', (hazard.channels ?? []).map(c => t(c)).join('、')),
      field('col.found', formatTime(hazard.foundTime)),
      field('hazard.register', formatTime(hazard.registerTime)),
      field('hazard.stockLabel', hazard.stock ? t('hazards.stockYes') : t('hazards.stockNo')),
      field('hazard.plan', hazard.plan ?? ''),
      field('hazard.progress', `${hazard.progressPercent ?? 0}%`)),
    h('h2', {}, t('hazard.ladder')),
    h('div', { dataset: { testid: 'ladder' } },
      h('strong', {}, t('hazard.fired')),
      (hazard.escalations ?? []).length === 0 ? h('p', {}, t('common.none')) : table([t('events.step'), t('events.due'), t('events.fired')],
        hazard.escalations.map(e => [t(e.step), formatTime(e.dueTime), formatTime(e.fireTime)])),
      h('p', {}, ladder.nextStep && ladder.nextStep !== 'ESCALATION_STEP_UNSPECIFIED'
        ? t('hazard.next', { step: t(ladder.nextStep), due: formatTime(ladder.nextDueTime) })
          + (ladder.nextDueProvisional ? ' ' + t('hazard.provisional') : '') : t('hazard.noNext'))),
    h('h2', { id: 'trail' }, t('hazard.trail')),
    table([t('trail.time'), t('trail.actor'), t('trail.action'), t('trail.detail')],
      (hazard.trail ?? []).map(e => [formatTime(e.time), e.actor, t(e.action), e.detail ?? '']), { dataset: { testid: 'trail' } }),
    h('h2', {}, t('hazard.confirmations')),
    (hazard.confirmations ?? []).length === 0 ? h('p', {}, t('common.none')) : table(
      [t('confirm.party'), t('confirm.name'), t('confirm.time')],
      hazard.confirmations.map(c => [t(c.party), c.name, formatTime(c.confirmTime)])),
    h('h2', {}, t('hazard.notifications')),
    mine.length === 0 ? h('p', {}, t('common.none')) : table(
      [t('notice.time'), t('notice.kind'), t('notice.recipient'), t('notice.message'), t('notice.delivery')],
      mine.map(n => [formatTime(n.createTime), t(n.kind), `${t(n.recipientRole)} ${n.recipientName ?? ''}`, n.message ?? '', delivery(n.delivery)]),
      { dataset: { testid: 'notifications' } }),
    h('h2', {}, t('hazard.decisions')),
    extendForm(hazard, view, [creditCode, number], context),
    raiseForm(hazard, view, [creditCode, number], context));
}

// Proof of notification: where the notice stands, with the time that says the most (delivered,
// else accepted by the gateway, else the latest attempt), and why a dead letter failed.
const delivery = d => !d ? t('notice.notSent')
  : `${t(d.state)} ${formatTime(d.deliveryTime ?? d.acceptTime ?? d.lastAttemptTime)}`
    + (d.state === 'DELIVERY_STATE_UNDELIVERED' && d.lastError ? ` (${d.lastError})` : '');

const field = (label, value, testid) => [h('dt', {}, t(label)), h('dd', { dataset: testid ? { field: testid } : {} }, value ?? '')];

/** A decision form: posts, then shows the hazard again with a note, or the API's refusal in place. */
function decision(testid, title, fields, submit, send, again) {
  const message = h('p', { role: 'alert', dataset: { testid: `${testid}-message` } });
  const form = h('form', { class: 'decision', dataset: { testid } }, h('strong', {}, t(title)), fields, h('button', { type: 'submit' }, t(submit)), message);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    message.className = '';
    message.textContent = '';
    try {
      await send(new FormData(form));
      await again();
    } catch (error) {
      message.className = 'error';
      message.textContent = error.message;
    }
  });
  return form;
}

const reasonFields = me => [
  h('label', {}, t('decision.reason'), h('textarea', { name: 'reason', required: true })),
  h('label', {}, t('decision.decidedBy'), h('input', { name: 'decidedBy', required: true, value: me.userName })),
];

function extendForm(hazard, view, route, context) {
  return decision('extend', 'decision.extend',
    [h('label', {}, t('decision.newDeadline'), h('input', { type: 'date', name: 'deadline', required: true })), ...reasonFields(context.me)],
    'decision.submitExtend',
    data => post(`/v1/${hazard.name}:extendDeadline`, {
      // The end of the chosen day, China time.
      deadline: new Date(`${data.get('deadline')}T23:59:59+08:00`).toISOString(),
      reason: data.get('reason'), decidedBy: data.get('decidedBy'), requestId: requestId(),
    }),
    () => done(view, route, context));
}

function raiseForm(hazard, view, route, context) {
  return decision('raise', 'decision.raise', reasonFields(context.me), 'decision.submitRaise',
    data => post(`/v1/${hazard.name}:raiseSupervisionLevel`, { reason: data.get('reason'), decidedBy: data.get('decidedBy'), requestId: requestId() }),
    () => done(view, route, context));
}

async function done(view, route, context) {
  await renderHazard(view, route, context);
  view.prepend(h('p', { class: 'notice', role: 'status', dataset: { testid: 'saved' } }, t('decision.done')));
}
