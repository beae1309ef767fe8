/**
 * The bench JSON contract: `matmul_magic/bench_result/schema.json` (version 2), as TypeScript types and a
 * runtime validator. The renderer only ever draws a payload that passed `validateBench`; anything
 * else becomes a readable error box. `schema.test.ts` keeps these lists in step with schema.json.
 */

export const BENCH_MIME_TYPE = 'application/vnd.matmul-magic.bench+json';
export const BENCH_SCHEMA_VERSION = 2;

export type RowKind = 'course' | 'optional' | 'user';
export type RowStatus = 'ok' | 'incorrect' | 'failed' | 'skipped';

export const ROW_KINDS: readonly RowKind[] = ['course', 'optional', 'user'];
export const ROW_STATUSES: readonly RowStatus[] = ['ok', 'incorrect', 'failed', 'skipped'];

/** One size of a sweep for one variant. Times are seconds; null means not measured. */
export interface BenchPoint {
  size: number;
  m: number;
  k: number;
  n: number;
  median: number | null;
  iqr: number | null;
  runs: number;
  extrapolated: boolean;
  error: string | null;
}

/** One variant. `name`, `error` and `note` are user text: render as text, never markup. */
export interface BenchRow {
  name: string;
  kind: RowKind;
  status: RowStatus;
  median: number | null;
  iqr: number | null;
  min: number | null;
  /** Calls timed, over all blocks. */
  runs: number;
  /** Measurements (blocks of calls) the statistics came from. */
  blocks: number;
  /** Median of the per-round ratios baseline / this row, with its 95% interval. */
  speedup: number | null;
  speedup_low: number | null;
  speedup_high: number | null;
  gflops: number | null;
  pct_of_peak: number | null;
  correct: boolean | null;
  max_abs_err: number | null;
  extrapolated: boolean;
  /** An estimate whose fit did not hold: never show it as exact. */
  unreliable: boolean;
  error: string | null;
  note: string | null;
  /** Seconds of one-off cost on the first call (a JIT compile), not counted. */
  one_off: number | null;
  /** Blocks slower than 10x the median. */
  stalls: number;
  /** IQR/median stayed above the result's threshold. */
  noisy: boolean;
  /** One call alone took longer than the whole budget. */
  over_budget: boolean;
  points: BenchPoint[];
  exponent: number | null;
}

export interface BenchEnvironment {
  device_name: string | null;
  threads: number | null;
  torch: string | null;
  python: string | null;
  tf32: boolean | null;
  stream: string | null;
  timer: string | null;
  l2_flush: boolean | null;
  peak_gflops: number | null;
}

export interface BenchResult {
  version: 2;
  device: string;
  dtype: string;
  shapes: { a: number[]; b: number[] };
  flops: number;
  operands: string;
  interrupted: boolean;
  budget: number | null;
  elapsed: number | null;
  baseline: string | null;
  threshold: number;
  environment: BenchEnvironment;
  sweep: { sizes: number[] } | null;
  rows: BenchRow[];
}

export type Validation = { ok: true; value: BenchResult } | { ok: false; errors: string[] };

/** Keys each object must have, exactly (the schema sets additionalProperties: false). */
export const RESULT_KEYS = [
  'version', 'device', 'dtype', 'shapes', 'flops', 'operands', 'interrupted', 'budget', 'elapsed',
  'baseline', 'threshold', 'environment', 'sweep', 'rows'
] as const;
export const ENVIRONMENT_KEYS = [
  'device_name', 'threads', 'torch', 'python', 'tf32', 'stream', 'timer', 'l2_flush', 'peak_gflops'
] as const;
export const ROW_KEYS = [
  'name', 'kind', 'status', 'median', 'iqr', 'min', 'runs', 'blocks', 'speedup', 'speedup_low',
  'speedup_high', 'gflops', 'pct_of_peak', 'correct', 'max_abs_err', 'extrapolated', 'unreliable',
  'error', 'note', 'one_off', 'stalls', 'noisy', 'over_budget', 'points', 'exponent'
] as const;
export const POINT_KEYS = [
  'size', 'm', 'k', 'n', 'median', 'iqr', 'runs', 'extrapolated', 'error'
] as const;

