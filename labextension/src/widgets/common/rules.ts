// What the views compute on top of the rules (the TypeScript port in src/rules/, which they
// import directly): whether typed shapes are usable, and the stride arithmetic the stride view draws.
import { checkedShapes } from '../../rules';
import { errorText } from './dom';

/** Why these shapes are not valid operands (too many, absurd sizes...), or null if they are. */
export function shapesProblem(shapes: number[][]): string | null {
  try {
    checkedShapes(shapes);
    return null;
  } catch (err) {
    return errorText(err);
  }
}

/** `t.stride()` of a contiguous tensor of this shape (torch keeps the product rule for size 1). */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= Math.max(shape[d], 1);
  }
  return strides;
}

/** The strides of `t.expand(result)`: 0 on missing and stretched dims, the own stride elsewhere. */
export function expandStrides(
  shape: readonly number[],
  result: readonly number[],
  own: readonly number[] = contiguousStrides(shape)
): number[] {
  const offset = result.length - shape.length;
  return result.map((size, d) => {
    const mine = d - offset;
    if (mine < 0) return 0;
    return shape[mine] === 1 && size !== 1 ? 0 : own[mine];
  });
}
