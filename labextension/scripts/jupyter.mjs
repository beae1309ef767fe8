// Runs the JupyterLab extension builder from the Python environment that has JupyterLab.
// Why not plain `jupyter labextension build`: under `pip install --no-build-isolation` from a
// venv that is not activated, `jupyter` (and the `jupyter-builder` it delegates to) is not on
// PATH, so we look for it next to the interpreter too.
//
// Usage: node scripts/jupyter.mjs labextension build [--development True] .
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const isWindows = process.platform === 'win32';
const binDir = isWindows ? 'Scripts' : 'bin';
const exe = (name) => (isWindows ? `${name}.exe` : name);

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, exe(name)))) {
      return dir;
    }
  }
  return undefined;
}

/**
 * The bin directory of the Python interpreter that started this build, if any: pip runs the
 * build hook with the target environment's interpreter, which then runs npm. Linux only (/proc).
 */
function ancestorPythonBinDirs() {
  const dirs = [];
  let pid = process.ppid;
  for (let depth = 0; pid > 1 && depth < 12; depth++) {
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      if (/python[0-9.]*$/.test(path.basename(argv0)) && path.isAbsolute(argv0)) {
        dirs.push(path.dirname(argv0));
      }
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return dirs;
}

/** Directories that may hold a `jupyter` executable, most specific first. */
function candidateBinDirs() {
  const dirs = [];
  if (process.env.JUPYTER) {
    dirs.push(path.dirname(process.env.JUPYTER));
  }
  const fromPath = onPath('jupyter');
  if (fromPath) {
    dirs.push(fromPath);
  }
  dirs.push(...ancestorPythonBinDirs());
  if (process.env.MATMUL_MAGIC_VENV) {
    // scripts/setup's choice of virtualenv (relative to the repository root).
    dirs.push(path.join(path.resolve(repoRoot, process.env.MATMUL_MAGIC_VENV), binDir));
  }
  if (process.env.VIRTUAL_ENV) {
    dirs.push(path.join(process.env.VIRTUAL_ENV, binDir));
  }
  dirs.push(path.join(repoRoot, '.venv', binDir));
  return dirs.filter((dir) => existsSync(path.join(dir, exe('jupyter'))));
}

const [group, command, ...rest] = process.argv.slice(2);
if (group !== 'labextension' || !command) {
  console.error('usage: node scripts/jupyter.mjs labextension <build|develop|watch> [args]');
  process.exit(2);
}

const dirs = candidateBinDirs();
if (dirs.length === 0) {
  console.error(
    'matmul-magic: no `jupyter` found (PATH, the installing Python, $MATMUL_MAGIC_VENV, $VIRTUAL_ENV, ../.venv). Install JupyterLab 4 ' +
      '(`pip install "jupyterlab>=4.1,<5"`) or set JUPYTER=/path/to/jupyter.'
  );
  process.exit(1);
}
const dir = dirs[0];
// JupyterLab >= 4.6 moved the builder into `jupyter-builder`; older releases build in-process.
const builder = path.join(dir, exe('jupyter-builder'));
const [program, args] = existsSync(builder)
  ? [builder, [command, ...rest]]
  : [path.join(dir, exe('jupyter')), ['labextension', command, ...rest]];

// Put the environment's bin first so anything the builder spawns resolves to the same env.
const env = { ...process.env, PATH: [dir, process.env.PATH ?? ''].join(path.delimiter) };
const result = spawnSync(program, args, { stdio: 'inherit', env });
if (result.error) {
  console.error(`matmul-magic: could not run ${program}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
