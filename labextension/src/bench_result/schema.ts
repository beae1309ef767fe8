/**
 * The bench JSON contract for the renderer: the types, MIME type and version are generated
 * from `matmul_magic/bench_result/schema.json` into `src/generated/`. The payload comes from
 * the kernel's own `BenchResult.to_dict()`, which the schema holds whole (ranges, patterns,
 * the status rule); the renderer checks only what it needs to draw safely: the version, and
 * the type of every field it reads, as `src/generated/bench_checks.ts` lists them from the
 * schema. Anything else is shown as a readable box with the output's text view.
 */
import { BENCH_CHECKS, type BenchCheck } from '../generated/bench_checks';
import { BENCH_MIME_TYPE, BENCH_SCHEMA_VERSION } from '../generated/bench_contract';
import type { BenchResult } from '../generated/bench_types';

export type { BenchEnvironment, BenchResult, BenchRow, SweepPoint } from '../generated/bench_types';
export { BENCH_MIME_TYPE, BENCH_SCHEMA_VERSION };

export type Validation = { ok: true; value: BenchResult } | { ok: false; errors: string[] };

/** Enough problems to fix a payload; more would bury the first one. */
const MAX_ERRORS = 20;

/** Where a check is (`$`, `.rows`, `[0]`, ...: joined only to word a problem), and what it found. */
type Walk = { path: string[]; errors: string[] };

const problem = (walk: Walk, what: string): void => {
  walk.errors.push(`${walk.path.join('')}: ${what}`);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;

/** A JSON type as the error box words it, and whether a value has it. */
const TYPES: Record<string, [string, (v: unknown) => boolean]> = {
  string: ['a string', (v) => typeof v === 'string'],
  number: ['a number', (v) => typeof v === 'number'],
  integer: ['an integer', (v) => Number.isInteger(v)],
  boolean: ['true or false', (v) => typeof v === 'boolean'],
  object: ['an object', isObject],
  array: ['an array', Array.isArray],
  null: ['null', (v) => v === null]
};

/** Adds to `walk.errors` what is wrong with `value` by `check` (generated from schema.json). */
function walkCheck(check: BenchCheck, value: unknown, walk: Walk): void {
  if (check.enum && !check.enum.includes(value as string)) {
    problem(walk, `must be one of ${check.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    return;
  }
  const types = check.type === undefined ? [] : [check.type].flat();
  if (types.length > 0 && !types.some((type) => TYPES[type][1](value))) {
    problem(walk, `must be ${TYPES[types[0]][0]}, not ${describe(value)}`);
    return;
  }
  const descend = (step: string, item: unknown, field: BenchCheck): void => {
    walk.path.push(step);
    walkCheck(field, item, walk);
    walk.path.pop();
  };
  const items = check.items;
  if (Array.isArray(value) && items) {
    value.forEach((item, i) => descend(`[${i}]`, item, items));
  } else if (isObject(value)) {
    for (const [key, field] of Object.entries(check.properties ?? {})) {
      if (key in value) {
        descend(`.${key}`, value[key], field);
      } else {
        problem(walk, `missing field ${JSON.stringify(key)}`);
      }
    }
  }
}

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
  walkCheck(BENCH_CHECKS, data, { path: ['$'], errors });
  return errors.length === 0
    ? { ok: true, value: data as BenchResult }
    : { ok: false, errors: errors.slice(0, MAX_ERRORS) };
}
