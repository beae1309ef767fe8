// The Shape Explorer's DOM rendering, shared by the anywidget front end (src/widgets/
// shape_explorer.ts) and the labextension's kernel-less panel. It computes live with the
// TypeScript port of the rules, so edits show at once; onChange tells the owner (the widget
// model, or the panel's state) about edited shapes.
import { applyIndexText } from './index_text';
import { readShapeInput, showShape, syncOperandRows } from '../common/shape_input';
import type { OperandRow } from '../common/shape_input';
import { contiguousStrides, expandStrides, explainBroadcast, MAX_OPERANDS } from '../common/rules';
import type { Explanation, Kind } from '../common/rules';
import { button, cellGrid, defaultName, errorText, formatShape, formatValue, h, sameShape, say, tableHead, viewRoot } from '../common/dom';

/** A value for the value view: a number, a string ("nan", complex) or nested lists of them. */
export type Values = number | string | Values[];

export interface ShapeState {
  shapes: number[][];
  /** A label per operand; missing ones are a, b, c... */
  names?: string[];
  /** Per operand its values (tensors of at most 8x8) or null. */
  values?: (Values | null)[];
  /** Per operand `t.stride()` of the tensor given, or null (then a contiguous tensor is shown). */
  strides?: (number[] | null)[];
}

export interface ShapeExplorerOptions {
  /** The root's data-matmul-magic attribute (the panel passes its own). */
  rootName?: string;
}

export interface ShapeView {
  /** Show a state that changed elsewhere (Python, the layout restorer). */
  update(state: ShapeState): void;
  /** Remove the view and its listeners. */
  destroy(): void;
}

const KIND_TEXT: Record<Kind, string> = {
  equal: 'equal',
  stretched: 'stretched from 1',
  missing: 'missing (prepended as 1)',
  clash: 'clash'
};

const MAX_VALUE_SIDE = 8;
const INDEX_PRESETS = ['[None]', '[:, None]', '[..., None]', '.unsqueeze(0)', '.unsqueeze(-1)'];

function normalise(state: ShapeState): Required<ShapeState> {
  const shapes = state.shapes.map(s => [...s]);
  const names = shapes.map((_, i) => state.names?.[i] ?? defaultName(i));
  const values = shapes.map((_, i) => state.values?.[i] ?? null);
  const strides = shapes.map((s, i) => {
    const own = state.strides?.[i];
    return own && own.length === s.length ? [...own] : null;
  });
  return { shapes, names, values, strides };
}

