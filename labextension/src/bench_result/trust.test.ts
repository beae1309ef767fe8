// @vitest-environment jsdom
// How well each figure is known, drawn in every view of the lab renderer (issue 20): the
// median's interval, unreliable rows, speedups whose interval says nothing, and where the
// tooltip goes (issue 23).
import { afterEach, describe, expect, it } from 'vitest';

import { barChart } from './bar_chart';
import { fixture } from './fixtures';
import type { BenchRow } from './schema';
import { sweepChart } from './sweep_chart';
import { fitsBesideRow, placeTooltip, renderBench } from './view';

const render = (name: string) => {
  const el = document.body.appendChild(document.createElement('div'));
  renderBench(el, fixture(name));
  return el;
};

const rowOf = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLElement>('tbody tr')].find((tr) => tr.querySelector('td.mm-bench-name')!.textContent === name)!;

afterEach(() => {
  document.body.replaceChildren();
});

describe('the median and its interval', () => {
  it('shows each median in its own unit with ±N%, in the table and on its bar', () => {
    const el = render('course_cpu');
    expect(rowOf(el, 'torch').querySelector('td.mm-bench-median')!.textContent).toBe('4.30 µs ±0.5%');
    const values = [...el.querySelectorAll('.mm-bench-bars .mm-bench-value')].map((t) => t.textContent);
    expect(values).toContain('4.30 µs ±0.5%');
    expect(values).toContain('≈ 412 ms ±1.0%');
  });

  it('draws the interval as a whisker on each bar, and on the speedup bars too', () => {
    const rows = fixture('course_cpu').rows as BenchRow[];
    expect(barChart(rows, 'time', 'log').querySelectorAll('.mm-bench-whisker')).toHaveLength(rows.length);
    expect(barChart(rows, 'speedup', 'log').querySelectorAll('.mm-bench-whisker')).toHaveLength(rows.length);
    expect(barChart(rows, 'gflops', 'log').querySelectorAll('.mm-bench-whisker')).toHaveLength(0);
  });

  it('draws each sweep point\'s interval as an error bar, in time only', () => {
    const data = fixture('sweep_cpu');
    const rows = data.rows as BenchRow[];
    const time = sweepChart(rows, data.sweep.sizes, 'time').svg;
    expect(time.querySelectorAll('.mm-bench-error-bars')).toHaveLength(rows.length);
    expect(sweepChart(rows, data.sweep.sizes, 'speedup', 'log', 'loops').svg.querySelectorAll('.mm-bench-error-bars')).toHaveLength(0);
  });
});

