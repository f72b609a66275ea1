// DOM helpers. Every piece of data goes in as a text node or an attribute
// value, never as markup: alert titles and evidence come from attackers'
// traffic. Nothing here touches innerHTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) append(node, k);
    else if (k instanceof Node) node.appendChild(k);
    else node.appendChild(document.createTextNode(String(k)));
  }
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    } else if (k === 'text') {
      node.textContent = String(v);
    } else if (k === 'class') {
      node.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    } else if (k === 'dataset') {
      Object.assign(node.dataset, v);
    } else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') {
      node[k] = v;
    } else {
      node.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

// h('a', {href: '#/x', class: 'c', on: {click: f}}, 'text', child, [more])
export function h(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, kids);
  return node;
}

// The same for SVG elements.
export function s(tag, attrs, ...kids) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, kids);
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function replace(node, ...kids) {
  clear(node);
  append(node, kids);
  return node;
}

// A hash link to one of the dashboard's pages; parts are URI-encoded.
export function route(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(p)).join('/');
}

// EVE time ("2024-01-01T00:12:00.000000+0000") to a Date (null if not one).
export function parseTime(t) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(String(t || ''));
  if (!m) return null;
  const frac = m[2] ? m[2].slice(0, 4) : '';
  let zone = m[3] || 'Z';
  if (zone !== 'Z' && zone.length === 5) zone = zone.slice(0, 3) + ':' + zone.slice(3);
  const d = new Date(m[1] + frac + zone);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n) => String(n).padStart(2, '0');

// "2024-01-01 00:12:00Z" (UTC, as the alerts are).
export function fmtTime(d) {
  if (!(d instanceof Date)) d = parseTime(d);
  if (!d) return '—';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

export function fmtNum(x, digits = 0) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x === null || x === undefined ? '—' : String(x);
  return x.toLocaleString('en-US', {maximumFractionDigits: digits});
}

export function fmtBytes(x) {
  if (typeof x !== 'number') return '—';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (x >= 1000 && i < u.length - 1) { x /= 1000; i++; }
  return `${x.toFixed(i ? 1 : 0)} ${u[i]}`;
}

export function fmtDuration(sec) {
  if (typeof sec !== 'number') return '—';
  const d = Math.floor(sec / 86400), hh = Math.floor(sec / 3600) % 24;
  const mm = Math.floor(sec / 60) % 60, ss = Math.floor(sec % 60);
  if (d) return `${d}d ${hh}h ${mm}m`;
  if (hh) return `${hh}h ${mm}m`;
  if (mm) return `${mm}m ${ss}s`;
  return `${sec.toFixed(1)} s`;
}

export const SEVERITY = {1: 'high', 2: 'medium', 3: 'low', 4: 'info'};

export function sevBadge(sev) {
  const n = [1, 2, 3, 4].includes(sev) ? sev : 4;
  return h('span', {class: `sev sev${n}`, title: `severity ${n} (${SEVERITY[n]})`}, SEVERITY[n]);
}

export const VERDICTS = [
  ['true_positive', 'True positive'],
  ['false_positive', 'False positive'],
  ['benign', 'Benign'],
  ['malicious', 'Malicious'],
];

export function verdictBadge(v) {
  if (!v) return h('span', {class: 'verdict none'}, 'no verdict');
  const label = (VERDICTS.find(([k]) => k === v) || [v, v])[1];
  return h('span', {class: `verdict v-${v.replace(/[^a-z_]/g, '')}`}, label);
}

export function errorBox(err) {
  return h('p', {class: 'error', role: 'alert'}, String(err && err.message ? err.message : err));
}
