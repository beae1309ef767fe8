import { describe, expect, it } from 'vitest';

import { BENCH_MIME_TYPE } from '../generated/bench_contract';
import { fixture, fixtureNames, readSchema } from './fixtures';
import { BENCH_SCHEMA_VERSION, validateBench } from './schema';

const errorsOf = (data: unknown): string[] => {
  const result = validateBench(data);
  return result.ok ? [] : result.errors;
};

describe('the generated contract', () => {
  it('takes the MIME type and version from schema.json', () => {
    const schema = readSchema();
    expect(BENCH_MIME_TYPE).toBe(schema.mimeType);
    expect(BENCH_SCHEMA_VERSION).toBe(schema.properties.version.const);
    expect(BENCH_MIME_TYPE).toBe('application/vnd.matmul-magic.bench+json');
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
    ['a string median', (d: any) => { d.rows[0].median = 'fast'; }, '$.rows[0].median: must be a number, not a string'],
    ['a fractional run count', (d: any) => { d.rows[2].runs = 2.5; }, '$.rows[2].runs: must be an integer, not a number'],
    ['an unknown status', (d: any) => { d.rows[0].status = 'great'; }, '$.rows[0].status: must be one of "ok", "incorrect", "failed", "skipped"'],
    ['rows not an array', (d: any) => { d.rows = {}; }, '$.rows: must be an array, not an object'],
    ['a missing environment field', (d: any) => { delete d.environment.threads; }, '$.environment: missing field "threads"'],
    ['another version', (d: any) => { d.version = '2'; }, 'schema version "2" is not supported'],
    ['a missing version', (d: any) => { delete d.version; }, '$: missing field "version"'],
    ['a text flag', (d: any) => { d.rows[0].noisy = 'no'; }, '$.rows[0].noisy: must be true or false, not a string'],
    ['an unknown kind', (d: any) => { d.rows[0].kind = 'mine'; }, '$.rows[0].kind: must be one of "course", "optional", "user"'],
    ['a null environment', (d: any) => { d.environment = null; }, '$.environment: must be an object, not null'],
    ['a sweep size that is text', (d: any) => { d.sweep = { sizes: ['a'] }; }, '$.sweep.sizes[0]: must be an integer, not a string'],
    ['a bad point', (d: any) => { d.rows[0].points = [{ size: 0 }]; }, '$.rows[0].points[0]: missing field "m"'],
  ] as [string, (d: any) => unknown, string][])('rejects %s with a path to the problem', (_label, mutate, expected) => {
    const data = fixture('course_cpu');
    const mutated = mutate(data);
    const errors = errorsOf(mutated === undefined ? data : mutated);
    expect(errors.join('\n')).toContain(expected);
  });

  it.each([
    ['an unknown field', (d: any) => { d.extra = 1; }],
    ['a negative time', (d: any) => { d.rows[1].iqr = -1; }],
    ['an empty shape', (d: any) => { d.shapes.a = []; }],
    ['other operands', (d: any) => { d.operands = 'mine'; }],
    ['a threshold of 1', (d: any) => { d.threshold = 1; }],
    ['a failed row without error', (d: any) => { d.rows[0].status = 'failed'; }],
    ['an ok row without median', (d: any) => { d.rows[0].median = null; }]
  ] as [string, (d: any) => unknown][])('draws %s: ranges, patterns and the status rule are the kernel\'s to hold', (_label, mutate) => {
    // BenchResult.from_dict holds these to schema.json (tests/test_bench_result.py); each
    // still has the types the renderer reads, so it draws as its fields say.
    const data = fixture('course_cpu');
    mutate(data);
    expect(errorsOf(data)).toEqual([]);
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
        point.runs = 'many';
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
