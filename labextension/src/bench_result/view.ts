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

/**
 * A readable box for a payload this build cannot draw, with the output's own text view
 * (`fallback`, the text/plain the kernel sent beside it) so the figures still show.
 */
export function renderError(host: HTMLElement, errors: string[], fallback?: string): HTMLElement {
  const box = el('div', {
    class: 'mm-bench mm-bench-error',
    role: 'alert',
    'data-matmul-magic': 'bench-renderer',
    'data-state': 'error'
  }, [
    el('strong', {}, 'matmul-magic: this bench result cannot be shown'),
    el('p', {}, `The output does not match the bench schema (version ${BENCH_SCHEMA_VERSION}). Re-run the cell with this version of matmul-magic. Problems found:`),
    el('ul', {}, errors.map((e) => el('li', {}, e))),
    ...(fallback ? [el('pre', { class: 'mm-bench-fallback' }, fallback)] : [])
  ]);
  applyPalette(box);
  host.replaceChildren(box);
  return box;
}

export class BenchView implements ViewContext {
  readonly root: HTMLElement;
  private current: ViewState;
  private readonly tooltip: HTMLElement;
  /** The row element the open tooltip describes, and the pointer's x, to follow when it moves. */
  private anchor: [Element, number] | null = null;
  /** Where that row was when the tooltip was last placed, and the frame that checks again. */
  private placedBeside: Box | null = null;
  /** The tooltip's intended top-left, in viewport coordinates. */
  private placedAt: [number, number] = [0, 0];
  /** Whether keyboard focus opened the tooltip: the pointer then only replaces it with another
   * row's, never hides it (a page that scrolls to the focused row moves what is under a
   * resting pointer). */
  private byFocus = false;
  private frame = 0;
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
    this.root.addEventListener('pointerleave', this.onLeave);
    this.root.addEventListener('focusin', this.onFocus);
    this.root.addEventListener('focusout', this.hideTooltip);
    host.replaceChildren(this.root);
    this.render();
  }

  get state(): ViewState {
    return this.current;
  }

  readonly setState = (patch: Partial<ViewState>): void => {
    this.current = { ...this.current, ...patch };
    this.onState({ ...this.current });
    this.render();
  };

  dispose(): void {
    this.charts.dispose();
    this.hideTooltip();
    this.root.remove();
  }

  private render(): void {
    for (const section of this.sections) section.render(this);
  }

  /** The tooltip, placed at `x` beside `avoid` (the row or point it describes): below it
   * where the viewport has room, above it otherwise, and never past the viewport's edges. A
   * row's tooltip follows its row when the page scrolls; a point's goes. */
  private showDetails(title: string, lines: [string, string][], x: number, avoid: Box | Element): void {
    this.tooltip.replaceChildren(
      el('div', { class: 'mm-bench-tooltip-title' }, title),
      el('dl', {}, lines.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))
    );
    this.tooltip.hidden = false;
    this.byFocus = false;
    this.anchor = avoid instanceof Element ? [avoid, x] : null;
    window.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
    this.place(avoid instanceof Element ? avoid.getBoundingClientRect() : avoid, x);
    if (this.anchor && !this.frame) this.frame = requestAnimationFrame(this.follow);
  }

  /** Puts the tooltip at its viewport position, position: fixed (no scrolling output clips
   * it), corrected for an ancestor that makes another box its frame (see pin). */
  private place(avoid: Box, x: number): void {
    const tip = this.tooltip;
    // Measured at its own width (max-content up to its max-width, not squeezed by a narrow
    // frame), then held at that width (border-box): near the right edge of its frame it
    // would shrink, grow taller, and cover what it was placed beside.
    tip.style.left = '0px';
    tip.style.top = '0px';
    tip.style.width = 'max-content';
    let width = tip.offsetWidth || 300;
    tip.style.width = `${width}px`;
    const view = viewport();
    if (!fitsBesideRow(avoid, tip.offsetHeight, view)) {
      // Neither above nor below its row at that width (a short or narrow window): as wide as
      // the viewport allows, so it is as short as it can be.
      width = Math.max(width, view[0] - 2 * TIP_GAP);
      tip.style.width = `${width}px`;
    }
    const [left, top] = placeTooltip(avoid, x, [width, tip.offsetHeight], view);
    this.placedBeside = avoid;
    this.placedAt = [left, top];
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
    this.pin();
  }

  /** Moves the tooltip back to where it was placed if its frame moved it: inside a notebook
   * its frame is the notebook (contain: strict makes it the box that position: fixed is
   * relative to), which JupyterLab's windowing shifts against the viewport without the row
   * moving. */
  private pin(): void {
    const tip = this.tooltip;
    const [left, top] = this.placedAt;
    const actual = tip.getBoundingClientRect();
    if (actual.width > 0 && (Math.abs(actual.left - left) > 0.5 || Math.abs(actual.top - top) > 0.5)) {
      tip.style.left = `${parseFloat(tip.style.left) + left - actual.left}px`;
      tip.style.top = `${parseFloat(tip.style.top) + top - actual.top}px`;
    }
  }

  /** A point's tooltip goes when the page scrolls; a row's follows its row. */
  private readonly onScroll = (): void => {
    if (this.anchor) {
      this.placeBesideAnchor();
    } else {
      this.hideTooltip();
    }
  };

  /** Each frame while a row's tooltip is open: placed again when its row has moved, by a
   * scroll or by the notebook laying itself out again, and pinned when its frame moved it,
   * so it never ends up over its row or past the viewport. */
  private readonly follow = (): void => {
    this.frame = 0;
    if (this.placeBesideAnchor()) this.frame = requestAnimationFrame(this.follow);
  };

  /** Places the tooltip again if its row moved; hides it (false) if the row is gone. */
  private placeBesideAnchor(): boolean {
    if (!this.anchor || !this.anchor[0].isConnected) {
      this.hideTooltip();
      return false;
    }
    const box = this.anchor[0].getBoundingClientRect();
    const last = this.placedBeside;
    if (!last || box.top !== last.top || box.bottom !== last.bottom || box.left !== last.left) {
      this.place(box, this.anchor[1]);
    } else {
      this.pin();
    }
    return true;
  }

  /** Details of the row under `target` (a table row or a bar), or hide the tooltip. */
  private showRow(target: Element, x: number): void {
    const holder = target.closest('[data-row]');
    const row = holder && this.root.contains(holder) ? this.result.rows[Number(holder.getAttribute('data-row'))] : undefined;
    if (!row || !holder) {
      this.hideTooltip();
      return;
    }
    this.showDetails(row.name, rowDetails(row, this.result), x, holder);
  }

  private readonly onPointer = (event: PointerEvent): void => {
    const hit = this.sweepPointAt(event);
    if (hit) {
      const [x, y] = [event.clientX, event.clientY];
      const around = { left: x - 8, right: x + 8, top: y - 8, bottom: y + 8 };
      this.showDetails(...pointTitleAndDetails(this.result.rows[hit.row], hit.point), x, around);
    } else if (event.target instanceof Element && (!this.byFocus || event.target.closest('[data-row]'))) {
      this.showRow(event.target, event.clientX);
    }
  };

  private readonly onLeave = (): void => {
    if (!this.byFocus) this.hideTooltip();
  };

  /** The sweep point under the pointer (points are one path per series, so hit-test here). */
  private sweepPointAt(event: PointerEvent): PlotPoint | null {
    const sweep = this.charts.sweep;
    if (!sweep || !(event.target instanceof Element) || !sweep.svg.contains(event.target)) return null;
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
      this.showRow(event.target, event.target.getBoundingClientRect().left + 40);
      this.byFocus = !this.tooltip.hidden;
    }
  };

  private readonly hideTooltip = (): void => {
    window.removeEventListener('scroll', this.onScroll, { capture: true });
    cancelAnimationFrame(this.frame);
    this.byFocus = false;
    this.frame = 0;
    this.anchor = null;
    this.placedBeside = null;
    this.tooltip.hidden = true;
  };
}