/** Render a Shape Explorer into `el`; returns a handle to update or destroy it. */
export function renderShapeExplorer(
  el: HTMLElement,
  initial: ShapeState,
  onChange: (state: ShapeState) => void,
  options: ShapeExplorerOptions = {}
): ShapeView {
  let state = normalise(initial);
  const rows: OperandRow[] = [];
  const inputErrors = new Map<number, string>();

  const root = viewRoot(el, options.rootName ?? 'shape-explorer', 'Shape explorer', 'shape-explorer');
  const title = h('h3', { text: 'Broadcasting' });
  const headRow = h('tr');
  const tbody = h('tbody');
  const resultRow = h('tr', { class: 'mm-result-row' });
  const table = h('table', { class: 'mm-grid mm-shapes', attrs: { 'aria-label': 'shapes, right-aligned' } }, [
    h('thead', {}, [headRow]),
    tbody,
    h('tfoot', {}, [resultRow])
  ]);
  const legend = h(
    'div',
    { class: 'mm-legend', attrs: { 'aria-hidden': 'true' } },
    (Object.keys(KIND_TEXT) as Kind[]).map(kind => h('span', { class: `mm-rule-${kind}`, text: KIND_TEXT[kind] }))
  );
  const addButton = button('+ operand', 'add an operand', () => {
    if (state.shapes.length >= MAX_OPERANDS) return;
    state.shapes.push([1]);
    state.names.push(defaultName(state.shapes.length - 1));
    state.values.push(null);
    state.strides.push(null);
    commit();
  });
  const message = h('p', { class: 'mm-reason', attrs: { 'aria-live': 'polite' } });

  // Indexing playground: apply None / ... / unsqueeze(d) to one operand and see its new shape.
  const operandSelect = h('select', { attrs: { 'aria-label': 'operand to index' } });
  const indexInput = h('input', {
    class: 'mm-shape-input',
    attrs: { type: 'text', value: '[:, None]', 'aria-label': 'index expression', spellcheck: 'false' }
  });
  indexInput.value = '[:, None]';
  const indexOut = h('p', { class: 'mm-mono', attrs: { 'aria-live': 'polite' } });
  const useButton = button('use this shape', 'replace the operand with the indexed shape', () => {
    const i = operandSelect.selectedIndex;
    const next = indexed();
    if (i < 0 || next === null) return;
    state.shapes[i] = next;
    state.values[i] = null;
    state.strides[i] = null;
    commit();
  });
  const presets = INDEX_PRESETS.map(text =>
    button(text, `index with ${text}`, () => {
      indexInput.value = text;
      renderPlayground();
    })
  );
  const playground = h('details', { class: 'mm-playground' }, [
    h('summary', { text: 'Indexing playground' }),
    h('div', { class: 'mm-row' }, [operandSelect, indexInput, useButton]),
    h('div', { class: 'mm-row' }, presets),
    indexOut
  ]);
  const strideBody = h('tbody');
  const strides = h('details', { class: 'mm-strides' }, [
    h('summary', { text: 'Strides: what expand_as gives' }),
    h('p', {
      class: 'mm-caption',
      text: 'Broadcasting copies nothing: expand_as gives stride 0 on stretched and missing dims, as t.stride() shows.'
    }),
    h('table', { class: 'mm-grid' }, [
      tableHead(['operand', 'shape', 't.stride()', 'expand_as(result)', 'stride']),
      strideBody
    ])
  ]);
  const valueBox = h('div', { class: 'mm-values' });
  const values = h('details', { class: 'mm-value-view', attrs: { open: '' } }, [
    h('summary', { text: 'Values (broadcast copies ghosted)' }),
    valueBox
  ]);
  root.append(title, table, legend, h('div', { class: 'mm-row' }, [addButton]), message, playground, strides, values);
  el.appendChild(root);

  operandSelect.addEventListener('change', () => renderPlayground());
  indexInput.addEventListener('input', () => renderPlayground());

  function commit(): void {
    render();
    onChange({
      shapes: state.shapes.map(s => [...s]),
      names: [...state.names],
      values: [...state.values],
      strides: [...state.strides]
    });
  }

  function syncRows(): void {
    syncOperandRows(tbody, rows, state.shapes.length, onInput, row =>
      row.own.append(
        button('×', '', () => {
          const at = rows.indexOf(row);
          if (state.shapes.length <= 1 || at < 0) return;
          for (const list of [state.shapes, state.names, state.values, state.strides]) list.splice(at, 1);
          inputErrors.clear();
          commit();
        })
      )
    );
    rows.forEach((row, i) => {
      const name = state.names[i];
      const remove = row.own.firstChild as HTMLButtonElement;
      row.name.textContent = name;
      row.input.setAttribute('aria-label', `shape of ${name}`);
      remove.setAttribute('aria-label', `remove ${name}`);
      remove.title = `remove ${name}`;
      remove.disabled = state.shapes.length <= 1;
      showShape(row.input, state.shapes[i], inputErrors.has(i));
    });
  }

  function onInput(i: number): void {
    if (i < 0) return;
    const next = readShapeInput(rows[i].input, state.shapes, i, '5,1 (empty for a 0-d tensor)', inputErrors, state.names[i]);
    if (next === null) return render();
    if (!sameShape(next[i], state.shapes[i])) state.strides[i] = null;
    state.shapes = next;
    commit();
  }

  function render(): void {
    syncRows();
    let explanation: Explanation | null = null;
    let failure = '';
    try {
      explanation = explainBroadcast(...state.shapes);
    } catch (err) {
      failure = errorText(err);
    }
    const ndim = explanation ? explanation.columns.length : Math.max(0, ...state.shapes.map(s => s.length));
    headRow.replaceChildren(
      h('th', { class: 'mm-name', text: 'operand' }),
      h('th', { class: 'mm-name', text: 'shape' }),
      h('th'),
      ...Array.from({ length: ndim }, (_, c) => h('th', { text: `dim ${c - ndim}`, attrs: { scope: 'col' } }))
    );
    const problems = [...inputErrors.values()];
    rows.forEach((row, i) => {
      while (row.tr.cells.length > 3) row.tr.deleteCell(3);
      const unreadable = inputErrors.has(i);
      for (let c = 0; c < ndim; c++) {
        const column = explanation?.columns[c];
        const size = column ? column.sizes[i] : state.shapes[i][state.shapes[i].length - ndim + c];
        // A box being fixed draws no sizes: its old shape would read as the typed one.
        const kind: Kind | undefined = unreadable ? undefined : column?.kinds[i];
        const text = unreadable ? '?' : size === null || size === undefined ? '1' : String(size);
        const cell = h('td', { class: `mm-dim${kind ? ` mm-rule-${kind}` : ''}${unreadable ? ' mm-unread' : ''}`, text });
        if (kind) cell.title = `${state.names[i]}, dim ${c - ndim}: ${KIND_TEXT[kind]}`;
        row.tr.appendChild(cell);
      }
    });
    const result = problems.length ? null : (explanation?.result ?? null);
    resultRow.replaceChildren(
      h('td', { class: 'mm-name', text: 'result' }),
      h('td', { class: 'mm-mono', text: result ? formatShape(result) : 'no result' }),
      h('td'),
      ...Array.from({ length: ndim }, (_, c) => {
        const size = problems.length ? undefined : explanation?.columns[c]?.size;
        const clash = !problems.length && (size === null || size === undefined);
        return h('td', {
          class: `mm-dim${clash ? ' mm-rule-clash' : ''}`,
          text: problems.length ? '?' : clash ? '✗' : String(size)
        });
      })
    );
    const ok = explanation !== null && explanation.result !== null && problems.length === 0;
    // A shape that cannot be read is the only thing said: the rest would be about the old one.
    const why = problems.length
      ? problems.join(' ')
      : failure || (explanation ? namedReason(explanation, state.names) : '');
    say(message, ok, why);
    addButton.disabled = state.shapes.length >= MAX_OPERANDS;
    renderPlayground();
    renderStrides(explanation);
    renderValues(explanation);
  }

  function indexed(): number[] | null {
    const i = operandSelect.selectedIndex;
    if (i < 0 || i >= state.shapes.length) return null;
    try {
      return applyIndexText(state.shapes[i], indexInput.value);
    } catch {
      return null;
    }
  }

  function renderPlayground(): void {
    const chosen = Math.max(0, Math.min(operandSelect.selectedIndex, state.shapes.length - 1));
    operandSelect.replaceChildren(
      ...state.names.map((name, i) => h('option', { text: `${name} ${formatShape(state.shapes[i])}` }))
    );
    operandSelect.selectedIndex = chosen;
    const name = state.names[chosen];
    try {
      const next = applyIndexText(state.shapes[chosen], indexInput.value);
      const written = indexInput.value.trim();
      indexOut.className = 'mm-mono';
      indexOut.textContent = `${name}${written}.shape → ${formatShape(next)}`;
      useButton.disabled = false;
      indexInput.removeAttribute('aria-invalid');
    } catch (err) {
      indexOut.className = 'mm-error';
      indexOut.textContent = errorText(err);
      useButton.disabled = true;
      indexInput.setAttribute('aria-invalid', 'true');
    }
  }

  function renderStrides(explanation: Explanation | null): void {
    const result = explanation?.result ?? null;
    strideBody.replaceChildren(
      ...state.shapes.map((shape, i) => {
        const own = state.strides[i];
        const stride = own ?? contiguousStrides(shape);
        return h(
          'tr',
          {},
          [
            state.names[i],
            formatShape(shape),
            formatShape(stride) + (own ? '' : ' contiguous'),
            result ? formatShape(result) : '—',
            result ? formatShape(expandStrides(shape, result, stride)) : 'shapes clash'
          ].map(text => h('td', { class: 'mm-mono', text }))
        );
      })
    );
  }

  function renderValues(explanation: Explanation | null): void {
    const result = explanation?.result ?? null;
    // Values belong to the tensor given; once its shape is edited they no longer apply.
    const shown = state.values
      .map((v, i) => [v, i] as const)
      .filter(([v, i]) => v !== null && sameShape(valuesShape(v), state.shapes[i]));
    values.hidden = shown.length === 0;
    if (shown.length === 0) return;
    if (!result || result.length > 2 || result.some(s => s > MAX_VALUE_SIDE)) {
      valueBox.replaceChildren(
        h('p', { class: 'mm-caption', text: result ? 'The result is larger than 8x8: values are not shown.' : 'The shapes clash: nothing to show.' })
      );
      return;
    }
    valueBox.replaceChildren(
      ...shown.map(([v, i]) => valueGrid(state.names[i], state.shapes[i], v as Values, result))
    );
  }

  render();

  return {
    update(next: ShapeState): void {
      state = normalise(next);
      inputErrors.clear();
      rows.forEach(r => r.input.removeAttribute('aria-invalid'));
      render();
    },
    destroy(): void {
      root.remove();
    }
  };
}

