// What a chart plots (time, speedup or throughput), how its values and axis labels print,
// and the axis title. Shared by the bar chart and the sweep chart.
import { formatNumber, formatRate, formatTime } from './format';
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
export function metricTick(value: number, metric: Metric): string {
  const text = metric === 'gflops' ? formatNumber(value) : formatMetric(value, metric);
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
export const labelWidth = (text: string): number => Array.from(text).length * CHAR_W;
