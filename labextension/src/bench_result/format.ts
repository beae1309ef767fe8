// Number formatting for the bench renderer: three significant figures, the unit that reads best.

const TIME_UNITS: [number, string][] = [
  [1, 's'],
  [1e-3, 'ms'],
  [1e-6, 'µs'],
  [1e-9, 'ns']
];

/** `x` with three significant figures, without exponent notation for everyday magnitudes. */
export function sig3(x: number): string {
  if (x === 0) {
    return '0';
  }
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-4) {
    return x.toExponential(2);
  }
  if (abs >= 1000) {
    return Math.round(x).toLocaleString('en-US');
  }
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(abs)));
  return x.toFixed(decimals);
}

/** Seconds in the largest unit that keeps the number >= 1: `412 ms`, `4.30 µs`. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) {
    return '—';
  }
  if (seconds === 0) {
    return '0 s';
  }
  for (const [scale, unit] of TIME_UNITS) {
    if (seconds >= scale) {
      return `${sig3(seconds / scale)} ${unit}`;
    }
  }
  return `${sig3(seconds / 1e-9)} ns`;
}

export function formatSpeedup(speedup: number | null): string {
  return speedup === null ? '—' : `${sig3(speedup)}×`;
}

/** `95,800× (94,000–97,500)`; an unreliable estimate as `≈ 96,000×`, never as exact. */
export function formatSpeedupInterval(
  speedup: number | null,
  low: number | null,
  high: number | null,
  unreliable = false
): string {
  if (speedup === null) {
    return '—';
  }
  if (unreliable) {
    return `≈ ${Number(speedup.toPrecision(2)).toLocaleString('en-US', { maximumSignificantDigits: 2 })}×`;
  }
  const interval = low !== null && high !== null ? ` (${sig3(low)}–${sig3(high)})` : '';
  return `${sig3(speedup)}×${interval}`;
}

export function formatGflops(gflops: number | null): string {
  return gflops === null ? '—' : `${sig3(gflops)} GFLOP/s`;
}

export function formatPercent(pct: number | null): string {
  return pct === null ? '—' : `${sig3(pct)} %`;
}

export function formatPlain(x: number | null): string {
  return x === null ? '—' : sig3(x);
}

/** Shapes as the lesson writes them: `5×784`. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** Cuts long user text for a chart label; the full text stays in the table and tooltip. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
