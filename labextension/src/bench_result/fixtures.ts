// Test helpers: the bench contract's files, read from the repository (tests only).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(REPO, 'tests', 'fixtures', 'bench');

export function readSchema(): Record<string, any> {
  return JSON.parse(readFileSync(path.join(REPO, 'matmul_magic', 'bench_result', 'schema.json'), 'utf8'));
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** A fresh copy of `tests/fixtures/bench/<name>.json`, safe to mutate. */
export function fixture(name: string): any {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
}
