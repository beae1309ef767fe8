// The sweep chart: each row's metric against sweep size (log size axis), one line per row
// with its fitted exponent. Points are one path per series; the view hit-tests them.
import { svg } from './dom';
import { PRESENTATION as P } from '../generated/presentation';
import { formatCount, formatExponentLabel, formatNumber, truncate } from './format';
import { axisTitle, chartWidth, labelWidth, type Metric, metricTick, type ScaleKind } from './metric';
import { linearScale, logScale, type Scale, sizeScale, spacedTicks } from './scale';
import type { BenchRow } from './schema';

/** The chart's width where it has room; narrower outputs get a narrower chart (down to
 * MIN_WIDTH), its text staying 11 px: the legend moves under the plot below LEGEND_BESIDE. */
export const SWEEP_W = 720;
const SWEEP_H = 340;
const LEGEND_BESIDE = 600;
// The left margin holds a tick as wide as `100,000,000×` clear of the rotated axis title.
// The right margin holds a legend entry of a 12-character name, `∝ size^-3.87` and ` ⚠`.
const MARGIN = { left: 100, right: 210, top: 14, bottom: 40 };
const [TOP, BOTTOM] = [MARGIN.top, SWEEP_H - MARGIN.bottom];
const LEGEND_ROW = 20;
const DOT_R = 2.5;

/** Where a chart `width` wide puts its plot and legend. */
interface SweepLayout {
  width: number;
  height: number;
  left: number;
  right: number;
  /** Where the legend's first entry sits: beside the plot or under the size axis. */
  legend: [number, number];
}

/** The layout for `width`: the full one at SWEEP_W; narrower, a left margin that holds the
 * widest labelled y tick (`tickWidth`) beside the rotated title, and the legend under the
 * plot where it no longer fits beside it. */
function sweepLayout(width: number, tickWidth: number, entries: number): SweepLayout {
  const w = chartWidth(width, SWEEP_W);
  const left = w === SWEEP_W ? MARGIN.left : Math.min(MARGIN.left, Math.max(60, 32 + tickWidth));
  if (w >= LEGEND_BESIDE) {
    return { width: w, height: SWEEP_H, left, right: w - MARGIN.right, legend: [w - MARGIN.right + 12, TOP + 8] };
  }
  return { width: w, height: SWEEP_H + entries * LEGEND_ROW + 4, left, right: w - 24, legend: [4, SWEEP_H + 8] };
}

/** A drawn sweep point, in the chart's viewBox units, for hover hit-testing. */
export interface PlotPoint {
  x: number;
  y: number;
  row: number;
  point: number;
}

export interface SweepChart {
  svg: SVGSVGElement;
  points: PlotPoint[];
  /** Viewbox units per CSS pixel is width / SWEEP_W; the view needs the width to hit-test. */
  width: number;
}

/** One path of small circles: 500 points cost one element, not 500 (see renderer_sweep.py). */
function dotsPath(points: PlotPoint[]): string {
  const r = DOT_R;
  return points
    .map((p) => `M${(p.x - r).toFixed(1)} ${p.y.toFixed(1)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`)
    .join('');
}

/** The drawn point nearest to (x, y) in viewBox units, if one is within `radius`. */
export function nearestPoint(points: PlotPoint[], x: number, y: number, radius = 8): PlotPoint | null {
  let best: PlotPoint | null = null;
  let bestDistance = radius * radius;
  for (const p of points) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestDistance) {
      best = p;
      bestDistance = d;
    }
  }
  return best;
}

/** A sweep point's value in `metric`: its time, the baseline's time at that size over it, or
 * its throughput (2·m·k·n flops). Null where it, or the baseline there, was not measured. */
export function pointValue(row: BenchRow, index: number, metric: Metric, base: BenchRow | null): number | null {
  const p = row.points[index];
  if (p.median === null || p.median <= 0) return null;
  if (metric === 'time') return p.median;
  if (metric === 'gflops') return (2 * p.m * p.k * p.n) / p.median / 1e9;
  const other = base?.points.find((q) => q.size === p.size);
  return other && other.median !== null && other.median > 0 ? other.median / p.median : null;
}

