// hayate's dashboard end to end in Debian's headless Chromium:
//   node tests/browser/dashboard.mjs PATH/TO/hayate
// A serve-only `hayate run` on an empty store; the dashboard opened; a
// second `hayate run` (serve.enabled=false) analyses a generated darknet
// capture into the same store, so the alerts arrive live over the stream;
// reloaded with pages smaller than the store, the feed starts at the newest
// alert and "Load older" pages back through every one once; an outbreak
// alert is opened and marked "False positive" (its verdict history then
// shows it), the store is checked for the verdict, and a second verdict
// heads the history; the Darknet page must draw a chart with outbreak
// markers and the Status page an engine row; generated sample families
// analysed into the store (hayate analyze --samples, families set with
// python3's sqlite3) must show on the Malware page, open a sample's report
// facts on click and draw the family's tree image; reports analysed into
// the store (hayate analyze --reports) must show on the Intel page with
// their indicators and noise reasons, and a pasted report must be analysed
// there (POST /api/analyze?type=report); screen engine alerts written into
// the store (python3's sqlite3) arrive live in the Screened view, which must
// put the top escalated alert first, collapse a review cluster into one
// expandable row, fold the screen.group summary into the auto-closed
// section, be kept in the URL and remembered, while All shows every alert;
// a server with a token must ask for it and then work. Screenshots go to $HAYATE_ARTIFACTS (default
// BUILD/test-artifacts, BUILD from $HY_BUILD_DIR, else the binary's folder).
// Exit: 0 passed, 1 failed (with the reason), 77 skipped (no Chromium or no
// node_modules: run `npm ci --prefix tests/browser`, or scripts/deps.sh).
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';

const SKIP = 77;
const DEADLINE_MS = 170000;
const hy = resolve(process.argv[2] || process.env.HY_BIN || '');
const chromiumPath = process.env.HY_CHROMIUM || '/usr/bin/chromium';
const artifacts = resolve(process.env.HAYATE_ARTIFACTS ||
  join(process.env.HY_BUILD_DIR || dirname(hy), 'test-artifacts'));

const children = new Set();
let browser = null;
let tmp = null;
let step = 'start';

function log(msg) { console.log(`dashboard: ${msg}`); }

function killAll() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try { c.kill('SIGKILL'); } catch { /* gone */ }
    }
  }
  children.clear();
  if (tmp) { try { rmSync(tmp, {recursive: true, force: true}); } catch { /* best effort */ } tmp = null; }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.error(`dashboard: FAIL: ${sig} during "${step}"`); process.exit(1); });

class Skip extends Error {}
function check(cond, msg) { if (!cond) throw new Error(msg); }

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => { const {port} = srv.address(); srv.close(() => res(port)); });
  });
}

// Runs hayate (or cmd); resolves with {code, out, err} when it exits.
function run(args, {background = false, cmd = hy} = {}) {
  const c = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe']});
  children.add(c);
  const res = {proc: c, out: '', err: ''};
  c.stdout.on('data', (d) => { res.out += d; });
  c.stderr.on('data', (d) => { res.err += d; });
  res.done = new Promise((r) => c.on('exit', (code, sig) => { children.delete(c); res.code = code; res.signal = sig; r(res); }));
  return background ? res : res.done;
}

async function stop(srv) {
  if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) return;
  srv.proc.kill('SIGTERM');
  const t = setTimeout(() => srv.proc.kill('SIGKILL'), 5000);
  await srv.done;
  clearTimeout(t);
}

