// The bench charts as SVG: a bar per row for one metric, and a log-log time-vs-size line per
// row for sweeps. Elements carry data-row / data-point indices; the view shows details on hover.
import { svg } from './dom';
import { formatSeconds, sig3, truncate } from './format';
import { linearScale, logScale, sizeScale, spacedTicks, type Scale } from './scale';
import type { BenchRow } from './schema';

export type Metric = 'time' | 'speedup' | 'gflops';
export type ScaleKind = 'log' | 'linear';

export const METRICS: { key: Metric; label: string; describe: string }[] = [
  { key: 'time', label: 'Time', describe: 'median time per call (shorter is faster)' },
  { key: 'speedup', label: 'Speedup', describe: 'speedup over the baseline (longer is faster)' },
  { key: 'gflops', label: 'GFLOP/s', describe: 'throughput in GFLOP/s (longer is faster)' }
];

export function metricValue(row: BenchRow, metric: Metric): number | null {
  return metric === 'time' ? row.median : metric === 'speedup' ? row.speedup : row.gflops;
}

export function formatMetric(value: number, metric: Metric): string {
  return metric === 'time'
    ? formatSeconds(value)
    : metric === 'speedup'
      ? `${sig3(value)}×`
      : `${sig3(value)} GFLOP/s`;
}

/** Axis labels: round numbers without trailing zeros (`1 µs`, `0.5×`, `0.001`). Times carry
 * their unit (it changes along the axis); GFLOP/s says its unit once, in the axis title. */
export function formatTick(value: number, metric: Metric): string {
  const text = metric === 'gflops' ? sig3(value) : formatMetric(value, metric);
  return text.replace(/\.0+(?=\D|$)|(\.\d*?)0+(?=\D|$)/, '$1');
}

/** The axis title: what the axis measures, its unit and its scale. */
export function axisTitle(metric: Metric, scaleKind: ScaleKind, baseline: string | null = null): string {
  const what =
    metric === 'time'
      ? 'median time per call'
      : metric === 'speedup'
        ? `speedup over ${baseline ?? 'the baseline'}`
        : 'throughput, GFLOP/s';
  return `${what} (${scaleKind} scale)`;
}

/** Axis text is 11 px: about this many viewBox units per character, with room to spare. */
const CHAR_W = 6.6;
const labelWidth = (text: string) => Array.from(text).length * CHAR_W;

/** Why a row has no bar, in a few words. */
function missingReason(row: BenchRow): string {
  switch (row.status) {
    case 'failed':
      return 'failed (see error)';
    case 'incorrect':
      return 'incorrect, not timed';
    case 'skipped':
      return 'skipped';
    default:
      return 'not measured';
  }
}

const WIDTH = 680;
const LABEL_W = 160;
const VALUE_W = 120;
const ROW_H = 24;
const AXIS_H = 22;
const TITLE_H = 16;

let uid = 0;

