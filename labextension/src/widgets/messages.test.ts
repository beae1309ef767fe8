// The widgets' own sentences (a clash naming the operands' labels, an einsum error naming them)
// against tests/vectors/widgets.json, which tests/vectors/generate.py writes from the Python
// widgets: the page and w.error say the same thing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { explainBroadcast } from '../rules';
import { nameOperands, unquoteSpec } from './einsum_explorer/axes';
import { namedReason } from './shape_explorer/context';

type Case =
  | { kind: 'broadcast'; shapes: number[][]; names: string[]; text: string }
  | { kind: 'einsum'; message: string; names: string[]; text: string }
  | { kind: 'spec'; pasted: string; text: string };

const sentence = (c: Case): string => {
  if (c.kind === 'broadcast') return namedReason(explainBroadcast(...c.shapes), c.names);
  return c.kind === 'einsum' ? nameOperands(c.message, c.names) : unquoteSpec(c.pasted);
};

const url = new URL('../../../tests/vectors/widgets.json', import.meta.url);
const cases = (JSON.parse(readFileSync(url, 'utf-8')) as { cases: Case[] }).cases;

describe('widget sentence vectors', () => {
  it('has both kinds', () => {
    expect(new Set(cases.map(c => c.kind))).toEqual(new Set(['broadcast', 'einsum', 'spec']));
  });

  for (const c of cases) {
    it(`${c.kind}: ${JSON.stringify(c.text.slice(0, 60))}`, () => {
      expect(sentence(c)).toBe(c.text);
    });
  }
});