describe('unreliable rows', () => {
  it('marks an unreliable row in the table, with the reason on hover and no exact figure', () => {
    const el = render('contended_cpu');
    const row = rowOf(el, 'broadcast');
    expect(row.classList.contains('mm-unreliable')).toBe(true);
    const median = row.querySelector<HTMLElement>('td.mm-bench-median')!;
    expect(median.textContent).toBe('≈ 220 µs ⚠');
    expect(median.title).toContain('unreliable: contended: 2 threads');
    expect(row.textContent).not.toContain('224');
    expect(row.querySelector('.mm-badge-unreliable')!.textContent).toBe('⚠ unreliable');
    expect(el.querySelector('.mm-bench-notes')!.textContent).toContain('⚠ = unreliable');
  });

  it('draws an unreliable bar hatched, without a whisker, labelled as a rough figure', () => {
    const el = render('contended_cpu');
    const bar = el.querySelector<SVGGElement>('.mm-bench-bar-row.mm-unreliable')!;
    expect(bar.querySelector<SVGRectElement>('.mm-bench-bar')!.style.fill).toMatch(/^url\(/);
    expect(bar.querySelector('.mm-bench-whisker')).toBeNull();
    expect(bar.querySelector('.mm-bench-value')!.textContent).toBe('≈ 220 µs ⚠');
  });

  it('says why in the tooltip', () => {
    const el = render('contended_cpu');
    el.querySelector('.mm-bench-bar-row.mm-unreliable .mm-bench-bar')!.dispatchEvent(new MouseEvent('pointerover', { bubbles: true }));
    const tip = el.querySelector('.mm-bench-tooltip')!.textContent!;
    expect(tip).toContain('unreliablea rough figure: see the note');
    expect(tip).toContain('notecontended: 2 threads ran 14× slower');
    expect(tip).toContain('median≈ 220 µs ⚠');
  });

  it('draws an unreliable sweep line dashed, marked in its legend, without error bars', () => {
    const data = fixture('sweep_cpu');
    const rows = (data.rows as BenchRow[]).map((r, i) => ({ ...r, unreliable: i === 0 }));
    const chart = sweepChart(rows, data.sweep.sizes).svg;
    const first = chart.querySelector('.mm-bench-series[data-row="0"]')!;
    expect(first.classList.contains('mm-unreliable')).toBe(true);
    expect(first.querySelector('.mm-bench-error-bars')).toBeNull();
    expect(chart.querySelector('.mm-bench-legend-entry[data-row="0"]')!.textContent).toMatch(/ ⚠$/);
  });
});

describe('speedups', () => {
  it('says a speedup is not known when its interval spans more than 2× either way', () => {
    const el = render('contended_cpu');
    const cell = rowOf(el, 'einsum').querySelector('td.mm-bench-speedup')!;
    expect(cell.textContent).toBe('not known (13–29,000×)');
    expect(el.textContent).not.toContain('84.6×');
  });
});

describe('names and the compact table', () => {
  it('lets a name wrap only after an underscore, with the full name on hover', () => {
    const el = render('faults_cpu');
    const cell = rowOf(el, 'slow_user_fn').querySelector<HTMLElement>('td.mm-bench-name')!;
    expect(cell.querySelectorAll('wbr')).toHaveLength(2);
    expect(cell.title).toBe('slow_user_fn');
  });

  it('puts status right after the name, and tags the columns that give way', () => {
    const el = render('course_cpu');
    const keys = [...el.querySelectorAll('th button')].map((b) => b.getAttribute('data-column'));
    expect(keys.slice(0, 3)).toEqual(['name', 'status', 'median']);
    expect(el.querySelectorAll('td.mm-col-kind')).toHaveLength(5);
    expect(el.querySelectorAll('td.mm-col-runs')).toHaveLength(5);
  });
});

describe('a row tooltip opened by keyboard focus', () => {
  it('stays when the pointer rests off the rows or leaves, and goes with the focus', () => {
    const el = render('course_cpu');
    const tip = el.querySelector<HTMLElement>('.mm-bench-tooltip')!;
    const row = rowOf(el, 'torch');
    row.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    expect(tip.hidden).toBe(false);
    el.querySelector('.mm-bench-header')!.dispatchEvent(new Event('pointerover', { bubbles: true }));
    el.querySelector('.mm-bench')!.dispatchEvent(new Event('pointerleave'));
    expect(tip.hidden).toBe(false);
    row.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    expect(tip.hidden).toBe(true);
  });

  it('is one a hovering pointer hides as before', () => {
    const el = render('course_cpu');
    const tip = el.querySelector<HTMLElement>('.mm-bench-tooltip')!;
    rowOf(el, 'torch').dispatchEvent(new Event('pointerover', { bubbles: true }));
    expect(tip.hidden).toBe(false);
    el.querySelector('.mm-bench-header')!.dispatchEvent(new Event('pointerover', { bubbles: true }));
    expect(tip.hidden).toBe(true);
  });
});

describe('placeTooltip', () => {
  const view: [number, number] = [1000, 700];
  const size: [number, number] = [300, 400];

  it('goes below the row it describes when the viewport has room', () => {
    const row = { left: 0, right: 800, top: 100, bottom: 124 };
    expect(placeTooltip(row, 200, size, view)).toEqual([212, 128]);
  });

  it('goes above the row near the bottom of the viewport, never over it', () => {
    const row = { left: 0, right: 800, top: 600, bottom: 624 };
    const [, top] = placeTooltip(row, 200, size, view);
    expect(top + size[1]).toBeLessThanOrEqual(row.top);
  });

  it('stays inside the viewport at the right edge and when it cannot clear the row', () => {
    const row = { left: 0, right: 800, top: 300, bottom: 324 };
    const [left, top] = placeTooltip(row, 950, size, view);
    expect(left + size[0]).toBeLessThanOrEqual(view[0]);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top + size[1]).toBeLessThanOrEqual(view[1]);
  });

  it('says when a tooltip fits neither below nor above its row (the view then widens it)', () => {
    expect(fitsBesideRow({ left: 0, right: 800, top: 100, bottom: 124 }, 400, view)).toBe(true);
    expect(fitsBesideRow({ left: 0, right: 800, top: 600, bottom: 624 }, 400, view)).toBe(true);
    expect(fitsBesideRow({ left: 0, right: 800, top: 300, bottom: 324 }, 400, view)).toBe(false);
    expect(fitsBesideRow({ left: 0, right: 800, top: 300, bottom: 324 }, 200, view)).toBe(true);
  });
});
