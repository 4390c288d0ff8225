// Charts: uPlot (vendored) for the session's score line and the backtest histograms; plain SVG for
// the per-window bars. Each chart has a table beside it with the same numbers.
import { h, show, table, number } from './dom.js';

export const available = () => typeof window.uPlot === 'function';

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attributes) => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
};

/** Horizontal bars, one per [label, value]; widths relative to the largest. */
export function bars(title, rows) {
  const width = 520;
  const rowHeight = 26;
  const labelWidth = 150;
  const max = Math.max(1, ...rows.map(([, value]) => value));
  const chart = svg('svg', { width, height: rows.length * rowHeight + 8, role: 'img', 'aria-label': title, class: 'chart' });
  rows.forEach(([label, value], i) => {
    const y = i * rowHeight + 4;
    const text = svg('text', { x: 0, y: y + 16, 'font-size': 13, fill: '#1a1a1a' });
    text.textContent = label;
    const bar = svg('rect', { x: labelWidth, y, height: rowHeight - 8, width: Math.max(1, ((width - labelWidth - 90) * value) / max), fill: '#0b5cad' });
    const amount = svg('text', { x: labelWidth + 6 + ((width - labelWidth - 90) * value) / max, y: y + 16, 'font-size': 13, fill: '#1a1a1a' });
    amount.textContent = number(value);
    chart.append(text, bar, amount);
  });
  return chart;
}

const plots = new Map();

/** A uPlot chart into container, replacing the one drawn there before. */
function plot(container, options, data) {
  plots.get(container)?.destroy();
  show(container);
  const chart = new window.uPlot({ width: Math.min(640, Math.max(360, container.clientWidth || 560)), height: 220, ...options }, data, container);
  plots.set(container, chart);
  return chart;
}

/** The score and requests per minute each time this tab read the account (kept in sessionStorage only). */
export function observations(container, accountId, samples) {
  if (!available()) {
    show(container);
    return;
  }
  plot(container, {
    title: `Account ${accountId}: as read by this tab`,
    scales: { x: { time: true }, score: { range: [0, 1] }, rpm: { auto: true } },
    axes: [{}, { scale: 'score', label: 'score' }, { scale: 'rpm', side: 1, label: 'requests / min', grid: { show: false } }],
    series: [{}, { label: 'score', scale: 'score', stroke: '#b71c1c', width: 2, points: { show: true, size: 7 } },
      { label: 'requests in the last minute', scale: 'rpm', stroke: '#0b5cad', width: 2, points: { show: true, size: 7 } }],
  }, [samples.map((s) => s.at / 1000), samples.map((s) => s.score), samples.map((s) => s.requestsLastMinute)]);
}

/** A histogram of current against candidate counts over bins (lower bounds), bars side by side. */
export function histogram(container, title, bins, current, candidate) {
  const rows = bins.map((lower, i) => ({ lower, upper: bins[i + 1], current: current[i] ?? 0, candidate: candidate[i] ?? 0 }));
  const figure = h('figure', { class: 'chart' });
  const drawn = h('div');
  figure.append(h('figcaption', {}, title), drawn, h('details', {}, h('summary', {}, 'As a table'),
    table(null, [['score from', (r) => r.lower, { numeric: true }], ['below', (r) => r.upper ?? '', { numeric: true }],
      ['current', (r) => number(r.current), { numeric: true }], ['candidate', (r) => number(r.candidate), { numeric: true }]], rows)));
  container.append(figure);
  if (!available() || bins.length === 0) return;
  const bars = window.uPlot.paths.bars;
  // Bars at each bin's centre, the two policies side by side; the axis spans the whole bins.
  const step = bins.length > 1 ? bins[1] - bins[0] : 0.1;
  const first = bins[0];
  const last = bins[bins.length - 1] + step;
  plot(drawn, {
    width: 480,
    scales: { x: { time: false, range: () => [first, last] }, y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] } },
    axes: [{ label: 'score' }, { label: 'decisions' }],
    series: [{ label: 'bin centre', value: (u, v) => (v === null || v === undefined ? '--' : v.toFixed(3)) },
      { label: 'current', fill: 'rgba(11, 92, 173, 0.55)', stroke: '#0b5cad', paths: bars({ size: [0.45, 60], align: -1 }), points: { show: false } },
      { label: 'candidate', fill: 'rgba(183, 28, 28, 0.55)', stroke: '#b71c1c', paths: bars({ size: [0.45, 60], align: 1 }), points: { show: false } }],
  }, [rows.map((r) => r.lower + step / 2), rows.map((r) => r.current), rows.map((r) => r.candidate)]);
}
