// Einsum rules: a port of parse_einsum in matmul_magic/shapes/einsum.py (the single source of truth).
// Same semantics and the same error sentences; both are tested against tests/vectors/einsum.json.
// Pure functions, no DOM. Positions in messages count code points, as Python's str does.

import { checkedShapes, checkNumel, pythonTypeName, RULE, ValueError } from './broadcast';
import type { Shape } from './broadcast';
import { ELLIPSIS, loopNest, operandNames } from './einsum_loops';

export { ELLIPSIS };

export interface EinsumPlan {
  spec: string;
  /** Per operand, its labels; "..." stands for the ellipsis. */
  inputs: string[][];
  /** Output labels, "..." included where the ellipsis goes. */
  output: string[];
  /** True when the spec has no "->" and the output was inferred. */
  implicit: boolean;
  /** Summed labels in order of first appearance ("..." if the ellipsis dimensions are summed). */
  summed: string[];
  /** Each label's size, in order of first appearance. */
  sizes: Record<string, number>;
  /** The broadcast shape of the dimensions "..." covers. */
  ellipsis: Shape;
  /** The output shape. */
  shape: Shape;
  /** What the loop nest calls each operand. */
  names: string[];
  /** The equivalent Python loop nest. */
  loops: string;
}

const LETTER = /^[a-zA-Z]$/;

function parseTerm(chars: readonly string[], start: number, stop: number, isOutput: boolean): string[][] {
  const terms: string[][] = [[]];
  let position = start;
  while (position < stop) {
    const char = chars[position];
    const term = terms[terms.length - 1];
    if (char === ' ') {
      position += 1;
    } else if (char === ',') {
      if (isOutput) throw new ValueError(`Invalid character ',' at position ${position}: the output is one term.`);
      terms.push([]);
      position += 1;
    } else if (char === '.') {
      const owner = isOutput ? 'The output' : `Operand ${terms.length - 1}`;
      if (term.includes(ELLIPSIS)) {
        throw new ValueError(
          `${owner} has a second '...' at position ${position}: only one ellipsis is allowed per term.`
        );
      }
      if (chars.slice(position, position + 3).join('') !== ELLIPSIS || position + 3 > stop) {
        throw new ValueError(`Stray '.' at position ${position}: an ellipsis is exactly three dots '...'.`);
      }
      term.push(ELLIPSIS);
      position += 3;
    } else if (LETTER.test(char)) {
      term.push(char);
      position += 1;
    } else {
      throw new ValueError(
        `Invalid character '${char}' at position ${position}: subscripts must be letters a-z or A-Z.`
      );
    }
  }
  return terms;
}

function plural(count: number, noun: string): string {
  return count === 1 ? `${count} ${noun}` : `${count} ${noun}s`;
}

function tokenize(spec: string): [string[][], string[] | null] {
  const chars = Array.from(spec);
  const arrow = chars.findIndex((char, i) => char === '-' && chars[i + 1] === '>');
  const inputs = parseTerm(chars, 0, arrow < 0 ? chars.length : arrow, false);
  const explicit = arrow < 0 ? null : parseTerm(chars, arrow + 2, chars.length, true)[0];
  return [inputs, explicit];
}

/** How often each label appears in the inputs, after checking the terms against each other. */
function labelCounts(inputs: string[][], shapes: Shape[], explicit: string[] | null): Map<string, number> {
  if (inputs.length !== shapes.length) {
    if (inputs.length === 1 && inputs[0].length === 0 && explicit === null) {
      throw new ValueError(`The spec is empty: give one term of indices per operand, like 'ik,kj->ij' for 2.`);
    }
    throw new ValueError(
      `The spec names ${plural(inputs.length, 'operand')} ` +
        `but ${shapes.length} ${shapes.length === 1 ? 'was' : 'were'} given.`
    );
  }
  const counts = new Map<string, number>();
  for (const labels of inputs) for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const seen = new Set<string>();
  for (const label of explicit ?? []) {
    if (seen.has(label)) throw new ValueError(`Index ${label} appears twice in the output.`);
    seen.add(label);
    if (label !== ELLIPSIS && !counts.has(label)) {
      throw new ValueError(`Output index ${label} does not appear in any operand.`);
    }
  }
  return counts;
}

