// The Python loop nest an einsum stands for, and what it calls each operand: a port of
// matmul_magic/shapes/einsum_loops.py, checked by the same vectors (tests/vectors/einsum.json).
import type { Shape } from './broadcast';

export const ELLIPSIS = '...';

export function operandNames(labels: ReadonlySet<string>, count: number): string[] {
  // Operands are called a, b, c... unless an index already uses one of those letters (or
  // there are more operands than letters): then x0, x1, ...
  for (const first of count <= 26 ? ['a', 'A'] : []) {
    const names = Array.from({ length: count }, (_, i) => String.fromCharCode(first.charCodeAt(0) + i));
    if (!names.some(name => labels.has(name))) return names;
  }
  return Array.from({ length: count }, (_, i) => `x${i}`);
}

export function loopNest(
  inputs: readonly string[][],
  shapes: readonly Shape[],
  output: readonly string[],
  summed: readonly string[],
  sizes: ReadonlyMap<string, number>,
  ellipsis: Shape,
  names: readonly string[]
): string {
  const ellVars = ellipsis.map((_, i) => `e${i}`);
  const expand = (labels: readonly string[]): [string, number][] =>
    labels.flatMap((label): [string, number][] =>
      label === ELLIPSIS ? ellVars.map((v, i): [string, number] => [v, ellipsis[i]]) : [[label, sizes.get(label) as number]]
    );
  const loops = [...expand(output), ...expand(summed)];
  const factors = inputs.map((labels, o) => {
    const shape = shapes[o];
    const indices: string[] = [];
    let position = 0;
    for (const label of labels) {
      if (label === ELLIPSIS) {
        const covered = shape.length - (labels.length - 1);
        for (let i = 0; i < covered; i++) {
          const dim = ellVars.length - covered + i;
          indices.push(shape[position + i] !== ellipsis[dim] ? '0' : ellVars[dim]);
        }
        position += covered;
      } else {
        indices.push(shape[position] !== sizes.get(label) ? '0' : label);
        position += 1;
      }
    }
    return indices.length ? `${names[o]}[${indices.join(', ')}]` : names[o];
  });
  const target = expand(output).map(([v]) => v);
  const lhs = target.length ? `out[${target.join(', ')}]` : 'out';
  const lines = loops.map(([v, size], depth) => `${'  '.repeat(depth)}for ${v} in range(${size}):`);
  lines.push(`${'  '.repeat(loops.length)}${lhs} += ${factors.join(' * ')}`);
  return lines.join('\n');
}

