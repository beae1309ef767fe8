// @vitest-environment jsdom
/// <reference types="node" />
// The lab renderer's table against tests/vectors/bench_cells.json, the cells the HTML and
// text views also print (tests/test_bench_cells.py): one payload, identical cells everywhere.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { PRESENTATION } from '../generated/presentation';
import { fixture, fixtureNames } from './fixtures';
import { renderBench } from './view';

type Cells = { headers: string[]; rows: string[][] };
const expected: Record<string, Cells> = JSON.parse(
  readFileSync(path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors', 'bench_cells.json'), 'utf-8')
);

/** A cell as the other views print it: the status chips joined as one string. */
function cellText(td: Element): string {
  const badges = td.querySelectorAll('.mm-badge');
  return badges.length
    ? [...badges].map((b) => b.textContent).join(PRESENTATION.badge_separator)
    : td.textContent!;
}

function labCells(name: string): Cells {
  const host = document.body.appendChild(document.createElement('div'));
  renderBench(host, fixture(name));
  const headers = [...host.querySelectorAll('thead th')].map((th) => th.textContent!);
  const rows = [...host.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map(cellText));
  host.remove();
  return { headers, rows };
}

describe('the lab table shows the cells the HTML and text views show', () => {
  it('has expected cells for every fixture', () => {
    expect(Object.keys(expected).sort()).toEqual(fixtureNames());
  });

  it.each(fixtureNames())('%s', (name) => {
    expect(labCells(name)).toEqual(expected[name]);
  });
});
