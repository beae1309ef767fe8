// Reading a typed shape: the explorers send only operands the rules accept, so the model (and
// Python) never see a malformed or absurd shape; the input is marked invalid instead.
import { parseShapeText } from './view_dom';
import { shapesProblem } from './view_rules';

export type ShapeInputResult = { shapes: number[][]; problem: null } | { shapes: null; problem: string };

/** Operand `index`'s input read into a copy of `shapes`, or why it cannot be used. */
export function readShapeInput(
  input: HTMLInputElement,
  shapes: number[][],
  index: number,
  example: string
): ShapeInputResult {
  const parsed = parseShapeText(input.value);
  const next = parsed === null ? null : shapes.map((s, j) => (j === index ? parsed : [...s]));
  const problem =
    next === null ? `"${input.value}" is not a shape; type sizes like ${example}.` : shapesProblem(next);
  if (next === null || problem !== null) {
    input.setAttribute('aria-invalid', 'true');
    return { shapes: null, problem: problem ?? '' };
  }
  input.removeAttribute('aria-invalid');
  return { shapes: next, problem: null };
}
