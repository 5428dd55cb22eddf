// Builds the bundles: the extension (cjs, `vscode` external), the CLI, the reference server and the
// usage-scan worker. `--production` minifies, `--watch` rebuilds on change, `--tests` compiles the
// test suites to out/test (each test file its own bundle, node_modules left external).
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const args = new Set(argv.filter((a) => a.startsWith('--')));
/** With --tests, optional folders or files to compile instead of all of test/unit and test/integration. */
const only = argv.filter((a) => !a.startsWith('--'));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

/** Native or host modules that cannot be bundled. */
const external = ['vscode', 'better-sqlite3'];

const bundles = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: [...external, './server.js'], banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js', external },
  { entryPoints: ['src/usage/scanWorker.ts'], outfile: 'dist/scanWorker.js', external },
];

function listTests(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTests(path));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function sizeReport(result) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    console.log(`  ${file.padEnd(28)} ${(info.bytes / 1024).toFixed(1).padStart(8)} KiB`);
  }
}

/** Reports each rebuild in watch mode. */
const reporter = {
  name: 'report',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length === 0 && result.metafile) sizeReport(result);
    });
  },
};

async function run() {
  if (tests) {
    // Unit and integration tests; test/host and test/bench are plain .mjs and need no build.
    const roots = only.length > 0 ? only : ['test/unit', 'test/integration'];
    const entryPoints = roots.flatMap((root) => (root.endsWith('.ts') ? [root] : listTests(root)));
    const result = await esbuild.build({
      ...common,
      sourcemap: 'inline',
      minify: false,
      entryPoints,
      outbase: 'test',
      outdir: 'out/test',
      packages: 'external',
      external,
      define: { 'process.env.SPEND_BAND_TEST': '"1"' },
    });
    console.log(`compiled ${entryPoints.length} test files to out/test`);
    return result;
  }
  const contexts = [];
  for (const bundle of bundles) {
    const options = { ...common, ...bundle, plugins: watch ? [reporter] : [] };
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
      contexts.push(ctx);
    } else {
      const result = await esbuild.build(options);
      sizeReport(result);
    }
  }
  if (watch) console.log('watching for changes…');
}

run().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
