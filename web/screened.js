// The Alerts page's "Screened" view: the same alerts as the feed, arranged
// by the screen engine's decisions (docs/ALERTS.md, hayate.evidence.screen):
// escalated first, then those needing review (highest priority first, the
// alerts of one context cluster and title collapsed into one row), then the
// alerts nobody screened, and at the bottom, collapsed, what was
// auto-closed (screen.group summaries and single auto-closed alerts).
import {h, replace, route, fmtTime, fmtNum, sevBadge} from './dom.js';
import {A} from './alerts.js';

export const DECISIONS = {
  escalate: 'escalate',
  review: 'needs-review',
  auto: 'auto-closed',
};
const LABEL = {escalate: 'escalate', review: 'needs review', auto: 'auto-closed'};

const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const unit = (x) => (num(x) === null ? null : Math.min(1, Math.max(0, x)));
const str = (x) => (typeof x === 'string' ? x : '');
const evidence = (a) => {
  const e = a && a.hayate && a.hayate.evidence;
  return e && typeof e === 'object' && !Array.isArray(e) ? e : null;
};

// The screen facts of an alert, or null when it was not screened:
// {decision: 'escalate' | 'review' | 'auto', raw, priority (0..1 or null),
// reason, cluster}. A screen.group summary counts as auto-closed; a decision
// the dashboard does not know goes to review (a person should look).
export function screenOf(a) {
  const ev = evidence(a);
  if (!ev) return null;
  if (A.kind(a) === 'screen.group') {
    return {decision: 'auto', raw: str(ev.decision) || DECISIONS.auto, priority: unit(A.score(a)),
      reason: str(ev.reason), cluster: str(ev.cluster)};
  }
  const s = ev.screen;
  if (!s || typeof s !== 'object' || Array.isArray(s)) return null;
  const raw = str(s.decision);
  const decision = raw === DECISIONS.escalate ? 'escalate' : raw === DECISIONS.auto ? 'auto' : 'review';
  let priority = unit(s.priority);
  if (priority === null && A.kind(a) === 'screen.alert') priority = unit(A.score(a));
  return {decision, raw: raw || '(none)', priority, reason: str(s.reason), cluster: str(s.cluster)};
}

// How many alerts a screen.group summary stands for (at least 1).
function groupCount(a) {
  const n = num((evidence(a) || {}).count);
  return n !== null && n >= 1 ? Math.floor(n) : 1;
}

const byPriority = (x, y) => ((y.s.priority ?? -1) - (x.s.priority ?? -1)) ||
  (A.id(y.a) > A.id(x.a) ? 1 : A.id(y.a) < A.id(x.a) ? -1 : 0);

// Arranges alerts (any order) into the view's sections:
// {escalate: [group], review: [group], unscreened: [alert], auto: {groups:
// [alert], singles: [{a, s}], total}}, a group being {key, members: [{a, s}]
// (highest priority first), top, priority}. Alerts of one decision, kind,
// title and non-empty context cluster form a group; without a cluster an
// alert stands alone.
export function arrange(alerts) {
  const out = {escalate: [], review: [], unscreened: [], auto: {groups: [], singles: [], total: 0}};
  const groups = new Map();
  for (const a of alerts) {
    const s = screenOf(a);
    if (!s) { out.unscreened.push(a); continue; }
    if (s.decision === 'auto') {
      if (A.kind(a) === 'screen.group') {
        out.auto.groups.push(a);
        out.auto.total += groupCount(a);
      } else {
        out.auto.singles.push({a, s});
        out.auto.total += 1;
      }
      continue;
    }
    const key = s.cluster
      ? JSON.stringify([s.decision, A.kind(a), A.title(a), s.cluster])
      : JSON.stringify([s.decision, 'id', A.id(a)]);
    let g = groups.get(key);
    if (!g) {
      g = {key, decision: s.decision, members: []};
      groups.set(key, g);
      out[s.decision].push(g);
    }
    g.members.push({a, s});
  }
  for (const sec of [out.escalate, out.review]) {
    for (const g of sec) {
      g.members.sort(byPriority);
      g.top = g.members[0];
      g.priority = g.top.s.priority;
    }
    sec.sort((x, y) => byPriority(x.top, y.top));
  }
  out.auto.groups.sort((x, y) => (groupCount(y) - groupCount(x)) || (A.id(y) > A.id(x) ? 1 : -1));
  out.auto.singles.sort(byPriority);
  return out;
}

export function decisionBadge(s) {
  if (!s) return h('span', {class: 'decision d-none'}, 'not screened');
  return h('span', {class: `decision d-${s.decision}`, title: `screen decision: ${s.raw}`}, LABEL[s.decision]);
}

