// The Intel page: reports the intel engine analysed (/api/intel/reports,
// newest first, older pages on demand); a report's indicators (noise
// marked with its reason), ATT&CK techniques with their sentences,
// tactics, kill-chain phases, software and findings on click; its STIX
// bundle downloaded from /api/intel/reports/{id}/stix; and a box to
// analyse a pasted report (POST /api/analyze?type=report).
import {api, apiText, query} from './api.js';
import {h, replace, fmtTime, fmtNum, errorBox} from './dom.js';

const PAGE = 50;
const asArray = (x) => (Array.isArray(x) ? x : []);

function tags(list, empty) {
  return list.length ? list.map((t) => h('span', {class: 'tag'}, String(t))) : h('span', {class: 'muted'}, empty);
}

function reportRow(rep, onOpen) {
  const sm = rep.summary && typeof rep.summary === 'object' ? rep.summary : {};
  const hy = sm.hygiene || {};
  const tech = asArray(sm.techniques);
  return h('tr', {class: ['alert-row', 'report-row', tech.length || (hy.iocs || 0) > (hy.noise || 0) ? 'sev3' : 'sev4'],
    dataset: {id: rep.id || ''}, tabindex: 0,
    on: {click: () => onOpen(rep), keydown: (ev) => { if (ev.key === 'Enter') onOpen(rep); }}},
  h('td', {class: 'time'}, fmtTime(sm.time)),
  h('td', {class: 'title'}, rep.title || h('span', {class: 'muted'}, '(no title)')),
  h('td', {class: 'subject'}, rep.source || '—'),
  h('td', {class: 'num'}, `${fmtNum(hy.iocs)}`, h('span', {class: 'muted'}, ` (${fmtNum(hy.noise)} noise)`)),
  h('td', null, tags(tech.slice(0, 6).map((t) => t.id), 'none')));
}

function iocTable(iocs) {
  if (!iocs.length) return h('p', {class: 'muted'}, 'No indicators.');
  return h('table', {class: 'alerts iocs'},
    h('thead', null, h('tr', null, ['Type', 'Value', 'Count', 'Noise', 'Sentence'].map((t) => h('th', null, t)))),
    h('tbody', null, iocs.map((c) => h('tr', {class: c.noise ? 'noise' : 'ioc', dataset: {type: c.type}},
      h('td', null, c.type), h('td', null, h('code', null, c.value)), h('td', {class: 'num'}, fmtNum(c.count)),
      h('td', null, c.noise ? h('span', {class: 'tag'}, c.noise_reason || 'noise') : ''),
      h('td', {class: 'muted small'}, c.sentence || '')))));
}

function techTable(tech) {
  if (!tech.length) return h('p', {class: 'muted'}, 'No technique recognised.');
  return h('table', {class: 'alerts techniques'},
    h('thead', null, h('tr', null, ['Technique', 'Name', 'Confidence', 'Sentences', 'Example'].map((t) => h('th', null, t)))),
    h('tbody', null, tech.map((t) => h('tr', {dataset: {technique: t.id}},
      h('td', null, h('a', {href: `https://attack.mitre.org/techniques/${String(t.id).replace('.', '/')}/`,
        rel: 'noreferrer', target: '_blank'}, t.id)),
      h('td', null, t.name || ''), h('td', {class: 'num'}, typeof t.confidence === 'number' ? t.confidence.toFixed(2) : '—'),
      h('td', {class: 'num'}, fmtNum(t.sentences)), h('td', {class: 'muted small'}, t.sentence || '')))));
}

async function downloadStix(id, note) {
  try {
    const text = await apiText('/api/intel/reports/' + encodeURIComponent(id) + '/stix');
    const url = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
    const a = h('a', {href: url, download: `${id}.stix.json`});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    note.textContent = `bundle: ${fmtNum(text.length)} bytes`;
  } catch (e) {
    note.textContent = String(e.message || e);
  }
}

