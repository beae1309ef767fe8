// The sentences around the bench table: headline, run conditions and notes, as the Python
// views' summary.py writes them.
import { PRESENTATION as P } from '../generated/presentation';
import { formatNumber, formatPercent, formatPrecision, formatShape, formatTime } from './format';
import type { BenchResult } from './schema';

const BUSY = 'the machine may be busy';

/** The legends under the table, each where a row needs it (as summary.py's legends). */
export function legends({ rows }: BenchResult): string[] {
  const text = P.legends;
  const out: string[] = [];
  if (rows.some((r) => r.extrapolated)) out.push(text.extrapolated);
  if (rows.some((r) => r.unreliable)) out.push(text.unreliable);
  return rows.length ? [...out, text.interval, text.calls] : out;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function headline(result: BenchResult): string {
  const { a, b } = result.shapes;
  return (
    `matmul bench on ${result.device} (${result.dtype}): ` +
    `a ${formatShape(a)} @ b ${formatShape(b)}, operands ${result.operands}`
  );
}

function environment(env: BenchResult['environment']): string[] {
  const parts: string[] = [];
  if (env.device_name) parts.push(env.device_name);
  if (env.torch) parts.push(`torch ${env.torch}`);
  if (env.threads !== null) parts.push(plural(env.threads, 'thread'));
  if (env.tf32 !== null) parts.push(`TF32 ${env.tf32 ? 'on' : 'off'}`);
  if (env.stream) parts.push(`stream ${env.stream}`);
  if (env.timer) parts.push(`timer ${env.timer}`);
  if (env.l2_flush !== null) parts.push(`L2 flush ${env.l2_flush ? 'on' : 'off'}`);
  if (env.peak_gflops !== null) parts.push(`peak ${formatNumber(env.peak_gflops)} GFLOP/s`);
  return parts;
}

/** Where and how the numbers were taken, `·`-separated. */
export function conditions(result: BenchResult): string {
  const parts = environment(result.environment);
  if (result.budget !== null) parts.push(`budget ${formatTime(result.budget)}`);
  if (result.elapsed !== null) parts.push(`took ${formatTime(result.elapsed)}`);
  parts.push(`target: each median known to ±${formatPercent(100 * result.threshold)}`);
  const once = oneOffText(result);
  if (once) parts.push(once);
  return parts.join(' · ');
}

/** `one-off first-call costs, not counted: numba 1.20 s`, or null. */
export function oneOffText(result: BenchResult): string | null {
  const costs = result.rows.filter((r) => r.one_off !== null).map((r) => `${r.name} ${formatTime(r.one_off)}`);
  return costs.length ? `one-off first-call costs, not counted: ${costs.join(', ')}` : null;
}

export function interruptedText(result: BenchResult): string {
  return `INTERRUPTED: showing the ${plural(result.rows.length, 'row')} finished before the interrupt`;
}

/** Warnings that apply to several rows, each said once, as [label, text]. */
export function sharedWarnings(result: BenchResult): [string, string][] {
  const out: [string, string][] = [];
  const noisy = result.rows.filter((r) => r.noisy);
  if (noisy.length) {
    const spreads = noisy.map((r) => formatPrecision(r.median, r.median_low, r.median_high).trim() || '±?');
    const names = noisy.map((r) => r.name).join(', ');
    const target = formatPercent(100 * result.threshold);
    out.push(['noisy rows', `${names} (median known to ${spreads.join(', ')}; target ±${target}): ${BUSY}`]);
  }
  const stalled = result.rows.filter((r) => r.stalls > 0);
  if (stalled.length) {
    const counts = stalled.map((r) => `${r.name} ${r.stalls}`).join(', ');
    out.push(['stalls', `blocks over 10× the median: ${counts}; the machine was busy`]);
  }
  return out;
}

/** Every error and note under the table, in row order, then the shared warnings. */
export function notes(result: BenchResult): [string, string][] {
  const out: [string, string][] = [];
  for (const row of result.rows) {
    if (row.error !== null) out.push([row.name, `error: ${row.error}`]);
    if (row.note !== null) out.push([row.name, row.note]);
  }
  return [...out, ...sharedWarnings(result)];
}

export const BUSY_TEXT = BUSY;
