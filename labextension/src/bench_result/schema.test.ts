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
    ['an unknown field', (d: any) => { d.extra = 1; }, '$: unexpected field "extra"'],
    ['a string median', (d: any) => { d.rows[0].median = 'fast'; }, '$.rows[0].median: must be a number, not a string'],
    ['a negative time', (d: any) => { d.rows[1].iqr = -1; }, '$.rows[1].iqr: must be >= 0'],
    ['a fractional run count', (d: any) => { d.rows[2].runs = 2.5; }, '$.rows[2].runs: must be an integer, not a number'],
    ['an unknown status', (d: any) => { d.rows[0].status = 'great'; }, '$.rows[0].status: must be one of "ok", "incorrect", "failed", "skipped"'],
    ['an empty shape', (d: any) => { d.shapes.a = []; }, '$.shapes.a: must have at least 1 item'],
    ['bad operands', (d: any) => { d.operands = 'mine'; }, '$.operands: must match ^(mnist|user|random, seed -?[0-9]+)$'],
    ['rows not an array', (d: any) => { d.rows = {}; }, '$.rows: must be an array, not an object'],
    ['a missing environment field', (d: any) => { delete d.environment.threads; }, '$.environment: missing field "threads"'],
    ['zero threads', (d: any) => { d.environment.threads = 0; }, '$.environment.threads: must be >= 1'],
    ['a zero peak', (d: any) => { d.environment.peak_gflops = 0; }, '$.environment.peak_gflops: must be > 0'],
    ['an empty device', (d: any) => { d.device = ''; }, '$.device: must not be empty'],
    ['a threshold of 1', (d: any) => { d.threshold = 1; }, '$.threshold: must be < 1'],
    ['another version', (d: any) => { d.version = '2'; }, 'schema version "2" is not supported'],
    ['a failed row without error', (d: any) => { d.rows[0].status = 'failed'; }, '$.rows[0]: A failed row carries its error text.'],
    ['an ok row without median', (d: any) => { d.rows[0].median = null; }, '$.rows[0]: An ok row has a median, no error, and correct not false.'],
    ['an incorrect row marked correct', (d: any) => { d.rows[0].status = 'incorrect'; }, '$.rows[0]: An incorrect row has correct false and no error.'],
    ['an empty sweep', (d: any) => { d.sweep = { sizes: [] }; }, '$.sweep.sizes: must have at least 1 item'],
    ['a sweep size that is text', (d: any) => { d.sweep = { sizes: ['a'] }; }, '$.sweep.sizes[0]: must be an integer, not a string'],
    ['a bad point', (d: any) => { d.rows[0].points = [{ size: 0 }]; }, '$.rows[0].points[0]: missing field "m"'],
    ['a key with a slash', (d: any) => { d.shapes['a/b'] = 1; }, '$.shapes: unexpected field "a/b"']
  ] as [string, (d: any) => unknown, string][])('rejects %s with a path to the problem', (_label, mutate, expected) => {
    const data = fixture('course_cpu');
    const mutated = mutate(data);
    const errors = errorsOf(mutated === undefined ? data : mutated);
    expect(errors.join('\n')).toContain(expected);
  });

  it('names a broken cross-field rule once, not once per field it touches', () => {
    const data = fixture('course_cpu');
    data.rows[0].status = 'skipped'; // but it has a median
    expect(errorsOf(data)).toEqual(['$.rows[0]: A skipped row has no median and no error.']);
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
