// How the Einsum Explorer reads a spec for drawing: each axis as a labelled chip, the terms read
// loosely when the spec does not parse (so the axes stay on screen), and the spec edits that
// adding or removing an operand makes.
import { h } from '../common/dom';
import { ELLIPSIS } from '../../rules';

export { ELLIPSIS };

/** Each axis of an operand as [label, size]; the dims "..." covers are labelled "…". */
export function axesOf(labels: readonly string[], shape: readonly number[]): [string, number][] {
  const covered = shape.length - (labels.length - (labels.includes(ELLIPSIS) ? 1 : 0));
  let position = 0;
  return labels.flatMap((label): [string, number][] => {
    if (label !== ELLIPSIS) return [[label, shape[position++]]];
    return Array.from({ length: covered }, () => ['…', shape[position++]]);
  });
}

export function chip(label: string, size: number | null, summed: boolean, bad = false): HTMLElement {
  return h('span', {
    class: `mm-axis${summed ? ' mm-summed' : ''}${bad ? ' mm-axis-bad' : ''}`,
    text: `${label}=${size ?? '?'}`,
    attrs: { title: bad ? `${label} is where the spec and the sizes disagree` : summed ? `${label} is summed over` : `${label} is kept` }
  });
}

/** Each operand's labels read straight from the spec, for drawing axes when it does not parse. */
export function looseTerms(spec: string): string[][] {
  const inputs = spec.split('->')[0];
  // `...` is one label, any other character (one UTF-16 unit) is its own.
  return inputs.split(',').map(term => term.replace(/\s+/g, '').match(/\.\.\.|[\s\S]/g) ?? []);
}

/** Axes pairing labels and sizes as far as both go; an unmatched one gets `?`. */
export function looseAxes(labels: readonly string[], shape: readonly number[]): [string, number | null][] {
  const fits = labels.includes(ELLIPSIS) ? labels.length - 1 <= shape.length : labels.length === shape.length;
  if (fits) return axesOf(labels, shape);
  const n = Math.max(labels.length, shape.length);
  return Array.from({ length: n }, (_, d) => [labels[d] ?? '?', d < shape.length ? shape[d] : null]);
}

/** The spec without one pair of matching quotes around it (`'ik,kj->ij'` pasted from code reads
 * as `ik,kj->ij`); anything else as it is, for the rules to judge. As Python's unquote_spec. */
export function unquoteSpec(text: string): string {
  const inner = text.trim();
  if (inner.length >= 2 && inner[0] === inner[inner.length - 1] && (inner[0] === "'" || inner[0] === '"')) {
    return inner.slice(1, -1);
  }
  return text;
}

/** "operand 0" in the rules' messages, as the table names the operand. */
export function nameOperands(message: string, names: readonly string[]): string {
  return message.replace(/\b[Oo]perand (\d+)\b/g, (whole, index: string) => names[Number(index)] ?? whole);
}

/** A letter the spec does not use yet, for a new operand's one axis. */
export function freshLabel(spec: string): string {
  return [...'zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA'].find(letter => !spec.includes(letter)) ?? 'z';
}

/** The spec with one more input term (`label`), or without its last, keeping the output. */
export function withTerm(spec: string, label: string | null): string {
  const [inputs, ...rest] = spec.split('->');
  const terms = inputs.split(',');
  const next = label === null ? terms.slice(0, -1) : [...terms, label];
  return [next.join(','), ...rest].join('->');
}

