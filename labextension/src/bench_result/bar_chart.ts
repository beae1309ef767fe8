// The bar chart: one horizontal bar per row for one metric, in row order. Elements carry
// data-row indices; the view shows details on hover.
import { medianCell, rateCell, rateUnit, speedupCell } from './cells';
import { svg } from './dom';
import { truncate, type Unit } from './format';
import { axisTitle, chartWidth, labelWidth, type Metric, metricTick, METRICS, metricValue, type ScaleKind } from './metric';
import { linearScale, logScale, type Scale, spacedTicks } from './scale';
import type { BenchRow } from './schema';

/** The chart's width where it has room; it narrows to the output's width down to MIN_WIDTH
 * (scrolling below that), its text staying 11 px. */
export const BAR_WIDTH = 680;
export { MIN_WIDTH } from './metric';
const LABEL_W = 160;
const VALUE_W = 150;
/** Below this width each row's name and value go on a line above its bar. */
const STACK_BELOW = 480;
/** In that layout the plot leaves room at both ends for half a tick label, up to
 * `100,000,000×` (12 characters). */
const EDGE = 40;
const AXIS_H = 22;
const TITLE_H = 16;

/** Where a chart `width` wide puts its rows: beside their names, or under them (stacked). */
interface BarLayout {
  width: number;
  stacked: boolean;
  /** The plot's x range: where a bar starts and the furthest it reaches. */
  plot: [number, number];
  rowH: number;
}

/** `widest` is the widest value label drawn. Beside the bars the value column (VALUE_W at least)
 * grows to hold it (`not known (26,000–64,000×)` ran past 150 px) while the plot keeps the width
 * it has at STACK_BELOW; past that the values go over the bars, the chart widening (the output
 * scrolls) where even that line cannot hold the widest value and 4 characters of the name. */
function barLayout(width: number, widest: number): BarLayout {
  const [w, column] = [chartWidth(width, BAR_WIDTH), Math.max(VALUE_W, widest + 10)];
  const s = Math.max(w, Math.ceil(widest + 20 + labelWidth('name')));
  return w - column < STACK_BELOW - VALUE_W
    ? { width: s, stacked: true, plot: [EDGE, s - EDGE], rowH: 40 }
    : { width: w, stacked: false, plot: [LABEL_W, w - column], rowH: 24 };
}

/** An axis title as one line, or two (split before its parenthesis) where one is too wide. */
export function titleLines(title: string, width: number): string[] {
  const cut = title.indexOf(' (');
  return labelWidth(title) <= width || cut < 0 ? [title] : [title.slice(0, cut), title.slice(cut + 1)];
}

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

function axis(scale: Scale, metric: Metric, lines: string[], height: number, rate: Unit, layout: BarLayout): SVGGElement {
  const g = svg('g', { class: 'mm-bench-axis' });
  const labelled = new Set(spacedTicks(scale, scale.ticks, (t) => labelWidth(metricTick(t, metric, rate))));
  const titleTop = height - 4 - TITLE_H * lines.length;
  for (const tick of scale.ticks) {
    const x = scale(tick);
    g.appendChild(svg('line', { x1: x, x2: x, y1: AXIS_H - 4, y2: titleTop, class: 'mm-bench-grid' }));
    if (labelled.has(tick)) {
      g.appendChild(svg('text', { x, y: AXIS_H - 8, 'text-anchor': 'middle', class: 'mm-bench-tick' }, metricTick(tick, metric, rate)));
    }
  }
  // Centred under the plot, moved in where that would cut it at the chart's edge.
  const half = Math.max(...lines.map(labelWidth)) / 2;
  const middle = Math.min(Math.max((layout.plot[0] + layout.plot[1]) / 2, half + 4), layout.width - half - 4);
  lines.forEach((line, i) => {
    g.appendChild(svg('text', { x: middle, y: titleTop + TITLE_H * (i + 1) - 2, 'text-anchor': 'middle', class: 'mm-bench-axis-title' }, line));
  });
  return g;
}

interface BarContext {
  scale: Scale;
  metric: Metric;
  hatchId: string;
  drawable: (v: number | null) => v is number;
  /** The bar's value label, as the table prints that row's figure, ` ✗` where incorrect. */
  label: (row: BenchRow) => string;
  layout: BarLayout;
}

/** The 95 % interval of what a bar shows, where one is known and the row is not unreliable. */
function interval(row: BenchRow, metric: Metric): [number, number] | null {
  const [low, high] =
    metric === 'time' ? [row.median_low, row.median_high] : metric === 'speedup' ? [row.speedup_low, row.speedup_high] : [null, null];
  return low !== null && high !== null && low > 0 && !row.unreliable ? [low, high] : null;
}

/** The interval as a whisker: |—| across the bar's end (`y` is the bar's middle). */
function whisker(scale: Scale, [low, high]: [number, number], mid: number, start: number): SVGPathElement {
  const [x1, x2] = [Math.max(start, scale(Math.max(low, scale.domain[0]))), scale(Math.min(high, scale.domain[1]))];
  return svg('path', { d: `M${x1.toFixed(1)} ${mid - 5}v10M${x1.toFixed(1)} ${mid}H${x2.toFixed(1)}M${x2.toFixed(1)} ${mid - 5}v10`, class: 'mm-bench-whisker' });
}