/** A rectangle in viewport coordinates. */
export interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function viewport(): [number, number] {
  return [window.innerWidth || document.documentElement.clientWidth || 1024, window.innerHeight || document.documentElement.clientHeight || 768];
}

/** The tooltip's margin from the viewport's edges and from what it describes. */
const TIP_GAP = 4;

/** Whether a tooltip `h` tall fits below or above `avoid` inside the viewport. */
export function fitsBesideRow(avoid: Box, h: number, [, vh]: [number, number]): boolean {
  return avoid.bottom + TIP_GAP + h <= vh - TIP_GAP || avoid.top - TIP_GAP - h >= TIP_GAP;
}

/** Where a `size` tooltip goes (its top-left, viewport coordinates): at `x`, below `avoid`
 * where it fits in `view`, else above, else on the side with more room; always inside the
 * viewport (4 px margin) and, where the viewport allows it, off `avoid`. */
export function placeTooltip(avoid: Box, x: number, [w, h]: [number, number], [vw, vh]: [number, number]): [number, number] {
  const gap = TIP_GAP;
  const left = Math.max(gap, Math.min(x + 12, vw - w - gap));
  const below = avoid.bottom + gap;
  const above = avoid.top - gap - h;
  let top: number;
  if (below + h <= vh - gap) {
    top = below;
  } else if (above >= gap) {
    top = above;
  } else {
    top = vh - avoid.bottom > avoid.top ? below : above;
  }
  return [left, Math.max(gap, Math.min(top, vh - h - gap))];
}

/**
 * Checks `data` and draws it into `host`: the interactive view, or the error box with the
 * output's text view (`fallback`).
 */
export function renderBench(
  host: HTMLElement,
  data: unknown,
  state: ViewState = DEFAULT_STATE,
  onState?: (state: ViewState) => void,
  fallback?: string
): BenchView | null {
  const checked = validateBench(data);
  if (!checked.ok) {
    renderError(host, checked.errors, fallback);
    return null;
  }
  return new BenchView(host, checked.value, state, onState);
}
