// The indexing playground's rules: what `t[None]`, `t[:, None]`, `t[..., None]`, `t[0]`,
// `t[1:3]` and `t.unsqueeze(d)` do to a shape, as torch does it. Chains such as
// `[:, None].unsqueeze(0)` apply left to right. Cases are checked against torch by
// tests/test_widgets.py through index_text_cases.json.

export class IndexError extends Error {
  override name = 'IndexError';
}

type Item = { kind: 'none' } | { kind: 'ellipsis' } | { kind: 'int'; value: number } | { kind: 'slice'; start: number | null; stop: number | null; step: number | null };

const INT = /^[+-]?\d+$/;

function parseInt10(text: string, what: string): number {
  if (!INT.test(text)) throw new IndexError(`${what}: ${JSON.stringify(text)} is not an integer.`);
  return Number(text);
}

function parseItem(text: string): Item {
  const t = text.trim();
  if (t === 'None') return { kind: 'none' };
  if (t === '...' || t === 'Ellipsis') return { kind: 'ellipsis' };
  if (t.includes(':')) {
    const parts = t.split(':').map(p => p.trim());
    if (parts.length > 3) throw new IndexError(`${JSON.stringify(t)} is not a slice.`);
    const [start, stop, step] = [0, 1, 2].map(i => (parts[i] === undefined || parts[i] === '' ? null : parseInt10(parts[i], 'slice')));
    if (step !== null && step <= 0) throw new IndexError('step must be greater than zero');
    return { kind: 'slice', start, stop, step };
  }
  if (INT.test(t)) return { kind: 'int', value: Number(t) };
  throw new IndexError(`${JSON.stringify(t)}: use None, ..., :, an integer or a slice such as 1:3.`);
}

/** Python's len(range(*slice(start, stop, step).indices(size))). */
function sliceLength(size: number, start: number | null, stop: number | null, step: number | null): number {
  const s = step ?? 1;
  const clamp = (v: number | null, fallback: number) => {
    if (v === null) return fallback;
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const lo = clamp(start, 0);
  const hi = clamp(stop, size);
  return hi <= lo ? 0 : Math.ceil((hi - lo) / s);
}

/** The shape of `t[items]` for a tensor `t` of `shape`. */
export function applySubscript(shape: readonly number[], items: Item[]): number[] {
  const consuming = items.filter(i => i.kind === 'int' || i.kind === 'slice').length;
  if (consuming > shape.length) {
    throw new IndexError(`too many indices for tensor of dimension ${shape.length}`);
  }
  const out: number[] = [];
  let d = 0;
  let expanded = false;
  for (const item of items) {
    if (item.kind === 'none') out.push(1);
    else if (item.kind === 'ellipsis') {
      // torch lets the first ellipsis cover every unindexed dim; later ones cover none.
      const covered = expanded ? 0 : shape.length - consuming;
      expanded = true;
      for (let c = 0; c < covered; c++) out.push(shape[d++]);
    } else if (item.kind === 'int') {
      const size = shape[d];
      if (item.value >= size || item.value < -size) {
        throw new IndexError(`index ${item.value} is out of bounds for dimension ${d} with size ${size}`);
      }
      d++;
    } else {
      out.push(sliceLength(shape[d++], item.start, item.stop, item.step));
    }
  }
  while (d < shape.length) out.push(shape[d++]);
  return out;
}

/** The shape of `t.unsqueeze(dim)`. */
export function unsqueeze(shape: readonly number[], dim: number): number[] {
  const n = shape.length;
  if (dim < -(n + 1) || dim > n) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-(n + 1)}, ${n}], but got ${dim})`);
  }
  const at = dim < 0 ? dim + n + 1 : dim;
  return [...shape.slice(0, at), 1, ...shape.slice(at)];
}

/**
 * Apply an indexing expression, written as it follows the tensor's name (`[:, None]`,
 * `.unsqueeze(1)`, `[None][..., 0]`), to `shape`. Throws IndexError with torch's words.
 */
export function applyIndexText(shape: readonly number[], text: string): number[] {
  let rest = text.trim();
  if (rest === '') throw new IndexError('Type an index such as [:, None] or .unsqueeze(0).');
  let current = [...shape];
  while (rest !== '') {
    const sub = /^\[([^\]]*)\]/.exec(rest);
    const unsq = /^\.?unsqueeze\(\s*(?:dim\s*=\s*)?([^)]*)\)/.exec(rest);
    if (sub) {
      const body = sub[1].trim();
      if (body === '') throw new IndexError('An empty index [] is not valid Python.');
      const parts = body.split(',');
      if (parts[parts.length - 1].trim() === '' && parts.length > 1) parts.pop(); // t[None,] is t[None]
      current = applySubscript(current, parts.map(parseItem));
      rest = rest.slice(sub[0].length).trim();
    } else if (unsq) {
      current = unsqueeze(current, parseInt10(unsq[1].trim(), 'unsqueeze'));
      rest = rest.slice(unsq[0].length).trim();
    } else {
      throw new IndexError(`Cannot read ${JSON.stringify(rest)}: use [...] subscripts or .unsqueeze(d).`);
    }
  }
  return current;
}
