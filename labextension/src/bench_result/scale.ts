// Axis scales for the bench charts: linear and log10, with readable ticks.

export interface Scale {
  (value: number): number;
  readonly ticks: number[];
  readonly domain: [number, number];
}

function make(
  domain: [number, number],
  range: [number, number],
  transform: (v: number) => number,
  ticks: number[]
): Scale {
  const [t0, t1] = [transform(domain[0]), transform(domain[1])];
  const span = t1 - t0 || 1;
  const scale = (value: number) => range[0] + ((transform(value) - t0) / span) * (range[1] - range[0]);
  return Object.assign(scale, { ticks, domain });
}

/** Decade-aligned log scale covering [min, max] of the (positive) values. */
export function logScale(values: number[], range: [number, number]): Scale {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = positive.length ? Math.min(...positive) : 1;
  const hi = positive.length ? Math.max(...positive) : 10;
  let e0 = Math.floor(Math.log10(lo));
  let e1 = Math.ceil(Math.log10(hi));
  if (e1 <= e0) e1 = e0 + 1;
  // Keep at most ~7 labelled decades; beyond that label every other one.
  const step = Math.max(1, Math.ceil((e1 - e0) / 7));
  e0 = Math.floor(e0 / step) * step;
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e += step) ticks.push(10 ** e);
  return make([10 ** e0, 10 ** e1], range, Math.log10, ticks);
}

/** The step among 1, 2, 5 × 10^k that gives about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Linear scale from 0 to a round number at or above the largest value. */
export function linearScale(values: number[], range: [number, number]): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && v >= 0);
  const max = finite.length ? Math.max(...finite) : 1;
  const step = niceStep(max || 1, 5);
  const top = Math.ceil((max || 1) / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step * 1e-9; i++) ticks.push(i * step);
  return make([0, top], range, (v) => v, ticks);
}

/** A log scale over exactly [min, max] of sweep sizes, ticked at 1, 2 and 5 × 10^k inside it
 * (or at the sizes themselves when there are few), so the axis spans the data. */
export function sizeScale(values: number[], range: [number, number]): Scale {
  const positive = [...new Set(values.filter((v) => v > 0 && Number.isFinite(v)))].sort((a, b) => a - b);
  if (positive.length === 0) return logScale([], range);
  const lo = positive[0];
  const hi = positive[positive.length - 1] > lo ? positive[positive.length - 1] : lo * 10;
  let ticks: number[];
  if (positive.length <= 8) {
    ticks = positive;
  } else {
    ticks = [];
    for (let e = Math.floor(Math.log10(lo)); 10 ** e <= hi; e++) {
      for (const m of [1, 2, 5]) {
        const t = m * 10 ** e;
        if (t >= lo && t <= hi) ticks.push(t);
      }
    }
    if (ticks.length < 2) ticks = [lo, hi];
  }
  return make([lo, hi], range, Math.log10, ticks);
}

/** The ticks whose labels (each `width(t)` wide, centred on the tick) do not overlap the one
 * kept before them, with `gap` to spare: labels never collide, whatever their length. */
export function spacedTicks(scale: Scale, ticks: number[], width: (tick: number) => number, gap = 6): number[] {
  const kept: number[] = [];
  let lastEdge = -Infinity;
  const ordered = [...ticks].sort((a, b) => scale(a) - scale(b));
  for (const tick of ordered) {
    const at = scale(tick);
    const half = width(tick) / 2;
    if (at - half >= lastEdge + gap) {
      kept.push(tick);
      lastEdge = at + half;
    }
  }
  return kept;
}