function detailCard(sm) {
  const note = h('span', {class: 'muted stix-note'});
  const hy = sm.hygiene || {};
  const reasons = Object.entries(hy.reasons || {}).map(([k, v]) => `${k}: ${v}`);
  const findings = asArray(sm.findings);
  return [
    h('h2', {class: 'report-title'}, sm.title || sm.id),
    h('dl', {class: 'facts'},
      [['Report', h('code', null, sm.id)], ['Source', sm.source || '—'], ['SHA-256', h('code', null, sm.sha256 || '—')],
        ['Analysed', fmtTime(sm.time)],
        ['Indicators', `${fmtNum(hy.iocs)} (${fmtNum(hy.noise)} noise)`], ['Noise reasons', tags(reasons, 'none')],
        ['Tactics', tags(asArray(sm.tactics), 'none')], ['Kill chain', tags(asArray(sm.kill_chain), 'none')],
        ['Software', tags(asArray(sm.software).map((s) => `${s.name} (${s.id})`), 'none')],
        ['Findings', findings.length ? h('ul', {class: 'nested findings'}, findings.map((f) =>
          h('li', null, h('strong', null, f.subject || ''), ` ${f.detail || f.kind}`))) : h('span', {class: 'muted'}, 'none')],
      ].map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    h('div', {class: 'row'}, h('button', {type: 'button', class: 'stix-download',
      on: {click: () => downloadStix(sm.id, note)}}, 'Download STIX 2.1 bundle'), note),
    h('h3', null, 'Techniques'), techTable(asArray(sm.techniques)),
    h('h3', null, 'Indicators'), iocTable(asArray(sm.iocs)),
  ];
}

function analyseForm(onDone) {
  const text = h('textarea', {name: 'report', rows: 6, placeholder: 'Paste a report (text or HTML)…', 'aria-label': 'report text'});
  const name = h('input', {name: 'name', placeholder: 'name (optional)', 'aria-label': 'report name'});
  const note = h('span', {class: 'muted'});
  const go = h('button', {type: 'submit', class: 'primary'}, 'Analyse');
  return h('form', {class: 'card analyse-report', on: {submit: async (ev) => {
    ev.preventDefault();
    if (!text.value.trim()) { note.textContent = 'nothing to analyse'; return; }
    go.disabled = true;
    note.textContent = 'analysing…';
    try {
      const body = await apiText('/api/analyze' + query({type: 'report', name: name.value.trim()}),
        {method: 'POST', body: text.value, headers: {'Content-Type': 'text/plain; charset=utf-8'}});
      note.textContent = '';
      onDone(JSON.parse(body));
    } catch (e) {
      note.textContent = String(e.message || e);
    } finally {
      go.disabled = false;
    }
  }}}, h('h2', null, 'Analyse a report'), text, h('div', {class: 'row'}, name, go, note));
}

export async function intelView(root, ctx) {
  let next = null;
  const tbody = h('tbody');
  const table = h('table', {class: 'alerts reports'},
    h('thead', null, h('tr', null, ['Analysed (UTC)', 'Title', 'Source', 'Indicators', 'Techniques']
      .map((t) => h('th', null, t)))), tbody);
  const older = h('button', {type: 'button', class: 'load-older', hidden: true}, 'Load older');
  const detail = h('section', {class: 'card report-detail', hidden: true});
  const listSlot = h('div', null, h('p', {class: 'muted'}, 'loading…'));

  function show(sm) {
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    const tr = [...tbody.querySelectorAll('tr.report-row')].find((r) => r.dataset.id === sm.id);
    if (tr) tr.classList.add('selected');
    detail.hidden = false;
    replace(detail, ...detailCard(sm));
    detail.scrollIntoView({block: 'nearest'});
  }
  function add(list) {
    for (const rep of list) tbody.appendChild(reportRow(rep, (r) => show(r.summary || {id: r.id})));
    older.hidden = !next;
  }
  async function loadPage() {
    const page = await api('/api/intel/reports' + query({limit: PAGE, before: next}));
    next = page && typeof page.next === 'string' ? page.next : null;
    return asArray(page && page.reports);
  }
  older.addEventListener('click', async () => {
    older.disabled = true;
    try { add(await loadPage()); } catch (e) { older.replaceWith(errorBox(e)); } finally { older.disabled = false; }
  });
  root.append(h('h1', null, 'Intel'), analyseForm((sm) => {
    if (!ctx.isCurrent()) return;
    if (!tbody.querySelector(`tr[data-id="${CSS.escape(sm.id)}"]`))
      tbody.prepend(reportRow({id: sm.id, title: sm.title, source: sm.source, summary: sm}, (r) => show(r.summary)));
    replace(listSlot, table, h('div', {class: 'older-bar'}, older));
    show(sm);
  }), detail, listSlot);
  try {
    const first = await loadPage();
    if (!ctx.isCurrent()) return null;
    replace(listSlot, first.length ? table
      : h('p', {class: 'empty'}, 'No reports yet: hayate run with the intel engine and input.spool, or paste one above.'),
    h('div', {class: 'older-bar'}, older));
    add(first);
  } catch (e) {
    if (ctx.isCurrent()) replace(listSlot, errorBox(e));
  }
  return null;
}
