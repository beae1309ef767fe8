import { describe, expect, it } from 'vitest';

import { DEFAULT_PANEL_STATE, parsePanelState, toJSON } from './state';

describe('panel state', () => {
  it('round-trips through JSON', () => {
    const state = { shapes: [[3, 1], [4], []], names: ['x', 'y', 'scalar'] };
    expect(parsePanelState(JSON.parse(JSON.stringify(toJSON(state))))).toEqual(state);
  });

  it('starts from the lesson broadcast step', () => {
    expect(parsePanelState(undefined)).toEqual(DEFAULT_PANEL_STATE);
    expect(DEFAULT_PANEL_STATE.shapes).toEqual([[784, 1], [784, 10]]);
  });

  it('falls back to the default for anything malformed', () => {
    for (const bad of [null, 3, 'x', {}, { shapes: [] }, { shapes: [[1.5]] }, { shapes: [[-1]] }, { shapes: 'no' }]) {
      expect(parsePanelState(bad)).toEqual(DEFAULT_PANEL_STATE);
    }
  });

  it('names unnamed operands a, b, c...', () => {
    expect(parsePanelState({ shapes: [[1], [2], [3]], names: ['first', 4] }).names).toEqual(['first', 'b', 'c']);
  });
});
