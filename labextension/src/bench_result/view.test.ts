// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';

import { fixture } from './fixtures';
import { BENCH_SCHEMA_VERSION } from './schema';
import { metricTick as formatTick } from './metric';
import { nearestPoint, pointValue, sweepChart } from './sweep_chart';
import { logScale, spacedTicks } from './scale';
import { BenchView, DEFAULT_STATE, renderBench, type ViewState } from './view';

const host = () => document.body.appendChild(document.createElement('div'));

const render = (data: unknown, state: ViewState = DEFAULT_STATE) => {
  const el = host();
  const view = renderBench(el, data, state);
  return { el, view };
};

const names = (el: HTMLElement) =>
  [...el.querySelectorAll('tbody tr td.mm-bench-name > span:first-child')].map((n) => n.textContent);

afterEach(() => {
  document.body.replaceChildren();
});

describe('renderBench', () => {
  it('draws the course as a table and a bar chart under the renderer root', () => {
    const { el, view } = render(fixture('course_cpu'));
    expect(view).toBeInstanceOf(BenchView);
    const root = el.querySelector('[data-matmul-magic="bench-renderer"]')!;
    expect(root.getAttribute('data-state')).toBe('ok');
    expect(names(el)).toEqual(['loops', 'elementwise', 'broadcast', 'einsum', 'torch']);
    expect(el.querySelectorAll('.mm-bench-bar')).toHaveLength(5);
    expect(el.querySelector('.mm-bench-title')!.textContent).toContain('a 5×784 @ b 784×10');
    expect(el.querySelector('.mm-bench-title')!.textContent).toContain('operands mnist');
  });

  it('marks extrapolated, incorrect, failed and skipped rows', () => {
    const { el } = render(fixture('faults_cpu'));
    const rowOf = (name: string) =>
      [...el.querySelectorAll<HTMLElement>('tbody tr')].find(
        (tr) => tr.querySelector('td.mm-bench-name > span')!.textContent === name
      )!;
    expect(rowOf('loops').className).toContain('mm-extrapolated');
    expect(rowOf('loops').textContent).toContain('≈ extrapolated');
    expect(rowOf('loops').textContent).toContain('≈ 412 ms ±1.0%'); // its own unit, its interval
    expect(rowOf('numba').textContent).toContain('skipped');
    expect(rowOf('<img src=x onerror=alert(1)>').className).toContain('mm-status-incorrect');
    expect(rowOf('<img src=x onerror=alert(1)>').textContent).toContain('✗ incorrect');
    const failed = rowOf('</td><script>alert("x")</script>');
    expect(failed.className).toContain('mm-status-failed');
    // Errors and notes are listed under the table, not in a column of it.
    expect(failed.textContent).not.toContain('RuntimeError');
    expect(el.querySelector('.mm-bench-note-error')!.textContent).toContain('RuntimeError: <b>boom</b>');
    // Bars: the failed, incorrect and skipped rows have none but say why.
    const missing = [...el.querySelectorAll('.mm-bench-missing')].map((n) => n.textContent);
    expect(missing).toEqual(['skipped', 'incorrect, not timed', 'failed (see error)']);
    expect(el.querySelectorAll('.mm-bench-bar-row.mm-extrapolated .mm-bench-bar')).toHaveLength(2);
  });

  it('keeps payload markup as text: no element comes from a string', () => {
    const { el } = render(fixture('faults_cpu'));
    expect(el.querySelectorAll('img, script, b, iframe')).toHaveLength(0);
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(el.textContent).toContain('</td><script>alert("x")</script>');
  });
});

