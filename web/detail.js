// One alert: what it says, its evidence as nested tables, its verdict and
// the history of verdicts (GET .../feedback), and the buttons that record
// an analyst's verdict (POST .../feedback).
import {api} from './api.js';
import {h, replace, route, fmtTime, fmtNum, sevBadge, errorBox, verdictBadge, VERDICTS} from './dom.js';
import {A} from './alerts.js';

const MAX_DEPTH = 8;
const ANALYST_KEY = 'hayate.analyst';

const isPlain = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function prim(v) {
  if (v === null) return h('span', {class: 'muted'}, 'null');
  if (typeof v === 'boolean') return h('span', {class: 'bool'}, v ? 'true' : 'false');
  if (typeof v === 'number') return h('span', {class: 'num'}, Number.isInteger(v) ? String(v) : fmtNum(v, 4));
  return h('span', null, String(v));
}

// Any JSON value as DOM: objects as key/value tables, arrays of objects as
// tables with a column per key, other arrays as lists.
export function renderValue(v, depth = 0) {
  if (isPlain(v)) return prim(v);
  if (depth >= MAX_DEPTH) return h('code', null, JSON.stringify(v));
  if (Array.isArray(v)) {
    if (!v.length) return h('span', {class: 'muted'}, 'none');
    if (v.every(isPlain)) return h('span', null, v.map((x) => (x === null ? 'null' : String(x))).join(', '));
    if (v.every(isObj)) {
      const cols = [...new Set(v.flatMap((o) => Object.keys(o)))];
      if (cols.length <= 10) {
        return h('table', {class: 'nested grid'},
          h('thead', null, h('tr', null, cols.map((c) => h('th', null, c)))),
          h('tbody', null, v.map((o) => h('tr', null,
            cols.map((c) => h('td', null, c in o ? renderValue(o[c], depth + 1) : '')))))
        );
      }
    }
    return h('ol', {class: 'nested'}, v.map((x) => h('li', null, renderValue(x, depth + 1))));
  }
  const keys = Object.keys(v);
  if (!keys.length) return h('span', {class: 'muted'}, 'none');
  return h('table', {class: 'nested kv'}, h('tbody', null,
    keys.map((k) => h('tr', null, h('th', null, k), h('td', null, renderValue(v[k], depth + 1))))));
}

const feedbackPath = (a) => `/api/alerts/${encodeURIComponent(A.id(a))}/feedback`;

// The verdicts recorded on an alert, newest first: who, when, what, why.
function historyTable(list) {
  if (!list.length) return h('p', {class: 'muted'}, 'Nobody has judged this alert yet.');
  return h('table', {class: 'history'},
    h('thead', null, h('tr', null, ['Time (UTC)', 'Verdict', 'Analyst', 'Label', 'Comment'].map((t) => h('th', null, t)))),
    h('tbody', null, list.map((r, i) => h('tr', {class: i ? null : 'latest'},
      h('td', {class: 'time'}, fmtTime(r.time)),
      h('td', null, verdictBadge(typeof r.verdict === 'string' ? r.verdict : null)),
      h('td', {class: 'analyst'}, r.analyst || '—'),
      h('td', null, r.label || '—'),
      h('td', {class: 'comment'}, r.comment || '')))));
}

// Shows the current verdict (the newest) and the history, from
// GET /api/alerts/{id}/feedback.
async function showVerdicts(a, verdictEl, historyEl) {
  try {
    const res = await api(feedbackPath(a));
    const list = Array.isArray(res && res.feedback) ? res.feedback : [];
    replace(verdictEl, verdictBadge(list.length ? list[0].verdict : A.verdict(a)));
    replace(historyEl, historyTable(list));
  } catch (e) {
    replace(verdictEl, h('span', {class: 'muted'}, 'unknown'));
    replace(historyEl, errorBox(e));
  }
}

function attackList(ids) {
  if (!Array.isArray(ids) || !ids.length) return h('span', {class: 'muted'}, 'none');
  return ids.map((id) => h('span', {class: 'tag'}, String(id)));
}

