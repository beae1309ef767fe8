// Bundles the anywidget front end `src/widgets/index.ts` into ONE self-contained ES module
// `../matmul_magic/widgets/static/widgets.js` (no network imports, so widgets work offline).
// All three widget classes point their `_esm` at it, so the shared rules, views and stylesheet
// ship once; each class's `_view_kind` trait picks its view (src/widgets/<widget>/, helpers in
// src/widgets/common/, the rules in src/rules/). `--production` minifies.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const entry = path.join(root, 'src', 'widgets', 'index.ts');
const outDir = path.resolve(root, '..', 'matmul_magic', 'widgets', 'static');
const outfile = path.join(outDir, 'widgets.js');
const production = process.argv.includes('--production');

if (!existsSync(entry)) {
  console.log(`build-widgets: no ${path.relative(root, entry)}, skipping`);
  process.exit(0);
}

// The folder holds only this build's output: drop bundles of earlier layouts (one per widget)
// so nothing stale ships in the wheel or counts in the size reports.
mkdirSync(outDir, { recursive: true });
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.js') && path.join(outDir, file) !== outfile) rmSync(path.join(outDir, file));
}

// The views import src/generated/ (constants the Python package owns), so write it first:
// `npm run build:widgets` may run on its own, without the build:lib step that generates it.
await import('./generate.mjs');

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: production,
  // UTF-8 text as is (×, →, —), not \u escapes: anywidget reads the file as UTF-8.
  charset: 'utf8',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning'
});
console.log(`build-widgets: ${path.relative(root, outfile)}${production ? ' (minified)' : ''}`);