function axes(x: Scale, y: Scale, metric: Metric, title: string, layout: SweepLayout): SVGGElement {
  const { left, right } = layout;
  const g = svg('g', { class: 'mm-bench-axis' });
  const sizeLabel = (tick: number) => (tick >= 1 ? formatCount(tick) : formatNumber(tick));
  const xLabelled = new Set(spacedTicks(x, x.ticks, (t) => labelWidth(sizeLabel(t))));
  for (const tick of x.ticks) {
    const px = x(tick);
    g.appendChild(svg('line', { x1: px, x2: px, y1: TOP, y2: BOTTOM, class: 'mm-bench-grid' }));
    if (xLabelled.has(tick)) {
      g.appendChild(svg('text', { x: px, y: BOTTOM + 16, 'text-anchor': 'middle', class: 'mm-bench-tick' }, sizeLabel(tick)));
    }
  }
  // Vertical axis: labels stack, so they need their line height apart, not their width.
  const yLabelled = new Set(spacedTicks(y, y.ticks, () => 14));
  for (const tick of y.ticks) {
    const py = y(tick);
    g.appendChild(svg('line', { x1: left, x2: right, y1: py, y2: py, class: 'mm-bench-grid' }));
    if (yLabelled.has(tick)) {
      g.appendChild(svg('text', { x: left - 6, y: py + 4, 'text-anchor': 'end', class: 'mm-bench-tick' }, metricTick(tick, metric)));
    }
  }
  const mid = (TOP + BOTTOM) / 2;
  g.appendChild(svg('text', { x: (left + right) / 2, y: SWEEP_H - 6, 'text-anchor': 'middle', class: 'mm-bench-axis-title' }, 'size (log scale)'));
  g.appendChild(svg('text', { x: 12, y: mid, 'text-anchor': 'middle', transform: `rotate(-90 12 ${mid})`, class: 'mm-bench-axis-title' }, title));
  return g;
}

interface SeriesContext {
  x: Scale;
  y: Scale;
  metric: Metric;
  drawable: (v: number | null) => v is number;
  points: PlotPoint[];
}

/** Each time point's 95 % interval of its median, as vertical bars in one path. */
function errorBars(row: BenchRow, values: (number | null)[], ctx: SeriesContext): string {
  if (ctx.metric !== 'time' || row.unreliable) return '';
  return row.points
    .map((p, j) => {
      if (!ctx.drawable(values[j]) || p.median_low === null || p.median_high === null || p.median_low <= 0) return '';
      const [lo, hi] = [Math.max(p.median_low, ctx.y.domain[0]), Math.min(p.median_high, ctx.y.domain[1])];
      return `M${ctx.x(p.size).toFixed(1)} ${ctx.y(hi).toFixed(1)}V${ctx.y(lo).toFixed(1)}`;
    })
    .join('');
}

/** One row's line (dashed when unreliable), its points' intervals, and dots (hollow where
 * extrapolated); its points join `ctx.points`. */
function series(row: BenchRow, i: number, values: (number | null)[], ctx: SeriesContext): SVGGElement {
  const g = svg('g', { class: `mm-bench-series mm-series-${i % 8}${row.unreliable ? ' mm-unreliable' : ''}`, 'data-row': i });
  const bars = errorBars(row, values, ctx);
  if (bars) g.appendChild(svg('path', { d: bars, class: 'mm-bench-error-bars' }));
  let d = '';
  let pen = false;
  const solid: PlotPoint[] = [];
  const hollow: PlotPoint[] = [];
  row.points.forEach((point, j) => {
    const value = values[j];
    if (!ctx.drawable(value)) {
      pen = false;
      return;
    }
    const p = { x: ctx.x(point.size), y: ctx.y(value), row: i, point: j };
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
    pen = true;
    (point.extrapolated ? hollow : solid).push(p);
    ctx.points.push(p);
  });
  if (d) g.appendChild(svg('path', { d, class: 'mm-bench-line' }));
  if (solid.length) g.appendChild(svg('path', { d: dotsPath(solid), class: 'mm-bench-dots', 'data-count': solid.length }));
  if (hollow.length) {
    g.appendChild(svg('path', { d: dotsPath(hollow), class: 'mm-bench-dots mm-extrapolated', 'data-count': hollow.length }));
  }
  return g;
}

