// What the Shape Explorer panel remembers across reloads: the shapes typed and their labels.
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { OPERAND_NAMES } from '../generated/operand_names';

export interface PanelState {
  shapes: number[][];
  names: string[];
}

/** The lesson's broadcast step, `a[i].unsqueeze(-1) * b`: (784, 1) against (784, 10). */
export const DEFAULT_PANEL_STATE: PanelState = {
  shapes: [
    [784, 1],
    [784, 10]
  ],
  names: ['a[i].unsqueeze(-1)', 'b']
};

const isShape = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0);

/** Reads a saved state back; anything malformed (an older or edited store) gives the default. */
export function parsePanelState(saved: unknown): PanelState {
  if (typeof saved !== 'object' || saved === null) return DEFAULT_PANEL_STATE;
  const { shapes, names } = saved as Record<string, unknown>;
  if (!Array.isArray(shapes) || shapes.length === 0 || !shapes.every(isShape)) return DEFAULT_PANEL_STATE;
  const labels = Array.isArray(names) ? names : [];
  return {
    shapes: shapes.map((s) => [...s]),
    names: shapes.map((_, i) =>
      typeof labels[i] === 'string' ? (labels[i] as string) : (OPERAND_NAMES[i] ?? `x${i}`)
    )
  };
}

export function toJSON(state: PanelState): ReadonlyPartialJSONObject {
  return { shapes: state.shapes.map((s) => [...s]), names: [...state.names] };
}
