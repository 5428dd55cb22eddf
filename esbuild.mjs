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
  // claudeLine.wasm (built from claudeLine.c by `npm run build:wasm`) travels inside the bundles
  loader: { '.wasm': 'binary' },
};

/** Native or host modules that cannot be bundled. */
const external = ['vscode', 'better-sqlite3', 'pg'];

// The CLI is a small dispatcher (dist/cli.js) and one bundle per command in dist/, loaded when that
// command runs: parsing one bundle of every command (1.1 MB, undici and zod) cost each run ~13 MiB
// of memory, `spend-band usage` included, which needs neither. A command left out of this list is
// simply bundled into dist/cli.js (test/unit/project/layering.test.ts checks that none is).
const CLI_COMMANDS = [
  'statusCommand',
  'usageCommand',
  'preflightCommand',
  'runCommand',
  'requestCommand',
  'requestsCommand',
  'reportCommand',
  'serverCommand',
  'hookCommand',
  'statuslineCommand',
  'adminCommand',
];
// What Claude Code runs on its own hot path, as single small files (src/cli/fastEntry.ts): no
// dispatcher, no second bundle to load, nothing of zod or undici. Built as dist/<name>.js.
const FAST_ENTRIES = {
  'spend-band-hook': 'src/cli/hookEntry.ts',
  'spend-band-statusline': 'src/cli/statuslineEntry.ts',
};
const commandsApart = {
  name: 'cli-commands-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/[A-Za-z]+Command$/ }, (args) => {
      const fromMain = args.importer.split('\\').join('/').endsWith('src/cli/main.ts');
      return fromMain && CLI_COMMANDS.includes(args.path.slice(2))
        ? { path: `${args.path}.js`, external: true }
        : undefined;
    });
  },
};

// The extension's HTTP goes through the extension host's global fetch (VS Code's proxy, PAC and
// certificate handling) instead of undici's own agent: src/api/defaultSender.ts becomes
// editorDefaultSender.ts in that bundle only, and the build fails if undici still gets in.
const editorTransport = {
  name: 'editor-transport',
  setup(build) {
    build.onResolve({ filter: /^\.\/defaultSender$/ }, (args) => ({
      path: join(args.resolveDir, 'editorDefaultSender.ts'),
    }));
  },
};

/** Throws when zod or undici got into the hook's or the status line's entry. */
function assertNoLibraries(result) {
  const heavy = Object.keys(result.metafile?.inputs ?? {}).find((input) => /node_modules\/(zod|undici)\//.test(input));
  if (heavy) throw new Error(`${heavy} is in a hook/statusline entry (esbuild.mjs FAST_ENTRIES): keep them small`);
}

/** Throws when undici got into the extension bundle after all. */
function assertNoUndici(result) {
  const undici = Object.keys(result.metafile?.inputs ?? {}).find((input) => input.includes('node_modules/undici/'));
  if (undici)
    throw new Error(
      `undici is in dist/extension.js (from ${undici}); the extension must use VS Code's fetch (src/api/fetchSender.ts)`,
    );
}

// Libraries every command bundle (and the server) would otherwise carry a copy of: zod ~440 KiB and
// undici ~500 KiB each. They are built once as dist/zod.js and dist/undici.js, and the bundles in dist/
// require those (`require('./zod.js')`), so each command stays its own small file and the schemas in
// src/domain/schemas.ts keep using zod's full API.
const SHARED_LIBRARIES = ['zod', 'undici'];
const sharedLibraries = {
  name: 'shared-libraries',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${SHARED_LIBRARIES.join('|')})$`) }, (args) => ({
      path: `./${args.path}.js`,
      external: true,
    }));
  },
};

const bundles = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external,
    plugins: [editorTransport],
    verify: assertNoUndici,
  },
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    external: [...external, './server.js'],
    plugins: [commandsApart],
    // import() of a command bundle as require(): no ES module loader for a CommonJS file.
    supported: { 'dynamic-import': false },
    banner: { js: '#!/usr/bin/env node' },
  },
  { entryPoints: CLI_COMMANDS.map((c) => `src/cli/${c}.ts`), outdir: 'dist', external, plugins: [sharedLibraries] },
  { entryPoints: FAST_ENTRIES, outdir: 'dist', external, verify: assertNoLibraries },
  { entryPoints: Object.fromEntries(SHARED_LIBRARIES.map((name) => [name, name])), outdir: 'dist', external },
  { entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js', external, plugins: [sharedLibraries] },
  { entryPoints: ['src/usage/scan/scanWorker.ts'], outfile: 'dist/scanWorker.js', external },
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
    const { verify, ...own } = bundle;
    const options = { ...common, ...own, plugins: [...(own.plugins ?? []), ...(watch ? [reporter] : [])] };
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
      contexts.push(ctx);
    } else {
      const result = await esbuild.build(options);
      verify?.(result);
      sizeReport(result);
    }
  }
  if (watch) console.log('watching for changes…');
}

run().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