async function waitHealthy(base, srv) {
  for (let i = 0; i < 100; i++) {
    if (srv.code !== undefined) throw new Error(`hayate run exited ${srv.code}: ${srv.err.trim()}`);
    try {
      const r = await fetch(base + '/healthz');
      if (r.ok || r.status === 401) return; // 401: up, with a token
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer /healthz: ${srv.err.trim()}`);
}

function conf(path, lines) { writeFileSync(path, lines.join('\n') + '\n'); return path; }

// Sample families for the Malware page: per family a random text of words,
// four copies of it with point mutations (so TLSH puts them close), plus one
// file whose name is markup. Deterministic (a fixed-seed generator).
function writeFamilies(dir) {
  let x = 0x9e3779b9;
  const rnd = (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const abc = 'abcdefghijklmnopqrstuvwxyz';
  const vocab = Array.from({length: 300}, () => Array.from({length: 3 + rnd(8)}, () => abc[rnd(26)]).join(''));
  mkdirSync(dir, {recursive: true});
  for (const fam of 'ABC') {
    const base = Buffer.from(Array.from({length: 1200}, () => vocab[rnd(vocab.length)]).join(' '));
    for (let m = 0; m < 4; m++) {
      const b = Buffer.from(base);
      for (let k = 0; k < 50; k++) b[rnd(b.length)] = abc.charCodeAt(rnd(26));
      writeFileSync(join(dir, `${fam}${m}.bin`), b);
    }
  }
  writeFileSync(join(dir, '<img src=x onerror=window.__pwned=1>.bin'), Buffer.from(vocab.join(' ')));
}

async function main() {
  step = 'prerequisites';
  check(existsSync(hy), `no hayate binary at "${hy}" (pass it as the first argument)`);
  if (!existsSync(chromiumPath)) throw new Skip(`no Chromium at ${chromiumPath} (apt-get install chromium)`);
  let chromium;
  try {
    ({chromium} = await import('playwright-core'));
  } catch {
    throw new Skip('playwright-core is not installed: run npm ci --prefix tests/browser');
  }
  tmp = mkdtempSync(join(tmpdir(), 'hayate-dashboard-'));
  mkdirSync(artifacts, {recursive: true});
  const store = join(tmp, 'store.db');

  step = 'synth darknet';
  const pcap = join(tmp, 'dn.pcap');
  const syn = await run(['synth', 'darknet', '--scenario', 'demo', '-o', pcap]);
  check(syn.code === 0, `hayate synth darknet exited ${syn.code}: ${syn.err.trim()}`);

  step = 'serve-only hayate run';
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serveConf = conf(join(tmp, 'serve.conf'), ['[store]', `path = "${store}"`, '[serve]', `listen = "127.0.0.1:${port}"`]);
  const server = run(['run', '-c', serveConf, '--listen', `127.0.0.1:${port}`], {background: true});
  await waitHealthy(base, server);

  step = 'launch Chromium';
  browser = await chromium.launch({
    executablePath: chromiumPath, headless: true, timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({viewport: {width: 1360, height: 860}});
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.setDefaultTimeout(30000);

  step = 'open the dashboard';
  const resp = await page.goto(base + '/', {waitUntil: 'load'});
  check(resp && resp.status() === 200, `GET / answered ${resp && resp.status()}`);
  check((resp.headers()['content-security-policy'] || '').includes("default-src 'self'"), 'GET / has no CSP');
  await page.waitForSelector('#live.on', {timeout: 15000});
  await page.waitForSelector('.feedbar .muted:text("0 alerts shown")');
  check(await page.locator('tr.alert-row').count() === 0, 'the feed of an empty store is not empty');

  step = 'second hayate run (alerts arrive live)';
  const pipeConf = conf(join(tmp, 'pipe.conf'), ['[store]', `path = "${store}"`, '[serve]', 'enabled = false']);
  const pipe = run(['run', '-c', pipeConf, '-r', pcap, '--darknet', '198.18.0.0/15',
    '-s', 'darknet.recent_bins=10', '-s', 'darknet.scanner_packets=1200', '-s', 'darknet.glasso_hosts=200',
    '-s', 'flow.enabled=false'], {background: true});
  const outbreakRow = page.locator('tr.alert-row[data-kind="darknet.outbreak"]').first();
  await outbreakRow.waitFor({timeout: 90000});
  log('an outbreak alert arrived over the stream');
  const finished = await pipe.done;
  check(finished.code === 0, `the analysing hayate run exited ${finished.code}: ${finished.err.trim()}`);
  const stored = await (await fetch(base + '/api/alerts?limit=1000')).json();
  const nStored = stored.alerts.length;
  await page.waitForFunction((n) => document.querySelectorAll('tr.alert-row').length === n, nStored, {timeout: 10000});
  log(`all ${nStored} stored alerts are in the feed, none reloaded`);
  await page.waitForTimeout(4200); // the "fresh" highlight fades
  await page.screenshot({path: join(artifacts, 'dashboard.png')});

  step = 'the first page is the newest; Load older pages back through the rest';
  // Pages a third of the store's size, so the feed needs several: the
  // dashboard asks for order=desc&limit=200; the route shrinks the limit.
  const newest = (await (await fetch(base + '/api/alerts?order=desc&limit=1')).json()).alerts[0].hayate.id;
  const per = Math.max(1, Math.floor(nStored / 3));
  const asked = [];
  const alertsApi = (u) => u.pathname === '/api/alerts';
  await page.route(alertsApi, (r) => {
    const u = new URL(r.request().url());
    asked.push(u.search);
    if (u.searchParams.get('order') === 'desc') u.searchParams.set('limit', String(per));
    r.continue({url: u.toString()});
  });
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll('tr.alert-row').length === n, per, {timeout: 10000});
  check(asked.length === 1 && /^\?order=desc&limit=200$/.test(asked[0]), `the feed asked for ${JSON.stringify(asked)}`);
  const first = await page.locator('tr.alert-row').first().getAttribute('data-id');
  check(first === newest, `the feed's first row is ${first}, not the newest alert ${newest}`);
  for (let clicks = 0; clicks < 10 && await page.locator('button.load-older').isVisible(); clicks++) {
    const before = await page.locator('tr.alert-row').count();
    await page.click('button.load-older');
    await page.waitForFunction((n) => document.querySelectorAll('tr.alert-row').length > n ||
      document.querySelector('button.load-older').hidden, before, {timeout: 10000});
    await page.waitForSelector('button.load-older:not([disabled])', {state: 'attached'});
  }
  const paged = await page.locator('tr.alert-row').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  check(paged.length === nStored && new Set(paged).size === nStored, `Load older showed ${paged.length} rows (${new Set(paged).size} distinct) of ${nStored}`);
  check(paged.every((x, i) => !i || paged[i - 1] > x), 'the feed is not newest first');
  check(asked.slice(1).every((q) => /^\?order=desc&limit=200&before=[0-9A-Z]{26}$/.test(q)), `older pages asked ${JSON.stringify(asked)}`);
  check(await page.locator('.older-bar', {hasText: 'No older alerts match.'}).count() === 1, 'no end-of-feed note');
  await page.unroute(alertsApi);
  log(`newest first over ${asked.length} pages of ${per}: all ${nStored} alerts once`);

  step = 'filters apply to the feed';
  await page.selectOption('form.filters select[name="severity"]', '1');
  await page.waitForFunction(() => location.hash.includes('severity=1'));
  await page.waitForSelector('.feedbar .muted:text-matches("alerts? shown")');
  const sevs = await page.locator('tr.alert-row').evaluateAll((rows) => rows.map((r) => r.className));
  check(sevs.length > 0 && sevs.every((c) => c.includes('sev1')), `severity filter shows ${JSON.stringify(sevs)}`);
  await page.goto(base + '/#/alerts');

  step = 'open the outbreak alert';
  const row = page.locator('tr.alert-row[data-kind="darknet.outbreak"]').first();
  await row.waitFor();
  const id = await row.getAttribute('data-id');
  await row.locator('td.title a').click();
  await page.waitForSelector('h1.alert-title');
  check(page.url().endsWith('#/alert/' + id), `the detail page is ${page.url()}`);
  check(await page.locator('section table.nested.kv').count() > 0, 'the evidence is not rendered as a table');
  check((await page.locator('dl.facts').innerText()).includes('T1595.001'), 'the ATT&CK id is not shown');
  await page.waitForSelector('.verdict-box .verdict.none');

  await page.waitForSelector('.verdict-history p:text("Nobody has judged this alert yet.")');

  step = 'mark it a false positive';
  await page.fill('textarea[name="comment"]', 'synthetic outbreak (browser test)');
  await page.fill('input[name="analyst"]', 'browser-test');
  await page.getByRole('button', {name: 'False positive'}).click();
  await page.waitForSelector('.result .ok:text("Recorded false positive")');
  await page.waitForSelector('.verdict-history table.history tbody tr');
  const hist = await page.locator('.verdict-history table.history tbody tr').allInnerTexts();
  check(hist.length === 1 && hist[0].includes('False positive') && hist[0].includes('browser-test') &&
    hist[0].includes('synthetic outbreak (browser test)'), `the verdict history shows ${JSON.stringify(hist)}`);
  await page.screenshot({path: join(artifacts, 'detail.png'), fullPage: true});
  const fp = await (await fetch(base + '/api/alerts?verdict=false_positive')).json();
  check(fp.alerts.length === 1 && fp.alerts[0].hayate.id === id,
    `the store's false positives are ${JSON.stringify(fp.alerts.map((a) => a.hayate.id))}, not [${id}]`);
  await page.reload();
  await page.waitForSelector('.current-verdict .verdict.v-false_positive');
  log(`alert ${id} is a false positive in the store`);

  step = 'a second verdict heads the history';
  await page.fill('textarea[name="comment"]', 'second look');
  await page.getByRole('button', {name: 'True positive'}).click();
  await page.waitForSelector('.current-verdict .verdict.v-true_positive');
  await page.waitForFunction(() => document.querySelectorAll('.verdict-history table.history tbody tr').length === 2);
  const hist2 = await page.locator('.verdict-history table.history tbody tr').allInnerTexts();
  check(hist2[0].includes('True positive') && hist2[0].includes('second look') && hist2[1].includes('False positive'),
    `the verdict history after two verdicts shows ${JSON.stringify(hist2)}`);
  const api2 = await (await fetch(`${base}/api/alerts/${id}/feedback`)).json();
  check(api2.alert === id && api2.feedback.map((f) => f.verdict).join() === 'true_positive,false_positive',
    `GET /api/alerts/${id}/feedback says ${JSON.stringify(api2)}`);

  step = 'Darknet page';
  await page.goto(base + '/#/darknet');
  await page.waitForSelector('svg.chart path.line');
  const markers = await page.locator('svg.chart g.marker').count();
  check(markers >= 1, 'no outbreak marker on the darknet chart');
  check(await page.locator('.chart-card[data-key="tcp/2323"]').count() === 1, 'no chart for tcp/2323');
  await page.screenshot({path: join(artifacts, 'darknet.png'), fullPage: true});

  step = 'Status page';
  await page.goto(base + '/#/status');
  await page.waitForSelector('tr.engine-row[data-engine="darknet"]');
  check(await page.locator('section.card', {hasText: 'Store rows'}).count() === 1, 'no store figures');
  await page.screenshot({path: join(artifacts, 'status.png'), fullPage: true});

  step = 'Status page with pipeline figures and engine models (stubbed /api/stats)';
  const real = await (await fetch(base + '/api/stats')).json();
  await page.route('**/api/stats', (r) => r.fulfill({contentType: 'application/json', body: JSON.stringify(Object.assign(real, {
    pipeline: {running: true, seconds: 42.5, packets: 241574, bytes: 15700000, flows: 0, alerts: 3, dropped: 0,
      decode_errors: 0, store_errors: 0, packets_per_s: 41000, alerts_per_s: 0.5,
      queues: [{name: 'worker0', depth: 3, capacity: 64}, {name: 'collector', depth: 0, capacity: 64}]},
    engines: [{name: 'darknet', summary: 'telescope outbreaks', learns: true,
      model: {loaded: 'v2', current: 'v3', versions: ['v1', 'v2', 'v3']}}],
  }))}));
  await page.reload();
  await page.waitForSelector('section.pipeline table.queues');
  const eng = await page.locator('tr.engine-row[data-engine="darknet"]').innerText();
  check(eng.includes('telescope outbreaks') && eng.includes('current v3'), `the engine row says "${eng}"`);
  check((await page.locator('section.pipeline').innerText()).includes('41,000'), 'no packets/s in the pipeline card');
  await page.unroute('**/api/stats');

  step = 'To label page (the label queue, or its 501)';
  await page.goto(base + '/#/label');
  await page.waitForSelector('main h1:text("To label") ~ div :is(table.alerts, p.empty, p.error)');
  check(await page.locator('main p.error').count() === 0, 'the To label page shows an error');

  step = 'alert text is escaped';
  const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
  const fake = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
  await page.route(`**/api/alerts/${fake}`, (r) => r.fulfill({contentType: 'application/json', body: JSON.stringify({
    timestamp: '2024-01-01T00:00:00.000000+0000', event_type: 'alert',
    alert: {signature: evil, category: 'x.y', severity: 1},
    hayate: {id: fake, engine: 'x', kind: 'x.y', score: 1, subject: evil, evidence: {[evil]: [evil, {k: evil}]}, attack: [evil]},
  })}));
  await page.route(`**/api/alerts/${fake}/feedback`, (r) => r.fulfill({contentType: 'application/json', body: JSON.stringify({
    alert: fake, feedback: [{verdict: 'benign', label: evil, comment: evil, analyst: evil, time: '2024-01-01T00:00:01.000000+0000'}],
  })}));
  await page.goto(`${base}/#/alert/${fake}`);
  await page.waitForSelector('h1.alert-title');
  await page.waitForSelector('.verdict-history table.history td.analyst');
  check(await page.locator('.verdict-history td.comment').textContent() === evil, 'the verdict comment is not shown as text');
  check(await page.locator('h1.alert-title').textContent() === evil, 'the title is not shown as text');
  check(await page.locator('article.detail img, article.detail b').count() === 0, 'alert text became markup');
  check(await page.evaluate(() => window.__pwned === undefined), 'alert text ran a script');
  await page.unroute(`**/api/alerts/${fake}`);
  await page.unroute(`**/api/alerts/${fake}/feedback`);

  step = 'Malware page';
  const samples = join(tmp, 'samples');
  writeFamilies(samples);
  const an = await run(['analyze', '--samples', samples, '--db', store]);
  check(an.code === 0, `hayate analyze --samples exited ${an.code}: ${an.err.trim()}`);
  const fam = await run(['-c', `import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update samples set family = 'fam-' || substr(name, 1, 1) where name glob '[ABC][0-9].bin'")
c.execute("update samples set verdict = 'malicious', score = 0.97 where name glob 'A[0-9].bin'")
c.commit()`, store], {cmd: 'python3'});
  check(fam.code === 0, `python3 could not set the families: ${fam.err.trim()}`);
  await page.goto(base + '/#/malware');
  await page.waitForSelector('tr.sample-row');
  check(await page.locator('header nav a.active').textContent() === 'Malware', 'the Malware nav entry is not active');
  const nSamples = await page.locator('tr.sample-row').count();
  check(nSamples === 13, `the Malware page lists ${nSamples} samples, not 13`);
  const evilName = '<img src=x onerror=window.__pwned=1>.bin';
  check(await page.locator('tr.sample-row td.title', {hasText: evilName}).count() === 1, 'a file name is not shown as text');
  const aRow = page.locator('tr.sample-row', {hasText: 'A2.bin'});
  check((await aRow.innerText()).includes('fam-A') && (await aRow.innerText()).includes('0.97'), `the A2 row says "${await aRow.innerText()}"`);
  const sha = await aRow.getAttribute('data-sha256');
  await aRow.click();
  await page.waitForSelector('section.sample-detail dl.facts');
  const facts = await page.locator('section.sample-detail dl.facts').innerText();
  check(facts.includes(sha) && /Type\s+other/.test(facts) && facts.includes('YARA matches') && facts.includes('Anomalies'),
    `the sample detail says:\n${facts}`);
  check(await page.locator('section.sample-detail h2').textContent() === 'A2.bin', 'the detail is not headed by the name');
  const rep = (await (await fetch(`${base}/api/malware/samples/${sha}`)).json()).report;
  const near = rep && rep.similar && rep.similar.tlsh;
  if (near) { // the engine's nearest sample by TLSH: shown, and a click opens it
    const link = page.locator('section.sample-detail li[data-measure="tlsh"] a.similar-link');
    check(await link.textContent() === near.sha256.slice(0, 12), `the nearest sample shows as "${await link.textContent()}"`);
    await link.click();
    await page.waitForFunction((h) => document.querySelector('section.sample-detail dl.facts dd code')?.textContent === h, near.sha256);
    await aRow.click();
    await page.waitForFunction(() => document.querySelector('section.sample-detail h2')?.textContent === 'A2.bin');
  }
  await page.selectOption('select[name="family"]', 'fam-A');
  await page.waitForFunction(() => location.hash === '#/malware?family=fam-A');
  await page.waitForFunction(() => {
    const img = document.querySelector('section.tree-card img.tree');
    return img && img.complete && img.naturalWidth > 0;
  }, null, {timeout: 15000});
  check(await page.evaluate(() => window.__pwned === undefined), 'a file name ran a script');
  await page.screenshot({path: join(artifacts, 'malware.png'), fullPage: true});
  await page.reload();
  await page.waitForFunction(() => {
    const img = document.querySelector('section.tree-card img.tree');
    return img && img.complete && img.naturalWidth > 0;
  }, null, {timeout: 15000});
  check(await page.locator('select[name="family"]').inputValue() === 'fam-A', 'the family is not kept in the URL');
  await page.selectOption('select[name="family"]', '');
  check(await page.locator('section.tree-card').isHidden(), 'no family picked, but a tree shown');
  log(`the Malware page lists ${nSamples} samples, opens a report${near ? ' and its nearest sample' : ''} and draws the fam-A tree`);

  step = 'Intel page';
  const reports = join(tmp, 'reports');
  mkdirSync(reports, {recursive: true});
  writeFileSync(join(reports, 'advisory.txt'), '<img src=x onerror=window.__pwned=1> advisory\n\n' +
    'The implant beacons to 45.77.12[.]9 and update-check[.]net. Internal host 10.1.2.3 was infected.\n');
  const ar = await run(['analyze', '--reports', reports, '--db', store]);
  check(ar.code === 0, `hayate analyze --reports exited ${ar.code}: ${ar.err.trim()}`);
  await page.goto(base + '/#/intel');
  await page.waitForSelector('tr.report-row');
  check(await page.locator('header nav a.active').textContent() === 'Intel', 'the Intel nav entry is not active');
  await page.locator('tr.report-row').first().click();
  await page.waitForSelector('section.report-detail table.iocs');
  const iocRows = await page.locator('section.report-detail table.iocs tbody tr').allInnerTexts();
  check(iocRows.some((r) => r.includes('45.77.12.9')) && iocRows.some((r) => r.includes('update-check.net')),
    `the report's indicators are:\n${iocRows.join('\n')}`);
  check(iocRows.some((r) => r.includes('10.1.2.3') && r.includes('private address')), 'the private address is not marked as noise');
  check(await page.locator('section.report-detail h2.report-title').textContent() === '<img src=x onerror=window.__pwned=1> advisory',
    'the report title is not shown as text');
  await page.fill('textarea[name="report"]', 'The backdoor talks to 185.220.101[.]4 and drops payload.exe.');
  await page.fill('input[name="name"]', 'pasted');
  await page.click('form.analyse-report button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll('section.report-detail table.iocs td code')]
    .some((c) => c.textContent === '185.220.101.4'));
  check(await page.locator('tr.report-row').count() === 2, 'the pasted report is not listed');
  check(await page.evaluate(() => window.__pwned === undefined), 'a report ran a script');
  await page.screenshot({path: join(artifacts, 'intel.png'), fullPage: true});
  log('the Intel page lists reports, opens their indicators with noise reasons and analyses a pasted one');

  step = 'Screened view (screen engine alerts inserted into the store)';
  // Alerts as the screen engine stores them (docs/ALERTS.md), written with
  // python3's sqlite3 into the store the server reads, with ids newer than
  // every stored alert, so the server's stream delivers them live. The eve
  // column is left NULL: the store renders their EVE text when read.
  const crock = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const now = Date.now();
  const ulid = (n) => {
    let t = '';
    for (let ms = now, i = 0; i < 10; i++, ms = Math.floor(ms / 32)) t = crock[ms % 32] + t;
    return t + 'SCRNTEST' + String(n).padStart(8, '0');
  };
  const scr = (n, decision, priority, sev, title, subject, cluster) => ({
    id: ulid(n), time_ns: (now + n) * 1e6, engine: 'screen', kind: 'screen.alert', severity: sev, score: priority,
    title, subject, evidence: {screen: {priority, decision, reason: `${decision} because fixture ${n}`, cluster,
      confidence: 0.8, novelty: 0.3, rarity: 0.4, context: 12},
    source: {event_type: 'alert', src_ip: subject, alert: {signature: title, severity: sev, signature_id: 2000000 + n}}},
  });
  const sqlTitle = 'ET SCAN Suspicious inbound to mSQL port 4333';
  const groupTitle = '1,204 alerts of sid 2100498 from 10.0.0.0/24, auto-closed: context cluster judged benign on 11-20 by analyst (confidence 0.91)';
  const screenAlerts = [
    scr(1, 'escalate', 0.95, 1, 'ET EXPLOIT Apache Struts RCE', '203.0.113.5', 'a1b2c3d4e5f60718'),
    scr(2, 'needs-review', 0.55, 3, sqlTitle, '198.51.100.7', '00000000deadbeef'),
    scr(3, 'escalate', 0.82, 2, 'ET MALWARE Cobalt Strike Beacon', '203.0.113.9', ''),
    scr(4, 'needs-review', 0.61, 2, 'ET POLICY Outbound SMB', '10.0.0.12', '1111222233334444'),
    scr(5, 'needs-review', 0.48, 3, sqlTitle, '198.51.100.8', '00000000deadbeef'),
    {id: ulid(6), time_ns: (now + 6) * 1e6, engine: 'screen', kind: 'screen.group', severity: 4, score: 0.05,
      title: groupTitle, subject: '10.0.0.0/24', evidence: {decision: 'auto-closed', count: 1204, sid: 2100498,
        signature: 'GPL ATTACK_RESPONSE id check returned root', net: '10.0.0.0/24', cluster: '0123456789abcdef',
        first: '2024-11-20T01:00:00.000000+0000', last: '2024-11-20T02:00:00.000000+0000', reason: 'cluster judged benign'}},
  ];
  const insertAlerts = async (list) => {
    const r = await run(['-c', `import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30)
for a in json.loads(sys.argv[2]):
    c.execute("insert into alerts (id, time_ns, engine, kind, severity, score, title, subject, evidence, attack)"
              " values (?, ?, ?, ?, ?, ?, ?, ?, ?, '')", (a['id'], a['time_ns'], a['engine'], a['kind'], a['severity'],
              a['score'], a['title'], a['subject'], json.dumps(a['evidence'])))
c.commit()`, store, JSON.stringify(list)], {cmd: 'python3'});
    check(r.code === 0, `python3 could not insert the screen alerts: ${r.err.trim()}`);
  };
  const pressed = (v) => page.locator(`.view-toggle button[data-view="${v}"][aria-pressed="true"]`);
  const summaryIs = (text) => page.waitForFunction((t) => document.querySelector('.screen-summary')?.textContent.startsWith(t), text);
  const firstRows = () => page.locator('table.screened-table tbody tr:not(.section-head)').evaluateAll(
    (rows) => rows.filter((r) => !r.hidden).map((r) => r.dataset.id));
  await page.goto(base + '/#/alerts');
  await page.waitForSelector('.feedbar .muted:text-matches("alerts? shown")');
  check(await pressed('all').count() === 1, 'the feed does not start in the All view');
  await page.click('.view-toggle button[data-view="screened"]');
  await page.waitForFunction(() => location.hash === '#/alerts?view=screened');
  await page.waitForSelector('.screen-summary');
  check(await page.locator('table.alerts:not(.screened-table):not(.auto-closed-table)').isHidden(), 'the All table shows in the screened view');
  await insertAlerts(screenAlerts);
  await summaryIs('2 escalated · 3 to review ·'); // arrived over the stream
  log('screen alerts arrived live in the screened view');
  const checkScreened = async () => {
    const ids = await firstRows();
    check(ids[0] === ulid(1), `the screened view's first row is ${ids[0]}, not the 0.95 escalated alert ${ulid(1)}`);
    check(ids[1] === ulid(3), `the second row is ${ids[1]}, not the 0.82 escalated alert`);
    check(ids[2] === ulid(4), `the first review row is ${ids[2]}, not the 0.61 one`);
    const esc = await page.locator('tbody.s-escalate tr.screened-row').first().innerText();
    check(esc.includes('escalate') && esc.includes('0.95') && esc.includes('escalate because fixture 1'),
      `the escalated row says "${esc}"`);
    const grp = page.locator('tbody.s-review tr.group-row');
    check(await grp.count() === 1, `${await grp.count()} collapsed rows among the review alerts, not 1`);
    check(await grp.getAttribute('data-count') === '2' && (await grp.locator('button.expand').innerText()).includes('2'),
      'the same-cluster review alerts are not one row with count 2');
    check((await grp.innerText()).includes(sqlTitle) && (await grp.innerText()).includes('0.55'), `the group row says "${await grp.innerText()}"`);
    const auto = page.locator('section.auto-closed');
    check((await auto.locator('h2').innerText()).includes('1,204 alerts'), `the auto-closed heading says "${await auto.locator('h2').innerText()}"`);
    check(await auto.locator('table').isHidden(), 'the auto-closed section is not collapsed');
    check(await page.locator('table.screened-table', {hasText: groupTitle}).count() === 0, 'the group summary is among the open alerts');
    check(await page.locator('tbody.s-unscreened tr.screened-row[data-kind="darknet.outbreak"]').count() > 0,
      'the unscreened alerts are not listed after the review ones');
  };
  await checkScreened();
  const grp = page.locator('tbody.s-review tr.group-row');
  check(await grp.locator('button.expand').getAttribute('aria-expanded') === 'false', 'the group starts expanded');
  check(await page.locator('tbody.s-review tr.member').evaluateAll((r) => r.every((x) => x.hidden)), 'group members show collapsed');
  await grp.locator('button.expand').click();
  check(await grp.locator('button.expand').getAttribute('aria-expanded') === 'true', 'the group button is not aria-expanded');
  const members = await page.locator('tbody.s-review tr.member:visible').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  check(members.join() === [ulid(2), ulid(5)].join(), `the expanded group shows ${JSON.stringify(members)}`);
  const autoBtn = page.locator('section.auto-closed button.section-toggle');
  await autoBtn.click();
  check(await autoBtn.getAttribute('aria-expanded') === 'true', 'the auto-closed button is not aria-expanded');
  const autoRow = page.locator('section.auto-closed table tr.summary-row');
  check(await autoRow.count() === 1 && await autoRow.isVisible(), 'the group summary is not in the auto-closed section');
  check((await autoRow.innerText()).includes(groupTitle) && (await autoRow.innerText()).includes('1,204'),
    `the auto-closed row says "${await autoRow.innerText()}"`);
  await page.screenshot({path: join(artifacts, 'screened.png'), fullPage: true});

  step = 'Screened view kept over a reload and a visit; All shows every alert';
  await page.reload();
  await page.waitForSelector('.screen-summary');
  check(await pressed('screened').count() === 1, 'the screened view is not kept in the URL');
  await summaryIs('2 escalated · 3 to review ·');
  await checkScreened();
  await page.goto(base + '/#/status');
  await page.goto(base + '/#/alerts');
  await summaryIs('2 escalated · 3 to review ·');
  check(await pressed('screened').count() === 1, 'the screened view is not remembered');
  await page.click('.view-toggle button[data-view="all"]');
  await page.waitForFunction(() => location.hash === '#/alerts');
  check(await page.locator('.screened').innerText() === '', 'the screened view stays drawn in All');
  const total = (await (await fetch(base + '/api/alerts?limit=1000')).json()).alerts.length;
  const allIds = await page.locator('table.alerts tr.alert-row').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  check(allIds.length === Math.min(total, 200) && screenAlerts.every((a) => allIds.includes(a.id)),
    `All shows ${allIds.length} rows of ${total} stored, screen alerts ${screenAlerts.filter((a) => allIds.includes(a.id)).length} of 6`);
  // A third alert of the review group arrives while All is shown; the
  // screened view then counts it in the group.
  await insertAlerts([scr(7, 'needs-review', 0.5, 3, sqlTitle, '198.51.100.9', '00000000deadbeef')]);
  await page.waitForFunction((id) => document.querySelector('table.alerts tr.alert-row')?.dataset.id === id, ulid(7));
  await page.click('.view-toggle button[data-view="screened"]');
  await summaryIs('2 escalated · 4 to review ·');
  check(await page.locator('tbody.s-review tr.group-row').getAttribute('data-count') === '3', 'the live arrival is not in its group');
  await page.click('.view-toggle button[data-view="all"]');
  log('the screened view sorts, groups and collapses screen alerts, is kept and remembered; All shows them all');

  step = 'token form';
  const tport = await freePort();
  const tbase = `http://127.0.0.1:${tport}`;
  const tsrv = run(['run', '-c', serveConf, '--listen', `127.0.0.1:${tport}`, '-s', 'serve.token=s3cret-t0ken'], {background: true});
  await waitHealthy(tbase, tsrv);
  check((await fetch(tbase + '/api/stats')).status === 401, 'the token server answers without the token');
  const tpage = await browser.newPage();
  tpage.on('pageerror', (e) => problems.push(`page error (token): ${e.message}`));
  await tpage.goto(tbase + '/');
  await tpage.waitForSelector('#token-dialog[open]');
  await tpage.fill('#token-input', 's3cret-t0ken');
  await tpage.click('#token-form button[type="submit"]');
  await tpage.waitForSelector('tr.alert-row[data-kind="darknet.outbreak"]');
  await tpage.waitForSelector('#live.on');
  check(await tpage.evaluate(() => sessionStorage.getItem('hayate.token')) === 's3cret-t0ken', 'the token is not in sessionStorage');
  await stop(tsrv);

  const reported = problems.filter((p) => !p.includes('401 (Unauthorized)'));
  check(!reported.length, `the browser reported:\n  ${reported.join('\n  ')}`);
  await browser.close();
  browser = null;
  await stop(server);
  for (const [name, p] of [['server', server], ['analysing run', finished], ['token server', tsrv]])
    check(!/Sanitizer|runtime error/.test(p.err), `the ${name} reported (sanitizer build):\n${p.err.trim()}`);
  log(`screenshots in ${artifacts}`);
}

const watchdog = setTimeout(() => {
  console.error(`dashboard: FAIL: over ${DEADLINE_MS / 1000} s at "${step}"`);
  process.exit(1);
}, DEADLINE_MS);

try {
  await main();
  console.log('dashboard: 1 passed, 0 failed');
  process.exitCode = 0;
} catch (e) {
  if (e instanceof Skip) {
    console.log(`dashboard: SKIP: ${e.message}`);
    process.exitCode = SKIP;
  } else {
    console.error(`dashboard: FAIL at "${step}": ${e.message}`);
    process.exitCode = 1;
  }
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => {});
  killAll();
}