/** Horizontal bars, one per row, in row order. */
export function barChart(
  rows: BenchRow[],
  metric: Metric,
  scaleKind: ScaleKind,
  baseline: string | null = null
): SVGSVGElement {
  const values = rows.map((row) => metricValue(row, metric));
  const drawable = (v: number | null): v is number =>
    v !== null && (scaleKind === 'linear' ? v >= 0 : v > 0);
  const plotted = values.filter(drawable);
  const range: [number, number] = [LABEL_W, WIDTH - VALUE_W];
  const scale: Scale = scaleKind === 'log' ? logScale(plotted, range) : linearScale(plotted, range);
  const height = AXIS_H + rows.length * ROW_H + 6 + TITLE_H;
  const description = METRICS.find((m) => m.key === metric)?.describe ?? metric;
  const root = svg('svg', {
    class: 'mm-bench-chart mm-bench-bars',
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    role: 'img',
    'aria-label': `Bar chart, ${scaleKind} scale: ${description}`,
    'data-metric': metric,
    'data-scale': scaleKind
  });
  const hatchId = `mm-bench-hatch-${++uid}`;
  const defs = svg('defs');
  const pattern = svg('pattern', {
    id: hatchId,
    width: 6,
    height: 6,
    patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)'
  });
  pattern.appendChild(svg('rect', { width: 6, height: 6, class: 'mm-bench-hatch-bg' }));
  pattern.appendChild(svg('rect', { width: 3, height: 6, class: 'mm-bench-hatch-fg' }));
  defs.appendChild(pattern);
  root.appendChild(defs);

  const axis = svg('g', { class: 'mm-bench-axis' });
  const labelled = new Set(spacedTicks(scale, scale.ticks, (t) => labelWidth(formatTick(t, metric))));
  for (const tick of scale.ticks) {
    const x = scale(tick);
    axis.appendChild(svg('line', { x1: x, x2: x, y1: AXIS_H - 4, y2: height - 4 - TITLE_H, class: 'mm-bench-grid' }));
    if (labelled.has(tick)) {
      axis.appendChild(svg('text', { x, y: AXIS_H - 8, 'text-anchor': 'middle', class: 'mm-bench-tick' }, formatTick(tick, metric)));
    }
  }
  axis.appendChild(
    svg('text', { x: (range[0] + range[1]) / 2, y: height - 6, 'text-anchor': 'middle', class: 'mm-bench-axis-title' }, axisTitle(metric, scaleKind, baseline))
  );
  root.appendChild(axis);

  rows.forEach((row, i) => {
    const y = AXIS_H + i * ROW_H;
    const value = values[i];
    const g = svg('g', {
      class: `mm-bench-bar-row mm-kind-${row.kind} mm-status-${row.status}${row.extrapolated ? ' mm-extrapolated' : ''}`,
      'data-row': i
    });
    // A full-width transparent band makes the whole row hoverable, bar or not.
    g.appendChild(svg('rect', { x: 0, y, width: WIDTH, height: ROW_H, class: 'mm-bench-band' }));
    g.appendChild(
      svg('text', { x: LABEL_W - 8, y: y + ROW_H / 2 + 4, 'text-anchor': 'end', class: 'mm-bench-label' }, truncate(row.name, 20))
    );
    if (drawable(value)) {
      const x0 = LABEL_W; // both scales start at the left edge of the plot
      const x1 = Math.max(x0 + 1, scale(Math.max(value, scale.domain[0])));
      const bar = svg('rect', {
        x: x0,
        y: y + 4,
        width: x1 - x0,
        height: ROW_H - 8,
        rx: 2,
        class: 'mm-bench-bar'
      });
      if (row.extrapolated) {
        // Inline style: the stylesheet's fill would beat a presentation attribute.
        bar.style.fill = `url(#${hatchId})`;
      }
      g.appendChild(bar);
      const unsure = row.unreliable ? ' (unreliable)' : '';
      const marks = `${row.extrapolated ? '≈ ' : ''}${formatMetric(value, metric)}${unsure}${row.status === 'incorrect' ? ' ✗' : ''}`;
      g.appendChild(svg('text', { x: x1 + 6, y: y + ROW_H / 2 + 4, class: 'mm-bench-value' }, marks));
    } else {
      g.appendChild(
        svg('text', { x: LABEL_W + 6, y: y + ROW_H / 2 + 4, class: 'mm-bench-missing' }, missingReason(row))
      );
    }
    root.appendChild(g);
  });
  return root;
}

const SWEEP_W = 680;
const SWEEP_H = 340;
const MARGIN = { left: 70, right: 170, top: 14, bottom: 40 };

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

const DOT_R = 2.5;

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

/** Each row's metric against sweep size, on the chosen scale, with each row's fitted exponent.
 * The size axis spans the sizes measured (log scale), not whole decades around them. */
