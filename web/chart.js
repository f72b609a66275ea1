// A small SVG time-series chart: one line (with its area), time and value
// axes with round ticks, vertical markers (alerts) that link somewhere,
// and a crosshair that reads off the nearest point.
import {s, fmtTime, fmtNum} from './dom.js';

const W = 900, H = 260;
const M = {l: 58, r: 14, t: 18, b: 30};
const MAX_DRAWN = 1500; // points drawn; more are merged keeping each bucket's peak

const STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]
  .map((x) => x * 1000);

function niceStep(range, count) {
  const raw = range / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

const pad = (n) => String(n).padStart(2, '0');
function timeLabel(ms, step) {
  const d = new Date(ms);
  if (step >= 86400000) return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return d.getUTCHours() === 0 && d.getUTCMinutes() === 0
    ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` : hm;
}

function downsample(pts) {
  if (pts.length <= MAX_DRAWN) return pts;
  const per = Math.ceil(pts.length / MAX_DRAWN), out = [];
  for (let i = 0; i < pts.length; i += per) {
    let best = pts[i];
    for (let j = i + 1; j < Math.min(pts.length, i + per); j++) if (pts[j].v > best.v) best = pts[j];
    out.push(best);
  }
  return out;
}

// points: [{t: ms, v: number}] in time order; markers: [{t: ms, sev, label,
// href}]. Returns an <svg> element.
export function lineChart({points, markers = [], label = '', title = ''}) {
  const pts = downsample(points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v)));
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title || label,
    preserveAspectRatio: 'xMidYMid meet'});
  if (title) svg.appendChild(s('title', null, title));
  const times = pts.map((p) => p.t).concat(markers.map((m) => m.t));
  if (!pts.length) {
    svg.appendChild(s('text', {x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle'}, 'no data'));
    return svg;
  }
  let t0 = Math.min(...times), t1 = Math.max(...times);
  if (t1 === t0) { t0 -= 60000; t1 += 60000; }
  const vmax = Math.max(1, ...pts.map((p) => p.v));
  const ystep = niceStep(vmax, 4);
  const ymax = Math.ceil(vmax / ystep) * ystep;
  const X = (t) => M.l + ((t - t0) / (t1 - t0)) * (W - M.l - M.r);
  const Y = (v) => H - M.b - (v / ymax) * (H - M.t - M.b);

  const grid = s('g', {class: 'grid'});
  for (let v = 0; v <= ymax + 1e-9; v += ystep) {
    grid.append(s('line', {x1: M.l, x2: W - M.r, y1: Y(v), y2: Y(v)}),
      s('text', {x: M.l - 6, y: Y(v) + 4, 'text-anchor': 'end'}, fmtNum(v, 1)));
  }
  const tstep = STEPS.find((st) => (t1 - t0) / st <= 8) || STEPS[STEPS.length - 1];
  for (let t = Math.ceil(t0 / tstep) * tstep; t <= t1; t += tstep) {
    grid.append(s('line', {x1: X(t), x2: X(t), y1: M.t, y2: H - M.b, class: 'vgrid'}),
      s('text', {x: X(t), y: H - M.b + 18, 'text-anchor': 'middle'}, timeLabel(t, tstep)));
  }
  svg.appendChild(grid);
  if (label) svg.appendChild(s('text', {x: M.l, y: 12, class: 'axis-label'}, label));

  // The line, broken where bins are missing (a gap over 3 typical steps).
  const gaps = [];
  for (let i = 1; i < pts.length; i++) gaps.push(pts[i].t - pts[i - 1].t);
  const typical = gaps.length ? gaps.slice().sort((a, b) => a - b)[gaps.length >> 1] : 0;
  let d = '', area = '', runStart = 0;
  const closeArea = (i) => {
    area += ` L${X(pts[i].t).toFixed(1)},${Y(0).toFixed(1)} L${X(pts[runStart].t).toFixed(1)},${Y(0).toFixed(1)} Z`;
  };
  pts.forEach((p, i) => {
    const brk = i === 0 || (typical && p.t - pts[i - 1].t > 3 * typical);
    if (brk && i) { closeArea(i - 1); runStart = i; }
    const xy = `${X(p.t).toFixed(1)},${Y(p.v).toFixed(1)}`;
    d += (brk ? ' M' : ' L') + xy;
    area += (brk ? ' M' : ' L') + xy;
  });
  closeArea(pts.length - 1);
  svg.append(s('path', {d: area.trim(), class: 'area'}), s('path', {d: d.trim(), class: 'line'}));

  // Crosshair: the nearest point to the pointer.
  const cross = s('g', {class: 'cross', visibility: 'hidden'});
  const cl = s('line', {y1: M.t, y2: H - M.b});
  const dot = s('circle', {r: 3.5});
  const txt = s('text', {y: M.t + 12});
  cross.append(cl, dot, txt);
  const hit = s('rect', {x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, class: 'hit'});
  svg.append(cross, hit);
  const mk = s('g', {class: 'markers'});
  for (const m of markers) {
    const x = X(m.t).toFixed(1);
    const g = s('g', {class: `marker sev${m.sev || 4}`},
      s('title', null, m.label || ''),
      s('line', {x1: x, x2: x, y1: M.t, y2: H - M.b}),
      s('path', {d: `M${x},${M.t} l-5,-8 h10 z`}));
    mk.appendChild(m.href ? s('a', {href: m.href}, g) : g);
  }
  svg.appendChild(mk);

  hit.addEventListener('mousemove', (ev) => {
    const box = svg.getBoundingClientRect();
    const sx = ((ev.clientX - box.left) / box.width) * W;
    const t = t0 + ((sx - M.l) / (W - M.l - M.r)) * (t1 - t0);
    let lo = 0, hi = pts.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (pts[mid].t < t) lo = mid + 1; else hi = mid; }
    if (lo > 0 && Math.abs(pts[lo - 1].t - t) < Math.abs(pts[lo].t - t)) lo--;
    const p = pts[lo], x = X(p.t);
    cl.setAttribute('x1', x); cl.setAttribute('x2', x);
    dot.setAttribute('cx', x); dot.setAttribute('cy', Y(p.v));
    txt.textContent = `${fmtTime(new Date(p.t))}  ${fmtNum(p.v, 2)}`;
    txt.setAttribute('x', x > W / 2 ? x - 8 : x + 8);
    txt.setAttribute('text-anchor', x > W / 2 ? 'end' : 'start');
    cross.setAttribute('visibility', 'visible');
  });
  hit.addEventListener('mouseleave', () => cross.setAttribute('visibility', 'hidden'));
  return svg;
}