describe('renderBench: sorting, metrics, details and sweeps', () => {
  it('sorts by a column, toggling the direction, with nulls last', () => {
    const { el } = render(fixture('faults_cpu'));
    const sortBy = (column: string) =>
      el.querySelector<HTMLButtonElement>(`button[data-column="${column}"]`)!.click();
    sortBy('median');
    const ascending = names(el);
    expect(ascending.slice(0, 3)).toEqual(['torch', 'einsum', 'my_matmul & <friends>']);
    expect(ascending.slice(-3)).toEqual(['numba', '<img src=x onerror=alert(1)>', '</td><script>alert("x")</script>']);
    expect(el.querySelector('th[aria-sort="ascending"]')!.textContent).toContain('median ±95% interval ▲');
    sortBy('median');
    const descending = names(el);
    expect(descending.slice(0, 2)).toEqual(['slow_user_fn', 'loops']);
    expect(descending.slice(-3)).toEqual(ascending.slice(-3));
    sortBy('name');
    expect(names(el)[0]).toBe('</td><script>alert("x")</script>');
  });

  it('switches metric and scale, and keeps the choice across re-renders', () => {
    const data = fixture('course_cpu');
    const el = host();
    let saved: ViewState = DEFAULT_STATE;
    renderBench(el, data, saved, (s) => (saved = s));
    el.querySelector<HTMLButtonElement>('button[data-metric="speedup"]')!.click();
    el.querySelector<HTMLButtonElement>('button[data-action="toggle-scale"]')!.click();
    const chart = el.querySelector('svg.mm-bench-bars')!;
    expect(chart.getAttribute('data-metric')).toBe('speedup');
    expect(chart.getAttribute('data-scale')).toBe('linear');
    expect(el.querySelector('button[data-metric="speedup"]')!.getAttribute('aria-pressed')).toBe('true');
    expect(saved).toMatchObject({ metric: 'speedup', scale: 'linear' });
    // The torch bar is the longest in speedup view.
    const widths = [...el.querySelectorAll('.mm-bench-bar')].map((b) => Number(b.getAttribute('width')));
    expect(Math.max(...widths)).toBe(widths[4]);
    renderBench(el, data, saved);
    expect(el.querySelector('svg.mm-bench-bars')!.getAttribute('data-metric')).toBe('speedup');
  });

  it('shows hover details for a row: runs, IQR, device, dtype', () => {
    const { el } = render(fixture('course_cpu'));
    const bar = el.querySelectorAll('.mm-bench-bar')[1];
    bar.dispatchEvent(new MouseEvent('pointerover', { bubbles: true, clientX: 10, clientY: 10 }));
    const tooltip = el.querySelector<HTMLElement>('.mm-bench-tooltip')!;
    expect(tooltip.hidden).toBe(false);
    const text = tooltip.textContent!;
    for (const expected of ['elementwise', 'calls20 timed', 'blocks20 measurements', 'speedup522× ±3.0%', 'median790 µs ±0.5%', 'IQR15.8 µs', 'devicecpu, Intel', 'dtypefloat32']) {
      expect(text).toContain(expected);
    }
    el.querySelector('.mm-bench')!.dispatchEvent(new MouseEvent('pointerleave'));
    expect(tooltip.hidden).toBe(true);
  });

  it('draws a sweep as log-log lines, one dot per point, with each exponent', () => {
    const { el } = render(fixture('sweep_cpu'));
    const sweep = el.querySelector('svg.mm-bench-sweep')!;
    expect(sweep.querySelectorAll('.mm-bench-line').length).toBeGreaterThanOrEqual(5);
    const counts = [...sweep.querySelectorAll('.mm-bench-dots')].map((p) => Number(p.getAttribute('data-count')));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(500);
    // Extrapolated points are drawn hollow, in a path of their own.
    expect(sweep.querySelectorAll('.mm-bench-dots.mm-extrapolated').length).toBeGreaterThan(0);
    const legend = sweep.querySelector('.mm-bench-legend')!.textContent!;
    expect(legend).toContain('loops ∝ size^3.00'); // as the HTML fallback writes it
    expect(legend).toContain('einsum ∝ size^1.61');
    expect(el.querySelector('th button[data-column="exponent"]')).not.toBeNull();
    // jsdom has no layout, so client coordinates are viewBox coordinates here.
    const data = fixture('sweep_cpu');
    const last = sweepChart(data.rows, data.sweep.sizes).points.find((p) => p.row === 0 && p.point === 99)!;
    sweep.querySelector('.mm-bench-dots')!.dispatchEvent(
      new MouseEvent('pointermove', { bubbles: true, clientX: last.x + 2, clientY: last.y - 1 })
    );
    expect(el.querySelector('.mm-bench-tooltip')!.textContent).toContain('loops at size 1148');
    expect(sweep.querySelector('.mm-bench-hover-dot')!.getAttribute('visibility')).toBe('visible');
  });
});

