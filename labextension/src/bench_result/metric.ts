// What a chart plots (time, speedup or throughput), how its values and axis labels print,
// and the axis title. Shared by the bar chart and the sweep chart.
import { PRESENTATION as P } from '../generated/presentation';
import { formatNumber, formatRate, formatTime, type Unit } from './format';
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

/** A value label: `4.30 µs`, `522×`, `1.70 GFLOP/s`. */
export function formatMetric(value: number, metric: Metric): string {
  return metric === 'time' ? formatTime(value) : metric === 'speedup' ? `${formatNumber(value)}×` : formatRate(value);
}

/** Axis labels: round numbers without trailing zeros (`1 µs`, `0.5×`, `0.001`). Times carry
 * their unit (it changes along the axis); GFLOP/s says its unit once, in the axis title. */
export function metricTick(value: number, metric: Metric, rate: Unit = ['GFLOP/s', 1]): string {
  const text = metric === 'gflops' ? formatNumber(value / rate[1]) : formatMetric(value, metric);
  return text.replace(/\.0+(?=\D|$)|(\.\d*?)0+(?=\D|$)/, '$1');
}

/** The axis title: what the axis measures, its unit and its scale. */
export function axisTitle(metric: Metric, scaleKind: ScaleKind, baseline: string | null = null, rate: Unit = ['GFLOP/s', 1]): string {
  const what =
    metric === 'time'
      ? 'median time per call'
      : metric === 'speedup'
        ? `speedup over ${baseline ?? 'the baseline'}`
        : `throughput, ${rate[0]}`;
  return `${what} (${scaleKind} scale)`;
}

/** About how wide `text` draws at the charts' 11 px, in viewBox units. */
export const labelWidth = (text: string): number => Array.from(text).length * P.char_width;

/** The narrowest a chart gets (scrolling below it): its text stays 11 px. */
export const MIN_WIDTH = 220;
/** A chart's width for an output `width` wide: its own `widest` where it has room. */
export const chartWidth = (width: number, widest: number): number => Math.max(MIN_WIDTH, Math.min(widest, Math.round(width)));