/** One operand's size per label, and the part of its shape `...` covers (null if absent). */
function ownSizes(index: number, labels: string[], shape: Shape): [Map<string, number>, Shape | null] {
  const named = labels.filter(label => label !== ELLIPSIS);
  const hasEllipsis = named.length !== labels.length;
  if (named.length > shape.length || (!hasEllipsis && named.length !== shape.length)) {
    const given = plural(named.length, 'subscript') + (hasEllipsis ? " plus '...'" : '');
    throw new ValueError(`Operand ${index} has ${plural(shape.length, 'dimension')} but the spec gives it ${given}.`);
  }
  const own = new Map<string, number>();
  let covered: Shape | null = null;
  let position = 0;
  for (const label of labels) {
    if (label === ELLIPSIS) {
      const width = shape.length - named.length;
      covered = shape.slice(position, position + width);
      position += width;
      continue;
    }
    const size = shape[position];
    position += 1;
    const before = own.get(label);
    if (before !== undefined && before !== size) {
      throw new ValueError(
        `Index ${label} appears twice in operand ${index} with sizes ${before} and ${size} — ` +
          'a repeated index takes a diagonal, so they must be equal.'
      );
    }
    own.set(label, size);
  }
  return [own, covered];
}

/** Each label's size across operands (a size 1 broadcasts), and each `...`'s dimensions. */
function bindSizes(inputs: string[][], shapes: Shape[]): [Map<string, number>, [number, Shape][]] {
  const sizes = new Map<string, number>();
  const where = new Map<string, number>();
  const ellShapes: [number, Shape][] = [];
  inputs.forEach((labels, index) => {
    const [own, covered] = ownSizes(index, labels, shapes[index]);
    if (covered !== null) ellShapes.push([index, covered]);
    for (const [label, size] of own) {
      const seen = sizes.get(label);
      if (seen === undefined || seen === 1) {
        sizes.set(label, size);
        where.set(label, index);
      } else if (seen !== size && size !== 1) {
        throw new ValueError(
          `Index ${label} has size ${seen} in operand ${where.get(label)} but ${size} in operand ${index} — ${RULE}.`
        );
      }
    }
  });
  return [sizes, ellShapes];
}

/** The shape the `...` dimensions of all operands broadcast to. */
function broadcastEllipsis(ellShapes: [number, Shape][]): Shape {
  const ellipsis: Shape = [];
  if (!ellShapes.length) return ellipsis;
  const columnCount = Math.max(...ellShapes.map(([, shape]) => shape.length));
  for (let dim = -columnCount; dim < 0; dim++) {
    let size = 1;
    let owner = ellShapes[0][0];
    for (const [index, shape] of ellShapes) {
      if (shape.length < -dim) continue;
      const here = shape[shape.length + dim];
      if (here !== size && size !== 1 && here !== 1) {
        throw new ValueError(
          `The '...' dimensions clash: dimension ${dim} is ${size} in operand ${owner} ` +
            `but ${here} in operand ${index} — ${RULE}.`
        );
      }
      if (size === 1) {
        size = here;
        owner = index;
      }
    }
    ellipsis.push(size);
  }
  return ellipsis;
}

/** The spec's output, or the implicit one: `...`, then the labels used once, sorted. */
function resolveOutput(explicit: string[] | null, counts: Map<string, number>): string[] {
  if (explicit !== null) return explicit;
  const once = [...counts].filter(([label, n]) => n === 1 && label !== ELLIPSIS).map(([label]) => label).sort();
  return [...(counts.has(ELLIPSIS) ? [ELLIPSIS] : []), ...once];
}

/**
 * Parse an einsum spec against operand shapes (or anything with `.shape`), as torch.einsum
 * does: `...`, implicit output, repeated labels (diagonals) and size-1 broadcasting of labels.
 * Throws ValueError for bad specs, operand count mismatches and size clashes. The steps are
 * those of shapes/einsum.py: tokenize, count labels, bind sizes, broadcast `...`, resolve output.
 */
export function parseEinsum(spec: string, ...operands: unknown[]): EinsumPlan {
  if (typeof spec !== 'string') {
    throw new TypeError(`The einsum spec must be a str, got ${pythonTypeName(spec)}.`);
  }
  const shapes = checkedShapes(operands, null); // torch.einsum takes any number
  const [inputs, explicit] = tokenize(spec);
  const counts = labelCounts(inputs, shapes, explicit);
  const [sizes, ellShapes] = bindSizes(inputs, shapes);
  const ellipsis = broadcastEllipsis(ellShapes);
  const output = resolveOutput(explicit, counts);
  let summed = [...counts.keys()].filter(label => !output.includes(label));
  const shape = output.flatMap(label => (label === ELLIPSIS ? ellipsis : [sizes.get(label) as number]));
  checkNumel(shape, 'The output shape');
  if (summed.includes(ELLIPSIS) && !ellipsis.length) summed = summed.filter(label => label !== ELLIPSIS);
  const names = operandNames(new Set(sizes.keys()), inputs.length);
  const named = [...counts.keys()].filter(label => label !== ELLIPSIS);
  return {
    spec,
    inputs,
    output,
    implicit: explicit === null,
    summed,
    sizes: Object.fromEntries(named.map(label => [label, sizes.get(label) as number])),
    ellipsis,
    shape,
    names,
    loops: loopNest(inputs, shapes, output, summed, sizes, ellipsis, names)
  };
}