describe('renderBench: interrupted, off-schema and empty payloads', () => {
  it('says a run was interrupted and shows what finished', () => {
    const { el } = render(fixture('interrupted_cuda'));
    expect(el.querySelector('.mm-bench-banner')!.textContent).toContain('INTERRUPTED: showing the 3 rows');
    expect(el.querySelector('thead')!.textContent).toContain('% of peak');
    expect(el.textContent).toContain('TF32 off');
  });

  it('shows an error box, not a blank output, for a payload off the schema', () => {
    const data = fixture('course_cpu');
    data.rows[0].median = 'fast';
    const { el, view } = render(data);
    expect(view).toBeNull();
    const box = el.querySelector('[data-matmul-magic="bench-renderer"][data-state="error"]')!;
    expect(box.getAttribute('role')).toBe('alert');
    expect(box.textContent).toContain('cannot be shown');
    expect(box.textContent).toContain('$.rows[0].median: must be a number, not a string');
  });

  it('shows payload markup in the error box as text too', () => {
    const { el } = render({ version: '<img src=x onerror=alert(1)>' });
    expect(el.querySelectorAll('img')).toHaveLength(0);
    expect(el.textContent).toContain('schema version "<img src=x onerror=alert(1)>" is not supported');
  });

  it('falls back to the output\'s text view, as text, when it cannot draw the payload', () => {
    const host = document.body.appendChild(document.createElement('div'));
    const data = fixture('course_cpu');
    data.version = BENCH_SCHEMA_VERSION + 1;
    const text = 'name   median\n<img src=x onerror=alert(1)>  4.30 µs';
    expect(renderBench(host, data, DEFAULT_STATE, undefined, text)).toBeNull();
    expect(host.querySelectorAll('img')).toHaveLength(0);
    expect(host.querySelector('[data-state="error"] pre.mm-bench-fallback')!.textContent).toBe(text);
  });

  it('handles a result with no rows', () => {
    const data = fixture('course_cpu');
    data.rows = [];
    const { el } = render(data);
    expect(el.textContent).toContain('No variant finished.');
  });
});

describe('how far to trust each figure', () => {
  const rowOf = (el: HTMLElement, name: string) =>
    [...el.querySelectorAll<HTMLElement>('tbody tr')].find(
      (tr) => tr.querySelector('td.mm-bench-name > span')!.textContent === name
    )!;

  it('shows the speedup with its 95% interval in the table and the tooltip', () => {
    const { el } = render(fixture('course_cpu'));
    expect(rowOf(el, 'torch').textContent).toContain('95,814× ±3.0%'); // as the HTML fallback writes it
    expect(el.querySelector('th button[data-column="median"]')!.textContent).toContain('95% interval');
  });

  it('names calls and blocks apart', () => {
    const { el } = render(fixture('course_cpu'));
    expect(el.querySelector('th button[data-column="runs"]')!.textContent).toBe('calls (blocks)');
    expect(rowOf(el, 'torch').textContent).toContain('4,000 (20)');
    expect(el.querySelector('thead')!.textContent).not.toContain('runs');
  });

  it('says the noisy warning once, in a list under the table', () => {
    const { el } = render(fixture('course_cpu'));
    expect(el.textContent!.split('the machine may be busy')).toHaveLength(2);
    const notes = el.querySelector('.mm-bench-notes')!.textContent!;
    expect(notes).toContain('noisy rows: broadcast, einsum (median known to ±8.7%, ±6.6%; target ±5%)');
    expect(notes).toContain('loops: timed on 1 of 5 rows, scaled ×5');
    expect(el.querySelector('thead')!.textContent).not.toContain('note');
    expect(rowOf(el, 'einsum').querySelector('.mm-badge-warn')!.textContent).toBe('noisy');
  });

  it('never shows an unreliable estimate as exact', () => {
    const { el } = render(fixture('faults_cpu'));
    const row = rowOf(el, 'slow_user_fn');
    expect(row.textContent).toContain('≈ estimate, unreliable');
    expect(row.textContent).toContain('≈ 0.15× ⚠');
    expect(row.textContent).not.toContain('0.150×');
  });

  it('says a one-off cost on its row and once in the header, and marks over-budget rows', () => {
    const { el } = render(fixture('faults_cpu'));
    expect(rowOf(el, 'my_matmul & <friends>').textContent).toContain('first call +1.20 s');
    expect(el.querySelector('.mm-bench-summary')!.textContent).toContain(
      'one-off first-call costs, not counted: my_matmul & <friends> 1.20 s'
    );
    expect(rowOf(el, 'loops').textContent).toContain('over budget');
    expect(el.querySelector('.mm-bench-notes')!.textContent).toContain('stalls: blocks over 10× the median: einsum 2');
    expect(el.querySelector('.mm-bench-notes')!.textContent).not.toContain('2 stalls');
  });

  it('keeps the ≈ of an extrapolated median in the tooltip', () => {
    const { el } = render(fixture('course_cpu'));
    el.querySelectorAll('.mm-bench-bar')[0].dispatchEvent(new MouseEvent('pointerover', { bubbles: true }));
    expect(el.querySelector('.mm-bench-tooltip')!.textContent).toContain('median≈ 412 ms');
  });

  it('colours the learner\'s rows in the chart', () => {
    const { el } = render(fixture('faults_cpu'));
    expect(el.querySelectorAll('.mm-bench-bar-row.mm-kind-user .mm-bench-bar')).toHaveLength(2);
  });

  it('has a log-scale toggle whose label stays put and whose state is aria-pressed', () => {
    const { el } = render(fixture('course_cpu'));
    const toggle = () => el.querySelector<HTMLButtonElement>('button[data-action="toggle-scale"]')!;
    expect([toggle().textContent, toggle().getAttribute('aria-pressed')]).toEqual(['Log scale', 'true']);
    toggle().click();
    expect([toggle().textContent, toggle().getAttribute('aria-pressed')]).toEqual(['Log scale', 'false']);
  });

  it('puts the GFLOP/s unit once, in the axis title', () => {
    const { el } = render(fixture('course_cpu'), { ...DEFAULT_STATE, metric: 'gflops' });
    const chart = el.querySelector('svg.mm-bench-bars')!;
    const ticks = [...chart.querySelectorAll('.mm-bench-tick')].map((t) => t.textContent);
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks.some((t) => t!.includes('GFLOP/s'))).toBe(false);
    expect(chart.querySelector('.mm-bench-axis-title')!.textContent).toBe('throughput, GFLOP/s (log scale)');
  });
});