const fmtPriority = (p) => (p === null || p === undefined ? '—' : p.toFixed(2));
const COLS = ['Time (UTC)', 'Severity', 'Decision', 'Priority', 'Engine / kind', 'Title', 'Subject', 'Reason'];

// Opens the alert when the row (outside its links and buttons) is clicked.
function openOnClick(link) {
  return (ev) => { if (!ev.target.closest('a, button')) location.hash = link; };
}

function row(a, s, cls) {
  const link = route('alert', A.id(a));
  return h('tr', {class: ['alert-row', 'screened-row', `sev${A.severity(a)}`].concat(cls || []),
    dataset: {id: A.id(a), kind: A.kind(a), decision: s ? s.decision : 'none'}, on: {click: openOnClick(link)}},
  h('td', {class: 'time'}, fmtTime(A.time(a))),
  h('td', null, sevBadge(A.severity(a))),
  h('td', null, decisionBadge(s)),
  h('td', {class: 'num priority'}, s ? fmtPriority(s.priority) : '—'),
  h('td', {class: 'kind'}, A.engine(a), h('br'), h('span', {class: 'muted'}, A.kind(a))),
  h('td', {class: 'title'}, h('a', {href: link}, A.title(a) || '(no title)')),
  h('td', {class: 'subject'}, A.subject(a)),
  h('td', {class: 'reason'}, s ? s.reason : ''));
}

// The row standing for a collapsed group: the newest time, the most
// severe severity, the top priority and its reason; a click opens it.
function groupHead(g, btn, fresh) {
  const {a, s} = g.top;
  const sev = Math.min(...g.members.map((m) => A.severity(m.a)));
  const newest = g.members.reduce((x, m) => (A.id(m.a) > A.id(x) ? m.a : x), a);
  const subjects = new Set(g.members.map((m) => A.subject(m.a)));
  const n = g.members.length;
  return h('tr', {class: ['alert-row', 'screened-row', 'group-row', `sev${sev}`, fresh ? 'fresh' : null],
    dataset: {kind: A.kind(a), decision: s.decision, count: String(n), group: g.key},
    on: {click: (ev) => { if (!ev.target.closest('a, button')) btn.click(); }}},
  h('td', {class: 'time'}, fmtTime(A.time(newest))),
  h('td', null, sevBadge(sev)),
  h('td', null, decisionBadge(s)),
  h('td', {class: 'num priority'}, fmtPriority(s.priority)),
  h('td', {class: 'kind'}, A.engine(a), h('br'), h('span', {class: 'muted'}, A.kind(a))),
  h('td', {class: 'title'}, btn, h('span', {class: 'group-title'}, A.title(a) || '(no title)')),
  h('td', {class: 'subject'}, subjects.size === 1 ? A.subject(a) : `${fmtNum(subjects.size)} subjects`),
  h('td', {class: 'reason'}, s.reason));
}

let uid = 0;

