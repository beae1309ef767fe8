// Removes build outputs. `--lib-only` keeps the built extension and widget bundles.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targets = ['lib', 'tsconfig.tsbuildinfo'];
if (!process.argv.includes('--lib-only')) {
  targets.push('../matmul_magic/labextension', '../matmul_magic/widgets/static');
}
for (const target of targets) {
  rmSync(path.resolve(root, target), { recursive: true, force: true });
}