const OPERANDS_PATTERN = /^(mnist|user|random, seed -?[0-9]+)$/;
/** Enough problems to fix a payload; more would bury the first one. */
const MAX_ERRORS = 20;

type Check = (value: unknown) => string | null;

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object' || typeof value === 'undefined'
        ? `an ${typeof value}`
        : `a ${typeof value}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value);

const nullable =
  (check: Check): Check =>
  (value) =>
    value === null ? null : check(value);

const string: Check = (v) => (typeof v === 'string' ? null : `must be a string, not ${describe(v)}`);
const nonEmptyString: Check = (v) =>
  typeof v !== 'string' ? `must be a string, not ${describe(v)}` : v ? null : 'must not be empty';
const boolean: Check = (v) =>
  typeof v === 'boolean' ? null : `must be true or false, not ${describe(v)}`;
const number: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) ? null : `must be a number, not ${describe(v)}`;
const nonNegative: Check = (v) => number(v) ?? ((v as number) >= 0 ? null : 'must be >= 0');
const integerAtLeast =
  (min: number): Check =>
  (v) =>
    !isInteger(v) ? `must be an integer, not ${describe(v)}` : v >= min ? null : `must be >= ${min}`;
const oneOf =
  (choices: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && choices.includes(v)
      ? null
      : `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`;

class Collector {
  readonly errors: string[] = [];

  add(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) {
      this.errors.push(`${path}: ${message}`);
    }
  }

  field(obj: Record<string, unknown>, path: string, key: string, check: Check): void {
    const message = check(obj[key]);
    if (message) {
      this.add(`${path}.${key}`, message);
    }
  }

  /** Checks the key set; returns false when `value` is not an object at all. */
  object(
    value: unknown,
    path: string,
    keys: readonly string[]
  ): value is Record<string, unknown> {
    if (!isObject(value)) {
      this.add(path, `must be an object, not ${describe(value)}`);
      return false;
    }
    for (const key of keys) {
      if (!(key in value)) {
        this.add(path, `missing field "${key}"`);
      }
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        this.add(path, `unexpected field "${key}"`);
      }
    }
    return true;
  }

  array(value: unknown, path: string, each: (item: unknown, path: string) => void): void {
    if (!Array.isArray(value)) {
      this.add(path, `must be an array, not ${describe(value)}`);
      return;
    }
    value.forEach((item, i) => each(item, `${path}[${i}]`));
  }
}

function checkShape(c: Collector, value: unknown, path: string): void {
  if (Array.isArray(value) && value.length === 0) {
    c.add(path, 'must have at least one dimension');
  }
  c.array(value, path, (dim, p) => {
    const message = integerAtLeast(0)(dim);
    if (message) {
      c.add(p, message);
    }
  });
}

function checkPoint(c: Collector, value: unknown, path: string): void {
  if (!c.object(value, path, POINT_KEYS)) {
    return;
  }
  c.field(value, path, 'size', integerAtLeast(1));
  for (const key of ['m', 'k', 'n', 'runs']) {
    c.field(value, path, key, integerAtLeast(0));
  }
  c.field(value, path, 'median', nullable(nonNegative));
  c.field(value, path, 'iqr', nullable(nonNegative));
  c.field(value, path, 'extrapolated', boolean);
  c.field(value, path, 'error', nullable(string));
}

function checkRow(c: Collector, value: unknown, path: string): void {
  if (!c.object(value, path, ROW_KEYS)) {
    return;
  }
  c.field(value, path, 'name', nonEmptyString);
  c.field(value, path, 'kind', oneOf(ROW_KINDS));
  c.field(value, path, 'status', oneOf(ROW_STATUSES));
  for (const key of [
    'median', 'iqr', 'min', 'speedup', 'speedup_low', 'speedup_high', 'gflops', 'pct_of_peak',
    'max_abs_err', 'one_off'
  ]) {
    c.field(value, path, key, nullable(nonNegative));
  }
  for (const key of ['runs', 'blocks', 'stalls']) {
    c.field(value, path, key, integerAtLeast(0));
  }
  c.field(value, path, 'correct', nullable(boolean));
  for (const key of ['extrapolated', 'unreliable', 'noisy', 'over_budget']) {
    c.field(value, path, key, boolean);
  }
  c.field(value, path, 'error', nullable(string));
  c.field(value, path, 'note', nullable(string));
  c.field(value, path, 'exponent', nullable(number));
  c.array(value.points, `${path}.points`, (point, p) => checkPoint(c, point, p));

  // The schema's per-status rules: what each status promises the renderer.
  const { status, error, correct, median } = value;
  if (status === 'failed' && typeof error !== 'string') {
    c.add(`${path}.error`, 'a failed row must carry its error text');
  }
  if (status === 'incorrect' && (correct !== false || error !== null)) {
    c.add(path, 'an incorrect row must have correct=false and error=null');
  }
  if (status === 'skipped' && (median !== null || error !== null)) {
    c.add(path, 'a skipped row must have median=null and error=null');
  }
  if (status === 'ok' && (typeof median !== 'number' || error !== null || correct === false)) {
    c.add(path, 'an ok row must have a median, error=null and correct not false');
  }
}

/** Checks `data` against schema v2; on success returns it typed, otherwise readable problems. */
export function validateBench(data: unknown): Validation {
  const c = new Collector();
  const root = '$';
  if (isObject(data) && 'version' in data && data.version !== BENCH_SCHEMA_VERSION) {
    return {
      ok: false,
      errors: [
        `schema version ${JSON.stringify(data.version)} is not supported: this extension reads ` +
          `version ${BENCH_SCHEMA_VERSION}. Update matmul-magic so the kernel and JupyterLab match.`
      ]
    };
  }
  if (!c.object(data, root, RESULT_KEYS)) {
    return { ok: false, errors: c.errors };
  }
  c.field(data, root, 'device', nonEmptyString);
  c.field(data, root, 'dtype', nonEmptyString);
  if (c.object(data.shapes, `${root}.shapes`, ['a', 'b'])) {
    checkShape(c, data.shapes.a, `${root}.shapes.a`);
    checkShape(c, data.shapes.b, `${root}.shapes.b`);
  }
  c.field(data, root, 'flops', integerAtLeast(0));
  c.field(data, root, 'operands', (v) =>
    typeof v === 'string' && OPERANDS_PATTERN.test(v)
      ? null
      : 'must be "mnist", "user" or "random, seed N"'
  );
  c.field(data, root, 'interrupted', boolean);
  c.field(data, root, 'budget', nullable(nonNegative));
  c.field(data, root, 'elapsed', nullable(nonNegative));
  c.field(data, root, 'baseline', nullable(string));
  c.field(data, root, 'threshold', (v) =>
    typeof v === 'number' && v > 0 && v < 1 ? null : 'must be a number between 0 and 1'
  );
  const env = data.environment;
  if (c.object(env, `${root}.environment`, ENVIRONMENT_KEYS)) {
    const path = `${root}.environment`;
    for (const key of ['device_name', 'torch', 'python', 'stream', 'timer']) {
      c.field(env, path, key, nullable(string));
    }
    c.field(env, path, 'threads', nullable(integerAtLeast(1)));
    c.field(env, path, 'tf32', nullable(boolean));
    c.field(env, path, 'l2_flush', nullable(boolean));
    c.field(env, path, 'peak_gflops', nullable(nonNegative));
  }
  if (data.sweep !== null && c.object(data.sweep, `${root}.sweep`, ['sizes'])) {
    const sizes = data.sweep.sizes;
    if (Array.isArray(sizes) && sizes.length === 0) {
      c.add(`${root}.sweep.sizes`, 'must list at least one size');
    }
    c.array(sizes, `${root}.sweep.sizes`, (size, p) => {
      const message = integerAtLeast(1)(size);
      if (message) {
        c.add(p, message);
      }
    });
  }
  c.array(data.rows, `${root}.rows`, (row, p) => checkRow(c, row, p));
  return c.errors.length > 0
    ? { ok: false, errors: c.errors }
    : { ok: true, value: data as unknown as BenchResult };
}