function facts(a) {
  const rows = [
    ['Time', fmtTime(A.time(a))],
    ['Severity', sevBadge(A.severity(a))],
    ['Engine', A.engine(a)],
    ['Kind', A.kind(a)],
    ['Subject', A.subject(a)],
    ['Score', A.score(a) === null ? '—' : fmtNum(A.score(a), 3)],
    ['ATT&CK', attackList(a.hayate && a.hayate.attack)],
  ];
  if (a.src_ip) rows.push(['Flow', `${a.src_ip}${a.src_port !== undefined ? ':' + a.src_port : ''} → ` +
    `${a.dest_ip || '?'}${a.dest_port !== undefined ? ':' + a.dest_port : ''} ${a.proto || ''}`]);
  if (a.community_id) rows.push(['Community ID', a.community_id]);
  rows.push(['Alert id', h('code', null, A.id(a))]);
  return h('dl', {class: 'facts'}, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function feedbackForm(a, verdictEl, resultEl, onSaved) {
  let analyst = '';
  try { analyst = localStorage.getItem(ANALYST_KEY) || ''; } catch { /* none */ }
  const comment = h('textarea', {name: 'comment', rows: 2, maxlength: 4096, placeholder: 'optional comment'});
  const who = h('input', {name: 'analyst', maxlength: 64, value: analyst, placeholder: 'optional', size: 14});
  const buttons = VERDICTS.map(([v, label]) => h('button', {type: 'button', class: `vbtn v-${v}`, dataset: {verdict: v},
    on: {click: () => send(v)}}, label));
  async function send(v) {
    for (const b of buttons) b.disabled = true;
    replace(resultEl, h('span', {class: 'muted'}, 'saving…'));
    const body = {verdict: v};
    if (comment.value.trim()) body.comment = comment.value.trim();
    if (who.value.trim()) {
      body.analyst = who.value.trim();
      try { localStorage.setItem(ANALYST_KEY, body.analyst); } catch { /* none */ }
    }
    try {
      const rec = await api(feedbackPath(a), {method: 'POST', body});
      replace(verdictEl, verdictBadge(rec.verdict));
      replace(resultEl, h('span', {class: 'ok', role: 'status'},
        `Recorded ${rec.verdict.replace('_', ' ')} at ${fmtTime(rec.time)}` +
        (rec.analyst ? ` by ${rec.analyst}` : '') + '.'));
      comment.value = '';
      await onSaved();
    } catch (e) {
      replace(resultEl, errorBox(e));
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }
  return h('div', {class: 'feedback'},
    h('div', {class: 'row'}, buttons),
    h('div', {class: 'row'}, h('label', {class: 'grow'}, 'Comment ', comment), h('label', null, 'Analyst ', who)));
}

export async function detailView(root, ctx) {
  const id = ctx.args[0] || '';
  root.append(h('p', null, h('a', {href: '#/alerts'}, '← Alerts')));
  let a;
  try {
    a = await api('/api/alerts/' + encodeURIComponent(id));
  } catch (e) {
    root.append(errorBox(e.status === 404 ? new Error(`No alert with id ${id}.`) : e));
    return null;
  }
  if (!ctx.isCurrent()) return null;
  const verdictEl = h('span', {class: 'current-verdict'}, h('span', {class: 'muted'}, 'looking up…'));
  const resultEl = h('div', {class: 'result'});
  const historyEl = h('div', {class: 'verdict-history'}, h('p', {class: 'muted'}, 'loading…'));
  const refresh = () => (ctx.isCurrent() ? showVerdicts(a, verdictEl, historyEl) : null);
  const kind = A.kind(a);
  const links = [];
  if (kind.startsWith('darknet.outbreak') && /^[a-z0-9]+\/\d+$/.test(A.subject(a)))
    links.push(h('a', {href: route('darknet') + '?' + new URLSearchParams({port: A.subject(a)})}, 'Time series of ' + A.subject(a)));
  links.push(h('a', {href: '#/alerts?' + new URLSearchParams({kind, q: A.subject(a)})}, 'Alerts like this'));

  root.append(
    h('article', {class: `detail sev${A.severity(a)}`},
      h('h1', {class: 'alert-title'}, A.title(a) || '(no title)'),
      h('p', {class: 'links'}, links),
      facts(a),
      h('section', {class: 'verdict-box'},
        h('h2', null, 'Verdict'),
        h('p', null, 'Current: ', verdictEl),
        feedbackForm(a, verdictEl, resultEl, refresh),
        resultEl,
        h('h3', null, 'History'),
        historyEl),
      h('section', null, h('h2', null, 'Evidence'), renderValue((a.hayate && a.hayate.evidence) || {})),
      h('details', null, h('summary', null, 'EVE JSON'), h('pre', {class: 'raw'}, JSON.stringify(a, null, 2)))));
  refresh();
  return null;
}
