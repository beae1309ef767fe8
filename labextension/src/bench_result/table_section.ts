// The bench table section: the shared cells (cells.ts) as a sortable table. The status cell
// shows its badges as separate chips; their texts joined are the cell the other views print.
import { type Column, columns } from './cells';
import { el } from './dom';
import { formatPercent, statusBadges } from './format';
import type { BenchResult, BenchRow } from './schema';
import type { Section, SortDirection, ViewContext } from './section';

/** Row order for the table: payload order, or sorted by one column with nulls last. */
export function sortRows(rows: BenchRow[], column: Column | undefined, direction: SortDirection): number[] {
  const order = rows.map((_, i) => i);
  if (!column) return order;
  const sign = direction === 'ascending' ? 1 : -1;
  return order.sort((i, j) => {
    const [a, b] = [column.value(rows[i]), column.value(rows[j])];
    if (a === null || b === null) return a === b ? i - j : a === null ? 1 : -1;
    const cmp = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
    return cmp === 0 ? i - j : sign * cmp;
  });
}

/** Why each badge after the status word is there, for its tooltip. */
function badgeTitle(index: number, row: BenchRow, result: BenchResult): [string, string] {
  const reasons: [boolean, string, string][] = [
    [row.extrapolated && row.unreliable, 'mm-badge-extrapolated mm-badge-unreliable', 'the slices disagreed with the fitted model: treat this time as a rough guess'],
    [row.extrapolated && !row.unreliable, 'mm-badge-extrapolated', 'estimated from slices of the output (the note says how)'],
    [!row.extrapolated && row.unreliable, 'mm-badge-unreliable', `unreliable: ${row.note ?? 'see the notes'}`],
    [row.over_budget, 'mm-badge-warn', 'one call took longer than the whole budget'],
    [row.one_off !== null, 'mm-badge-once', 'one-off cost of the first call (a compile, lazy set-up): not counted'],
    [row.noisy, 'mm-badge-warn', `median not known to ±${formatPercent(100 * result.threshold)}: see the notes`]
  ];
  const [, cls, title] = reasons.filter(([on]) => on)[index];
  return [cls, title];
}

function statusCell(row: BenchRow, result: BenchResult): HTMLElement {
  const [word, ...rest] = statusBadges(row);
  const badges = [el('span', { class: `mm-badge mm-badge-${row.status}` }, word)];
  rest.forEach((text, i) => {
    const [cls, title] = badgeTitle(i, row, result);
    badges.push(el('span', { class: `mm-badge ${cls}`, title }, text));
  });
  return el('td', { class: 'mm-bench-status' }, badges);
}

/** A name that may wrap after each `_` and never inside a word; the full name on hover. */
function nameCell(row: BenchRow): HTMLElement {
  const parts: (Node | string)[] = [];
  row.name.split('_').forEach((part, i, all) => {
    parts.push(i < all.length - 1 ? `${part}_` : part);
    if (i < all.length - 1) parts.push(document.createElement('wbr'));
  });
  const span = el('span', { class: 'mm-bench-name-text' });
  span.append(...parts);
  return el('td', { class: 'mm-bench-name', title: row.name }, [span]);
}

/** A figure with its ` ±N%` (or ` (low–high×)`) that may wrap under it in a narrow column. */
function figureCell(text: string, className: string, row: BenchRow): HTMLElement {
  const at = [' ±', ' ('].map((mark) => text.indexOf(mark)).find((i) => i > 0) ?? -1;
  const title = row.unreliable ? `unreliable: ${row.note ?? 'see the notes'}` : undefined;
  const classes = `mm-num ${className}${row.unreliable ? ' mm-unreliable' : ''}`;
  if (at < 0) return el('td', { class: classes, title }, text);
  return el('td', { class: classes, title }, [
    el('span', {}, text.slice(0, at)),
    document.createTextNode(' '),
    el('span', { class: 'mm-bench-interval' }, text.slice(at + 1))
  ]);
}

function cell(col: Column, row: BenchRow, result: BenchResult): HTMLElement {
  if (col.key === 'status') return statusCell(row, result);
  if (col.key === 'name') return nameCell(row);
  const text = col.cell(row);
  if (col.key === 'speedup' || col.key === 'median') return figureCell(text, `mm-bench-${col.key}`, row);
  return el('td', { class: col.numeric ? `mm-num mm-col-${col.key}` : `mm-col-${col.key}` }, text);
}

function headerRow(cols: Column[], ctx: ViewContext): HTMLElement {
  const sort = ctx.state.sort;
  return el('tr', {}, cols.map((col) => {
    const direction = sort?.column === col.key ? sort.direction : undefined;
    const arrow = direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : '';
    const button = el('button', { type: 'button', class: 'mm-bench-sort', 'data-column': col.key, title: `Sort by ${col.header}` }, col.header + arrow);
    button.addEventListener('click', () => {
      const next: SortDirection = direction === 'ascending' ? 'descending' : 'ascending';
      ctx.setState({ sort: { column: col.key, direction: next } });
    });
    return el('th', { scope: 'col', 'aria-sort': direction ?? 'none', class: `${col.numeric ? 'mm-num ' : ''}mm-col-${col.key}` }, [button]);
  }));
}

export function tableSection(): Section {
  const node = el('div', { class: 'mm-bench-table-wrap' });
  return {
    node,
    render(ctx: ViewContext) {
      const { result, state } = ctx;
      const cols = columns(result);
      const sortColumn = state.sort ? cols.find((c) => c.key === state.sort!.column) : undefined;
      const order = sortRows(result.rows, sortColumn, state.sort?.direction ?? 'ascending');
      const body = el('tbody', {}, order.map((i) => {
        const row = result.rows[i];
        const classes = ['mm-bench-row', `mm-kind-${row.kind}`, `mm-status-${row.status}`, row.extrapolated ? 'mm-extrapolated' : '', row.unreliable ? 'mm-unreliable' : ''];
        const cells = cols.map((col) => cell(col, row, result));
        return el('tr', { class: classes.join(' ').trim(), 'data-row': i, tabindex: 0 }, cells);
      }));
      node.replaceChildren(el('table', { class: 'mm-bench-table' }, [el('thead', {}, [headerRow(cols, ctx)]), body]));
    }
  };
}