describe('sweep chart', () => {
  it('follows the metric and scale toggles', () => {
    const { el } = render(fixture('sweep_cpu'));
    el.querySelector<HTMLButtonElement>('button[data-metric="gflops"]')!.click();
    el.querySelector<HTMLButtonElement>('button[data-action="toggle-scale"]')!.click();
    const sweep = el.querySelector('svg.mm-bench-sweep')!;
    expect(sweep.getAttribute('data-metric')).toBe('gflops');
    expect(sweep.getAttribute('data-scale')).toBe('linear');
    expect(sweep.textContent).toContain('throughput, GFLOP/s (linear scale)');
  });

  it('computes speedup and GFLOP/s per point from the point itself', () => {
    const data = fixture('sweep_cpu');
    const [loops, torch] = [data.rows[0], data.rows[4]];
    const p = torch.points[3];
    expect(pointValue(torch, 3, 'gflops', loops)).toBeCloseTo((2 * p.m * p.k * p.n) / p.median / 1e9);
    expect(pointValue(torch, 3, 'speedup', loops)).toBeCloseTo(loops.points[3].median / p.median);
    expect(pointValue(loops, 3, 'time', null)).toBe(loops.points[3].median);
  });

  it('fits the size axis to the sizes measured', () => {
    const data = fixture('sweep_cpu');
    const rows = data.rows.map((r: any) => ({ ...r, points: r.points.slice(0, 4) }));
    const sizes = rows[0].points.map((p: any) => p.size);
    const chart = sweepChart(rows, sizes);
    const xs = chart.points.map((p) => p.x);
    // The smallest and largest sizes sit at the plot's two edges (100 and 720 - 210).
    expect(Math.min(...xs)).toBeCloseTo(100, 0);
    expect(Math.max(...xs)).toBeCloseTo(510, 0);
  });
});

describe('spacedTicks', () => {
  it('keeps only ticks whose labels do not overlap', () => {
    const scale = logScale([1e-6, 1e2], [0, 200]);
    const kept = spacedTicks(scale, scale.ticks, () => 40);
    for (let i = 1; i < kept.length; i++) {
      expect(scale(kept[i]) - scale(kept[i - 1])).toBeGreaterThanOrEqual(46);
    }
    expect(kept[0]).toBe(scale.ticks[0]);
  });
});

describe('nearestPoint', () => {
  const points = [
    { x: 10, y: 10, row: 0, point: 0 },
    { x: 20, y: 10, row: 0, point: 1 },
    { x: 20, y: 14, row: 1, point: 0 }
  ];

  it('finds the closest point within the radius', () => {
    expect(nearestPoint(points, 19, 13)).toEqual(points[2]);
    expect(nearestPoint(points, 12, 9)).toEqual(points[0]);
  });

  it('finds nothing beyond the radius', () => {
    expect(nearestPoint(points, 40, 40)).toBeNull();
    expect(nearestPoint([], 0, 0)).toBeNull();
  });
});

describe('formatTick', () => {
  it('drops trailing zeros from axis labels', () => {
    expect(formatTick(1e-6, 'time')).toBe('1 µs');
    expect(formatTick(0.01, 'time')).toBe('10 ms');
    expect(formatTick(0.5, 'speedup')).toBe('0.5×');
    expect(formatTick(100000, 'speedup')).toBe('100,000×');
    expect(formatTick(2.5, 'gflops')).toBe('2.5'); // the unit is in the axis title, once
    expect(formatTick(0.0001, 'gflops')).toBe('0.0001');
  });
});
