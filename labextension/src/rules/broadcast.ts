// Broadcasting rules: a port of matmul_magic/shapes/ (the single source of truth).
// Same semantics and the same error sentences; both are tested against tests/vectors/*.json.
// Pure functions, no DOM.

export const MAX_OPERANDS = 8;
export const MAX_NDIM = 64;
/** Sizes above this cannot be written exactly in a JS number; no real tensor has one. */
export const MAX_SIZE = Number.MAX_SAFE_INTEGER;
/** torch counts elements in an int64. */
export const MAX_NUMEL = 2n ** 63n - 1n;

export type Shape = number[];
/** A shape, a bare size (a 1-d shape, as torch.broadcast_shapes accepts), or anything with `.shape`. */
export type Operand = readonly number[] | number | { readonly shape: readonly number[] };
export type Kind = 'equal' | 'stretched' | 'missing' | 'clash';

/** Python's ValueError: bad sizes, too many operands, clashing shapes, bad einsum specs. */
export class ValueError extends Error {
  override name = 'ValueError';
}

export interface BroadcastColumn {
  /** Counted from the right: -1 is the last dimension. */
  dim: number;
  /** Each operand's size here; null where it has no such dimension. */
  sizes: (number | null)[];
  kinds: Kind[];
  /** The result's size here; null on a clash. */
  size: number | null;
}

export interface BroadcastExplanation {
  shapes: Shape[];
  /** Left to right; the last one is dimension -1. */
  columns: BroadcastColumn[];
  /** null when some dimension clashes. */
  result: Shape | null;
  /** One sentence, in the numpy rule's words. */
  reason: string;
  /** The dimension the reason names, if it is a clash. */
  clash: number | null;
  ok: boolean;
}

export const RULE = 'sizes must be equal or one of them 1';

/** `(5, 784)`, `(3,)` and `()`: a shape as Python prints a tuple. */
export function formatShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** The Python type name for a value, so messages read the same as matmul_magic.shapes's. */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'dict';
  return typeof value;
}

function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

function checkedSize(value: unknown, where: string): number {
  if (typeof value === 'boolean') {
    throw new ValueError(`${where}: ${value ? 'True' : 'False'} is a bool, not a size.`);
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new ValueError(`${where}: ${pythonFloat(value)} is not an integer.`);
  }
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw new ValueError(`${where}: expected an integer size, got ${pythonTypeName(value)}.`);
  }
  const exact = BigInt(value);
  if (exact < 0n) throw new ValueError(`${where}: size ${exact} is negative.`);
  if (exact > BigInt(MAX_SIZE)) throw new ValueError(`${where}: size ${exact} is too large.`);
  return Number(exact);
}

export function checkNumel(shape: readonly number[], what: string): void {
  let numel = 1n;
  for (const size of shape) numel *= BigInt(size);
  if (numel > MAX_NUMEL) {
    throw new ValueError(`${what} ${formatShape(shape)} has more than ${MAX_NUMEL} elements.`);
  }
}

function checkedShape(operand: unknown, index: number): Shape {
  const where = `Operand ${index}`;
  const raw =
    typeof operand === 'object' && operand !== null && !Array.isArray(operand) && 'shape' in operand
      ? (operand as { shape: unknown }).shape
      : operand;
  const notAShape = (): TypeError =>
    new TypeError(
      `${where}: expected a shape (a sequence of ints, or an object with .shape), ` +
        `got ${pythonTypeName(raw)}.`
    );
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    // A bare int is a 1-d shape, as torch.broadcast_shapes accepts; a float is not a shape.
    if (typeof raw === 'number' && !Number.isInteger(raw)) throw notAShape();
    return [checkedSize(raw, `${where}, dimension 0`)];
  }
  if (!Array.isArray(raw)) throw notAShape();
  if (raw.length > MAX_NDIM) {
    throw new ValueError(`${where} has ${raw.length} dimensions; at most ${MAX_NDIM} are supported.`);
  }
  const shape = raw.map((value, d) => checkedSize(value, `${where}, dimension ${d}`));
  checkNumel(shape, `${where}: shape`);
  return shape;
}

/** Every operand as a checked shape; throws TypeError/ValueError as matmul_magic.shapes does. */
export function checkedShapes(
  operands: readonly unknown[],
  limit: number | null = MAX_OPERANDS,
): Shape[] {
  // null: any number, as torch.einsum takes (MAX_OPERANDS is broadcasting's limit).
  if (limit !== null && operands.length > limit) {
    throw new ValueError(`At most ${limit} operands are supported; got ${operands.length}.`);
  }
  return operands.map((operand, i) => checkedShape(operand, i));
}

function column(dim: number, shapes: readonly Shape[]): BroadcastColumn {
  const sizes = shapes.map(shape => (shape.length >= -dim ? shape[shape.length + dim] : null));
  const big = new Set(sizes.filter((s): s is number => s !== null && s !== 1));
  if (big.size > 1) {
    const kinds = sizes.map((s): Kind => (s === null ? 'missing' : s === 1 ? 'stretched' : 'clash'));
    return { dim, sizes, kinds, size: null };
  }
  const size = big.size ? [...big][0] : 1;
  const kinds = sizes.map((s): Kind => (s === null ? 'missing' : s === size ? 'equal' : 'stretched'));
  return { dim, sizes, kinds, size };
}

function clashSentence(clash: BroadcastColumn): string {
  const first = clash.sizes.find(s => s !== null && s !== 1);
  const other = clash.sizes.find(s => s !== null && s !== 1 && s !== first);
  return `Dimension ${clash.dim}: ${first} and ${other} clash — ${RULE}.`;
}

/**
 * Explain how shapes broadcast, one right-aligned column per dimension. A clash is
 * reported (result null, reason naming the dimension), not thrown; malformed input throws.
 */
export function explainBroadcast(...operands: unknown[]): BroadcastExplanation {
  const shapes = checkedShapes(operands);
  const ndim = Math.max(0, ...shapes.map(shape => shape.length));
  const columns = Array.from({ length: ndim }, (_, c) => column(c - ndim, shapes));
  const clashes = columns.filter(c => c.size === null);
  if (clashes.length) {
    const rightmost = clashes[clashes.length - 1];
    return { shapes, columns, result: null, reason: clashSentence(rightmost), clash: rightmost.dim, ok: false };
  }
  const result = columns.map(c => c.size as number);
  checkNumel(result, 'The broadcast result');
  const reason = shapes.length
    ? `Broadcasts to ${formatShape(result)}: from the trailing dimension leftwards, ` +
      'the sizes are equal or one of them is 1, and a missing dimension counts as 1.'
    : 'No shapes to broadcast: the result is the 0-d shape ().';
  return { shapes, columns, result, reason, clash: null, ok: true };
}

/** The shape the operands broadcast to, exactly as torch.broadcast_shapes; throws ValueError on a clash. */
export function broadcastShapes(...operands: unknown[]): Shape {
  const explanation = explainBroadcast(...operands);
  if (explanation.result === null) throw new ValueError(explanation.reason);
  return explanation.result;
}
