// The bench view's sections other than the table: header, controls, charts and notes.
import { barChart } from './bar_chart';
import { el } from './dom';
import { METRICS } from './metric';
import type { Section, ViewContext } from './section';
import { conditions, headline, interruptedText, legends, notes } from './summary';
import { SWEEP_W, type SweepChart, sweepChart } from './sweep_chart';

/** The headline, the run's conditions, and a banner when the run was interrupted. */
export function headerSection(): Section {
  const node = el('div', { class: 'mm-bench-header' });
  return {
    node,
    render({ result }: ViewContext) {
      node.replaceChildren(
        el('span', { class: 'mm-bench-title' }, headline(result)),
        el('div', { class: 'mm-bench-summary' }, conditions(result)),
        ...(result.interrupted ? [el('div', { class: 'mm-bench-banner' }, interruptedText(result))] : [])
      );
    }
  };
}

function metricButtons({ state, setState }: ViewContext): HTMLElement {
  const group = el('div', { class: 'mm-bench-group', role: 'group', 'aria-label': 'Metric' });
  for (const metric of METRICS) {
    const button = el('button', {
      type: 'button',
      class: 'mm-bench-button',
      'aria-pressed': String(state.metric === metric.key),
      'data-metric': metric.key,
      title: `Show ${metric.describe}`
    }, metric.label);
    button.addEventListener('click', () => setState({ metric: metric.key }));
    group.appendChild(button);
  }
  return group;
}

/** The metric buttons and the log-scale toggle. */
export function controlsSection(): Section {
  const node = el('div', { class: 'mm-bench-controls', role: 'toolbar', 'aria-label': 'Chart options' });
  return {
    node,
    render(ctx: ViewContext) {
      // A real toggle: its label stays "Log scale"; aria-pressed says whether it is on.
      const log = ctx.state.scale === 'log';
      const toggle = el('button', {
        type: 'button',
        class: 'mm-bench-button mm-bench-toggle',
        'aria-pressed': String(log),
        'data-action': 'toggle-scale',
        title: log ? 'Log scale is on: press for a linear axis' : 'Log scale is off: press for a log axis'
      }, 'Log scale');
      toggle.addEventListener('click', () => ctx.setState({ scale: log ? 'linear' : 'log' }));
      node.replaceChildren(metricButtons(ctx), toggle);
    }
  };
}

/** The charts section also hands the view its sweep chart, for hover hit-testing. */
export interface ChartsSection extends Section {
  readonly sweep: SweepChart | null;
  /** Stops following the output's width. */
  dispose(): void;
}

/** The width the charts are laid out for: the output's, up to the widest chart (0 while the
 * output is not on the page: the full width then). */
function chartsWidth(node: HTMLElement): number {
  return Math.min(node.clientWidth || SWEEP_W, SWEEP_W);
}

/** The charts, laid out for the output's width (names over bars, the legend under the plot in
 * a narrow one) and again when that width changes, so their 11 px text reads without
 * scrolling sideways. */
export function chartsSection(): ChartsSection {
  const node = el('div', { class: 'mm-bench-charts' });
  let sweep: SweepChart | null = null;
  let last: ViewContext | null = null;
  let drawnFor = 0;
  const draw = ({ result, state }: ViewContext): void => {
    const { rows } = result;
    drawnFor = chartsWidth(node);
    const charts: Node[] = [
      rows.length === 0
        ? el('p', { class: 'mm-bench-empty' }, 'No variant finished.')
        : barChart(rows, state.metric, state.scale, result.baseline, drawnFor)
    ];
    sweep = null;
    if (result.sweep && rows.some((r) => r.points.length > 0)) {
      sweep = sweepChart(rows, result.sweep.sizes, state.metric, state.scale, result.baseline, drawnFor);
      charts.push(sweep.svg);
    }
    node.replaceChildren(...charts);
  };
  const observer =
    typeof ResizeObserver === 'undefined'
      ? null
      : new ResizeObserver(() => {
          if (last && chartsWidth(node) !== drawnFor) draw(last);
        });
  observer?.observe(node);
  return {
    node,
    get sweep() {
      return sweep;
    },
    render(ctx: ViewContext) {
      last = ctx;
      draw(ctx);
    },
    dispose() {
      observer?.disconnect();
      last = null;
    }
  };
}

/** Legends, then notes, errors and shared warnings as a list: the table stays narrow. */
export function notesSection(): Section {
  const node = el('div', { class: 'mm-bench-notes' });
  return {
    node,
    render({ result }: ViewContext) {
      const lines = legends(result).map((text) => el('p', { class: 'mm-bench-legend-text' }, text));
      const items = notes(result);
      if (items.length === 0) {
        node.replaceChildren(...lines);
        return;
      }
      const list = el('ul', { 'aria-label': 'Notes' }, items.map(([name, text]) => {
        const bad = text.startsWith('error: ');
        return el('li', { class: bad ? 'mm-bench-note mm-bench-note-error' : 'mm-bench-note' }, [
          el('strong', {}, name),
          el('span', {}, `: ${text}`)
        ]);
      }));
      node.replaceChildren(...lines, list);
    }
  };
}
