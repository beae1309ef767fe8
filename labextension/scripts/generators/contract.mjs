// The bench contract for TypeScript, generated from its one source,
// matmul_magic/bench_result/schema.json:
//   bench_contract.ts   the MIME type and schema version (all mime.ts loads at start-up);
//   bench_types.ts      the payload's types (json-schema-to-typescript);
//   bench_validator.ts  the schema compiled to a standalone validator (ajv), loaded with the view;
//   bench_rules.ts      the descriptions of the schema's cross-field rules, for error messages.
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { compile } from 'json-schema-to-typescript';

const SOURCE = 'matmul_magic/bench_result/schema.json';
const BANNER = `// Generated from ${SOURCE} by scripts/generators/contract.mjs: do not edit.`;

/** TypeScript names for the schema's objects (the rest are inlined), as the renderer names them. */
const TYPE_NAMES = { row: 'BenchRow', point: 'BenchPoint', environment: 'BenchEnvironment' };

export async function generate({ repo, out }) {
  const schema = JSON.parse(readFileSync(path.join(repo, SOURCE), 'utf8'));
  const write = (name, text) => writeFileSync(path.join(out, name), `${BANNER}\n${text}`);
  write('bench_contract.ts', contractConstants(schema));
  write('bench_types.ts', await types(schema));
  write('bench_validator.ts', validatorModule(schema));
  write('bench_rules.ts', ruleDescriptions(schema));
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
  // The cross-field rules (allOf: if/then) are for the validator; as types they would only
  // widen every row with an index signature.
  const forTypes = withoutKeywords(schema, new Set(['allOf']));
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

/**
 * ajv's standalone code as an ES module. ajv writes its run-time helpers (such as ucs2length,
 * which minLength needs to count characters, not UTF-16 units) as CommonJS `require` calls;
 * they become imports here, so webpack and vitest both resolve them, and ajv is a run-time
 * dependency of the extension (only those small helpers reach the bundle).
 */
function validatorModule(schema) {
  const ajv = new Ajv2020({
    allErrors: true,
    allowUnionTypes: true,
    strict: true,
    // schema.ts words the errors from keyword and params: ajv's own messages are dead weight.
    messages: false,
    loopRequired: 3, // one loop per object, not a block of code per required field
    code: { source: true, esm: true, optimize: true }
  });
  const imports = [];
  const code = standaloneCode(ajv, ajv.compile(withoutKeywords(schema, ANNOTATIONS))).replace(
    /const (\w+) = require\(("ajv\/dist\/runtime\/\w+")\)\.default;/g,
    (_match, name, module) => {
      imports.push(`import * as ${name}_module from ${module};`);
      // A bundler hands over the CommonJS module's `default` export, Node's ESM loader the
      // whole module.exports: take the function either way.
      return `const ${name} = ${name}_module.default?.default ?? ${name}_module.default;`;
    }
  );
  if (/\brequire\(/.test(code)) {
    throw new Error(`${SOURCE}: ajv's validator has a require() this generator does not turn into an import`);
  }
  // @ts-nocheck: ajv's output is plain JavaScript; schema.ts gives it its type.
  return ['// @ts-nocheck', '/* eslint-disable */', ...imports, code, ''].join('\n');
}

/** Keywords that explain but never check; the compiled code keeps what it checks, not prose. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', 'mimeType', '$comment']);

/** `schema` without the keywords in `drop` (where they are keywords: a property may be called "default"). */
function withoutKeywords(schema, drop) {
  const strip = (node, isPropertyMap = false) => {
    if (Array.isArray(node)) {
      return node.map((item) => strip(item));
    }
    if (node === null || typeof node !== 'object') {
      return node;
    }
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (isPropertyMap || !drop.has(key)) {
        out[key] = strip(value, !isPropertyMap && (key === 'properties' || key === '$defs'));
      }
    }
    return out;
  };
  return strip(schema);
}

/**
 * The descriptions of the schema's `allOf` rules, keyed `allOf/<i>`. ajv reports a schema path
 * relative to the definition it compiled on its own (`#/allOf/0/then/...` for a row), so the key
 * leaves the definition out; only one object may then hold such rules, and this checks it.
 */
function ruleDescriptions(schema) {
  const rules = {};
  const owners = [];
  const visit = (node, pointer) => {
    if (node === null || typeof node !== 'object') {
      return;
    }
    if (Array.isArray(node.allOf)) {
      owners.push(pointer);
      node.allOf.forEach((rule, i) => {
        if (!rule.description) {
          throw new Error(`${SOURCE}: ${pointer}/allOf/${i} needs a description for error messages`);
        }
        rules[`allOf/${i}`] = rule.description;
      });
    }
    for (const [key, child] of Object.entries(node)) {
      visit(child, `${pointer}/${key}`);
    }
  };
  visit(schema, '#');
  if (owners.length > 1) {
    throw new Error(`${SOURCE}: allOf rules in ${owners.join(' and ')}; error messages expect one owner`);
  }
  return [
    '/** Why a cross-field rule exists, in words a reader of the error box can act on. */',
    `export const RULE_DESCRIPTIONS: Readonly<Record<string, string>> = ${JSON.stringify(rules, null, 2)};`,
    ''
  ].join('\n');
}
