/**
 * The bench JSON contract for the renderer: the types, MIME type and version are generated
 * from `matmul_magic/bench_result/schema.json` into `src/generated/`. The payload comes from
 * the kernel's own `BenchResult.to_dict()`, which the schema holds whole (ranges, patterns,
 * the status rule); the renderer checks only what it needs to draw safely: the version, and
 * the type of every field it reads. Anything else is shown as a readable box with the
 * output's text view.
 */
import { BENCH_MIME_TYPE, BENCH_SCHEMA_VERSION } from '../generated/bench_contract';
import type { BenchResult } from '../generated/bench_types';

export type { BenchEnvironment, BenchResult, BenchRow, SweepPoint } from '../generated/bench_types';
export { BENCH_MIME_TYPE, BENCH_SCHEMA_VERSION };
export type RowKind = BenchResult['rows'][number]['kind'];
export type RowStatus = BenchResult['rows'][number]['status'];

export type Validation = { ok: true; value: BenchResult } | { ok: false; errors: string[] };

/** Enough problems to fix a payload; more would bury the first one. */
const MAX_ERRORS = 20;

/** Where a check is (`$`, `.rows`, `[0]`, ...: joined only to word a problem), and what it found. */
type Walk = { path: string[]; errors: string[] };
/** Checks one value, adding what is wrong with it to `walk.errors`. */
type Check = (value: unknown, walk: Walk) => void;

const problem = (walk: Walk, what: string): void => {
  walk.errors.push(`${walk.path.join('')}: ${what}`);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;

/** A JSON type as the error box words it, and whether a value has it. */
const TYPES = {
  string: ['a string', (v: unknown) => typeof v === 'string'],
  number: ['a number', (v: unknown) => typeof v === 'number'],
  integer: ['an integer', (v: unknown) => Number.isInteger(v)],
  boolean: ['true or false', (v: unknown) => typeof v === 'boolean']
} as const;

function scalar(type: keyof typeof TYPES, nullable = false): Check {
  const [words, holds] = TYPES[type];
  return (value, walk) => {
    if (!holds(value) && !(nullable && value === null)) {
      problem(walk, `must be ${words}, not ${describe(value)}`);
    }
  };
}

function oneOf(values: readonly string[]): Check {
  return (value, walk) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      problem(walk, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  };
}

function arrayOf(item: Check): Check {
  return (value, walk) => {
    if (!Array.isArray(value)) {
      problem(walk, `must be an array, not ${describe(value)}`);
      return;
    }
    for (let i = 0; i < value.length; i++) {
      walk.path.push(`[${i}]`);
      item(value[i], walk);
      walk.path.pop();
    }
  };
}

function object(fields: Record<string, Check>, nullable = false): Check {
  const entries = Object.entries(fields).map(([key, check]) => [key, `.${key}`, check] as const);
  return (value, walk) => {
    if (nullable && value === null) {
      return;
    }
    if (!isObject(value)) {
      problem(walk, `must be an object, not ${describe(value)}`);
      return;
    }
    for (const [key, step, check] of entries) {
      if (!(key in value)) {
        problem(walk, `missing field ${JSON.stringify(key)}`);
        continue;
      }
      walk.path.push(step);
      check(value[key], walk);
      walk.path.pop();
    }
  };
}

const seconds = scalar('number', true);
const count = scalar('integer');
const text = scalar('string', true);
const flag = scalar('boolean');
const shape = arrayOf(count);

const POINT = object({
  size: count, m: count, k: count, n: count, median: seconds, median_low: seconds,
  median_high: seconds, iqr: seconds, runs: count, extrapolated: flag, error: text
});

const ROW = object({
  name: scalar('string'), kind: oneOf(['course', 'optional', 'user']),
  status: oneOf(['ok', 'incorrect', 'failed', 'skipped']), median: seconds, median_low: seconds,
  median_high: seconds, iqr: seconds, min: seconds, runs: count, blocks: count, speedup: seconds,
  speedup_low: seconds, speedup_high: seconds, gflops: seconds, pct_of_peak: seconds,
  correct: scalar('boolean', true), max_abs_err: seconds, extrapolated: flag, unreliable: flag,
  error: text, note: text, one_off: seconds, stalls: count, noisy: flag, over_budget: flag,
  points: arrayOf(POINT), exponent: seconds
});

const ENVIRONMENT = object({
  device_name: text, threads: scalar('integer', true), torch: text, python: text,
  tf32: scalar('boolean', true), stream: text, timer: text, l2_flush: scalar('boolean', true),
  peak_gflops: seconds
});

const RESULT = object({
  device: scalar('string'), dtype: scalar('string'), shapes: object({ a: shape, b: shape }),
  flops: scalar('number'), operands: scalar('string'), interrupted: flag, budget: seconds,
  elapsed: seconds, baseline: text, threshold: scalar('number'), environment: ENVIRONMENT,
  sweep: object({ sizes: shape }, true), rows: arrayOf(ROW)
});

/** Whether `data` is a payload this build can draw; if so returns it typed, else the problems. */
export function validateBench(data: unknown): Validation {
  if (isObject(data) && 'version' in data && data.version !== BENCH_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [
        `schema version ${JSON.stringify(data.version)} is not supported: this extension reads ` +
          `version ${BENCH_SCHEMA_VERSION}. Update matmul-magic so the kernel and JupyterLab match.`
      ]
    };
  }
  const errors: string[] = [];
  RESULT(data, { path: ['$'], errors });
  if (isObject(data) && !('version' in data)) {
    errors.unshift('$: missing field "version"');
  }
  return errors.length === 0
    ? { ok: true, value: data as BenchResult }
    : { ok: false, errors: errors.slice(0, MAX_ERRORS) };
}
