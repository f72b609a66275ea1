// The Status page: /api/stats every 5 s (the server's responses, the
// store's rows, and when the server runs beside a pipeline its live
// figures and the engines' models), plus what the store's alerts say about
// each engine.
import {api, pageAll} from './api.js';
import {h, replace, fmtNum, fmtBytes, fmtDuration, fmtTime, errorBox} from './dom.js';
import {A} from './alerts.js';

const REFRESH_MS = 5000;

function kvTable(rows, cls) {
  return h('table', {class: ['kvt', cls]}, h('tbody', null,
    rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', {class: 'num'}, v)))));
}

function serverCard(st) {
  const r = st.responses || {};
  return h('section', {class: 'card'}, h('h2', null, 'Server'),
    kvTable([
      ['Up for', fmtDuration(st.uptime_s)],
      ['2xx responses', fmtNum(r['2xx'])],
      ['3xx responses', fmtNum(r['3xx'])],
      ['4xx responses', fmtNum(r['4xx'])],
      ['5xx responses', fmtNum(r['5xx'])],
    ], 'server'));
}

function storeCard(st) {
  const rows = Object.entries(st.store || {}).map(([k, v]) => [k, fmtNum(v)]);
  return h('section', {class: 'card'}, h('h2', null, 'Store rows'),
    rows.length ? kvTable(rows, 'store') : h('p', {class: 'muted'}, 'not reported'));
}

function pipelineCard(p) {
  const card = h('section', {class: 'card pipeline'}, h('h2', null, 'Pipeline'));
  if (!p || typeof p !== 'object') {
    card.append(h('p', {class: 'muted'}, p === null
      ? 'No pipeline in this process: the server only serves the store.'
      : 'This server does not report pipeline figures.'));
    return card;
  }
  card.append(h('p', null, h('span', {class: p.running ? 'pill on' : 'pill off'}, p.running ? 'running' : 'stopped'),
    ` for ${fmtDuration(p.seconds)}`));
  card.append(kvTable([
    ['Packets', fmtNum(p.packets)], ['Bytes', fmtBytes(p.bytes)], ['Flows', fmtNum(p.flows)],
    ['Alerts', fmtNum(p.alerts)], ['Packets/s', fmtNum(p.packets_per_s, 1)], ['Alerts/s', fmtNum(p.alerts_per_s, 2)],
    ['Dropped', fmtNum(p.dropped)], ['Decode errors', fmtNum(p.decode_errors)], ['Store errors', fmtNum(p.store_errors)],
  ], 'figures'));
  const qs = Array.isArray(p.queues) ? p.queues : [];
  if (qs.length) {
    card.append(h('table', {class: 'queues'},
      h('thead', null, h('tr', null, ['Queue', 'Depth', 'Fill'].map((t) => h('th', null, t)))),
      h('tbody', null, qs.map((q) => h('tr', null,
        h('td', null, String(q.name)),
        h('td', {class: 'num'}, `${fmtNum(q.depth)} / ${fmtNum(q.capacity)}`),
        h('td', null, h('meter', {min: 0, max: Math.max(1, Number(q.capacity) || 1), value: Number(q.depth) || 0,
          high: 0.8 * (Number(q.capacity) || 1)})))))));
  }
  return card;
}

// One row per engine: what the server reports (summary, learning, model
// versions) joined with what the store's alerts say (count, latest).
function enginesCard(reported, fromAlerts) {
  const names = new Set([...(reported || []).map((e) => String(e.name)), ...fromAlerts.byEngine.keys()]);
  const card = h('section', {class: 'card engines'}, h('h2', null, 'Engines'));
  if (!names.size) {
    card.append(h('p', {class: 'muted'}, 'No engine reported by the server and no alert in the store yet.'));
    return card;
  }
  const rows = [...names].sort().map((name) => {
    const e = (reported || []).find((x) => String(x.name) === name) || null;
    const seen = fromAlerts.byEngine.get(name);
    const m = e && e.model ? e.model : null;
    const nv = m ? (Array.isArray(m.versions) ? m.versions.length : Number(m.versions)) : NaN;
    const model = !e ? '—' : !e.learns ? 'does not learn'
      : m ? `${m.loaded ? `${m.loaded} loaded` : 'none loaded'}${m.current && m.current !== m.loaded ? `, current ${m.current}` : ''}` +
        (Number.isFinite(nv) ? `, ${nv} version${nv === 1 ? '' : 's'}` : '')
        : 'no model';
    return h('tr', {class: 'engine-row', dataset: {engine: name}},
      h('td', null, h('strong', null, name)),
      h('td', null, e && e.summary ? String(e.summary) : e ? '' : h('span', {class: 'muted'}, 'seen in alerts')),
      h('td', null, !e || e.enabled === undefined ? '—' : e.enabled ? 'yes' : 'no'),
      h('td', null, e ? (e.learns ? 'yes' : 'no') : '—'),
      h('td', null, model),
      h('td', {class: 'num'}, seen ? `${fromAlerts.complete ? '' : '≥ '}${fmtNum(seen.n)}` : '0'),
      h('td', null, seen ? fmtTime(seen.last) : '—'));
  });
  card.append(h('table', {class: 'engines'},
    h('thead', null, h('tr', null, ['Engine', 'Summary', 'Running', 'Learns', 'Model', 'Alerts', 'Latest alert'].map((t) => h('th', null, t)))),
    h('tbody', null, rows)));
  if (!reported) card.append(h('p', {class: 'muted small'}, 'This server does not report engine status; rows come from the stored alerts.'));
  return card;
}

async function alertSummary() {
  const {alerts, complete} = await pageAll('/api/alerts', {}, {limit: 1000, maxPages: 5});
  const byEngine = new Map();
  for (const a of alerts) {
    const e = byEngine.get(A.engine(a)) || {n: 0, last: ''};
    e.n++;
    if (A.time(a) > e.last) e.last = A.time(a);
    byEngine.set(A.engine(a), e);
  }
  return {byEngine, complete};
}

export async function statusView(root, ctx) {
  const grid = h('div', {class: 'status-grid'}, h('p', {class: 'muted'}, 'loading…'));
  const stamp = h('p', {class: 'muted small'});
  root.append(h('h1', null, 'Status'), stamp, grid);
  let summary = {byEngine: new Map(), complete: true};
  let summaryAt = 0;
  let timer = null;

  async function refresh() {
    try {
      if (Date.now() - summaryAt > 30000) { summary = await alertSummary(); summaryAt = Date.now(); }
      const st = await api('/api/stats');
      if (!ctx.isCurrent()) return;
      replace(grid, enginesCard(Array.isArray(st.engines) ? st.engines : null, summary),
        pipelineCard(st.pipeline), serverCard(st), storeCard(st));
      stamp.textContent = `Updated ${fmtTime(new Date())}; refreshed every ${REFRESH_MS / 1000} s.`;
    } catch (e) {
      if (ctx.isCurrent()) replace(grid, errorBox(e));
    }
    if (ctx.isCurrent()) timer = setTimeout(refresh, REFRESH_MS);
  }
  await refresh();
  return () => { if (timer) clearTimeout(timer); timer = null; };
}
