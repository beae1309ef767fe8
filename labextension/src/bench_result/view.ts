// The interactive bench view: summary, metric/scale controls, bar chart, sweep chart and a
// sortable table, with hover details. Loaded lazily by the MIME renderer (see ../mime.ts).
import {
  barChart,
  METRICS,
  type Metric,
  nearestPoint,
  type ScaleKind,
  type SweepChart,
  sweepChart
} from './chart';
import { el } from './dom';
import {
  formatGflops,
  formatPercent,
  formatPlain,
  formatSeconds,
  formatShape,
  formatSpeedupInterval
} from './format';
import { BENCH_SCHEMA_VERSION, type BenchResult, type BenchRow, validateBench } from './schema';

export type SortDirection = 'ascending' | 'descending';

/** What the user chose; kept across re-renders of the same output. */
export interface ViewState {
  metric: Metric;
  scale: ScaleKind;
  sort: { column: string; direction: SortDirection } | null;
}

export const DEFAULT_STATE: ViewState = { metric: 'time', scale: 'log', sort: null };

interface Column {
  key: string;
  label: string;
  numeric: boolean;
  /** Sort key; null sorts last in both directions. */
  value: (row: BenchRow) => number | string | null;
  text: (row: BenchRow, result: BenchResult) => string;
}

const STATUS_ORDER = { ok: 0, incorrect: 1, failed: 2, skipped: 3 };

const STATUS_TEXT: Record<BenchRow['status'], string> = {
  ok: '✓ ok',
  incorrect: '✗ incorrect',
  failed: '! failed',
  skipped: '– skipped'
};

function columns(result: BenchResult): Column[] {
  const cols: Column[] = [
    { key: 'name', label: 'variant', numeric: false, value: (r) => r.name, text: (r) => r.name },
    {
      key: 'status',
      label: 'status',
      numeric: false,
      value: (r) => STATUS_ORDER[r.status],
      text: (r) => STATUS_TEXT[r.status]
    },
    {
      key: 'median',
      label: 'median',
      numeric: true,
      value: (r) => r.median,
      text: (r) => approx(r, r.median) + formatSeconds(r.median)
    },
    { key: 'iqr', label: 'IQR', numeric: true, value: (r) => r.iqr, text: (r) => formatSeconds(r.iqr) },
    { key: 'runs', label: 'calls (blocks)', numeric: true, value: (r) => r.runs, text: callsText },
    {
      key: 'speedup',
      label: result.baseline ? `speedup vs ${result.baseline} (95% interval)` : 'speedup (95% interval)',
      numeric: true,
      value: (r) => r.speedup,
      text: (r) => formatSpeedupInterval(r.speedup, r.speedup_low, r.speedup_high, r.unreliable)
    },
    { key: 'gflops', label: 'GFLOP/s', numeric: true, value: (r) => r.gflops, text: (r) => formatGflops(r.gflops).replace(' GFLOP/s', '') }
  ];
  if (result.rows.some((r) => r.pct_of_peak !== null)) {
    cols.push({
      key: 'pct_of_peak',
      label: '% of peak',
      numeric: true,
      value: (r) => r.pct_of_peak,
      text: (r) => formatPercent(r.pct_of_peak)
    });
  }
  cols.push({
    key: 'max_abs_err',
    label: 'max abs err',
    numeric: true,
    value: (r) => r.max_abs_err,
    text: (r) => formatPlain(r.max_abs_err)
  });
  if (result.sweep) {
    cols.push({
      key: 'exponent',
      label: 'exponent',
      numeric: true,
      value: (r) => r.exponent,
      text: (r) => (r.exponent === null ? '—' : r.exponent.toFixed(2))
    });
  }
  return cols;
}