/** The explanation's sentence, with a clash naming both operands and their sizes:
 * `Dimension -1 clashes: m has 3 and c has 4 — sizes must be equal or one of them 1.` */
export function namedReason(explanation: Explanation, names: readonly string[]): string {
  const column = explanation.columns.find(c => c.dim === explanation.clash);
  if (explanation.result !== null || !column) return explanation.reason;
  const first = column.sizes.findIndex(s => s !== null && s !== 1);
  const other = column.sizes.findIndex(s => s !== null && s !== 1 && s !== column.sizes[first]);
  if (first < 0 || other < 0) return explanation.reason;
  const rule = explanation.reason.split(' — ')[1] ?? 'sizes must be equal or one of them 1.';
  return `Dimension ${column.dim} clashes: ${names[first]} has ${column.sizes[first]} and ${names[other]} has ${column.sizes[other]} — ${rule}`;
}

/** The shape of nested lists of values (`[]` for a scalar). */
export function valuesShape(values: Values): number[] {
  const shape: number[] = [];
  let v: Values | undefined = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/** The operand broadcast to `result` (≤ 2-D), copies ghosted as in the lesson's spreadsheet. */
export function valueGrid(name: string, shape: number[], values: Values, result: number[]): HTMLElement {
  const rowsN = result.length === 2 ? result[0] : 1;
  const colsN = result.length === 0 ? 1 : result[result.length - 1];
  const padded = [...Array(result.length - shape.length).fill(null), ...shape] as (number | null)[];
  const label = `${name} broadcast to ${formatShape(result)}`;
  return cellGrid(`${name} ${formatShape(shape)}`, label, rowsN, colsN, (r, c) => {
    const at = result.length === 2 ? [r, c] : result.length === 1 ? [c] : [];
    let value: Values = values;
    let copy = false;
    at.forEach((index, d) => {
      const own = padded[d];
      if (own === null) {
        copy ||= index > 0;
        return;
      }
      const take = own === 1 ? 0 : index;
      copy ||= own === 1 && index > 0;
      value = (value as Values[])[take];
    });
    const text = formatValue(value);
    return copy ? { text, cls: 'mm-ghost', title: 'a broadcast copy' } : { text };
  });
}