/** The row's name (cut to what its line has room for) and, stacked, its value label. */
function rowText(row: BenchRow, textY: number, marks: string | null, layout: BarLayout): SVGTextElement[] {
  if (!layout.stacked) {
    return [svg('text', { x: LABEL_W - 8, y: textY, 'text-anchor': 'end', class: 'mm-bench-label' }, truncate(row.name, 20))];
  }
  const room = layout.width - 12 - (marks === null ? 0 : labelWidth(marks) + 8);
  const name = svg('text', { x: 4, y: textY, class: 'mm-bench-label' }, truncate(row.name, Math.max(4, Math.floor(room / labelWidth('x')))));
  if (marks === null) return [name];
  return [name, svg('text', { x: layout.width - 4, y: textY, 'text-anchor': 'end', class: 'mm-bench-value' }, marks)];
}

function barRow(row: BenchRow, i: number, value: number | null, ctx: BarContext): SVGGElement {
  const { layout } = ctx;
  const [start, end] = layout.plot;
  const y = AXIS_H + i * layout.rowH;
  // Beside its name the bar fills the row; stacked, it fills the row's lower part.
  const [barY, textY] = layout.stacked ? [y + 20, y + 14] : [y + 4, y + layout.rowH / 2 + 4];
  const g = svg('g', {
    class: `mm-bench-bar-row mm-kind-${row.kind} mm-status-${row.status}${row.extrapolated ? ' mm-extrapolated' : ''}${row.unreliable ? ' mm-unreliable' : ''}`,
    'data-row': i
  });
  // A full-width transparent band makes the whole row hoverable, bar or not.
  g.appendChild(svg('rect', { x: 0, y, width: layout.width, height: layout.rowH, class: 'mm-bench-band' }));
  if (!ctx.drawable(value)) {
    g.append(...rowText(row, textY, null, layout));
    g.appendChild(svg('text', { x: start + 6, y: layout.stacked ? barY + 12 : textY, class: 'mm-bench-missing' }, missingReason(row)));
    return g;
  }
  const marks = ctx.label(row);
  g.append(...rowText(row, textY, marks, layout));
  const x1 = Math.max(start + 1, ctx.scale(Math.max(value, ctx.scale.domain[0])));
  const bar = svg('rect', { x: start, y: barY, width: x1 - start, height: 16, rx: 2, class: 'mm-bench-bar' });
  if (row.extrapolated || row.unreliable) {
    // Inline style: the stylesheet's fill would beat a presentation attribute.
    bar.style.fill = `url(#${ctx.hatchId})`;
  }
  g.appendChild(bar);
  let reach = x1;
  const span = interval(row, ctx.metric);
  if (span) {
    g.appendChild(whisker(ctx.scale, span, barY + 8, start));
    reach = Math.max(reach, ctx.scale(Math.min(span[1], ctx.scale.domain[1])));
  }
  if (!layout.stacked) {
    g.appendChild(svg('text', { x: Math.min(reach, end) + 6, y: textY, class: 'mm-bench-value' }, marks));
  }
  return g;
}

/** A bar's value label: the table's median or speedup cell; throughput in the table's unit. */
function labeller(metric: Metric, rate: Unit): BarContext['label'] {
  const cell = metric === 'time' ? medianCell : metric === 'speedup' ? speedupCell : (row: BenchRow) => rateCell(row, rate);
  return (row) => `${cell(row)}${row.status === 'incorrect' ? ' ✗' : ''}`;
}

/** Horizontal bars, one per row, in row order, laid out for `width` (the output's width). */
export function barChart(
  rows: BenchRow[],
  metric: Metric,
  scaleKind: ScaleKind,
  baseline: string | null = null,
  width: number = BAR_WIDTH
): SVGSVGElement {
  const values = rows.map((row) => metricValue(row, metric));
  const drawable = (v: number | null): v is number => v !== null && (scaleKind === 'linear' ? v >= 0 : v > 0);
  const rate = rateUnit(rows);
  const label = labeller(metric, rate);
  const layout = barLayout(width, Math.max(0, ...rows.map((row, i) => (drawable(values[i]) ? labelWidth(label(row)) : 0))));
  const highs = rows.map((row) => interval(row, metric)?.[1] ?? null);
  const plotted = [...values, ...highs].filter(drawable);
  const scale = scaleKind === 'log' ? logScale(plotted, layout.plot) : linearScale(plotted, layout.plot);
  const lines = titleLines(axisTitle(metric, scaleKind, baseline, rate), layout.width - 8);
  const height = AXIS_H + rows.length * layout.rowH + 6 + TITLE_H * lines.length;
  const description = METRICS.find((m) => m.key === metric)?.describe ?? metric;
  const root = svg('svg', {
    class: `mm-bench-chart mm-bench-bars${layout.stacked ? ' mm-stacked' : ''}`,
    viewBox: `0 0 ${layout.width} ${height}`,
    width: layout.width,
    height,
    role: 'img',
    'aria-label': `Bar chart, ${scaleKind} scale: ${description}`,
    'data-metric': metric,
    'data-scale': scaleKind
  });
  const ctx: BarContext = { scale, metric, hatchId: hatch(root), drawable, label, layout };
  root.appendChild(axis(scale, metric, lines, height, rate, layout));
  rows.forEach((row, i) => root.appendChild(barRow(row, i, values[i], ctx)));
  return root;
}
