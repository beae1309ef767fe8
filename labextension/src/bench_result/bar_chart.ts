// The bar chart: one horizontal bar per row for one metric, in row order. Elements carry
// data-row indices; the view shows details on hover.
import { medianCell, speedupCell } from './cells';
import { svg } from './dom';
import { ESTIMATE, formatNumber, truncate, type Unit } from './format';
import { axisTitle, labelWidth, type Metric, metricTick, METRICS, metricValue, rowsRateUnit, type ScaleKind } from './metric';
import { linearScale, logScale, type Scale, spacedTicks } from './scale';
import type { BenchRow } from './schema';

const WIDTH = 680;
const LABEL_W = 160;
const VALUE_W = 150;
const ROW_H = 24;
const AXIS_H = 22;
const TITLE_H = 16;

let uid = 0;

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

/** The hatch an extrapolated bar is filled with; returns its id. */
function hatch(root: SVGSVGElement): string {
  const id = `mm-bench-hatch-${++uid}`;
  const pattern = svg('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pattern.appendChild(svg('rect', { width: 6, height: 6, class: 'mm-bench-hatch-bg' }));
  pattern.appendChild(svg('rect', { width: 3, height: 6, class: 'mm-bench-hatch-fg' }));
  const defs = svg('defs');
  defs.appendChild(pattern);
  root.appendChild(defs);
  return id;
}

function axis(scale: Scale, metric: Metric, title: string, height: number, rate: Unit): SVGGElement {
  const g = svg('g', { class: 'mm-bench-axis' });
  const labelled = new Set(spacedTicks(scale, scale.ticks, (t) => labelWidth(metricTick(t, metric, rate))));
  for (const tick of scale.ticks) {
    const x = scale(tick);
    g.appendChild(svg('line', { x1: x, x2: x, y1: AXIS_H - 4, y2: height - 4 - TITLE_H, class: 'mm-bench-grid' }));
    if (labelled.has(tick)) {
      g.appendChild(svg('text', { x, y: AXIS_H - 8, 'text-anchor': 'middle', class: 'mm-bench-tick' }, metricTick(tick, metric, rate)));
    }
  }
  const middle = (LABEL_W + WIDTH - VALUE_W) / 2;
  g.appendChild(svg('text', { x: middle, y: height - 6, 'text-anchor': 'middle', class: 'mm-bench-axis-title' }, title));
  return g;
}

interface BarContext {
  scale: Scale;
  metric: Metric;
  hatchId: string;
  drawable: (v: number | null) => v is number;
  /** The bar's value label, as the table prints that row's figure. */
  label: (row: BenchRow, value: number) => string;
}

/** The 95 % interval of what a bar shows, where one is known and the row is not unreliable. */
function interval(row: BenchRow, metric: Metric): [number, number] | null {
  const [low, high] =
    metric === 'time' ? [row.median_low, row.median_high] : metric === 'speedup' ? [row.speedup_low, row.speedup_high] : [null, null];
  return low !== null && high !== null && low > 0 && !row.unreliable ? [low, high] : null;
}

/** The interval as a whisker: |—| across the bar's end. */
function whisker(scale: Scale, [low, high]: [number, number], y: number): SVGPathElement {
  const [x1, x2] = [Math.max(LABEL_W, scale(Math.max(low, scale.domain[0]))), scale(Math.min(high, scale.domain[1]))];
  const mid = y + ROW_H / 2;
  return svg('path', { d: `M${x1.toFixed(1)} ${mid - 5}v10M${x1.toFixed(1)} ${mid}H${x2.toFixed(1)}M${x2.toFixed(1)} ${mid - 5}v10`, class: 'mm-bench-whisker' });
}

function barRow(row: BenchRow, i: number, value: number | null, ctx: BarContext): SVGGElement {
  const y = AXIS_H + i * ROW_H;
  const textY = y + ROW_H / 2 + 4;
  const g = svg('g', {
    class: `mm-bench-bar-row mm-kind-${row.kind} mm-status-${row.status}${row.extrapolated ? ' mm-extrapolated' : ''}${row.unreliable ? ' mm-unreliable' : ''}`,
    'data-row': i
  });
  // A full-width transparent band makes the whole row hoverable, bar or not.
  g.appendChild(svg('rect', { x: 0, y, width: WIDTH, height: ROW_H, class: 'mm-bench-band' }));
  g.appendChild(svg('text', { x: LABEL_W - 8, y: textY, 'text-anchor': 'end', class: 'mm-bench-label' }, truncate(row.name, 20)));
  if (!ctx.drawable(value)) {
    g.appendChild(svg('text', { x: LABEL_W + 6, y: textY, class: 'mm-bench-missing' }, missingReason(row)));
    return g;
  }
  const x1 = Math.max(LABEL_W + 1, ctx.scale(Math.max(value, ctx.scale.domain[0])));
  const bar = svg('rect', { x: LABEL_W, y: y + 4, width: x1 - LABEL_W, height: ROW_H - 8, rx: 2, class: 'mm-bench-bar' });
  if (row.extrapolated || row.unreliable) {
    // Inline style: the stylesheet's fill would beat a presentation attribute.
    bar.style.fill = `url(#${ctx.hatchId})`;
  }
  g.appendChild(bar);
  let end = x1;
  const span = interval(row, ctx.metric);
  if (span) {
    g.appendChild(whisker(ctx.scale, span, y));
    end = Math.max(end, ctx.scale(Math.min(span[1], ctx.scale.domain[1])));
  }
  const marks = `${ctx.label(row, value)}${row.status === 'incorrect' ? ' ✗' : ''}`;
  g.appendChild(svg('text', { x: Math.min(end, WIDTH - VALUE_W) + 6, y: textY, class: 'mm-bench-value' }, marks));
  return g;
}

/** A bar's value label: the table's median or speedup cell; throughput in the table's unit. */
function labeller(metric: Metric, [unit, factor]: Unit): BarContext['label'] {
  if (metric === 'time') return (row) => medianCell(row);
  if (metric === 'speedup') return (row) => speedupCell(row);
  return (row, value) => `${row.extrapolated ? ESTIMATE : ''}${formatNumber(value / factor)} ${unit}`;
}

/** Horizontal bars, one per row, in row order. */
export function barChart(rows: BenchRow[], metric: Metric, scaleKind: ScaleKind, baseline: string | null = null): SVGSVGElement {
  const values = rows.map((row) => metricValue(row, metric));
  const drawable = (v: number | null): v is number => v !== null && (scaleKind === 'linear' ? v >= 0 : v > 0);
  const range: [number, number] = [LABEL_W, WIDTH - VALUE_W];
  const highs = rows.map((row) => interval(row, metric)?.[1] ?? null);
  const plotted = [...values, ...highs].filter(drawable);
  const scale = scaleKind === 'log' ? logScale(plotted, range) : linearScale(plotted, range);
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
  const rate = rowsRateUnit(rows.map((r) => r.gflops));
  const ctx: BarContext = { scale, metric, hatchId: hatch(root), drawable, label: labeller(metric, rate) };
  root.appendChild(axis(scale, metric, axisTitle(metric, scaleKind, baseline, rate), height, rate));
  rows.forEach((row, i) => root.appendChild(barRow(row, i, values[i], ctx)));
  return root;
}
