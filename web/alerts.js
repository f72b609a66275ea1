// The Alerts page: the alerts the filters select, newest first (the newest
// page from GET /api/alerts?order=desc, older pages on demand with its
// before= cursor), then new ones as they arrive over the live stream
// (filtered the same way). Two views of the same alerts: All (the feed
// as it comes) and Screened (arranged by the screen engine's decisions,
// web/screened.js); the choice is kept in the URL (view=screened) and,
// for the next visit, in localStorage.
import {api, query, HttpError} from './api.js';
import {h, replace, route, fmtTime, fmtNum, sevBadge, errorBox} from './dom.js';
import {createScreened} from './screened.js';

const PAGE = 200;     // alerts per request, newest first
const MAX_ROWS = 500; // live arrivals beyond this push the oldest rows out
const FILTER_KEYS = ['engine', 'kind', 'severity', 'verdict', 'q'];
const VIEW_KEY = 'hayate.alerts.view';
const VIEWS = [['all', 'All'], ['screened', 'Screened']];

// The view the URL asks for, else the one used last, else All.
function initialView(params) {
  let v = params.get('view');
  if (!v) { try { v = localStorage.getItem(VIEW_KEY); } catch { /* none */ } }
  return v === 'screened' ? 'screened' : 'all';
}

// Accessors for an EVE alert object (docs/ALERTS.md).
export const A = {
  id: (a) => (a && a.hayate && a.hayate.id) || '',
  engine: (a) => (a.hayate && a.hayate.engine) || '',
  kind: (a) => (a.hayate && a.hayate.kind) || (a.alert && a.alert.category) || '',
  title: (a) => (a.alert && a.alert.signature) || (a.hayate && a.hayate.title) || '',
  subject: (a) => (a.hayate && a.hayate.subject) || '',
  severity: (a) => (a.alert && Number(a.alert.severity)) || 4,
  score: (a) => (a.hayate && typeof a.hayate.score === 'number' ? a.hayate.score : null),
  verdict: (a) => (a.hayate && a.hayate.verdict) || null,
  time: (a) => a.timestamp || '',
};

// Whether an alert passes the filters as the server applies them.
export function matches(a, f) {
  if (f.engine && A.engine(a) !== f.engine) return false;
  if (f.kind) {
    const k = A.kind(a);
    if (f.kind.endsWith('*') ? !k.startsWith(f.kind.slice(0, -1)) : k !== f.kind) return false;
  }
  if (f.severity && A.severity(a) > Number(f.severity)) return false;
  if (f.verdict) {
    const v = A.verdict(a);
    if (f.verdict === 'none' ? v : v !== f.verdict) return false;
  }
  if (f.q && !A.title(a).includes(f.q) && !A.subject(a).includes(f.q)) return false;
  return true;
}

// One table row for an alert; the whole row opens it.
export function alertRow(a, extra) {
  const link = route('alert', A.id(a));
  const tr = h('tr', {class: ['alert-row', `sev${A.severity(a)}`], dataset: {id: A.id(a), kind: A.kind(a)},
    on: {click: (ev) => { if (!ev.target.closest('a, button')) location.hash = link; }}},
  h('td', {class: 'time'}, fmtTime(A.time(a))),
  h('td', null, sevBadge(A.severity(a))),
  h('td', null, A.engine(a)),
  h('td', {class: 'kind'}, A.kind(a)),
  h('td', {class: 'title'}, h('a', {href: link}, A.title(a) || '(no title)')),
  h('td', {class: 'subject'}, A.subject(a)),
  h('td', {class: 'num'}, A.score(a) === null ? '—' : A.score(a).toFixed(2)),
  extra === undefined ? null : [].concat(extra).map((x) => h('td', null, x)));
  return tr;
}

export function alertTable(extraHead) {
  const tbody = h('tbody');
  const table = h('table', {class: 'alerts'},
    h('thead', null, h('tr', null, ['Time (UTC)', 'Severity', 'Engine', 'Kind', 'Title', 'Subject', 'Score']
      .concat(extraHead || []).map((t) => h('th', null, t)))),
    tbody);
  return {table, tbody};
}

