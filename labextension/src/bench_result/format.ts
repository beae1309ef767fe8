// How one number or word prints in the renderer: the TypeScript twin of
// matmul_magic/bench_result/views/format.py. The rules come from presentation.json (through
// src/generated/presentation.ts); both twins are checked against tests/vectors/presentation.json.
// Rounding is half away from zero on the float's exact decimal value (toFixed, toExponential).
import { PRESENTATION as P } from '../generated/presentation';
import type { BenchRow, SweepPoint } from './schema';

export const MISSING: string = P.missing;
export const ESTIMATE: string = P.estimate_mark;

export type Unit = readonly [string, number];
export const TIME_UNITS: readonly Unit[] = P.time_units;
export const RATE_UNITS: readonly Unit[] = P.rate_units;

type Plain = { readonly min: number; readonly max: number };

/** `value` as a finite number, or null (missing, NaN, infinite, not a number). */
function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `1234567` → `1,234,567` (an integer part). */
function group(digits: string): string {
  const head = digits.length % 3 || 3;
  const parts = [digits.slice(0, head)];
  for (let i = head; i < digits.length; i += 3) parts.push(digits.slice(i, i + 3));
  return parts.join(P.thousands_separator);
}

function signed(negative: boolean, body: string): string {
  return (negative && /[1-9]/.test(body) ? '-' : '') + body;
}

/** The `figures` leading digits of |x| (x ≠ 0), rounded, and the decimal exponent. */
function significant(x: number, figures: number): [string, number] {
  const [mantissa, exponent] = Math.abs(x).toExponential(figures - 1).split('e');
  return [mantissa.replace('.', ''), Number(exponent)];
}

function exponential(negative: boolean, digits: string, exponent: number): string {
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return signed(negative, `${mantissa}e${exponent}`);
}

/** `decimals` places, rounded half away from zero: `formatFixed(2.125, 2) === '2.13'`. */
export function formatFixed(value: unknown, decimals: number): string {
  const x = finite(value);
  if (x === null) return MISSING;
  if (Math.abs(x) >= 10 ** (P.plain_exponents.max + 1)) {
    return exponential(x < 0, ...significant(x, P.significant_figures));
  }
  const [whole, frac] = Math.abs(x).toFixed(decimals).split('.');
  return signed(x < 0, group(whole) + (frac ? `.${frac}` : ''));
}

/** `value` rounded to `figures` significant figures: in exponent notation outside `plain`,
 * else as `write(x, digits, exponent)` lays it out. */
function figures(value: unknown, count: number, plain: Plain, write: (x: number, digits: string, exponent: number) => string): string {
  const x = finite(value);
  if (x === null) return MISSING;
  if (x === 0) return '0';
  const [digits, exponent] = significant(x, count);
  if (exponent < plain.min || exponent > plain.max) return exponential(x < 0, digits, exponent);
  return write(x, digits, exponent);
}

/** `figures` significant figures, never fewer than the integer part's digits (`95,814`);
 * exponent notation outside `plain` (`4.30e-6`); thousands separated. */
export function formatSignificant(value: unknown, count: number = P.significant_figures, plain: Plain = P.plain_exponents): string {
  return figures(value, count, plain, (x, _, exponent) => formatFixed(x, Math.max(0, count - 1 - exponent)));
}

/** The everyday number: three significant figures (`0.000190`, `18.2`, `1,235`). */
export function formatNumber(value: unknown): string {
  return formatSignificant(value);
}

/** An error size: two significant figures (`1.9e-6`, `0.031`, `0`). */
export function formatError(value: unknown): string {
  return formatSignificant(value, P.error_figures, P.error_plain_exponents);
}

/** Rounded `digits` (d.dd × 10^exponent) written out in full, zeros padded. */
function layout(digits: string, exponent: number): string {
  if (exponent >= digits.length - 1) return group(digits + '0'.repeat(exponent - digits.length + 1));
  if (exponent >= 0) return `${group(digits.slice(0, exponent + 1))}.${digits.slice(exponent + 1)}`;
  return `0.${'0'.repeat(-exponent - 1)}${digits}`;
}

/** A rough figure: two significant figures even for big numbers (`96,000`). */
export function formatEstimate(value: unknown): string {
  return figures(value, P.estimate_figures, P.plain_exponents, (x, digits, exponent) => signed(x < 0, layout(digits, exponent)));
}