export function sweepChart(
  rows: BenchRow[],
  sizes: number[],
  metric: Metric = 'time',
  scaleKind: ScaleKind = 'log',
  baseline: string | null = null
): SweepChart {
  const base = rows.find((r) => r.name === baseline) ?? null;
  const values = rows.map((row) => row.points.map((_, j) => pointValue(row, j, metric, base)));
  const drawable = (v: number | null): v is number => v !== null && (scaleKind === 'linear' ? v >= 0 : v > 0);
  const measured = rows.flatMap((row, i) => row.points.filter((_, j) => drawable(values[i][j])).map((p) => p.size));
  const x = sizeScale(measured.length ? measured : sizes, [MARGIN.left, SWEEP_W - MARGIN.right]);
  const yRange: [number, number] = [SWEEP_H - MARGIN.bottom, MARGIN.top];
  const plotted = values.flat().filter(drawable);
  const y = scaleKind === 'log' ? logScale(plotted, yRange) : linearScale(plotted, yRange);
  const root = svg('svg', {
    class: 'mm-bench-chart mm-bench-sweep',
    viewBox: `0 0 ${SWEEP_W} ${SWEEP_H}`,
    width: SWEEP_W,
    height: SWEEP_H,
    role: 'img',
    'data-metric': metric,
    'data-scale': scaleKind,
    'aria-label': `Sweep: ${axisTitle(metric, scaleKind, baseline)} against size (log scale), one line per variant`
  });

  const axis = svg('g', { class: 'mm-bench-axis' });
  const [left, right, top, bottom] = [MARGIN.left, SWEEP_W - MARGIN.right, MARGIN.top, SWEEP_H - MARGIN.bottom];
  const sizeLabel = (tick: number) => (tick >= 1 ? Math.round(tick).toLocaleString('en-US') : sig3(tick));
  const xLabelled = new Set(spacedTicks(x, x.ticks, (t) => labelWidth(sizeLabel(t))));
  for (const tick of x.ticks) {
    const px = x(tick);
    axis.appendChild(svg('line', { x1: px, x2: px, y1: top, y2: bottom, class: 'mm-bench-grid' }));
    if (xLabelled.has(tick)) {
      axis.appendChild(svg('text', { x: px, y: bottom + 16, 'text-anchor': 'middle', class: 'mm-bench-tick' }, sizeLabel(tick)));
    }
  }
  // Vertical axis: labels stack, so they need their line height apart, not their width.
  const yLabelled = new Set(spacedTicks(y, y.ticks, () => 14));
  for (const tick of y.ticks) {
    const py = y(tick);
    axis.appendChild(svg('line', { x1: left, x2: right, y1: py, y2: py, class: 'mm-bench-grid' }));
    if (yLabelled.has(tick)) {
      axis.appendChild(svg('text', { x: left - 6, y: py + 4, 'text-anchor': 'end', class: 'mm-bench-tick' }, formatTick(tick, metric)));
    }
  }
  axis.appendChild(svg('text', { x: (left + right) / 2, y: SWEEP_H - 6, 'text-anchor': 'middle', class: 'mm-bench-axis-title' }, 'size (log scale)'));
  axis.appendChild(
    svg('text', { x: 14, y: (top + bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(top + bottom) / 2})`, class: 'mm-bench-axis-title' }, axisTitle(metric, scaleKind, baseline))
  );
  root.appendChild(axis);

  const points: PlotPoint[] = [];
  const legend = svg('g', { class: 'mm-bench-legend' });
  rows.forEach((row, i) => {
    const series = svg('g', { class: `mm-bench-series mm-series-${i % 8}`, 'data-row': i });
    let d = '';
    let pen = false;
    const solid: PlotPoint[] = [];
    const hollow: PlotPoint[] = [];
    row.points.forEach((point, j) => {
      const value = values[i][j];
      if (!drawable(value)) {
        pen = false;
        return;
      }
      const p = { x: x(point.size), y: y(value), row: i, point: j };
      d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
      pen = true;
      (point.extrapolated ? hollow : solid).push(p);
      points.push(p);
    });
    if (d) {
      series.appendChild(svg('path', { d, class: 'mm-bench-line' }));
    }
    if (solid.length) {
      series.appendChild(svg('path', { d: dotsPath(solid), class: 'mm-bench-dots', 'data-count': solid.length }));
    }
    if (hollow.length) {
      series.appendChild(
        svg('path', { d: dotsPath(hollow), class: 'mm-bench-dots mm-extrapolated', 'data-count': hollow.length })
      );
    }
    root.appendChild(series);

    const ly = MARGIN.top + 8 + i * 20;
    const entry = svg('g', { class: `mm-bench-legend-entry mm-series-${i % 8}`, 'data-row': i });
    entry.appendChild(svg('line', { x1: right + 12, x2: right + 28, y1: ly, y2: ly, class: 'mm-bench-line' }));
    // The exponent is time's: shown with the time metric, where the slope is the one drawn.
    const slope = row.exponent === null || metric !== 'time' ? '' : `  ∝ n^${row.exponent.toFixed(2)}`;
    entry.appendChild(svg('text', { x: right + 34, y: ly + 4 }, `${truncate(row.name, 14)}${slope}`));
    legend.appendChild(entry);
  });
  root.appendChild(legend);
  root.appendChild(svg('circle', { r: DOT_R + 2, class: 'mm-bench-hover-dot', visibility: 'hidden' }));
  return { svg: root, points, width: SWEEP_W };
}