function filterForm(f, engines, kinds, onApply) {
  const sel = (name, options) => h('select', {name},
    options.map(([v, label]) => h('option', {value: v, selected: f[name] === v}, label)));
  const engineOpts = [['', 'any engine']].concat([...engines].sort().map((e) => [e, e]));
  const form = h('form', {class: 'filters', on: {submit: (ev) => { ev.preventDefault(); onApply(read()); }}},
    h('label', null, 'Engine ', sel('engine', engineOpts)),
    h('label', null, 'Kind ', h('input', {name: 'kind', list: 'kind-list', value: f.kind || '', placeholder: 'darknet.* or exact', size: 18})),
    h('datalist', {id: 'kind-list'}, [...kinds].sort().map((k) => h('option', {value: k}))),
    h('label', null, 'Severity ', sel('severity', [['', 'any'], ['1', 'high'], ['2', 'medium or higher'], ['3', 'low or higher']])),
    h('label', null, 'Verdict ', sel('verdict', [['', 'any'], ['none', 'not judged'], ['true_positive', 'true positive'],
      ['false_positive', 'false positive'], ['benign', 'benign'], ['malicious', 'malicious']])),
    h('label', null, 'Text ', h('input', {name: 'q', type: 'search', value: f.q || '', placeholder: 'title or subject', size: 18})),
    h('button', {type: 'submit', class: 'primary'}, 'Apply'),
    h('button', {type: 'button', on: {click: () => onApply({})}}, 'Clear'));
  function read() {
    const out = {};
    for (const k of FILTER_KEYS) {
      const v = form.elements[k].value.trim();
      if (v) out[k] = v;
    }
    return out;
  }
  for (const k of ['engine', 'severity', 'verdict'])
    form.elements[k].addEventListener('change', () => onApply(read()));
  return form;
}

const timeout = (ms) => new Promise((r) => setTimeout(() => r(false), ms));