/** A whole count with thousands separated: `4,000`. */
export function formatCount(value: unknown): string {
  return formatFixed(value, 0);
}

/** A whole percentage: `12%`. */
export function formatPercent(value: unknown): string {
  const text = formatFixed(value, 0);
  return text === MISSING ? text : `${text}%`;
}

/** A fitted exponent: two decimals (`2.95`). */
export function formatExponent(value: unknown): string {
  return formatFixed(value, P.exponent_decimals_fixed);
}

/** Whether x prints as 1 or more (999.96 µs is "1.00 ms", not "1,000 µs"). */
function atLeastOne(x: number): boolean {
  return significant(x, P.significant_figures)[1] >= 0;
}

/** The largest unit (`units` run large to small) in which the smallest value (the largest
 * when `largest`) prints as at least 1; with no positive value the first unit (times) or
 * the default rate unit. */
export function pickUnit(values: readonly unknown[], units: readonly Unit[], largest = false): Unit {
  const positive = values.map(finite).filter((v): v is number => v !== null && v > 0);
  if (positive.length === 0) {
    const name = largest ? P.default_rate_unit : units[0][0];
    return units.find((u) => u[0] === name) ?? units[0];
  }
  const reference = largest ? Math.max(...positive) : Math.min(...positive);
  return units.find(([, factor]) => atLeastOne(reference / factor)) ?? units[units.length - 1];
}

function withUnit(value: unknown, units: readonly Unit[], largest: boolean): string {
  const x = finite(value);
  if (x === null) return MISSING;
  const [name, factor] = pickUnit([Math.abs(x)], units, largest);
  return `${formatNumber(x / factor)}${P.unit_space}${name}`;
}

/** A time in its own best unit: `4.30 µs`, `412 ms`, `1.00 ms`, `0 s`. */
export function formatTime(seconds: unknown): string {
  return withUnit(seconds, TIME_UNITS, false);
}

/** A throughput (given in GFLOP/s) in its own best unit: `1.23 TFLOP/s`. */
export function formatRate(gflops: unknown): string {
  return withUnit(gflops, RATE_UNITS, true);
}

/** An axis label: the time without trailing zeros (`1 µs`, `10 ms`, `2.5 s`). */
export function formatTick(seconds: unknown): string {
  const text = formatTime(seconds);
  const at = text.indexOf(P.unit_space);
  let number = at < 0 ? text : text.slice(0, at);
  if (number.includes('.') && !number.includes('e')) number = number.replace(/0+$/, '').replace(/\.$/, '');
  return at < 0 ? number : number + text.slice(at);
}

/** How well `value` is known: the farther end of its 95 % interval, relative to it, as
 * ` ±2.3%` (` ±31%` from 10 % on, ` ±<0.1%` below the floor); `''` without one. */
export function formatPrecision(value: unknown, low: unknown, high: unknown): string {
  const [x, lo, hi] = [finite(value), finite(low), finite(high)];
  if (x === null || lo === null || hi === null || x <= 0) return '';
  const rule = P.precision;
  const pct = (100 * Math.max(hi - x, x - lo, 0)) / x;
  // 9.96 rounds to "10.0" at one decimal: from there on, whole percent.
  const text = pct < rule.floor ? `<${formatFixed(rule.floor, 1)}` : formatFixed(pct, pct < rule.one_decimal_below - 0.05 ? 1 : 0);
  return `${rule.mark}${text}%`;
}

/** A rough time in its own unit: two significant figures (`1.2 ms`). */
function estimateTime(seconds: number): string {
  const [name, factor] = pickUnit([Math.abs(seconds)], TIME_UNITS);
  return `${formatEstimate(seconds / factor)}${P.unit_space}${name}`;
}

/** A median time in its own unit with how well it is known: `1.23 ms ±2.0%`; `≈ 3.40 s ±12%`
 * when extrapolated; an unreliable one never looks exact: `≈ 3.4 s ⚠`. */
export function formatMedian(value: unknown, low: unknown = null, high: unknown = null, extrapolated = false, unreliable = false): string {
  const x = finite(value);
  if (x === null) return MISSING;
  if (unreliable) return `${ESTIMATE}${estimateTime(x)}${P.unreliable_mark}`;
  return (extrapolated ? ESTIMATE : '') + formatTime(x) + formatPrecision(x, low, high);
}

/** One sweep point's figure: its median as `formatMedian` writes it, or why it has none:
 * `– not measured` where the race did not reach its size, the failed word where it raised. */
