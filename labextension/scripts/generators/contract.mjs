// The bench contract for TypeScript, generated from its one source,
// matmul_magic/bench_result/schema.json:
//   bench_contract.ts   the MIME type and schema version (all mime.ts loads at start-up);
//   bench_types.ts      the payload's types (json-schema-to-typescript);
//   bench_checks.ts     what the renderer checks (src/bench_result/schema.ts): each field's
//                       presence, JSON types, enum and nesting, with $refs inlined. Ranges,
//                       patterns and the status rule are left to the kernel's from_dict,
//                       which holds payloads to the whole schema.
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { compile } from 'json-schema-to-typescript';

const SOURCE = 'matmul_magic/bench_result/schema.json';
const BANNER = `// Generated from ${SOURCE} by scripts/generators/contract.mjs: do not edit.`;

/** TypeScript names for the schema's objects (the rest are inlined), as the renderer names them. */
const TYPE_NAMES = { row: 'BenchRow', point: 'SweepPoint', environment: 'BenchEnvironment' };

export async function generate({ repo, out }) {
  const schema = JSON.parse(readFileSync(path.join(repo, SOURCE), 'utf8'));
  const write = (name, text) => writeFileSync(path.join(out, name), `${BANNER}\n${text}`);
  write('bench_contract.ts', contractConstants(schema));
  write('bench_types.ts', await types(schema));
  write('bench_checks.ts', checks(schema));
}

/** The keywords the renderer's checks read; the rest (ranges, patterns, text) stay behind. */
const CHECKED = ['type', 'enum', 'items', 'properties'];

function checks(schema) {
  const reduce = (node) => {
    const target = node.$ref ? schema.$defs[node.$ref.split('/').pop()] : node;
    // Every field is always present: the renderer reports any property missing.
    const keys = Object.keys(target.properties ?? {});
    if (keys.some((key) => !target.required?.includes(key))) {
      throw new Error(`${SOURCE}: every property must be required (${keys.join(', ')})`);
    }
    const kept = {};
    for (const key of CHECKED.filter((k) => k in target)) {
      const value = target[key];
      kept[key] =
        key === 'items' ? reduce(value)
        : key === 'properties' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reduce(v)]))
        : value;
    }
    return kept;
  };
  return [
    `/** What the renderer checks of a payload: the schema's types, enums and nesting. */`,
    `export const BENCH_CHECKS: BenchCheck = ${JSON.stringify(reduce(schema))};`,
    '',
    'export interface BenchCheck {',
    '  type?: string | string[];',
    '  enum?: string[];',
    '  items?: BenchCheck;',
    '  /** Every one of them required. */',
    '  properties?: Record<string, BenchCheck>;',
    '}',
    ''
  ].join('\n');
}

function contractConstants(schema) {
  if (typeof schema.mimeType !== 'string' || !Number.isInteger(schema.properties.version.const)) {
    throw new Error(`${SOURCE} must name its mimeType and pin properties.version.const`);
  }
  return [
    `/** The MIME type bench payloads travel under. */`,
    `export const BENCH_MIME_TYPE = ${JSON.stringify(schema.mimeType)};`,
    `/** The payload version this build reads (properties.version.const). */`,
    `export const BENCH_SCHEMA_VERSION = ${schema.properties.version.const};`,
    ''
  ].join('\n');
}

async function types(schema) {
  const forTypes = JSON.parse(JSON.stringify(schema));
  // json-schema-to-typescript names a type after its title; give each the renderer's name.
  forTypes.title = 'BenchResult';
  for (const [key, name] of Object.entries(TYPE_NAMES)) {
    forTypes.$defs[key].title = name;
  }
  return compile(forTypes, 'BenchResult', {
    bannerComment: '',
    additionalProperties: false,
    unreachableDefinitions: false,
    ignoreMinAndMaxItems: true, // number[], not [number, ...number[]]: simpler for the views
    style: { singleQuote: true, printWidth: 100 }
  });
}
