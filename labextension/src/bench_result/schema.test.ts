import { describe, expect, it } from 'vitest';

import { fixture, fixtureNames, readSchema } from './fixtures';
import {
  BENCH_SCHEMA_VERSION,
  ENVIRONMENT_KEYS,
  POINT_KEYS,
  RESULT_KEYS,
  ROW_KEYS,
  ROW_KINDS,
  ROW_STATUSES,
  validateBench
} from './schema';

const errorsOf = (data: unknown): string[] => {
  const result = validateBench(data);
  return result.ok ? [] : result.errors;
};

describe('the TypeScript contract matches schema.json', () => {
  const schema = readSchema();
  const sorted = (keys: readonly string[]) => [...keys].sort();

  it('lists the same required fields for every object', () => {
    expect(sorted(RESULT_KEYS)).toEqual(sorted(schema.required));
    expect(sorted(RESULT_KEYS)).toEqual(sorted(Object.keys(schema.properties)));
    expect(sorted(ENVIRONMENT_KEYS)).toEqual(sorted(schema.$defs.environment.required));
    expect(sorted(ROW_KEYS)).toEqual(sorted(schema.$defs.row.required));
    expect(sorted(POINT_KEYS)).toEqual(sorted(schema.$defs.point.required));
  });

  it('closes every object, as the validator does', () => {
    expect(schema.additionalProperties).toBe(false);
    for (const def of ['environment', 'row', 'point']) {
      expect(schema.$defs[def].additionalProperties).toBe(false);
    }
  });

  it('has the same enums and version', () => {
    expect(schema.$defs.row.properties.kind.enum).toEqual([...ROW_KINDS]);
    expect(schema.$defs.row.properties.status.enum).toEqual([...ROW_STATUSES]);
    expect(schema.properties.version.const).toBe(BENCH_SCHEMA_VERSION);
  });
});

describe('validateBench', () => {
  it.each(fixtureNames())('accepts the fixture %s', (name) => {
    expect(errorsOf(fixture(name))).toEqual([]);
  });

  it('has fixtures to check', () => {
    expect(fixtureNames().length).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['not an object', () => 'hello', '$: must be an object, not a string'],
    ['a missing field', (d: any) => { delete d.dtype; }, '$: missing field "dtype"'],
    ['an unknown field', (d: any) => { d.extra = 1; }, '$: unexpected field "extra"'],
    ['a string median', (d: any) => { d.rows[0].median = 'fast'; }, '$.rows[0].median: must be a number, not a string'],
    ['a negative time', (d: any) => { d.rows[1].iqr = -1; }, '$.rows[1].iqr: must be >= 0'],
    ['a fractional run count', (d: any) => { d.rows[2].runs = 2.5; }, '$.rows[2].runs: must be an integer, not a number'],
    ['an unknown status', (d: any) => { d.rows[0].status = 'great'; }, '$.rows[0].status: must be one of'],
    ['an empty shape', (d: any) => { d.shapes.a = []; }, '$.shapes.a: must have at least one dimension'],
    ['bad operands', (d: any) => { d.operands = 'mine'; }, '$.operands: must be "mnist", "user" or "random, seed N"'],
    ['rows not an array', (d: any) => { d.rows = {}; }, '$.rows: must be an array, not an object'],
    ['a missing environment field', (d: any) => { delete d.environment.threads; }, '$.environment: missing field "threads"'],
    ['zero threads', (d: any) => { d.environment.threads = 0; }, '$.environment.threads: must be >= 1'],
    ['a failed row without error', (d: any) => { d.rows[0].status = 'failed'; }, 'a failed row must carry its error text'],
    ['an ok row without median', (d: any) => { d.rows[0].median = null; }, 'an ok row must have a median'],
    ['an empty sweep', (d: any) => { d.sweep = { sizes: [] }; }, '$.sweep.sizes: must list at least one size'],
    ['a bad point', (d: any) => { d.rows[0].points = [{ size: 0 }]; }, '$.rows[0].points[0]: missing field "m"']
  ] as [string, (d: any) => unknown, string][])('rejects %s with a path to the problem', (_label, mutate, expected) => {
    const data = fixture('course_cpu');
    const mutated = mutate(data);
    const errors = errorsOf(mutated === undefined ? data : mutated);
    expect(errors.join('\n')).toContain(expected);
  });

  it('explains a version it does not read instead of listing field errors', () => {
    const data = fixture('course_cpu');
    data.version = 1;
    data.rows = 'whatever';
    const errors = errorsOf(data);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/schema version 1 is not supported/);
  });

  it('caps the list of problems', () => {
    const data = fixture('sweep_cpu');
    for (const row of data.rows) {
      for (const point of row.points) {
        point.runs = -1;
      }
    }
    expect(errorsOf(data).length).toBe(20);
  });

  it('rejects null, arrays and numbers at the top level', () => {
    for (const bad of [null, [], 3, undefined]) {
      expect(errorsOf(bad)[0]).toMatch(/^\$: must be an object/);
    }
  });
});
