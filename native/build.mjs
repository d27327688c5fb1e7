#!/usr/bin/env node
// Builds the native `torch` backend (native/build/Release/disentangle_torch.node) against libtorch.
// Default: Debian's libtorch-dev (apt-get install -y libtorch-dev). LIBTORCH_DIR=/path/to/libtorch (a folder
// with include/ and lib/, e.g. the torch/ folder of a pip PyTorch install) builds against any other libtorch,
// which is the road to CUDA.
// `--if-available` (what `npm ci` runs, through the package's `prepare` script): build when libtorch is found,
// else say so and exit 0, so that a machine without libtorch still installs and `auto` uses wasm.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const optional = process.argv.includes('--if-available');

function fail(msg) {
  if (optional) {
    process.stderr.write(
      `build:native: skipped — ${msg}\n` +
        `build:native: the toolkit uses the wasm backend; for the faster native one, fix the above and run npm run build:native\n`,
    );
    process.exit(0);
  }
  process.stderr.write(`build:native: ${msg}\n`);
  process.exit(1);
}

function findLibtorch() {
  const dir = process.env.LIBTORCH_DIR;
  if (dir) {
    const root = resolve(dir);
    const inc = join(root, 'include');
    const lib = join(root, 'lib');
    if (!existsSync(join(inc, 'ATen', 'ATen.h'))) {
      fail(
        `LIBTORCH_DIR=${dir} has no include/ATen/ATen.h: point it at a libtorch folder (with include/ and lib/), ` +
          `e.g. $(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')`,
      );
    }
    if (!existsSync(join(lib, 'libtorch.so')) && !existsSync(join(lib, 'libtorch.dylib')))
      fail(`LIBTORCH_DIR=${dir} has no lib/libtorch.so`);
    return { include: [inc, join(inc, 'torch', 'csrc', 'api', 'include')], lib };
  }
  let multiarch = 'x86_64-linux-gnu';
  try {
    multiarch = execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim() || multiarch;
  } catch {
    /* keep default */
  }
  const lib = `/usr/lib/${multiarch}`;
  if (!existsSync('/usr/include/ATen/ATen.h') || !existsSync(join(lib, 'libtorch.so'))) {
    fail(
      "libtorch not found. Install Debian's package (apt-get install -y libtorch-dev) " +
        "or set LIBTORCH_DIR to a libtorch folder with include/ and lib/ (such as a PyTorch install's torch/ folder).",
    );
  }
  return { include: ['/usr/include', '/usr/include/torch/csrc/api/include'], lib };
}

/** Pip wheels of PyTorch < 2.? were built with the pre-C++11 string ABI; Debian's with the new one. */
function cxx11Abi(lib) {
  if (process.env.LIBTORCH_CXX11_ABI) return process.env.LIBTORCH_CXX11_ABI;
  try {
    const syms = execFileSync('nm', ['-DC', join(lib, 'libc10.so')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return syms.includes('std::__cxx11::') ? '1' : '0';
  } catch {
    return '1';
  }
}

function nodeGyp() {
  const bundled = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  if (existsSync(bundled)) return [process.execPath, [bundled]];
  return ['node-gyp', []];
}

/**
 * Every native/src/*.cc must be in binding.gyp's sources: one left out still links (a shared library may
 * leave symbols undefined) and fails only when the addon loads.
 */
function checkSources() {
  const gyp = readFileSync(join(here, 'binding.gyp'), 'utf8');
  const listed = new Set([...gyp.matchAll(/"(src\/[^"]+\.cc)"/g)].map((m) => m[1]));
  const missing = readdirSync(join(here, 'src'))
    .filter((f) => f.endsWith('.cc'))
    .map((f) => `src/${f}`)
    .filter((f) => !listed.has(f));
  if (missing.length) fail(`native/binding.gyp's "sources" lacks ${missing.join(', ')}: add them there`);
}

checkSources();
const { include, lib } = findLibtorch();
// A CUDA build of libtorch registers its CUDA kernels from libtorch_cuda.so / libc10_cuda.so, which nothing in
// the addon references by name: link them with --no-as-needed so that they load (else at::hasCUDA() is false).
const cudaLibs = ['torch_cuda', 'c10_cuda'].filter((l) => existsSync(join(lib, `lib${l}.so`)));
const extra = cudaLibs.length ? `-Wl,--no-as-needed ${cudaLibs.map((l) => `-l${l}`).join(' ')} -Wl,--as-needed` : '';
const env = {
  ...process.env,
  LIBTORCH_INCLUDE: include.join(' '),
  LIBTORCH_LIB: lib,
  LIBTORCH_CXX11_ABI: cxx11Abi(lib),
  LIBTORCH_EXTRA_LIBS: extra,
};
const [cmd, pre] = nodeGyp();
const args = [...pre, 'rebuild', '-j', 'max'];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
process.stderr.write(
  `build:native: libtorch ${lib} (C++11 ABI ${env.LIBTORCH_CXX11_ABI}${cudaLibs.length ? ', with CUDA' : ', CPU only'})\n`,
);
const r = spawnSync(cmd, args, { cwd: here, env, stdio: 'inherit' });
if (r.status !== 0) fail(`node-gyp failed (exit ${r.status ?? r.signal})`);
process.stderr.write(`build:native: built ${join(here, 'build', 'Release', 'disentangle_torch.node')}\n`);
