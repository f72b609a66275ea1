// hayate's dashboard: hash routing between the pages, and the one live
// alert stream that every page can listen to.
import {streamAlerts} from './api.js';
import {clear, errorBox} from './dom.js';
import {alertsView} from './alerts.js';
import {detailView} from './detail.js';
import {darknetView} from './darknet.js';
import {malwareView} from './malware.js';
import {intelView} from './intel.js';
import {statusView} from './status.js';
import {labelView} from './label.js';

// The live stream, shared: views subscribe with live.listen(fn) and get
// an unsubscribe function back.
export const live = {
  state: 'connecting',
  detail: '',
  listeners: new Set(),
  stateListeners: new Set(),
  stream: null,
  listen(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); },
  onState(fn) { this.stateListeners.add(fn); return () => this.stateListeners.delete(fn); },
};

function setLiveState(state, detail) {
  live.state = state;
  live.detail = detail || '';
  for (const fn of live.stateListeners) fn(state, live.detail);
}

const pages = {
  alerts: alertsView,
  alert: detailView,
  label: labelView,
  darknet: darknetView,
  malware: malwareView,
  intel: intelView,
  status: statusView,
};

let cleanup = null;
let generation = 0;

// "#/alert/ID?x=1" -> {page: 'alert', args: ['ID'], params: URLSearchParams}
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#\/?/, '');
  const qi = raw.indexOf('?');
  const path = qi < 0 ? raw : raw.slice(0, qi);
  const params = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
  const parts = path.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  return {page: parts[0] || 'alerts', args: parts.slice(1), params};
}

async function render() {
  const {page, args, params} = parseHash(location.hash);
  const view = document.getElementById('view');
  const gen = ++generation;
  if (cleanup) { try { cleanup(); } catch { /* keep going */ } }
  cleanup = null;
  clear(view);
  const active = page === 'alert' ? 'alerts' : page;
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('active', a.dataset.page === active);
  const fn = pages[page];
  if (!fn) {
    view.appendChild(errorBox(`No page called "${page}".`));
    return;
  }
  try {
    const c = await fn(view, {args, params, live, isCurrent: () => gen === generation});
    if (gen === generation) cleanup = c || null;
    else if (c) c();
  } catch (e) {
    if (gen === generation) view.appendChild(errorBox(e));
  }
}

function showLive(state, detail) {
  const el = document.getElementById('live');
  const text = {live: 'live', connecting: 'connecting', reconnecting: 'reconnecting', auth: 'token needed'}[state] || state;
  el.textContent = text;
  el.className = `live ${state === 'live' ? 'on' : 'off'}`;
  el.title = detail ? `the live alert stream: ${detail}` : 'the live alert stream';
}

function start() {
  live.onState(showLive);
  live.stream = streamAlerts((eve) => {
    for (const fn of live.listeners) {
      try { fn(eve); } catch (e) { console.error(e); }
    }
  }, setLiveState);
  window.addEventListener('hashchange', render);
  render();
}

start();
