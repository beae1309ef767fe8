// Bundles each anywidget front end `src/widgets/<name>.ts` into a self-contained ES module
// `../matmul_magic/widgets/static/<name>.js` (no network imports, so widgets work offline).
// Entry points are discovered by listing the folder, so a missing widget is simply not built.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const srcDir = path.join(root, 'src', 'widgets');
const outDir = path.resolve(root, '..', 'matmul_magic', 'widgets', 'static');
const production = process.argv.includes('--production');

const isEntry = (file) =>
  file.endsWith('.ts') && !file.endsWith('.d.ts') && !/\.(test|spec)\.ts$/.test(file);
const entries = existsSync(srcDir) ? readdirSync(srcDir).filter(isEntry).sort() : [];

if (entries.length === 0) {
  console.log(`build-widgets: no widget entry points in ${path.relative(root, srcDir)}/, skipping`);
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
for (const file of entries) {
  const name = path.basename(file, '.ts');
  const outfile = path.join(outDir, `${name}.js`);
  await build({
    entryPoints: [path.join(srcDir, file)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: production,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning'
  });
  console.log(`build-widgets: ${path.relative(root, outfile)}`);
}