export async function alertsView(root, ctx) {
  const f = {};
  for (const k of FILTER_KEYS) if (ctx.params.get(k)) f[k] = ctx.params.get(k);
  const engines = new Set(['darknet']);
  const kinds = new Set();
  if (f.engine) engines.add(f.engine);
  const shown = new Set();
  const byId = new Map(); // the alerts shown (the rows of the All table), by id
  let paused = false;
  const held = [];
  let view = initialView(ctx.params);

  const hashFor = (nf) => {
    const q = new URLSearchParams(Object.assign({}, nf, view === 'screened' ? {view} : {})).toString();
    return '#/alerts' + (q ? '?' + q : '');
  };
  const apply = (nf) => { location.hash = hashFor(nf); };
  const formSlot = h('div');
  const stateEl = h('span', {class: 'feed-state live'}, 'live');
  const pauseBtn = h('button', {type: 'button', on: {click: togglePause}}, 'Pause');
  const countEl = h('span', {class: 'muted'}, 'loading…');
  const {table, tbody} = alertTable();
  const empty = h('p', {class: 'empty', hidden: true}, 'No alerts match. New ones appear here as they are stored.');
  // Older pages: `older` is the cursor (the oldest id shown), null when the
  // store holds nothing older that matches.
  let older = null;
  let rowLimit = MAX_ROWS; // raised by what the analyst loads, so arrivals keep it
  const olderBtn = h('button', {type: 'button', class: 'load-older', hidden: true, on: {click: loadOlder}}, 'Load older');
  const olderMsg = h('span', {class: 'muted'});
  const screened = createScreened();
  const fresh = new Set(); // ids arrived since the screened view was last drawn
  let drawTimer = null;
  const viewBtns = VIEWS.map(([v, label]) => h('button', {type: 'button', dataset: {view: v},
    'aria-pressed': v === view ? 'true' : 'false', on: {click: () => setView(v)}}, label));
  root.append(h('h1', null, 'Alerts'), formSlot,
    h('div', {class: 'feedbar'}, stateEl, pauseBtn, countEl,
      h('div', {class: 'view-toggle', role: 'group', 'aria-label': 'Alert view'}, viewBtns)),
    table, screened.el, empty,
    h('div', {class: 'older-bar'}, olderBtn, olderMsg));

  // Draws the screened view from the rows shown (soon, once for a burst).
  function drawScreened() {
    if (view !== 'screened' || drawTimer) return;
    drawTimer = setTimeout(() => {
      drawTimer = null;
      if (view !== 'screened') return;
      const alerts = [];
      for (const tr of tbody.rows) if (byId.has(tr.dataset.id)) alerts.push(byId.get(tr.dataset.id));
      screened.render(alerts, fresh);
      fresh.clear();
    }, 30);
  }
  function setView(v, init) {
    view = v;
    if (!init) { try { localStorage.setItem(VIEW_KEY, v); } catch { /* private mode */ } }
    for (const b of viewBtns) b.setAttribute('aria-pressed', b.dataset.view === v ? 'true' : 'false');
    table.hidden = v === 'screened';
    screened.el.hidden = v !== 'screened';
    if (v === 'screened') drawScreened(); else replace(screened.el);
    if (!init || v === 'screened') history.replaceState(null, '', hashFor(f)); // no hashchange: the page stays
  }

  function redrawForm() { replace(formSlot, filterForm(f, engines, kinds, apply)); }
  function updateCount() {
    countEl.textContent = `${fmtNum(shown.size)} alert${shown.size === 1 ? '' : 's'} shown`;
    empty.hidden = shown.size > 0;
  }
  function updateState() {
    const st = ctx.live.state;
    if (paused) {
      stateEl.textContent = held.length ? `paused: ${held.length} new held` : 'paused';
      stateEl.className = 'feed-state paused';
    } else {
      stateEl.textContent = st === 'live' ? 'live' : st;
      stateEl.className = `feed-state ${st === 'live' ? 'live' : 'off'}`;
    }
    pauseBtn.textContent = paused ? 'Resume' : 'Pause';
  }
  function togglePause() {
    paused = !paused;
    if (!paused) {
      for (const a of held.splice(0)) addLive(a);
    }
    updateState();
  }
  function learn(a) {
    const newEngine = !engines.has(A.engine(a)), newKind = !kinds.has(A.kind(a));
    engines.add(A.engine(a));
    kinds.add(A.kind(a));
    return newEngine || newKind;
  }
  function trim() {
    let cut = false;
    while (tbody.rows.length > rowLimit) {
      const last = tbody.rows[tbody.rows.length - 1];
      shown.delete(last.dataset.id);
      byId.delete(last.dataset.id);
      last.remove();
      cut = true;
    }
    if (cut) { // what was pushed out is older than the last row left
      older = tbody.rows[tbody.rows.length - 1].dataset.id;
      olderMsg.textContent = '';
      updateOlder();
    }
  }
  function updateOlder() {
    olderBtn.hidden = !older;
    if (!older && shown.size) olderMsg.textContent = 'No older alerts match.';
  }
  // Appends a page (newest first) under the rows shown; its "next" is the
  // cursor of the page after it.
  function addPage(page) {
    const got = Array.isArray(page && page.alerts) ? page.alerts : [];
    const rows = [];
    for (const a of got) {
      learn(a);
      if (!A.id(a) || shown.has(A.id(a))) continue;
      shown.add(A.id(a));
      byId.set(A.id(a), a);
      rows.push(alertRow(a));
    }
    tbody.append(...rows);
    drawScreened();
    older = page && typeof page.next === 'string' && page.next ? page.next : null;
    return rows.length;
  }
  const pagePath = (extra) => '/api/alerts' + query(Object.assign({}, f, {order: 'desc', limit: PAGE}, extra));
  async function loadOlder() {
    if (!older || olderBtn.disabled) return;
    olderBtn.disabled = true;
    olderBtn.textContent = 'loading…';
    olderMsg.textContent = '';
    try {
      const page = await api(pagePath({before: older}));
      if (!ctx.isCurrent()) return;
      addPage(page);
      rowLimit = Math.max(rowLimit, tbody.rows.length);
      redrawFormIfIdle();
    } catch (e) {
      replace(olderMsg, errorBox(e));
    } finally {
      olderBtn.disabled = false;
      olderBtn.textContent = 'Load older';
      updateOlder();
      updateCount();
    }
  }
  function redrawFormIfIdle() {
    if (!document.activeElement || !formSlot.contains(document.activeElement)) redrawForm();
  }
  function addLive(a) {
    if (shown.has(A.id(a))) return;
    shown.add(A.id(a));
    byId.set(A.id(a), a);
    const tr = alertRow(a);
    tr.classList.add('fresh');
    tbody.insertBefore(tr, tbody.firstChild);
    setTimeout(() => tr.classList.remove('fresh'), 4000);
    trim();
    updateCount();
    if (view === 'screened') { fresh.add(A.id(a)); drawScreened(); }
  }

  redrawForm();
  updateState();
  setView(view, true);
  const offState = ctx.live.onState(updateState);
  const offLive = ctx.live.listen((a) => {
    if (learn(a) && document.activeElement && !formSlot.contains(document.activeElement)) redrawForm();
    if (!A.id(a) || !matches(a, f)) return;
    if (paused) { held.push(a); updateState(); return; }
    addLive(a);
  });

  // Load after the stream is connected, so nothing stored in between is
  // missed (the stream starts at the newest alert when it connects; ids
  // seen twice are shown once).
  await Promise.race([ctx.live.stream.connected, timeout(3000)]);
  try {
    const page = await api(pagePath({}));
    if (!ctx.isCurrent()) return () => { offLive(); offState(); };
    addPage(page); // live arrivals may already be at the top: the page goes under them
    trim();
    updateOlder();
    redrawFormIfIdle();
  } catch (e) {
    root.insertBefore(errorBox(e instanceof HttpError ? e : new Error(`cannot load alerts: ${e.message}`)), table);
  }
  updateCount();
  return () => { offLive(); offState(); clearTimeout(drawTimer); };
}