export function formatPoint(p: PointFields, unreliable = false): string {
  if (p.error !== null) {
    const unmeasured = P.not_measured;
    return p.error.startsWith(unmeasured.prefix) ? unmeasured.word : P.status_words.failed;
  }
  return formatMedian(p.median, p.median_low, p.median_high, p.extrapolated, unreliable);
}

/** Whether a speedup's interval pins it within `speedup_known_ratio` either way. */
export function speedupKnown(value: unknown, low: unknown, high: unknown): boolean {
  const [x, lo, hi] = [finite(value), finite(low), finite(high)];
  if (x === null || x <= 0) return false;
  if (lo === null || hi === null) return true;
  const ratio = P.speedup_known_ratio;
  return lo > 0 && x / lo <= ratio && hi / x <= ratio;
}

/** `95,814× ±3.0%`; an unreliable estimate never looks exact (`≈ 96,000× ⚠`), and an interval
 * wider than `speedup_known_ratio` either way is no figure at all: `not known (13–29,000×)`. */
export function formatSpeedup(value: unknown, low: unknown = null, high: unknown = null, unreliable = false): string {
  const x = finite(value);
  if (x === null) return MISSING;
  const suffix = P.speedup_suffix;
  if (unreliable) return `${ESTIMATE}${formatEstimate(x)}${suffix}${P.unreliable_mark}`;
  if (!speedupKnown(x, low, high)) {
    const iv = P.interval;
    return `${P.speedup_unknown}${iv.open}${formatEstimate(low)}${iv.dash}${formatEstimate(high)}${suffix}${iv.close}`;
  }
  return formatNumber(x) + suffix + formatPrecision(x, low, high);
}

/** A sweep line's fitted exponent as every view writes it: `∝ size^2.91`. */
export function formatExponentLabel(value: unknown): string {
  return P.exponent_label.replace('{exponent}', formatExponent(value));
}

/** `4,000 (40)`: calls timed, and in brackets the blocks they came in. */
export function formatCalls(runs: unknown, blocks: unknown): string {
  return `${formatCount(runs)} (${formatCount(blocks)})`;
}

/** Shapes as the lesson writes them: `5×784`. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** What a point's figure reads. */
type PointFields = Pick<SweepPoint, 'median' | 'median_low' | 'median_high' | 'extrapolated' | 'error'>;

/** What the status badges read from a row: its status, and the flags that may be absent. */
export type StatusFields = Pick<BenchRow, 'status'> &
  Partial<Pick<BenchRow, 'extrapolated' | 'unreliable' | 'over_budget' | 'one_off' | 'noisy'>>;

/** The status word, then how far to trust the time: extrapolated (or an unreliable
 * estimate), over budget, a one-off first-call cost, noisy. */
export function statusBadges(row: StatusFields): string[] {
  const b = P.badges;
  const out: string[] = [P.status_words[row.status]];
  if (row.extrapolated) {
    out.push(row.unreliable ? b.unreliable : b.extrapolated);
  } else if (row.unreliable) {
    out.push(b.unreliable_measured);
  }
  if (row.over_budget) out.push(b.over_budget);
  if (finite(row.one_off) !== null) out.push(b.one_off.replace('{time}', formatTime(row.one_off)));
  if (row.noisy) out.push(b.noisy);
  return out;
}

/** The status badges as one cell: `✓ ok, ≈ extrapolated, over budget`. */
export function statusText(row: StatusFields): string {
  return statusBadges(row).join(P.badge_separator);
}

function css([theme, fallback]: readonly [string | null, string]): string {
  return theme ? `var(${theme}, ${fallback})` : fallback;
}

export type ColourName = 'accent' | 'ok' | 'warn' | 'error';

/** A palette colour as CSS: `var(--jp-brand-color1, #1976d2)` (the theme's, or ours). */
export function colour(name: ColourName): string {
  return css(P.colours[name]);
}

/** The colour of the `index`-th line of a chart (the palette repeats). */
export function seriesColour(index: number): string {
  const series = P.colours.series;
  return css(series[index % series.length]);
}

/** The bar colour of a row of this kind (course, optional, user). */
export function kindColour(kind: keyof typeof P.colours.kinds): string {
  return colour(P.colours.kinds[kind]);
}

/** Cuts long user text for a chart label; the full text stays in the table and tooltip. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
