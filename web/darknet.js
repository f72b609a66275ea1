// The Darknet page: per-port time series from /api/darknet/series for the
// ports with outbreak alerts (or any port picked), with the outbreak
// alerts marked at their times.
import {api, pageAll, query} from './api.js';
import {h, replace, route, fmtNum, fmtTime, errorBox, parseTime} from './dom.js';
import {A} from './alerts.js';
import {lineChart} from './chart.js';

const MAX_CHARTS = 6;
const MARGIN_S = 6 * 3600; // series shown this long before the first alert and after the last
const KEY_RE = /^(tcp|udp|icmp|icmp6)\/(\d{1,5})$/;

function seriesPath(key, from, to) {
  const p = {limit: 20160};
  const m = KEY_RE.exec(key);
  if (m) { p.proto = m[1]; p.port = m[2]; } else p.proto = 'all';
  if (from !== undefined) { p.from = from; p.to = to; }
  return '/api/darknet/series' + query(p);
}

function secs(a) {
  const d = parseTime(A.time(a));
  return d ? Math.floor(d.getTime() / 1000) : null;
}

async function chartCard(key, alerts, metric, pickedOnly) {
  const mine = key === 'all' ? alerts : alerts.filter((a) => A.subject(a) === key);
  const times = (mine.length ? mine : pickedOnly ? [] : alerts).map(secs).filter((x) => x !== null);
  let from, to;
  if (times.length) { from = Math.max(0, Math.min(...times) - MARGIN_S); to = Math.max(...times) + MARGIN_S; }
  const body = h('div', {class: 'chart-body'}, h('p', {class: 'muted'}, 'loading…'));
  const card = h('section', {class: 'card chart-card', dataset: {key}},
    h('h2', null, key === 'all' ? 'Telescope totals' : key, ' ',
      h('span', {class: 'muted'}, mine.length ? `${mine.length} outbreak alert${mine.length === 1 ? '' : 's'}` : 'no outbreak alerts')),
    body);
  try {
    const res = await api(seriesPath(key, from, to));
    const pts = (res.points || []).map((p) => {
      const d = parseTime(p.time);
      const v = p.value && typeof p.value[metric] === 'number' ? p.value[metric] : NaN;
      return {t: d ? d.getTime() : NaN, v};
    });
    const metrics = res.points && res.points.length && res.points[0].value
      ? Object.keys(res.points[0].value).filter((k) => typeof res.points[0].value[k] === 'number') : [];
    if (!pts.length) {
      replace(body, h('p', {class: 'empty'}, `No series stored for ${key}` +
        (from !== undefined ? ' around its alerts.' : '.')));
      return card;
    }
    const markers = mine.map((a) => ({
      t: parseTime(A.time(a)).getTime(), sev: A.severity(a), href: route('alert', A.id(a)),
      label: `${fmtTime(A.time(a))} ${A.title(a)}`,
    }));
    const peak = Math.max(...pts.map((p) => (Number.isFinite(p.v) ? p.v : 0)));
    replace(body,
      lineChart({points: pts, markers, label: metric, title: `${key}: ${metric} per bin`}),
      h('p', {class: 'muted small'}, `${fmtNum(pts.length)} bins, ${fmtTime(new Date(pts[0].t))} to ` +
        `${fmtTime(new Date(pts[pts.length - 1].t))}; peak ${fmtNum(peak)} ${metric}` +
        (metrics.length && !metrics.includes(metric) ? ` (this series has: ${metrics.join(', ')})` : '') + '.'));
  } catch (e) {
    replace(body, errorBox(e));
  }
  return card;
}

export async function darknetView(root, ctx) {
  const picked = ctx.params.get('port') || '';
  const metric = ctx.params.get('metric') || 'sources';
  const go = (port, m) => {
    const q = new URLSearchParams();
    if (port) q.set('port', port);
    if (m && m !== 'sources') q.set('metric', m);
    const qs = q.toString();
    location.hash = '#/darknet' + (qs ? '?' + qs : '');
  };
  const pickerSlot = h('div');
  const charts = h('div', {class: 'charts'});
  const note = h('p', {class: 'muted'});
  root.append(h('h1', null, 'Darknet'), pickerSlot, note, charts);

  let alerts = [];
  try {
    ({alerts} = await pageAll('/api/alerts', {kind: 'darknet.outbreak'}, {limit: 1000, maxPages: 5}));
  } catch (e) {
    root.insertBefore(errorBox(e), charts);
  }
  if (!ctx.isCurrent()) return null;
  const counts = new Map();
  for (const a of alerts) counts.set(A.subject(a), (counts.get(A.subject(a)) || 0) + 1);
  const ports = [...counts.keys()].filter((k) => KEY_RE.test(k)).sort((x, y) => counts.get(y) - counts.get(x));

  const custom = h('input', {name: 'port', placeholder: 'tcp/23', size: 10, pattern: '(tcp|udp|icmp|icmp6)/[0-9]{1,5}',
    value: picked && !ports.includes(picked) && picked !== 'all' ? picked : ''});
  const select = h('select', {name: 'pick', 'aria-label': 'port'},
    h('option', {value: '', selected: !picked}, `ports with outbreaks (${ports.length})`),
    h('option', {value: 'all', selected: picked === 'all'}, 'telescope totals'),
    ports.length ? h('optgroup', {label: 'outbreak ports'},
      ports.map((p) => h('option', {value: p, selected: picked === p}, `${p} (${counts.get(p)})`))) : null);
  const metricSel = h('select', {name: 'metric', 'aria-label': 'metric'},
    ['sources', 'packets', 'destinations', 'mirai', 'zmap', 'masscan', 'scan', 'backscatter']
      .map((m) => h('option', {value: m, selected: m === metric}, m)));
  select.addEventListener('change', () => go(select.value, metricSel.value));
  metricSel.addEventListener('change', () => go(picked, metricSel.value));
  replace(pickerSlot, h('form', {class: 'filters', on: {submit: (ev) => {
    ev.preventDefault();
    if (KEY_RE.test(custom.value.trim())) go(custom.value.trim(), metricSel.value);
  }}},
  h('label', null, 'Show ', select), h('label', null, 'or port ', custom),
  h('button', {type: 'submit'}, 'Show'), h('label', null, 'Metric ', metricSel)));

  let keys;
  if (picked) keys = [picked];
  else if (ports.length) keys = ports.slice(0, MAX_CHARTS);
  else keys = ['all'];
  note.textContent = picked ? '' : ports.length
    ? `Ports with darknet.outbreak alerts${ports.length > MAX_CHARTS ? ` (the ${MAX_CHARTS} with the most)` : ''}; ` +
      'markers are the alerts (click one to open it).'
    : 'No outbreak alerts yet: the telescope totals are shown.';
  const cards = await Promise.all(keys.map((k) => chartCard(k, alerts, metric, Boolean(picked) && k !== 'all')));
  if (!ctx.isCurrent()) return null;
  charts.append(...cards);

  // A new outbreak alert redraws the page (at most every 5 s).
  let timer = null;
  const off = ctx.live.listen((a) => {
    if (A.kind(a) !== 'darknet.outbreak' || timer) return;
    if (picked && A.subject(a) !== picked) return;
    timer = setTimeout(() => { timer = null; if (ctx.isCurrent()) window.dispatchEvent(new HashChangeEvent('hashchange')); }, 5000);
  });
  return () => { off(); if (timer) clearTimeout(timer); };
}
