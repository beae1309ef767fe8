// The bench charts as SVG: a bar per row for one metric, and a log-log time-vs-size line per
// row for sweeps. Elements carry data-row / data-point indices; the view shows details on hover.
import { svg } from './dom';
import { formatSeconds, sig3, truncate } from './format';
import { linearScale, logScale, type Scale } from './scale';
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

/** Axis labels: round numbers without trailing zeros (`1 µs`, `0.5×`). */
export function formatTick(value: number, metric: Metric): string {
  return formatMetric(value, metric).replace(/\.0+(?=\D|$)|(\.\d*?)0+(?=\D|$)/, '$1');
}

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

let uid = 0;

/** Horizontal bars, one per row, in row order. */
export function barChart(rows: BenchRow[], metric: Metric, scaleKind: ScaleKind): SVGSVGElement {
  const values = rows.map((row) => metricValue(row, metric));
  const drawable = (v: number | null): v is number =>
    v !== null && (scaleKind === 'linear' ? v >= 0 : v > 0);
  const plotted = values.filter(drawable);
  const range: [number, number] = [LABEL_W, WIDTH - VALUE_W];
  const scale: Scale = scaleKind === 'log' ? logScale(plotted, range) : linearScale(plotted, range);
  const height = AXIS_H + rows.length * ROW_H + 6;
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
  for (const tick of scale.ticks) {
    const x = scale(tick);
    axis.appendChild(svg('line', { x1: x, x2: x, y1: AXIS_H - 4, y2: height - 4, class: 'mm-bench-grid' }));
    axis.appendChild(
      svg('text', { x, y: AXIS_H - 8, 'text-anchor': 'middle' }, formatTick(tick, metric))
    );
  }
  root.appendChild(axis);

  rows.forEach((row, i) => {
    const y = AXIS_H + i * ROW_H;
    const value = values[i];
    const g = svg('g', {
      class: `mm-bench-bar-row mm-status-${row.status}${row.extrapolated ? ' mm-extrapolated' : ''}`,
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
      const marks = `${row.extrapolated ? '≈ ' : ''}${formatMetric(value, metric)}${row.status === 'incorrect' ? ' ✗' : ''}`;
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

/** Log-log median time vs sweep size, one line per row, with each row's fitted exponent. */
export function sweepChart(rows: BenchRow[], sizes: number[]): SweepChart {
  const times: number[] = [];
  for (const row of rows) {
    for (const point of row.points) {
      if (point.median !== null && point.median > 0) {
        times.push(point.median);
      }
    }
  }
  const x = logScale(sizes, [MARGIN.left, SWEEP_W - MARGIN.right]);
  const y = logScale(times, [SWEEP_H - MARGIN.bottom, MARGIN.top]);
  const root = svg('svg', {
    class: 'mm-bench-chart mm-bench-sweep',
    viewBox: `0 0 ${SWEEP_W} ${SWEEP_H}`,
    width: SWEEP_W,
    height: SWEEP_H,
    role: 'img',
    'aria-label': 'Sweep: median time against size, log-log, one line per variant'
  });

  const axis = svg('g', { class: 'mm-bench-axis' });
  const [left, right, top, bottom] = [MARGIN.left, SWEEP_W - MARGIN.right, MARGIN.top, SWEEP_H - MARGIN.bottom];
  for (const tick of x.ticks) {
    const px = x(tick);
    axis.appendChild(svg('line', { x1: px, x2: px, y1: top, y2: bottom, class: 'mm-bench-grid' }));
    const label = tick >= 1 ? Math.round(tick).toLocaleString('en-US') : sig3(tick);
    axis.appendChild(svg('text', { x: px, y: bottom + 16, 'text-anchor': 'middle' }, label));
  }
  for (const tick of y.ticks) {
    const py = y(tick);
    axis.appendChild(svg('line', { x1: left, x2: right, y1: py, y2: py, class: 'mm-bench-grid' }));
    axis.appendChild(svg('text', { x: left - 6, y: py + 4, 'text-anchor': 'end' }, formatTick(tick, 'time')));
  }
  axis.appendChild(svg('text', { x: (left + right) / 2, y: SWEEP_H - 6, 'text-anchor': 'middle', class: 'mm-bench-axis-title' }, 'size (log)'));
  axis.appendChild(
    svg('text', { x: 14, y: (top + bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(top + bottom) / 2})`, class: 'mm-bench-axis-title' }, 'median time (log)')
  );
  root.appendChild(axis);

  const plotted: PlotPoint[] = [];
  const legend = svg('g', { class: 'mm-bench-legend' });
  rows.forEach((row, i) => {
    const series = svg('g', { class: `mm-bench-series mm-series-${i % 8}`, 'data-row': i });
    let d = '';
    let pen = false;
    const solid: PlotPoint[] = [];
    const hollow: PlotPoint[] = [];
    row.points.forEach((point, j) => {
      if (point.median === null || point.median <= 0) {
        pen = false;
        return;
      }
      const p = { x: x(point.size), y: y(point.median), row: i, point: j };
      d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
      pen = true;
      (point.extrapolated ? hollow : solid).push(p);
      plotted.push(p);
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
    const slope = row.exponent === null ? '' : `  ∝ n^${row.exponent.toFixed(2)}`;
    entry.appendChild(svg('text', { x: right + 34, y: ly + 4 }, `${truncate(row.name, 14)}${slope}`));
    legend.appendChild(entry);
  });
  root.appendChild(legend);
  root.appendChild(svg('circle', { r: DOT_R + 2, class: 'mm-bench-hover-dot', visibility: 'hidden' }));
  return { svg: root, points: plotted, width: SWEEP_W };
}
