// What the tooltip says about one row or one sweep point, as label/value lines.
import { medianCell, rateCell, rateUnit, speedupCell } from './cells';
import { ESTIMATE, formatCount, formatError, formatExponent, formatNumber, formatPercent, formatPoint, formatTime, statusText } from './format';
import type { BenchResult, BenchRow } from './schema';
import { BUSY_TEXT } from './summary';

type Lines = [string, string][];

/** `≈ ` before an extrapolated figure. */
function approx(row: BenchRow, value: number | null): string {
  return row.extrapolated && value !== null ? ESTIMATE : '';
}

function trustLines(row: BenchRow, result: BenchResult): Lines {
  const lines: Lines = [];
  if (row.one_off !== null) lines.push(['first call', `+${formatTime(row.one_off)} once, not counted`]);
  if (row.over_budget) {
    lines.push(['over budget', 'one call took longer than the whole budget; its time is that call']);
  }
  if (row.unreliable) {
    // The reason is the row's note, shown once at the end.
    lines.push(['unreliable', row.note === null ? 'a rough figure, not a measurement to trust' : 'a rough figure: see the note']);
  }
  if (row.noisy) {
    lines.push(['noisy', `median not known to ±${formatPercent(100 * result.threshold)}: ${BUSY_TEXT}`]);
  }
  if (row.stalls > 0) {
    lines.push(['stalls', `${row.stalls} block${row.stalls === 1 ? '' : 's'} over 10× the median`]);
  }
  return lines;
}

function textLines(row: BenchRow): Lines {
  const lines: Lines = [];
  if (row.max_abs_err !== null) lines.push(['max abs err', formatError(row.max_abs_err)]);
  if (row.exponent !== null) lines.push(['exponent', formatExponent(row.exponent)]);
  if (row.error !== null) lines.push(['error', row.error]);
  if (row.note !== null) lines.push(['note', row.note]);
  return lines;
}

/** Hover details of one row, as label/value lines. */
export function rowDetails(row: BenchRow, result: BenchResult): Lines {
  const env = result.environment;
  const lines: Lines = [
    ['status', statusText(row)],
    ['median', medianCell(row)],
    ['IQR', formatTime(row.iqr)],
    ['min', approx(row, row.min) + formatTime(row.min)],
    ['calls', `${formatCount(row.runs)} timed`],
    ['blocks', `${formatCount(row.blocks)} measurements`],
    ['speedup', speedupCell(row)],
    ['throughput', rateCell(row, rateUnit(result.rows))],
    ...trustLines(row, result)
  ];
  if (row.pct_of_peak !== null) lines.push(['of peak', `${formatNumber(row.pct_of_peak)}%`]);
  lines.push(['device', env.device_name ? `${result.device}, ${env.device_name}` : result.device]);
  lines.push(['dtype', result.dtype]);
  lines.push(['correct', row.correct === null ? 'not checked' : row.correct ? 'yes' : 'no']);
  return [...lines, ...textLines(row)];
}

/** Hover details of one sweep point: its title and label/value lines. */
export function pointTitleAndDetails(row: BenchRow, index: number): [string, Lines] {
  const p = row.points[index];
  const lines: Lines = [
    ['size', `${p.size} (a ${p.m}×${p.k} @ b ${p.k}×${p.n})`],
    ['median', formatPoint(p, row.unreliable)],
    ['IQR', formatTime(p.iqr)],
    ['calls', formatCount(p.runs)]
  ];
  if (row.unreliable) lines.push(['unreliable', row.note ?? 'a rough figure, not a measurement to trust']);
  if (p.extrapolated) {
    lines.push(['extrapolated', 'estimated from slices of the output (the note says how)']);
  }
  if (p.error !== null) lines.push(['error', p.error]);
  return [`${row.name} at size ${p.size}`, lines];
}
