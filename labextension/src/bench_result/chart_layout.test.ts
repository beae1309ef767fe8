// @vitest-environment jsdom
// The charts are laid out for the output's width (issue 23): never scaled, so their text
// stays 11 px, and narrower where the output is narrow: names and values over the bars, the
// sweep's legend under its plot, two-line axis titles, every label inside the chart.
import { describe, expect, it } from 'vitest';

import { BAR_WIDTH, barChart, MIN_WIDTH, titleLines } from './bar_chart';
import { fixture } from './fixtures';
import { labelWidth, type Metric } from './metric';
import type { BenchRow } from './schema';
import { SWEEP_W, sweepChart } from './sweep_chart';

const METRICS: Metric[] = ['time', 'speedup', 'gflops'];

/** A text's estimated [left, right] in viewBox units, from its x and anchor. */
function span(t: Element): [number, number] {
  const x = Number(t.getAttribute('x'));
  const w = labelWidth(t.textContent ?? '');
  const anchor = t.getAttribute('text-anchor');
  const left = anchor === 'end' ? x - w : anchor === 'middle' ? x - w / 2 : x;
  return [left, left + w];
}

/** Every unrotated text, its estimated span. */
function spans(chart: SVGSVGElement): [string, number, number][] {
  return [...chart.querySelectorAll('text:not([transform])')].map((t) => [t.textContent ?? '', ...span(t)]);
}

const width = (chart: SVGSVGElement) => Number(chart.getAttribute('width'));

describe('the bar chart at the output width', () => {
  const data = fixture('course_cpu');
  const rows = data.rows as BenchRow[];

  it('is as wide as the output, between its minimum and its full width', () => {
    expect(width(barChart(rows, 'time', 'log'))).toBe(BAR_WIDTH);
    expect(width(barChart(rows, 'time', 'log', 'loops', 1400))).toBe(BAR_WIDTH);
    expect(width(barChart(rows, 'time', 'log', 'loops', 500))).toBe(500);
    expect(width(barChart(rows, 'time', 'log', 'loops', 100))).toBe(MIN_WIDTH);
  });

  it('puts names and values on a line over each bar below 480 px, and beside it above', () => {
    expect(barChart(rows, 'time', 'log', 'loops', 479).classList.contains('mm-stacked')).toBe(true);
    expect(barChart(rows, 'time', 'log', 'loops', 480).classList.contains('mm-stacked')).toBe(false);
    const stacked = barChart(rows, 'time', 'log', 'loops', 300);
    const values = [...stacked.querySelectorAll('.mm-bench-value')].map((t) => t.textContent);
    expect(values).toContain('4.30 µs ±0.5%');
  });

  it('keeps every label inside the chart and off the others on its line, at any width', () => {
    // Speedups up to ~3,000,000×: the widest tick labels (`1,000,000×`) at the plot's ends.
    const fast = rows.map((r) => ({ ...r, speedup: r.speedup && r.speedup * 30, speedup_low: null, speedup_high: null }));
    for (const w of [MIN_WIDTH, 300, 479, 480, 560, BAR_WIDTH]) {
      for (const [metric, drawn] of [...METRICS.map((m) => [m, rows] as const), ['speedup', fast] as const]) {
        const chart = barChart(drawn, metric, 'log', 'loops', w);
        for (const [text, left, right] of spans(chart)) {
          expect([text, left >= 0, right <= w]).toEqual([text, true, true]);
        }
        for (const row of chart.querySelectorAll('.mm-bench-bar-row')) {
          const [name, value] = [...row.querySelectorAll('text')].map(span);
          expect(name[1]).toBeLessThan(value[0]);
        }
      }
    }
  });

  it('keeps a long value label inside the chart: a speedup not known across a wide interval', () => {
    // `not known (26,000–64,000×)` once ran past a 150 px value column at 1280 px (CI).
    const wide = (speedup: number, low: number, high: number, status: BenchRow['status'] = 'ok') =>
      rows.map((r, i) => (i === 3 ? { ...r, status, speedup, speedup_low: low, speedup_high: high } : r));
    const cases = [
      [wide(30_000, 26_000, 64_000), 'not known (26,000–64,000×)'],
      [wide(1_000_000, 260_000, 6_400_000, 'incorrect'), 'not known (260,000–6,400,000×) ✗']
    ] as const;
    expect(barChart(cases[0][0], 'speedup', 'log', 'loops', 680).classList.contains('mm-stacked')).toBe(false);
    for (const [drawn, label] of cases) {
      for (const w of [1280, 680, 500, 480, 320, MIN_WIDTH]) {
        for (const scale of ['log', 'linear'] as const) {
          const chart = barChart(drawn, 'speedup', scale, 'loops', w);
          expect([...chart.querySelectorAll('.mm-bench-value')].map((t) => t.textContent)).toContain(label);
          for (const [text, left, right] of spans(chart)) {
            expect([text, w, left >= 0, right <= width(chart)]).toEqual([text, w, true, true]);
          }
          for (const row of chart.querySelectorAll('.mm-bench-bar-row')) {
            const [name, value] = [...row.querySelectorAll('text')].map(span);
            expect(name[1]).toBeLessThan(value[0]);
          }
        }
      }
    }
  });

  it('splits an axis title before its parenthesis where one line does not fit', () => {
    expect(titleLines('median time per call (log scale)', 400)).toEqual(['median time per call (log scale)']);
    expect(titleLines('median time per call (log scale)', 150)).toEqual(['median time per call', '(log scale)']);
    const narrow = barChart(rows, 'speedup', 'linear', 'loops', MIN_WIDTH);
    expect([...narrow.querySelectorAll('.mm-bench-axis-title')].map((t) => t.textContent)).toEqual(['speedup over loops', '(linear scale)']);
  });
});

describe('the sweep chart at the output width', () => {
  const data = fixture('sweep_cpu');
  const rows = data.rows as BenchRow[];

  it('keeps its full layout where it has room and its legend beside the plot down to 600 px', () => {
    const full = sweepChart(rows, data.sweep.sizes, 'time', 'log', null, 1400);
    expect([full.width, width(full.svg)]).toEqual([SWEEP_W, SWEEP_W]);
    const legend = (w: number) => Number(sweepChart(rows, data.sweep.sizes, 'time', 'log', null, w).svg.querySelector('.mm-bench-legend line')!.getAttribute('x1'));
    expect(legend(600)).toBeGreaterThan(300);
    expect(legend(599)).toBe(4);
  });

  it('puts the legend under the plot in a narrow output, the chart growing to hold it', () => {
    const narrow = sweepChart(rows, data.sweep.sizes, 'time', 'log', null, 400);
    expect(narrow.width).toBe(400);
    expect(Number(narrow.svg.getAttribute('height'))).toBeGreaterThan(340 + rows.length * 20 - 1);
    for (const dot of narrow.points) {
      expect(dot.x).toBeLessThanOrEqual(400);
    }
  });

  it('keeps every label inside the chart, in every metric, at any width', () => {
    for (const w of [MIN_WIDTH, 400, 599, 600, SWEEP_W]) {
      for (const metric of METRICS) {
        const chart = sweepChart(rows, data.sweep.sizes, metric, 'log', 'loops', w).svg;
        for (const [text, left, right] of spans(chart)) {
          expect([text, w, left >= 0, right <= w]).toEqual([text, w, true, true]);
        }
      }
    }
  });
});