/** `95,814× (92,940–98,688)` as its figure and its interval. */
function splitInterval(text: string): [string, string] {
  const at = text.indexOf(' (');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** `≈ ` before an extrapolated figure. */
function approx(row: BenchRow, value: number | null): string {
  return row.extrapolated && value !== null ? '≈ ' : '';
}

/** `4,000 (40)`: calls timed, and the blocks (measurements) they came in. */
export function callsText(row: BenchRow): string {
  return `${row.runs.toLocaleString('en-US')} (${row.blocks.toLocaleString('en-US')})`;
}

const BUSY = 'the machine may be busy';

const percent = (value: number) => `${Math.round(value)}%`;

/** Warnings that apply to several rows, each said once, as [label, text]. */
export function sharedWarnings(result: BenchResult): [string, string][] {
  const out: [string, string][] = [];
  const noisy = result.rows.filter((r) => r.noisy);
  if (noisy.length) {
    const spreads = noisy.map((r) => (r.iqr !== null && r.median ? percent((100 * r.iqr) / r.median) : '?'));
    out.push([
      'noisy rows',
      `${noisy.map((r) => r.name).join(', ')} (IQR ${spreads.join(', ')} of the median; target ${percent(100 * result.threshold)}): ${BUSY}`
    ]);
  }
  const stalled = result.rows.filter((r) => r.stalls > 0);
  if (stalled.length) {
    out.push(['stalls', `blocks over 10× the median: ${stalled.map((r) => `${r.name} ${r.stalls}`).join(', ')}; the machine was busy`]);
  }
  return out;
}

/** Every error and note under the table, in row order, then the shared warnings. */
export function notes(result: BenchResult): [string, string][] {
  const out: [string, string][] = [];
  for (const row of result.rows) {
    if (row.error !== null) {
      out.push([row.name, `error: ${row.error}`]);
    }
    if (row.note !== null) {
      out.push([row.name, row.note]);
    }
  }
  return [...out, ...sharedWarnings(result)];
}

/** `one-off first-call costs, not counted: numba 1.2 s`, or null. */
export function oneOffText(result: BenchResult): string | null {
  const costs = result.rows.filter((r) => r.one_off !== null).map((r) => `${r.name} ${formatSeconds(r.one_off)}`);
  return costs.length ? `one-off first-call costs, not counted: ${costs.join(', ')}` : null;
}

/** Row order for the table: payload order, or sorted by one column with nulls last. */
export function sortRows(rows: BenchRow[], column: Column | undefined, direction: SortDirection): number[] {
  const order = rows.map((_, i) => i);
  if (!column) {
    return order;
  }
  const sign = direction === 'ascending' ? 1 : -1;
  return order.sort((i, j) => {
    const [a, b] = [column.value(rows[i]), column.value(rows[j])];
    if (a === null || b === null) {
      return a === b ? i - j : a === null ? 1 : -1;
    }
    const cmp = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
    return cmp === 0 ? i - j : sign * cmp;
  });
}

function summary(result: BenchResult): HTMLElement {
  const env = result.environment;
  const parts: string[] = [];
  parts.push(env.device_name ? `${result.device} (${env.device_name})` : result.device);
  parts.push(result.dtype);
  parts.push(`a ${formatShape(result.shapes.a)} @ b ${formatShape(result.shapes.b)}`);
  parts.push(
    result.operands === 'mnist'
      ? 'MNIST operands'
      : result.operands === 'user'
        ? 'your operands'
        : `random operands (${result.operands.replace('random, ', '')})`
  );
  if (result.elapsed !== null) {
    parts.push(
      result.budget !== null
        ? `${formatSeconds(result.elapsed)} of a ${formatSeconds(result.budget)} budget`
        : `${formatSeconds(result.elapsed)}`
    );
  }
  if (env.threads !== null) {
    parts.push(`${env.threads} thread${env.threads === 1 ? '' : 's'}`);
  }
  if (env.timer) {
    parts.push(`timer: ${env.timer}`);
  }
  if (env.tf32 !== null) {
    parts.push(`TF32 ${env.tf32 ? 'on' : 'off'}`);
  }
  if (env.l2_flush !== null) {
    parts.push(`L2 flush ${env.l2_flush ? 'on' : 'off'}`);
  }
  if (env.torch) {
    parts.push(`torch ${env.torch}`);
  }
  parts.push(`target IQR ≤ ${percent(100 * result.threshold)} of the median`);
  const once = oneOffText(result);
  if (once) {
    parts.push(once);
  }
  return el('div', { class: 'mm-bench-summary' }, parts.join(' · '));
}

/** Hover details of one row, as label/value lines. */
export function rowDetails(row: BenchRow, result: BenchResult): [string, string][] {
  const trust = row.extrapolated ? (row.unreliable ? ', extrapolated (estimate, unreliable)' : ', extrapolated') : '';
  const lines: [string, string][] = [
    ['status', STATUS_TEXT[row.status] + trust],
    ['median', approx(row, row.median) + formatSeconds(row.median)],
    ['IQR', formatSeconds(row.iqr)],
    ['min', approx(row, row.min) + formatSeconds(row.min)],
    ['calls', `${row.runs.toLocaleString('en-US')} timed`],
    ['blocks', `${row.blocks.toLocaleString('en-US')} measurements`],
    ['speedup', formatSpeedupInterval(row.speedup, row.speedup_low, row.speedup_high, row.unreliable)],
    ['throughput', approx(row, row.gflops) + formatGflops(row.gflops)]
  ];
  if (row.one_off !== null) {
    lines.push(['first call', `+${formatSeconds(row.one_off)} once, not counted`]);
  }
  if (row.over_budget) {
    lines.push(['over budget', 'one call took longer than the whole budget; its time is that call']);
  }
  if (row.noisy) {
    lines.push(['noisy', `IQR above ${percent(100 * result.threshold)} of the median: ${BUSY}`]);
  }
  if (row.stalls > 0) {
    lines.push(['stalls', `${row.stalls} block${row.stalls === 1 ? '' : 's'} over 10× the median`]);
  }
  if (row.pct_of_peak !== null) {
    lines.push(['of peak', formatPercent(row.pct_of_peak)]);
  }
  lines.push(['device', result.environment.device_name ? `${result.device}, ${result.environment.device_name}` : result.device]);
  lines.push(['dtype', result.dtype]);
  lines.push(['correct', row.correct === null ? 'not checked' : row.correct ? 'yes' : 'no']);
  if (row.max_abs_err !== null) {
    lines.push(['max abs err', formatPlain(row.max_abs_err)]);
  }
  if (row.exponent !== null) {
    lines.push(['exponent', row.exponent.toFixed(3)]);
  }
  if (row.error !== null) {
    lines.push(['error', row.error]);
  }
  if (row.note !== null) {
    lines.push(['note', row.note]);
  }
  return lines;
}

/** Hover details of one sweep point: its title and label/value lines. */
export function pointTitleAndDetails(row: BenchRow, index: number): [string, [string, string][]] {
  return [`${row.name} at size ${row.points[index].size}`, pointDetails(row, index)];
}

function pointDetails(row: BenchRow, index: number): [string, string][] {
  const p = row.points[index];
  const lines: [string, string][] = [
    ['size', `${p.size} (a ${p.m}×${p.k} @ b ${p.k}×${p.n})`],
    ['median', (p.extrapolated ? '≈ ' : '') + formatSeconds(p.median)],
    ['IQR', formatSeconds(p.iqr)],
    ['calls', String(p.runs)]
  ];
  if (p.extrapolated) {
    lines.push(['extrapolated', 'estimated from two slices of the output (fixed + per-output cost)']);
  }
  if (p.error !== null) {
    lines.push(['error', p.error]);
  }
  return lines;
}

/** A readable box for a payload that does not match the schema. */
export function renderError(host: HTMLElement, errors: string[]): HTMLElement {
  const box = el('div', {
    class: 'mm-bench mm-bench-error',
    role: 'alert',
    'data-matmul-magic': 'bench-renderer',
    'data-state': 'error'
  }, [
    el('strong', {}, 'matmul-magic: this bench result cannot be shown'),
    el('p', {}, `The output does not match the bench schema (version ${BENCH_SCHEMA_VERSION}). Re-run the cell with this version of matmul-magic. Problems found:`),
    el('ul', {}, errors.map((e) => el('li', {}, e)))
  ]);
  host.replaceChildren(box);
  return box;
}

export class BenchView {
  readonly root: HTMLElement;
  private state: ViewState;
  private readonly tooltip: HTMLElement;
  private readonly chartHost: HTMLElement;
  private readonly tableHost: HTMLElement;
  private readonly notesHost: HTMLElement;
  private readonly controls: HTMLElement;
  private sweep: SweepChart | null = null;

  constructor(
    host: HTMLElement,
    readonly result: BenchResult,
    state: ViewState = DEFAULT_STATE,
    private readonly onState: (state: ViewState) => void = () => undefined
  ) {
    this.state = { ...state };
    this.tooltip = el('div', { class: 'mm-bench-tooltip', role: 'tooltip', hidden: '' });
    this.controls = el('div', { class: 'mm-bench-controls', role: 'toolbar', 'aria-label': 'Chart options' });
    this.chartHost = el('div', { class: 'mm-bench-charts' });
    this.tableHost = el('div', { class: 'mm-bench-table-wrap' });
    this.notesHost = el('div', { class: 'mm-bench-notes' });
    const rows = result.rows.length;
    const header = el('div', { class: 'mm-bench-header' }, [
      el('span', { class: 'mm-bench-title' }, `matmul-magic bench · ${rows} variant${rows === 1 ? '' : 's'}`),
      summary(result)
    ]);
    const interrupted = result.interrupted
      ? el('div', { class: 'mm-bench-banner' }, `Interrupted: showing the ${rows} variant${rows === 1 ? '' : 's'} finished before the interrupt.`)
      : null;
    this.root = el('div', { class: 'mm-bench', 'data-matmul-magic': 'bench-renderer', 'data-state': 'ok' }, [
      header,
      interrupted,
      this.controls,
      this.chartHost,
      this.tableHost,
      this.notesHost,
      this.tooltip
    ]);
    this.root.addEventListener('pointerover', this.onPointer);
    this.root.addEventListener('pointermove', this.onPointer);
    this.root.addEventListener('pointerleave', this.hideTooltip);
    this.root.addEventListener('focusin', this.onFocus);
    this.root.addEventListener('focusout', this.hideTooltip);
    host.replaceChildren(this.root);
    this.render();
  }

  get viewState(): ViewState {
    return { ...this.state };
  }

  setState(patch: Partial<ViewState>): void {
    this.state = { ...this.state, ...patch };
    this.onState(this.viewState);
    this.render();
  }

  dispose(): void {
    this.root.remove();
  }

  private render(): void {
    this.renderControls();
    this.renderCharts();
    this.renderTable();
    this.renderNotes();
  }

  /** Notes, errors and shared warnings as a list under the table: the table stays narrow. */
  private renderNotes(): void {
    const items = notes(this.result);
    const legend = el('p', { class: 'mm-bench-legend-text' },
      'calls (blocks): calls timed, in blocks of back-to-back calls, one measurement each.');
    if (items.length === 0) {
      this.notesHost.replaceChildren(legend);
      return;
    }
    const list = el('ul', { 'aria-label': 'Notes' }, items.map(([name, text]) => {
      const bad = text.startsWith('error: ');
      return el('li', { class: bad ? 'mm-bench-note mm-bench-note-error' : 'mm-bench-note' }, [
        el('strong', {}, name),
        el('span', {}, `: ${text}`)
      ]);
    }));
    this.notesHost.replaceChildren(legend, list);
  }

  private renderControls(): void {
    const metricGroup = el('div', { class: 'mm-bench-group', role: 'group', 'aria-label': 'Metric' });
    for (const metric of METRICS) {
      const pressed = this.state.metric === metric.key;
      const button = el('button', {
        type: 'button',
        class: 'mm-bench-button',
        'aria-pressed': String(pressed),
        'data-metric': metric.key,
        title: `Show ${metric.describe}`
      }, metric.label);
      button.addEventListener('click', () => this.setState({ metric: metric.key }));
      metricGroup.appendChild(button);
    }
    // A real toggle: its label stays "Log scale"; aria-pressed says whether it is on.
    const log = this.state.scale === 'log';
    const scaleButton = el('button', {
      type: 'button',
      class: 'mm-bench-button mm-bench-toggle',
      'aria-pressed': String(log),
      'data-action': 'toggle-scale',
      title: log ? 'Log scale is on: press for a linear axis' : 'Log scale is off: press for a log axis'
    }, 'Log scale');
    scaleButton.addEventListener('click', () => this.setState({ scale: log ? 'linear' : 'log' }));
    this.controls.replaceChildren(metricGroup, scaleButton);
  }

  private renderCharts(): void {
    const { rows, sweep } = this.result;
    const charts: Node[] = [];
    if (rows.length === 0) {
      charts.push(el('p', { class: 'mm-bench-empty' }, 'No variant finished.'));
    } else {
      charts.push(barChart(rows, this.state.metric, this.state.scale, this.result.baseline));
    }
    if (sweep && rows.some((r) => r.points.length > 0)) {
      this.sweep = sweepChart(rows, sweep.sizes, this.state.metric, this.state.scale, this.result.baseline);
      charts.push(this.sweep.svg);
    } else {
      this.sweep = null;
    }
    this.chartHost.replaceChildren(...charts);
  }

  private renderTable(): void {
    const cols = columns(this.result);
    const sort = this.state.sort;
    const sortColumn = sort ? cols.find((c) => c.key === sort.column) : undefined;
    const order = sortRows(this.result.rows, sortColumn, sort?.direction ?? 'ascending');
    const headRow = el('tr', {}, cols.map((col) => {
      const active = sortColumn?.key === col.key;
      const direction = active ? sort!.direction : undefined;
      const arrow = direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : '';
      const button = el('button', {
        type: 'button',
        class: 'mm-bench-sort',
        'data-column': col.key,
        title: `Sort by ${col.label}`
      }, col.label + arrow);
      button.addEventListener('click', () => {
        const next: SortDirection = active && direction === 'ascending' ? 'descending' : 'ascending';
        this.setState({ sort: { column: col.key, direction: next } });
      });
      return el('th', { scope: 'col', 'aria-sort': direction ?? 'none', class: col.numeric ? 'mm-num' : undefined }, [button]);
    }));
    const body = el('tbody', {}, order.map((i) => {
      const row = this.result.rows[i];
      const classes = ['mm-bench-row', `mm-kind-${row.kind}`, `mm-status-${row.status}`, row.extrapolated ? 'mm-extrapolated' : ''];
      const cells = cols.map((col) => {
        if (col.key === 'status') {
          return el('td', { class: 'mm-bench-status' }, this.statusBadges(row));
        }
        if (col.key === 'name') {
          const kind = row.kind === 'course' ? null : el('span', { class: 'mm-bench-kind' }, row.kind);
          const baseline = row.name === this.result.baseline ? el('span', { class: 'mm-bench-kind' }, 'baseline') : null;
          return el('td', { class: 'mm-bench-name' }, [el('span', {}, row.name), kind, baseline]);
        }
        if (col.key === 'speedup' && !row.unreliable && row.speedup !== null) {
          // The interval may wrap under the figure: the column stays narrow at small widths.
          const [figure, interval] = splitInterval(col.text(row, this.result));
          return el('td', { class: 'mm-num mm-bench-speedup' }, [
            el('span', {}, figure),
            interval ? document.createTextNode(' ') : null,
            interval ? el('span', { class: 'mm-bench-interval' }, interval) : null
          ]);
        }
        return el('td', { class: col.numeric ? 'mm-num' : undefined }, col.text(row, this.result));
      });
      return el('tr', { class: classes.join(' ').trim(), 'data-row': i, tabindex: 0 }, cells);
    }));
    const table = el('table', { class: 'mm-bench-table' }, [el('thead', {}, [headRow]), body]);
    this.tableHost.replaceChildren(table);
  }

  private statusBadges(row: BenchRow): Node[] {
    const badges: Node[] = [el('span', { class: `mm-badge mm-badge-${row.status}` }, STATUS_TEXT[row.status])];
    if (row.extrapolated) {
      const text = row.unreliable ? '≈ estimate, unreliable' : '≈ extrapolated';
      const why = row.unreliable ? 'the slices disagreed with the fitted model: treat this time as a rough guess' : 'estimated from two slices of the output (fixed + per-output cost)';
      badges.push(el('span', { class: `mm-badge mm-badge-extrapolated${row.unreliable ? ' mm-badge-unreliable' : ''}`, title: why }, text));
    }
    if (row.over_budget) {
      badges.push(el('span', { class: 'mm-badge mm-badge-warn', title: 'one call took longer than the whole budget' }, 'over budget'));
    }
    if (row.one_off !== null) {
      badges.push(el('span', { class: 'mm-badge mm-badge-once', title: 'one-off cost of the first call (a compile, lazy set-up): not counted' }, `first call +${formatSeconds(row.one_off)}`));
    }
    if (row.noisy) {
      badges.push(el('span', { class: 'mm-badge mm-badge-warn', title: `IQR above ${percent(100 * this.result.threshold)} of the median: see the notes` }, 'noisy'));
    }
    return badges;
  }

  private details(target: Element): [string, [string, string][]] | null {
    const holder = target.closest('[data-row]');
    if (!holder || !this.root.contains(holder)) {
      return null;
    }
    const row = this.result.rows[Number(holder.getAttribute('data-row'))];
    if (!row) {
      return null;
    }
    return [row.name, rowDetails(row, this.result)];
  }

  private showTooltip(target: Element, x: number, y: number): void {
    const details = this.details(target);
    if (!details) {
      this.hideTooltip();
      return;
    }
    this.showDetails(...details, x, y);
  }

  private showDetails(title: string, lines: [string, string][], x: number, y: number): void {
    this.tooltip.replaceChildren(
      el('div', { class: 'mm-bench-tooltip-title' }, title),
      el('dl', {}, lines.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))
    );
    this.tooltip.hidden = false;
    const box = this.root.getBoundingClientRect();
    const width = this.root.clientWidth || 600;
    const left = Math.min(Math.max(0, x - box.left + 14), Math.max(0, width - 300));
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${y - box.top + 14}px`;
  }

  private readonly onPointer = (event: PointerEvent): void => {
    const hit = this.sweepPointAt(event);
    if (hit) {
      this.showDetails(...pointTitleAndDetails(this.result.rows[hit.row], hit.point), event.clientX, event.clientY);
    } else if (event.target instanceof Element) {
      this.showTooltip(event.target, event.clientX, event.clientY);
    }
  };

  /** The sweep point under the pointer (points are one path per series, so hit-test here). */
  private sweepPointAt(event: PointerEvent): { row: number; point: number } | null {
    const sweep = this.sweep;
    if (!sweep || !(event.target instanceof Element) || !sweep.svg.contains(event.target)) {
      return null;
    }
    const box = sweep.svg.getBoundingClientRect();
    const scale = box.width > 0 ? sweep.width / box.width : 1;
    const hit = nearestPoint(sweep.points, (event.clientX - box.left) * scale, (event.clientY - box.top) * scale);
    const marker = sweep.svg.querySelector('.mm-bench-hover-dot');
    if (marker) {
      marker.setAttribute('visibility', hit ? 'visible' : 'hidden');
      if (hit) {
        marker.setAttribute('cx', hit.x.toFixed(1));
        marker.setAttribute('cy', hit.y.toFixed(1));
        marker.setAttribute('class', `mm-bench-hover-dot mm-series-${hit.row % 8}`);
      }
    }
    return hit;
  }

  private readonly onFocus = (event: FocusEvent): void => {
    if (event.target instanceof Element && event.target.matches('tr[data-row]')) {
      const rect = event.target.getBoundingClientRect();
      this.showTooltip(event.target, rect.left + 40, rect.bottom - 10);
    }
  };

  private readonly hideTooltip = (): void => {
    this.tooltip.hidden = true;
  };
}

/** Validates `data` and draws it into `host`: the interactive view, or the schema error box. */
export function renderBench(
  host: HTMLElement,
  data: unknown,
  state: ViewState = DEFAULT_STATE,
  onState?: (state: ViewState) => void
): BenchView | null {
  const checked = validateBench(data);
  if (!checked.ok) {
    renderError(host, checked.errors);
    return null;
  }
  return new BenchView(host, checked.value, state, onState);
}
