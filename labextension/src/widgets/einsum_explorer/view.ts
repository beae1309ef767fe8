// The Einsum Explorer's DOM rendering: labelled axes per operand, summed indices highlighted,
// the output shape and the equivalent loop nest. Computes live with the TypeScript port.
import { readShapeInput, showShape, syncOperandRows } from '../common/shape_input';
import type { OperandRow } from '../common/shape_input';
import { MAX_OPERANDS, parseEinsum } from '../common/rules';
import type { EinsumPlan } from '../common/rules';
import { button, defaultName, errorText, formatShape, h, say, tableHead, viewRoot } from '../common/dom';

export interface EinsumState {
  spec: string;
  shapes: number[][];
  /** A label per operand (the expressions the learner wrote); missing ones are a, b, c... */
  names?: string[];
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

function chip(label: string, size: number | null, summed: boolean, bad = false): HTMLElement {
  return h('span', {
    class: `mm-axis${summed ? ' mm-summed' : ''}${bad ? ' mm-axis-bad' : ''}`,
    text: `${label}=${size ?? '?'}`,
    attrs: { title: bad ? `${label} is where the spec and the sizes disagree` : summed ? `${label} is summed over` : `${label} is kept` }
  });
}

/** Each operand's labels read straight from the spec, for drawing axes when it does not parse. */
export function looseTerms(spec: string): string[][] {
  const inputs = spec.split('->')[0];
  return inputs.split(',').map(term => {
    const labels: string[] = [];
    const text = term.replace(/\s+/g, '');
    for (let i = 0; i < text.length; i++) {
      if (text.startsWith(ELLIPSIS, i)) {
        labels.push(ELLIPSIS);
        i += 2;
      } else {
        labels.push(text[i]);
      }
    }
    return labels;
  });
}

/** Axes pairing labels and sizes as far as both go; an unmatched one gets `?`. */
function looseAxes(labels: readonly string[], shape: readonly number[]): [string, number | null][] {
  if (!labels.includes(ELLIPSIS) && labels.length === shape.length) return axesOf(labels, shape);
  if (labels.includes(ELLIPSIS) && labels.length - 1 <= shape.length) return axesOf(labels, shape);
  const n = Math.max(labels.length, shape.length);
  return Array.from({ length: n }, (_, d) => [labels[d] ?? '?', d < shape.length ? shape[d] : null]);
}

/** "operand 0" in the rules' messages, as the table names the operand. */
export function nameOperands(message: string, names: readonly string[]): string {
  return message.replace(/\b[Oo]perand (\d+)\b/g, (whole, index: string) => names[Number(index)] ?? whole);
}

/** A letter the spec does not use yet, for a new operand's one axis. */
export function freshLabel(spec: string): string {
  for (const letter of 'zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA') {
    if (!spec.includes(letter)) return letter;
  }
  return 'z';
}

/** The spec with one more input term (`label`), or without its last, keeping the output. */
export function withTerm(spec: string, label: string | null): string {
  const [inputs, ...rest] = spec.split('->');
  const terms = inputs.split(',');
  const next = label === null ? terms.slice(0, -1) : [...terms, label];
  return [next.join(','), ...rest].join('->');
}

/** Render an Einsum Explorer into `el`. */
export function renderEinsumExplorer(
  el: HTMLElement,
  initial: EinsumState,
  onChange: (state: EinsumState) => void
): EinsumView {
  const copy = (from: EinsumState): Required<EinsumState> => ({
    spec: from.spec,
    shapes: from.shapes.map(s => [...s]),
    names: from.shapes.map((_, i) => from.names?.[i] ?? defaultName(i))
  });
  let state = copy(initial);
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
  const loopNames = h('p', { class: 'mm-caption' });
  const loopBlock = h('details', { attrs: { open: '' } }, [h('summary', { text: 'Equivalent loops' }), loopNames, loops]);
  const rows: OperandRow[] = [];
  // A new operand comes with its own term in the spec (one fresh index, size 1), so the
  // spec stays valid; removing one drops its term too.
  const addButton = button('+ operand', 'add an operand', () => {
    if (state.shapes.length >= MAX_OPERANDS) return;
    if (looseTerms(state.spec).length === state.shapes.length) state.spec = withTerm(state.spec, freshLabel(state.spec));
    state.shapes.push([1]);
    state.names.push(defaultName(state.shapes.length - 1));
    commit();
  });
  const removeButton = button('− operand', 'remove the last operand', () => {
    if (state.shapes.length <= 1) return;
    if (looseTerms(state.spec).length === state.shapes.length) state.spec = withTerm(state.spec, null);
    state.shapes.pop();
    state.names.pop();
    problems.delete(state.shapes.length);
    commit();
  });
  root.append(
    h('h3', { text: 'einsum' }),
    h('div', { class: 'mm-row' }, [h('label', { text: 'torch.einsum(' }), specInput, h('span', { text: ', …)' })]),
    table,
    h('div', { class: 'mm-row' }, [addButton, removeButton]),
    summary,
    loopBlock
  );
  el.appendChild(root);

  specInput.value = state.spec;
  specInput.addEventListener('input', () => {
    state.spec = specInput.value;
    commit();
  });

  function commit(): void {
    render();
    if (problems.size === 0) onChange({ spec: state.spec, shapes: state.shapes.map(s => [...s]), names: [...state.names] });
  }

  function syncRows(): void {
    syncOperandRows(tbody, rows, state.shapes.length, i => {
      const next = readShapeInput(rows[i].input, state.shapes, i, '5,784', problems, state.names[i]);
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
      failure = nameOperands(errorText(err), state.names);
    }
    const summed = new Set(plan?.summed ?? []);
    // On an error the axes stay, read loosely from the spec; the indices it names are marked.
    const named = new Set([...failure.matchAll(/\b[Ii]ndex (\S+?)\b/g)].map(m => m[1]));
    const terms = plan ? plan.inputs : looseTerms(state.spec);
    rows.forEach(({ name, input, own }, i) => {
      name.textContent = state.names[i];
      input.setAttribute('aria-label', `shape of ${state.names[i]}`);
      const labels = terms[i] ?? [];
      const axes = plan ? axesOf(labels, state.shapes[i]) : looseAxes(labels, state.shapes[i]);
      own.replaceChildren(
        ...axes.map(([l, size]) =>
          chip(l, size, summed.has(l) || (l === '…' && summed.has(ELLIPSIS)), !plan && (named.has(l) || l === '?' || size === null))
        )
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
      // The loop nest needs names that are not index letters; say which is which.
      const loopPlan = plan;
      const renamed = state.names.map((n, i) => [n, loopPlan.names[i]]).filter(([n, l]) => n !== l);
      loopNames.hidden = renamed.length === 0;
      loopNames.textContent = renamed.length
        ? `In the loops, ${renamed.map(([n, l]) => `${n} is ${l}`).join(', ')}.`
        : '';
      loopBlock.hidden = false;
    } else {
      say(summary, false, [...messages, failure].filter(Boolean).join(' '));
      loops.textContent = '';
      loopBlock.hidden = true;
    }
    addButton.disabled = state.shapes.length >= MAX_OPERANDS;
    removeButton.disabled = state.shapes.length <= 1;
  }

  render();
  return {
    update(next: EinsumState): void {
      state = copy(next);
      problems.clear();
      rows.forEach(r => r.input.removeAttribute('aria-invalid'));
      render();
    },
    destroy(): void {
      root.remove();
    }
  };
}
