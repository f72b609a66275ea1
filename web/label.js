// The "To label" page: GET /api/label-queue (alerts without a verdict, the
// ones the models are least sure about first) with a verdict button per
// row. Servers without the route answer 501: the page says so.
import {api, query} from './api.js';
import {h, replace, errorBox, VERDICTS} from './dom.js';
import {A, alertRow, alertTable} from './alerts.js';

export async function labelView(root, ctx) {
  const engine = ctx.params.get('engine') || '';
  const body = h('div', null, h('p', {class: 'muted'}, 'loading…'));
  root.append(h('h1', null, 'To label'),
    h('p', {class: 'muted'}, 'Alerts nobody has judged yet, the ones the models are least sure about first. ' +
      'Verdicts train the learning engines.'), body);
  let page;
  try {
    page = await api('/api/label-queue' + query({engine, limit: 100}));
  } catch (e) {
    if (!ctx.isCurrent()) return null;
    if (e.status === 501 || e.status === 404) {
      replace(body, h('p', {class: 'empty'}, 'This server has no label queue yet (' + e.status + '). ',
        h('a', {href: '#/alerts?verdict=none'}, 'Alerts without a verdict'), ' lists the same alerts in time order.'));
    } else {
      replace(body, errorBox(e));
    }
    return null;
  }
  if (!ctx.isCurrent()) return null;
  const alerts = Array.isArray(page && page.alerts) ? page.alerts : [];
  if (!alerts.length) {
    replace(body, h('p', {class: 'empty'}, 'Nothing to label: every alert has a verdict.'));
    return null;
  }
  const {table, tbody} = alertTable(['Uncertainty', 'Verdict']);
  for (const a of alerts) {
    const cell = h('span', {class: 'quick'});
    const buttons = VERDICTS.map(([v, label]) => h('button', {type: 'button', class: `small vbtn v-${v}`, title: label,
      on: {click: async () => {
        for (const b of buttons) b.disabled = true;
        try {
          const rec = await api(`/api/alerts/${encodeURIComponent(A.id(a))}/feedback`, {method: 'POST', body: {verdict: v}});
          replace(cell, h('span', {class: 'ok'}, rec.verdict.replace('_', ' ')));
        } catch (e) {
          replace(cell, errorBox(e));
        }
      }}}, label));
    cell.append(...buttons);
    const u = typeof a.uncertainty === 'number' ? a.uncertainty.toFixed(2) : '—';
    tbody.append(alertRow(a, [h('span', {class: 'num'}, u), cell]));
  }
  replace(body, table);
  return null;
}
