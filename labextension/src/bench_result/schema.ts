/**
 * The bench JSON contract for the renderer. Everything here comes from
 * `matmul_magic/bench_result/schema.json`, generated into `src/generated/` by
 * `scripts/generators/contract.mjs`: the types, the MIME type, the version and a compiled
 * validator. This module only words the validator's findings for people: the renderer draws a
 * payload that passed `validateBench`, and shows anything else as a readable error box.
 */
import type { ErrorObject } from 'ajv';

import { BENCH_MIME_TYPE, BENCH_SCHEMA_VERSION } from '../generated/bench_contract';
import { RULE_DESCRIPTIONS } from '../generated/bench_rules';
import type { BenchPoint, BenchResult, BenchRow } from '../generated/bench_types';
import { validate as compiledValidate } from '../generated/bench_validator';

export type { BenchEnvironment, BenchPoint, BenchResult, BenchRow } from '../generated/bench_types';
export { BENCH_MIME_TYPE, BENCH_SCHEMA_VERSION };
export type RowKind = BenchRow['kind'];
export type RowStatus = BenchRow['status'];
/** One size of a sweep (the schema's `point`). */
export type SweepPoint = BenchPoint;

export type Validation = { ok: true; value: BenchResult } | { ok: false; errors: string[] };

/** Enough problems to fix a payload; more would bury the first one. */
const MAX_ERRORS = 20;

/** ajv's standalone output, typed: a type guard that leaves its findings on `errors`. */
type CompiledValidator = ((data: unknown) => data is BenchResult) & {
  errors?: ErrorObject[] | null;
};
const schemaValidate = compiledValidate as unknown as CompiledValidator;

/** Checks `data` against the schema; on success returns it typed, otherwise readable problems. */
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
  if (schemaValidate(data)) {
    return { ok: true, value: data };
  }
  return { ok: false, errors: describeErrors(schemaValidate.errors ?? [], data) };
}

/** One line per problem, `path: what is wrong`; a broken cross-field rule is named once. */
function describeErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const lines: string[] = [];
  for (const error of errors) {
    if (lines.length === MAX_ERRORS) {
      break;
    }
    const rule = ruleOf(error.schemaPath);
    const line =
      rule !== undefined
        ? `${jsonPath(ruleOwner(error))}: ${rule}`
        : error.keyword === 'if'
          ? null // ajv's summary of a broken rule: the rule's own error says it better
          : `${jsonPath(error.instancePath)}: ${problem(error, valueAt(data, error.instancePath))}`;
    if (line !== null && !lines.includes(line)) {
      lines.push(line);
    }
  }
  return lines;
}

/** The description of the cross-field rule (`allOf/<i>`) a schema path lies in, if any. */
function ruleOf(schemaPath: string): string | undefined {
  const match = /\/(allOf\/\d+)\//.exec(schemaPath);
  return match ? RULE_DESCRIPTIONS[match[1]] : undefined;
}

/** The object a rule's error is about: a row, not the one field of it that broke the rule. */
function ruleOwner(error: ErrorObject): string {
  return /\/then\/properties\//.test(error.schemaPath)
    ? error.instancePath.replace(/\/[^/]*$/, '')
    : error.instancePath;
}

/** `/rows/0/median` as `$.rows[0].median`; a missing or unexpected field names its object. */
function jsonPath(pointer: string): string {
  let path = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return path;
}

function problem(error: ErrorObject, value: unknown): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `missing field ${JSON.stringify(params.missingProperty)}`;
    case 'additionalProperties':
      return `unexpected field ${JSON.stringify(params.additionalProperty)}`;
    case 'type':
      return `must be ${typeWords(params.type, value)}, not ${describe(value)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${params.comparison} ${params.limit}`;
    case 'minLength':
      return 'must not be empty';
    case 'minItems':
      return `must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'pattern':
      return `must match ${params.pattern}`;
    default:
      return `fails the schema's "${error.keyword}" rule`;
  }
}

/** The types a value may have, as words. null is left out when the value is present but wrong. */
function typeWords(types: unknown, value: unknown): string {
  const names = (Array.isArray(types) ? types : [types]).filter(
    (t) => t !== 'null' || value === null
  );
  const words: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    null: 'null'
  };
  return names.map((t) => words[String(t)] ?? String(t)).join(' or ');
}

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

/** The value a JSON pointer names inside `data` (undefined when it names nothing). */
function valueAt(data: unknown, pointer: string): unknown {
  let node: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}