// The view: createScreened() -> {el, render(alerts, fresh)}; render
// rebuilds it from the alerts (fresh: ids to highlight), keeping which
// groups are open and where the keyboard focus was.
export function createScreened() {
  const el = h('div', {class: 'screened'});
  const open = new Set(); // keys of the expanded groups; 'auto' for the auto-closed section
  let focusKeys = new Map(); // focus key -> the element rendered for it

  function toggleButton(key, controls, label, kids) {
    const btn = h('button', {type: 'button', class: 'small expand', 'aria-expanded': open.has(key) ? 'true' : 'false',
      'aria-controls': controls.join(' '), 'aria-label': label}, kids);
    btn.addEventListener('click', () => {
      const on = !open.has(key);
      if (on) open.add(key); else open.delete(key);
      btn.setAttribute('aria-expanded', on ? 'true' : 'false');
      for (const id of controls) {
        const t = document.getElementById(id);
        if (t) t.hidden = !on;
      }
    });
    focusKeys.set('t:' + key, btn);
    return btn;
  }

  function groupRows(g, fresh) {
    if (g.members.length === 1) {
      const {a, s} = g.top;
      return [row(a, s, fresh.has(A.id(a)) ? ['fresh'] : null)];
    }
    const ids = g.members.map(() => `scr-m${++uid}`);
    const n = g.members.length;
    const btn = toggleButton(g.key, ids, `${n} alerts in this group: show or hide them`,
      [h('span', {class: 'caret', 'aria-hidden': 'true'}), h('span', {class: 'count'}, fmtNum(n))]);
    const head = groupHead(g, btn, g.members.some((m) => fresh.has(A.id(m.a))));
    const members = g.members.map((m, i) => {
      const tr = row(m.a, m.s, ['member']);
      tr.id = ids[i];
      tr.hidden = !open.has(g.key);
      return tr;
    });
    return [head, members];
  }

  function section(cls, title, count, rows) {
    if (!count) return null;
    return h('tbody', {class: ['section', cls]},
      h('tr', {class: 'section-head'}, h('th', {colspan: COLS.length, scope: 'rowgroup'}, title, ' ',
        h('span', {class: 'muted'}, `(${fmtNum(count)})`))),
      rows);
  }

  function autoSection(auto) {
    if (!auto.groups.length && !auto.singles.length) return null;
    const bodyId = `scr-auto${++uid}`;
    const btn = toggleButton('auto', [bodyId], null,
      [h('span', {class: 'caret', 'aria-hidden': 'true'}), 'Auto-closed ',
        h('span', {class: 'count'}, `${fmtNum(auto.total)} alert${auto.total === 1 ? '' : 's'}`)]);
    btn.removeAttribute('aria-label');
    btn.className = 'section-toggle';
    const tbody = h('tbody');
    for (const a of auto.groups) {
      const ev = evidence(a) || {};
      const link = route('alert', A.id(a));
      const span = [str(ev.first), str(ev.last)].filter(Boolean).map((t) => fmtTime(t)).join(' – ');
      tbody.append(h('tr', {class: ['alert-row', 'auto-row', 'summary-row', `sev${A.severity(a)}`],
        dataset: {id: A.id(a), kind: A.kind(a)}, on: {click: openOnClick(link)}},
      h('td', {class: 'time'}, fmtTime(A.time(a))),
      h('td', {class: 'num'}, fmtNum(groupCount(a))),
      h('td', {class: 'title'}, h('a', {href: link}, A.title(a) || '(no title)')),
      h('td', {class: 'subject'}, str(ev.net) || A.subject(a)),
      h('td', {class: 'reason'}, str(ev.reason), span ? h('div', {class: 'muted small'}, span) : null)));
    }
    for (const {a, s} of auto.singles) {
      const link = route('alert', A.id(a));
      tbody.append(h('tr', {class: ['alert-row', 'auto-row', `sev${A.severity(a)}`],
        dataset: {id: A.id(a), kind: A.kind(a)}, on: {click: openOnClick(link)}},
      h('td', {class: 'time'}, fmtTime(A.time(a))),
      h('td', {class: 'num'}, '1'),
      h('td', {class: 'title'}, h('a', {href: link}, A.title(a) || '(no title)')),
      h('td', {class: 'subject'}, A.subject(a)),
      h('td', {class: 'reason'}, s.reason)));
    }
    const table = h('table', {class: 'alerts auto-closed-table', id: bodyId, hidden: !open.has('auto')},
      h('thead', null, h('tr', null, ['Time (UTC)', 'Alerts', 'Title', 'Network / subject', 'Reason']
        .map((t) => h('th', null, t)))), tbody);
    const parts = [];
    if (auto.groups.length) parts.push(`${fmtNum(auto.groups.length)} group${auto.groups.length === 1 ? '' : 's'}`);
    if (auto.singles.length) parts.push(`${fmtNum(auto.singles.length)} single alert${auto.singles.length === 1 ? '' : 's'}`);
    return h('section', {class: 'auto-closed'},
      h('h2', null, btn, ' ', h('span', {class: 'muted'}, parts.join(', '))), table);
  }

  function render(alerts, fresh) {
    const focused = document.activeElement && el.contains(document.activeElement)
      ? [...focusKeys].find(([, node]) => node === document.activeElement) : null;
    focusKeys = new Map();
    const m = arrange(alerts);
    const nEsc = m.escalate.reduce((n, g) => n + g.members.length, 0);
    const nRev = m.review.reduce((n, g) => n + g.members.length, 0);
    const summary = h('p', {class: 'screen-summary muted'},
      `${fmtNum(nEsc)} escalated · ${fmtNum(nRev)} to review · ${fmtNum(m.unscreened.length)} not screened · ` +
      `${fmtNum(m.auto.total)} auto-closed`);
    const bodies = [
      section('s-escalate', 'Escalated', nEsc, m.escalate.map((g) => groupRows(g, fresh))),
      section('s-review', 'Needs review', nRev, m.review.map((g) => groupRows(g, fresh))),
      section('s-unscreened', 'Not screened', m.unscreened.length,
        m.unscreened.map((a) => row(a, null, fresh.has(A.id(a)) ? ['fresh'] : null))),
    ].filter(Boolean);
    const table = bodies.length ? h('table', {class: 'alerts screened-table'},
      h('thead', null, h('tr', null, COLS.map((t) => h('th', {scope: 'col'}, t)))), bodies) : null;
    replace(el, summary, table, autoSection(m.auto));
    if (focused && focusKeys.has(focused[0])) focusKeys.get(focused[0]).focus();
  }

  return {el, render};
}
