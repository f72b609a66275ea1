// The API client: JSON requests with the bearer token, a token form on 401,
// paging helpers, and the live alert stream read with fetch() (EventSource
// cannot send an Authorization header).

const TOKEN_KEY = 'hayate.token';
let asking = null; // the pending token form, shared by concurrent 401s

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

function authHeaders(extra) {
  const hd = Object.assign({}, extra || {});
  const t = token();
  if (t) hd.Authorization = 'Bearer ' + t;
  return hd;
}

// Shows the token form once for all requests that got a 401 meanwhile;
// resolves when a token was entered.
export function askToken() {
  if (asking) return asking;
  const dlg = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  document.getElementById('token-why').textContent = token()
    ? 'The server refused the token: enter it again.'
    : 'This server needs a bearer token (serve.token).';
  input.value = '';
  asking = new Promise((resolve) => {
    const done = (ev) => {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      try { sessionStorage.setItem(TOKEN_KEY, v); } catch { /* private mode */ }
      form.removeEventListener('submit', done);
      dlg.close();
      asking = null;
      resolve();
    };
    form.addEventListener('submit', done);
    dlg.addEventListener('cancel', (ev) => ev.preventDefault()); // Esc would leave nothing usable
    dlg.showModal();
    input.focus();
  });
  return asking;
}

// GET or POST path with the token (asking for it on 401, up to 3 times);
// returns the body as text. Throws HttpError with the server's {"error"}
// message on a non-2xx answer. opts: method, body (sent as is), headers.
export async function apiText(path, opts = {}) {
  for (let attempt = 0; ; attempt++) {
    const init = {method: opts.method || 'GET', cache: 'no-store', headers: authHeaders(opts.headers)};
    if (opts.body !== undefined) init.body = opts.body;
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new HttpError(0, `cannot reach the server (${e.message})`);
    }
    if (res.status === 401 && attempt < 3) {
      await askToken();
      continue;
    }
    const text = await res.text();
    if (!res.ok) {
      let msg = res.statusText;
      try {
        const body = JSON.parse(text);
        if (body && typeof body.error === 'string') msg = body.error;
      } catch { /* not JSON */ }
      throw new HttpError(res.status, `${res.status}: ${msg}`);
    }
    return text;
  }
}

// As apiText, with opts.body sent as JSON; returns the parsed JSON body
// (null when empty or not JSON).
export async function api(path, opts = {}) {
  const o = Object.assign({}, opts);
  if (opts.body !== undefined) {
    o.body = JSON.stringify(opts.body);
    o.headers = Object.assign({'Content-Type': 'application/json'}, opts.headers);
  }
  const text = await apiText(path, o);
  try { return text ? JSON.parse(text) : null; } catch { return null; }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

// Pages through GET path (an alert list) with the "after" cursor, up to
// maxPages pages of `limit`. Returns {alerts (oldest first), complete}.
export async function pageAll(path, params, {limit = 1000, maxPages = 20} = {}) {
  const out = [];
  let after = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await api(path + query(Object.assign({}, params, {limit, after})));
    const got = Array.isArray(page && page.alerts) ? page.alerts : [];
    out.push(...got);
    if (!page || !page.next) return {alerts: out, complete: true};
    after = page.next;
  }
  return {alerts: out, complete: false};
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Reads GET /api/alerts/stream as server-sent events and calls
// onAlert(eve) for each; onState('live' | 'reconnecting' | 'auth', detail)
// reports the connection. After a drop it reconnects with Last-Event-ID
// (so nothing is missed), waiting 1 s, 2 s, 4 s... up to 30 s. Returns
// {stop(), connected (a promise: the first connection or failure)}.
export function streamAlerts(onAlert, onState) {
  let stopped = false, lastId = null, ctrl = null, backoff = 1000;
  let firstDone;
  const connected = new Promise((r) => { firstDone = r; });

  function dispatch(ev) {
    if (ev.id !== null) lastId = ev.id;
    if (!ev.data.length || (ev.type && ev.type !== 'alert' && ev.type !== 'message')) return;
    let eve;
    try { eve = JSON.parse(ev.data.join('\n')); } catch { return; }
    onAlert(eve);
  }

  async function readAll(res) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let ev = {id: null, type: '', data: []};
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buf += value;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        let line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') { dispatch(ev); ev = {id: null, type: '', data: []}; continue; }
        if (line.startsWith(':')) continue; // a comment (keep-alive)
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') ev.data.push(val);
        else if (field === 'id' && !val.includes('\0')) ev.id = val;
        else if (field === 'event') ev.type = val;
      }
      if (buf.length > 4 << 20) throw new Error('event over 4 MB');
    }
  }

  (async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const hd = authHeaders({Accept: 'text/event-stream'});
        if (lastId) hd['Last-Event-ID'] = lastId;
        const res = await fetch('/api/alerts/stream', {headers: hd, cache: 'no-store', signal: ctrl.signal});
        if (res.status === 401) {
          onState('auth');
          await askToken();
          continue;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        backoff = 1000;
        onState('live');
        firstDone(true);
        await readAll(res);
        throw new Error('the stream ended');
      } catch (e) {
        if (stopped) break;
        firstDone(false);
        onState('reconnecting', `${e.message}; retrying in ${Math.round(backoff / 1000)} s`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30000);
      }
    }
  })();

  return {
    connected,
    stop() {
      stopped = true;
      if (ctrl) ctrl.abort();
    },
  };
}
