// The cells of the bench table: the same columns, headers and strings as the Python views'
// table.py (tests/test_bench_cells.py and cells.test.ts check the three views agree). Which
// columns exist and their headers come from presentation.json.
import { PRESENTATION as P } from '../generated/presentation';
import {
  ESTIMATE,
  formatCalls,
  formatError,
  formatExponent,
  formatMedian,
  formatNumber,
  formatSpeedup,
  MISSING,
  pickUnit,
  RATE_UNITS,
  type Unit,
  statusText
} from './format';
import type { BenchResult, BenchRow } from './schema';

export interface Column {
  key: string;
  header: string;
  numeric: boolean;
  /** Sort key; null sorts last in both directions. */
  value: (row: BenchRow) => number | string | null;
  cell: (row: BenchRow) => string;
}

const STATUS_ORDER = { ok: 0, incorrect: 1, failed: 2, skipped: 3 };

/** `1.23 ms ±2.0%`: the median in its own unit and its 95 % interval (formatMedian). */
export const medianCell = (r: BenchRow): string =>
  formatMedian(r.median, r.median_low, r.median_high, r.extrapolated, r.unreliable);

/** The one throughput unit of a table (and its bars and tooltips): the fastest row's. */
export const rateUnit = (rows: readonly BenchRow[]): Unit => pickUnit(rows.map((r) => r.gflops), RATE_UNITS, true);

/** Throughput in that unit, marked where extrapolated (`≈ 1.70 GFLOP/s`): bars and tooltips. */
export const rateCell = (r: BenchRow, [unit, factor]: Unit): string =>
  r.gflops === null ? MISSING : `${r.extrapolated ? ESTIMATE : ''}${formatNumber(r.gflops / factor)} ${unit}`;

export const speedupCell = (r: BenchRow): string =>
  formatSpeedup(r.speedup, r.speedup_low, r.speedup_high, r.unreliable);

/** Every column's unit (for its header), cell and sort value. */
function cellMakers(result: BenchResult): Record<string, [string, Column['cell'], Column['value']]> {
  const [unit, factor] = rateUnit(result.rows);
  return {
    name: ['', (r) => r.name, (r) => r.name],
    kind: ['', (r) => r.kind, (r) => r.kind],
    median: ['', medianCell, (r) => r.median],
    runs: ['', (r) => formatCalls(r.runs, r.blocks), (r) => r.runs],
    speedup: ['', speedupCell, (r) => r.speedup],
    gflops: [unit, (r) => formatNumber(r.gflops === null ? null : r.gflops / factor), (r) => r.gflops],
    pct_of_peak: ['', (r) => formatNumber(r.pct_of_peak), (r) => r.pct_of_peak],
    max_abs_err: ['', (r) => formatError(r.max_abs_err), (r) => r.max_abs_err],
    exponent: ['', (r) => formatExponent(r.exponent), (r) => r.exponent],
    status: ['', statusText, (r) => STATUS_ORDER[r.status]]
  };
}

/** The table's columns, in presentation.json's order, without optional ones empty in every row. */
export function columns(result: BenchResult): Column[] {
  const makers = cellMakers(result);
  const baseline = result.baseline || P.unknown_baseline;
  const out: Column[] = [];
  for (const spec of P.columns) {
    const key = spec.key as keyof BenchRow;
    if (!spec.always && result.rows.every((r) => r[key] === null)) continue;
    const [unit, cell, value] = makers[spec.key];
    const header = spec.header.replace('{unit}', unit).replace('{baseline}', baseline);
    out.push({ key: spec.key, header, numeric: spec.numeric, value, cell });
  }
  return out;
}