function legendEntry(row: BenchRow, i: number, metric: Metric, [lx, top]: [number, number]): SVGGElement {
  const ly = top + i * LEGEND_ROW;
  const entry = svg('g', { class: `mm-bench-legend-entry mm-series-${i % 8}`, 'data-row': i });
  entry.appendChild(svg('line', { x1: lx, x2: lx + 16, y1: ly, y2: ly, class: 'mm-bench-line' }));
  // The exponent is time's: shown with the time metric, where the slope is the one drawn.
  const slope = row.exponent === null || metric !== 'time' ? '' : ` ${formatExponentLabel(row.exponent)}`;
  const mark = row.unreliable ? P.unreliable_mark : '';
  entry.appendChild(svg('text', { x: lx + 22, y: ly + 4 }, `${truncate(row.name, 12)}${slope}${mark}`));
  return entry;
}

/** Each row's metric against sweep size, on the chosen scale, with each row's fitted exponent,
 * laid out for `width` (the output's width). The size axis spans the sizes measured (log
 * scale), not whole decades around them. */
export function sweepChart(
  rows: BenchRow[],
  sizes: number[],
  metric: Metric = 'time',
  scaleKind: ScaleKind = 'log',
  baseline: string | null = null,
  width: number = SWEEP_W
): SweepChart {
  const base = rows.find((r) => r.name === baseline) ?? null;
  const values = rows.map((row) => row.points.map((_, j) => pointValue(row, j, metric, base)));
  const drawable = (v: number | null): v is number => v !== null && (scaleKind === 'linear' ? v >= 0 : v > 0);
  const measured = rows.flatMap((row, i) => row.points.filter((_, j) => drawable(values[i][j])).map((p) => p.size));
  const spans = metric === 'time' ? rows.flatMap((r) => (r.unreliable ? [] : r.points.flatMap((p) => [p.median_low, p.median_high]))) : [];
  const plotted = [...values.flat(), ...spans].filter(drawable);
  const y = scaleKind === 'log' ? logScale(plotted, [BOTTOM, TOP]) : linearScale(plotted, [BOTTOM, TOP]);
  const layout = sweepLayout(width, Math.max(0, ...y.ticks.map((t) => labelWidth(metricTick(t, metric)))), rows.length);
  const x = sizeScale(measured.length ? measured : sizes, [layout.left, layout.right]);
  const title = axisTitle(metric, scaleKind, baseline);
  const root = svg('svg', {
    class: 'mm-bench-chart mm-bench-sweep',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: layout.width,
    height: layout.height,
    role: 'img',
    'data-metric': metric,
    'data-scale': scaleKind,
    'aria-label': `Sweep: ${title} against size (log scale), one line per variant`
  });
  root.appendChild(axes(x, y, metric, title, layout));
  const ctx: SeriesContext = { x, y, metric, drawable, points: [] };
  const legend = svg('g', { class: 'mm-bench-legend' });
  rows.forEach((row, i) => {
    root.appendChild(series(row, i, values[i], ctx));
    legend.appendChild(legendEntry(row, i, metric, layout.legend));
  });
  root.appendChild(legend);
  root.appendChild(svg('circle', { r: DOT_R + 2, class: 'mm-bench-hover-dot', visibility: 'hidden' }));
  return { svg: root, points: ctx.points, width: layout.width };
}
