// `npm start` launcher: runs the server from a bundle built by esbuild (starts in a fraction of
// the time tsx needs to transpile ~150 files), rebuilding it first when any source is newer.
// `node server/start.mjs --build` only builds (used by `npm install` through "prepare").
// `node server/start.mjs --cli <command>` (`npm run cli`) runs the CLI from the same bundle: the
// addon versions it records (hashes of the compiled schema code) then match the server's.

import { readdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Same depth as models/*/x.ts so `new URL('../../data/...', import.meta.url)` still resolves.
const outdir = path.join(root, '.build', 'bundle');
const entries = ['server/main.ts', 'server/cli.ts'];

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json') || entry.name.endsWith('.csv')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const dir of ['server', 'models', 'rpc', 'data']) walk(path.join(root, dir));
  // this file holds the build options: a change to them needs a new bundle too
  newest = Math.max(newest, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  return Math.max(newest, statSync(path.join(root, 'package-lock.json'), { throwIfNoEntry: false })?.mtimeMs ?? 0);
}

function bundleTime() {
  try {
    return Math.min(...entries.map((e) => statSync(path.join(outdir, path.basename(e).replace(/\.ts$/, '.mjs'))).mtimeMs));
  } catch {
    return 0;
  }
}

async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: entries.map((e) => path.join(root, e)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    outExtension: { '.js': '.mjs' },
    // server and CLI share one copy of the code (same compiled schema functions, same addon versions)
    splitting: true,
    sourcemap: true,
    metafile: true,
    absWorkingDir: root,
    logLevel: 'warning',
  });
  // files of earlier builds: a running server loaded its own at start (no lazy imports)
  const current = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(root, f)));
  for (const f of readdirSync(outdir)) {
    if (!current.has(path.join(outdir, f))) rmSync(path.join(outdir, f), { force: true });
  }
}

const buildOnly = process.argv.includes('--build');
const cli = process.argv[2] === '--cli';
// commander reads the command from argv[2] on
if (cli) process.argv.splice(2, 1);
if (buildOnly || bundleTime() < newestSource()) await build();
if (!buildOnly) await import(pathToFileURL(path.join(outdir, cli ? 'cli.mjs' : 'main.mjs')).href);
