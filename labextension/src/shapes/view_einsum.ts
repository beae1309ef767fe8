// The Einsum Explorer's DOM rendering: labelled axes per operand, summed indices highlighted,
// the output shape and the equivalent loop nest. Computes live with the TypeScript port.
import { readShapeInput, showShape, syncOperandRows } from './view_input';
import type { OperandRow } from './view_input';
import { MAX_OPERANDS, parseEinsum } from './view_rules';
import type { EinsumPlan } from './view_rules';
import { button, defaultName, errorText, formatShape, h, say, tableHead, viewRoot } from './view_dom';

export interface EinsumState {
  spec: string;
  shapes: number[][];
}

export interface EinsumView {
  update(state: EinsumState): void;
  destroy(): void;
}

const ELLIPSIS = '...';

/** Each axis of an operand as [label, size]; the dims "..." covers are labelled "…". */
export function axesOf(labels: readonly string[], shape: readonly number[]): [string, number][] {
  const covered = shape.length - (labels.length - (labels.includes(ELLIPSIS) ? 1 : 0));
  const axes: [string, number][] = [];
  let position = 0;
  for (const label of labels) {
    if (label === ELLIPSIS) {
      for (let d = 0; d < covered; d++) axes.push(['…', shape[position++]]);
    } else {
      axes.push([label, shape[position++]]);
    }
  }
  return axes;
}

function chip(label: string, size: number, summed: boolean): HTMLElement {
  return h('span', {
    class: `mm-axis${summed ? ' mm-summed' : ''}`,
    text: `${label}=${size}`,
    attrs: { title: summed ? `${label} is summed over` : `${label} is kept` }
  });
}

/** Render an Einsum Explorer into `el`. */
export function renderEinsumExplorer(
  el: HTMLElement,
  initial: EinsumState,
  onChange: (state: EinsumState) => void
): EinsumView {
  let state: EinsumState = { spec: initial.spec, shapes: initial.shapes.map(s => [...s]) };
  const problems = new Map<number, string>();

  const root = viewRoot(el, 'einsum-explorer', 'Einsum explorer');
  const specInput = h('input', {
    class: 'mm-shape-input',
    attrs: { type: 'text', 'aria-label': 'einsum spec', spellcheck: 'false' }
  });
  specInput.style.width = '14em';
  const tbody = h('tbody');
  const outRow = h('tr', { class: 'mm-result-row' });
  const table = h('table', { class: 'mm-grid', attrs: { 'aria-label': 'operands and their axes' } }, [
    tableHead(['operand', 'shape', 'axes'], 'mm-name'),
    tbody,
    h('tfoot', {}, [outRow])
  ]);
  const summary = h('p', { class: 'mm-reason', attrs: { 'aria-live': 'polite' } });
  const loops = h('pre', { attrs: { 'aria-label': 'equivalent loops' } });
  const rows: OperandRow[] = [];
  const addButton = button('+ operand', 'add an operand', () => {
    if (state.shapes.length >= MAX_OPERANDS) return;
    state.shapes.push([1]);
    commit();
  });
  const removeButton = button('− operand', 'remove the last operand', () => {
    if (state.shapes.length <= 1) return;
    state.shapes.pop();
    problems.delete(state.shapes.length);
    commit();
  });
  root.append(
    h('h3', { text: 'einsum' }),
    h('div', { class: 'mm-row' }, [h('label', { text: 'torch.einsum(' }), specInput, h('span', { text: ', …)' })]),
    table,
    h('div', { class: 'mm-row' }, [addButton, removeButton]),
    summary,
    h('details', { attrs: { open: '' } }, [h('summary', { text: 'Equivalent loops' }), loops])
  );
  el.appendChild(root);

  specInput.value = state.spec;
  specInput.addEventListener('input', () => {
    state.spec = specInput.value;
    commit();
  });

  function commit(): void {
    render();
    if (problems.size === 0) onChange({ spec: state.spec, shapes: state.shapes.map(s => [...s]) });
  }

  function syncRows(): void {
    syncOperandRows(tbody, rows, state.shapes.length, i => {
      const next = readShapeInput(rows[i].input, state.shapes, i, '5,784', problems, rows[i].name.textContent ?? '');
      if (next === null) return render();
      state.shapes = next;
      commit();
    });
    rows.forEach((row, i) => showShape(row.input, state.shapes[i], problems.has(i)));
  }

  function render(): void {
    syncRows();
    if (specInput.value !== state.spec) specInput.value = state.spec;
    let plan: EinsumPlan | null = null;
    let failure = '';
    try {
      plan = parseEinsum(state.spec, ...state.shapes);
    } catch (err) {
      failure = errorText(err);
    }
    const summed = new Set(plan?.summed ?? []);
    // The loop nest names operands a, b... unless an index uses those letters: follow it.
    rows.forEach(({ name, input, own }, i) => {
      name.textContent = plan?.names[i] ?? defaultName(i);
      input.setAttribute('aria-label', `shape of ${name.textContent}`);
      own.replaceChildren(
        ...(plan ? axesOf(plan.inputs[i], state.shapes[i]).map(([l, s]) => chip(l, s, summed.has(l) || (l === '…' && summed.has(ELLIPSIS)))) : [])
      );
    });
    const outAxes = plan ? axesOf(plan.output, plan.shape) : [];
    outRow.replaceChildren(
      h('td', { class: 'mm-name', text: 'output' }),
      h('td', { class: 'mm-mono', text: plan ? formatShape(plan.shape) : 'no result' }),
      h('td', {}, outAxes.map(([l, s]) => chip(l, s, false)))
    );
    const messages = [...problems.values()];
    specInput.setAttribute('aria-invalid', String(failure !== '' && messages.length === 0));
    if (plan && messages.length === 0) {
      const names = [...summed].map(l => (l === ELLIPSIS ? '…' : l));
      const what = names.length ? `Summed over ${names.join(', ')} (highlighted): ` : 'Nothing is summed: ';
      say(summary, true, `${what}output shape ${formatShape(plan.shape)}.`);
      loops.textContent = plan.loops;
    } else {
      say(summary, false, [...messages, failure].filter(Boolean).join(' '));
      loops.textContent = '';
    }
    addButton.disabled = state.shapes.length >= MAX_OPERANDS;
    removeButton.disabled = state.shapes.length <= 1;
  }

  render();
  return {
    update(next: EinsumState): void {
      state = { spec: next.spec, shapes: next.shapes.map(s => [...s]) };
      problems.clear();
      rows.forEach(r => r.input.removeAttribute('aria-invalid'));
      render();
    },
    destroy(): void {
      root.remove();
    }
  };
}
