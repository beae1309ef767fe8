// Writes src/generated/ (git-ignored) from the one sources of truth that live outside this
// folder: every module in scripts/generators/ exports `generate({ repo, out })` and writes its
// own files into `out`. npm runs this before every build, typecheck, lint and test, so the
// TypeScript never holds a hand-kept copy of a rule Python also owns.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const repo = path.resolve(root, '..');
const out = path.join(root, 'src', 'generated');
const generatorsDir = path.join(here, 'generators');

mkdirSync(out, { recursive: true });
const generators = readdirSync(generatorsDir)
  .filter((file) => file.endsWith('.mjs'))
  .sort();
for (const file of generators) {
  const module = await import(pathToFileURL(path.join(generatorsDir, file)).href);
  await module.generate({ repo, out });
}
