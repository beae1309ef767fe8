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
type Expected = Cells & { headline: string; conditions: string; notes: [string, string][] };
const expected: Record<string, Expected> = JSON.parse(
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
    const { headers, rows } = expected[name];
    expect(labCells(name)).toEqual({ headers, rows });
  });

  it.each(fixtureNames())('%s: the headline, conditions and notes too', (name) => {
    const host = document.body.appendChild(document.createElement('div'));
    renderBench(host, fixture(name));
    expect(host.querySelector('.mm-bench-title')!.textContent).toBe(expected[name].headline);
    expect(host.querySelector('.mm-bench-summary')!.textContent).toBe(expected[name].conditions);
    const notes = [...host.querySelectorAll('.mm-bench-note')].map((li) => li.textContent);
    expect(notes).toEqual(expected[name].notes.map(([who, text]) => `${who}: ${text}`));
    host.remove();
  });
});

describe('one palette', () => {
  it('sets every colour the stylesheet uses on the root, from presentation.json', () => {
    const host = document.body.appendChild(document.createElement('div'));
    renderBench(host, fixture('course_cpu'));
    const root = host.querySelector<HTMLElement>('.mm-bench')!;
    expect(root.style.getPropertyValue('--mm-kind-user')).toBe(
      `var(${PRESENTATION.colours.warn[0]}, ${PRESENTATION.colours.warn[1]})`
    );
    const css = readFileSync(path.resolve(__dirname, '..', '..', 'style', 'base.css'), 'utf-8');
    const used = new Set([...css.matchAll(/var\((--mm-(?:accent|ok|warn|error|series-\d|kind-\w+))\)/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(5);
    for (const property of used) {
      expect(root.style.getPropertyValue(property), property).not.toBe('');
    }
    // The stylesheet never defines a palette colour of its own.
    expect(css).not.toMatch(/--mm-(accent|ok|warn|error|series-\d|kind-\w+)\s*:/);
    host.remove();
  });
});
