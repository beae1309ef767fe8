// The interactive bench view: header, metric/scale controls, bar chart, sweep chart, a
// sortable table and notes, each a section (section.ts), plus hover details. Loaded lazily
// by the MIME renderer (see ../mime.ts).
import { pointTitleAndDetails, rowDetails } from './details';
import { el } from './dom';
import { applyPalette } from './palette';
import { BENCH_SCHEMA_VERSION, type BenchResult, validateBench } from './schema';
import { DEFAULT_STATE, type Section, type ViewContext, type ViewState } from './section';
import { chartsSection, type ChartsSection, controlsSection, headerSection, notesSection } from './sections';
import { nearestPoint, type PlotPoint } from './sweep_chart';
import { tableSection } from './table_section';

export { DEFAULT_STATE, type ViewState };

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
  applyPalette(box);
  host.replaceChildren(box);
  return box;
}

export class BenchView implements ViewContext {
  readonly root: HTMLElement;
  private current: ViewState;
  private readonly tooltip: HTMLElement;
  private readonly charts: ChartsSection;
  private readonly sections: Section[];

  constructor(
    host: HTMLElement,
    readonly result: BenchResult,
    state: ViewState = DEFAULT_STATE,
    private readonly onState: (state: ViewState) => void = () => undefined
  ) {
    this.current = { ...state };
    this.tooltip = el('div', { class: 'mm-bench-tooltip', role: 'tooltip', hidden: '' });
    this.charts = chartsSection();
    this.sections = [headerSection(), controlsSection(), this.charts, tableSection(), notesSection()];
    this.root = el('div', { class: 'mm-bench', 'data-matmul-magic': 'bench-renderer', 'data-state': 'ok' }, [
      ...this.sections.map((s) => s.node),
      this.tooltip
    ]);
    applyPalette(this.root);
    this.root.addEventListener('pointerover', this.onPointer);
    this.root.addEventListener('pointermove', this.onPointer);
    this.root.addEventListener('pointerleave', this.hideTooltip);
    this.root.addEventListener('focusin', this.onFocus);
    this.root.addEventListener('focusout', this.hideTooltip);
    host.replaceChildren(this.root);
    this.render();
  }

  get state(): ViewState {
    return this.current;
  }

  get viewState(): ViewState {
    return { ...this.current };
  }

  readonly setState = (patch: Partial<ViewState>): void => {
    this.current = { ...this.current, ...patch };
    this.onState(this.viewState);
    this.render();
  };

  dispose(): void {
    this.root.remove();
  }

  private render(): void {
    for (const section of this.sections) {
      section.render(this);
    }
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

  /** Details of the row under `target` (a table row or a bar), or hide the tooltip. */
  private showRow(target: Element, x: number, y: number): void {
    const holder = target.closest('[data-row]');
    const row = holder && this.root.contains(holder) ? this.result.rows[Number(holder.getAttribute('data-row'))] : undefined;
    if (!row) {
      this.hideTooltip();
      return;
    }
    this.showDetails(row.name, rowDetails(row, this.result), x, y);
  }

  private readonly onPointer = (event: PointerEvent): void => {
    const hit = this.sweepPointAt(event);
    if (hit) {
      this.showDetails(...pointTitleAndDetails(this.result.rows[hit.row], hit.point), event.clientX, event.clientY);
    } else if (event.target instanceof Element) {
      this.showRow(event.target, event.clientX, event.clientY);
    }
  };

  /** The sweep point under the pointer (points are one path per series, so hit-test here). */
  private sweepPointAt(event: PointerEvent): PlotPoint | null {
    const sweep = this.charts.sweep;
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
      this.showRow(event.target, rect.left + 40, rect.bottom - 10);
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
