// Benchmark of the usage scan beside ccusage, on the same generated corpus, in the same run.
//
//   node test/bench/usageBench.mjs [--size 100MB] [--runs 3] [--refreshes 5] [--seed 1] [--regen]
//
// Needs: `node esbuild.mjs` (dist/cli.js, dist/scanWorker.js), /usr/bin/time (Debian `time`), and
// for the comparison ccusage 20 in .bench (npm install --prefix .bench/ccusage20 ccusage@20.0.24);
// optional: ccusage 19 with Node 24 (npm install --prefix .bench/node24 node@24.21.0 and
// npm install --prefix .bench/ccusage19 ccusage@19.0.3). Missing comparison tools are skipped.
// Measures: a full scan with a cold index (ours: the CLI end to end, process start included) and
// ccusage's `daily --json --offline`, wall time and peak RSS of each; token totals per day of each
// against the generator's ground truth; an incremental refresh after appending 1 MB (in a running
// UsageMeter with its worker, and as a new CLI process reusing the persisted index); and the longest
// stall of the calling thread's event loop during a full scan with the worker.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  rmSync,
  readFileSync,
  appendFileSync,
  readdirSync,
  statSync,
  cpSync,
  mkdirSync,
  linkSync,
  copyFileSync,
  renameSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { generateCorpus, parseSize } from './corpusGen.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const get = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const sizeText = get('size', '100MB');
const size = parseSize(sizeText);
const runs = Number(get('runs', '3'));
/** incremental refreshes timed in the running meter (each after appending 1 MiB) */
const refreshes = Number(get('refreshes', '5'));
const corpus = join(root, '.bench', `corpus-${sizeText}`);
const log = (...a) => console.error(...a);

if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'scanWorker.js'))) {
  log('building dist/ (node esbuild.mjs)…');
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
}
if (args.includes('--regen') || !existsSync(join(corpus, 'expected.json'))) {
  log(`generating a ${sizeText} corpus in ${corpus}…`);
  const r = generateCorpus({ dir: corpus, bytes: size, seed: Number(get('seed', '1')) });
  log(`  ${(r.bytes / 1048576).toFixed(1)} MiB in ${r.files} files`);
}
const corpusBytes = duBytes(corpus);
const expected = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8'));

function duBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.jsonl')) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  }
  return n;
}

/** Run a command under /usr/bin/time: wall seconds, CPU seconds (user + system), peak RSS in KiB, stdout. */
function timed(cmd, argv, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...argv], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const lines = r.stderr.trim().split('\n');
  const [wall, rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
  return { wall, rssKiB: rss, cpu: user + sys, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const results = [];
const perDay = {};
const emptyHome = mkdtempSync(join(tmpdir(), 'sb-bench-home-'));
const claudeDir = join(corpus, 'claude');
const codexDir = join(corpus, 'codex');

// --- full scans, interleaved (ours, ccusage 20, ccusage 19) so that a busy machine hurts all alike ---
const cc20 = join(root, '.bench', 'ccusage20', 'node_modules', '@ccusage', 'ccusage-linux-x64', 'bin', 'ccusage');
const node24 = join(root, '.bench', 'node24', 'node_modules', 'node', 'bin', 'node');
const cc19 = join(root, '.bench', 'ccusage19', 'node_modules', 'ccusage', 'dist', 'index.js');
const tools = [
  {
    name: 'spend-band usage (cold index)',
    key: 'ours',
    run() {
      const cache = mkdtempSync(join(tmpdir(), 'sb-bench-cache-'));
      try {
        return timed(
          process.execPath,
          [
            join(root, 'dist', 'cli.js'),
            'usage',
            '--json',
            '--by',
            'day',
            '--timezone',
            'UTC',
            '--claude-dir',
            claudeDir,
            '--codex-dir',
            codexDir,
            '--cache-dir',
            cache,
            '--prices',
            join(cache, 'none.json'),
          ],
          { HOME: emptyHome },
        );
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
    days: (out) =>
      Object.fromEntries(
        out.rows.map((r) => [
          r.key,
          {
            input: r.tokens.input,
            output: r.tokens.output,
            cache_read: r.tokens.cache_read,
            cache_write: r.tokens.cache_write,
          },
        ]),
      ),
  },
];
if (existsSync(cc20)) {
  tools.push({
    name: 'ccusage 20.0.24 daily --offline',
    key: 'ccusage20',
    run: () =>
      timed(cc20, ['daily', '--json', '--offline'], {
        HOME: emptyHome,
        CLAUDE_CONFIG_DIR: claudeDir,
        CODEX_HOME: codexDir,
        TZ: 'UTC',
      }),
    days: (out) =>
      Object.fromEntries(
        out.daily.map((d) => [
          d.period ?? d.date,
          {
            input: d.inputTokens,
            output: d.outputTokens,
            cache_read: d.cacheReadTokens,
            cache_write: d.cacheCreationTokens,
          },
        ]),
      ),
  });
} else {
  log('ccusage 20 not installed in .bench/ccusage20: skipped (npm install --prefix .bench/ccusage20 ccusage@20.0.24)');
}
if (existsSync(node24) && existsSync(cc19)) {
  // ccusage 19 reads Claude Code only (its Codex report was a separate package).
  tools.push({
    name: 'ccusage 19.0.3 daily --offline (Node 24, Claude Code only)',
    key: 'ccusage19claude',
    run: () =>
      timed(node24, [cc19, 'daily', '--json', '--offline'], {
        HOME: emptyHome,
        CLAUDE_CONFIG_DIR: claudeDir,
        TZ: 'UTC',
      }),
    days: (out) =>
      Object.fromEntries(
        (out.daily ?? []).map((d) => [
          d.date ?? d.period,
          {
            input: d.inputTokens,
            output: d.outputTokens,
            cache_read: d.cacheReadTokens,
            cache_write: d.cacheCreationTokens,
          },
        ]),
      ),
  });
}
const samples = new Map(tools.map((t) => [t.key, []]));
for (let i = 0; i < runs; i++) {
  for (const tool of tools) {
    const r = tool.run();
    samples.get(tool.key).push(r);
    if (i === runs - 1) perDay[tool.key] = tool.days(JSON.parse(r.stdout));
  }
}
for (const tool of tools) {
  const xs = samples.get(tool.key);
  results.push({
    tool: tool.name,
    wall: median(xs.map((x) => x.wall)),
    best: Math.min(...xs.map((x) => x.wall)),
    cpu: median(xs.map((x) => x.cpu)),
    rssKiB: Math.max(...xs.map((x) => x.rssKiB)),
  });
}

// --- incremental: a running UsageMeter (worker), and a new CLI process on the persisted index ---
const incremental = await measureIncremental();

/** The Claude sessions the incremental measurement appends to. */
function appendTargets(dir) {
  return readdirSync(join(dir, 'claude', 'projects'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl') && !(e.parentPath ?? e.path).includes('subagents'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort()
    .slice(0, 4);
}

/**
 * A working copy of the corpus that costs no disk: every file hard-linked (same inode, size and
 * mtime), except the files appended to, which are real copies (so the corpus stays as generated).
 * Falls back to a full copy where links cannot be made.
 */
function workingCopy(from, to) {
  try {
    for (const e of readdirSync(from, { withFileTypes: true, recursive: true })) {
      const src = join(e.parentPath ?? e.path, e.name);
      const dst = join(to, src.slice(from.length));
      if (e.isDirectory()) mkdirSync(dst, { recursive: true });
      else if (e.isFile()) {
        mkdirSync(dirname(dst), { recursive: true });
        linkSync(src, dst);
      }
    }
  } catch {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true, preserveTimestamps: true });
  }
  for (const file of appendTargets(to)) {
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
  }
}

function appendMiB(dir, bytes) {
  // Append new responses to Claude sessions.
  const claudeFiles = appendTargets(dir);
  let written = 0;
  let n = 0;
  const pad = 'x'.repeat(2000);
  while (written < bytes) {
    const file = claudeFiles[n % claudeFiles.length];
    const line = JSON.stringify({
      parentUuid: null,
      isSidechain: false,
      cwd: '/home/dev/work/appended',
      sessionId: 'appended-session',
      message: {
        id: `msg_append_${Date.now()}_${n}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'text', text: pad }],
        usage: { input_tokens: 3, cache_creation_input_tokens: 10, cache_read_input_tokens: 1000, output_tokens: 50 },
      },
      requestId: `req_append_${n}`,
      type: 'assistant',
      uuid: `u-${n}`,
      timestamp: new Date(Date.UTC(2026, 10, 28, 12, 0, n % 60)).toISOString(),
    });
    appendFileSync(file, `${line}\n`);
    written += line.length + 1;
    n++;
  }
  return n;
}

async function measureIncremental() {
  // Work on a copy so the corpus stays as generated.
  const work = mkdtempSync(join(root, '.bench', 'inc-'));
  workingCopy(corpus, work);
  const cache = join(work, 'cache');
  mkdirSync(cache);
  const bundle = join(root, '.bench', 'usageMeter.cjs');
  const esbuild = createRequire(join(root, 'package.json'))('esbuild');
  esbuild.buildSync({
    entryPoints: [join(root, 'src', 'usage', 'usageMeter.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    loader: { '.wasm': 'binary' },
    logLevel: 'error',
  });
  const { UsageMeter } = createRequire(import.meta.url)(bundle);
  const options = {
    claudeDirs: [join(work, 'claude')],
    codexDirs: [join(work, 'codex')],
    statePath: join(cache, 'index.bin'),
    workerScript: join(root, 'dist', 'scanWorker.js'),
  };

  // Full scan through the worker, watching how long this thread's event loop is ever held.
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let meter = new UsageMeter(options);
  const t0 = performance.now();
  let progressEvents = 0;
  await meter.refresh({ onProgress: () => progressEvents++ });
  const fullWorker = performance.now() - t0;
  h.disable();
  const maxStallMs = h.max / 1e6;
  await meter.dispose();

  // Restart: a new meter on the persisted index (nothing changed) — must not rescan.
  meter = new UsageMeter(options);
  const t1 = performance.now();
  const s1 = await meter.refresh();
  const restart = performance.now() - t1;
  if (s1.stats.bytesRead !== 0) log(`warning: restart read ${s1.stats.bytesRead} bytes`);

  const times = [];
  for (let i = 0; i < refreshes; i++) {
    appendMiB(work, 1 << 20);
    const t = performance.now();
    const s = await meter.refresh();
    times.push(performance.now() - t);
    if (s.stats.bytesRead < 1 << 20) log(`warning: incremental read only ${s.stats.bytesRead} bytes`);
  }
  await meter.dispose();

  const cliArgs = [
    join(root, 'dist', 'cli.js'),
    'usage',
    '--json',
    '--claude-dir',
    join(work, 'claude'),
    '--codex-dir',
    join(work, 'codex'),
    '--cache-dir',
    cache,
    '--prices',
    join(cache, 'none.json'),
  ];
  timed(process.execPath, cliArgs, { HOME: emptyHome }); // the CLI's own index, warm
  appendMiB(work, 1 << 20);
  const cli = timed(process.execPath, cliArgs, { HOME: emptyHome });
  const indexBytes = readdirSync(cache).reduce((n, f) => n + statSync(join(cache, f)).size, 0);
  rmSync(work, { recursive: true, force: true });
  return {
    fullWorker,
    maxStallMs,
    progressEvents,
    restart,
    incrementalMs: median(times),
    incrementalAll: times,
    cliIncremental: cli,
    indexBytes,
  };
}

// --- report ---
const mib = corpusBytes / 1048576;
console.log(
  `\nCorpus: ${mib.toFixed(1)} MiB (${corpus}), ${runs} run(s) each, median wall time, peak RSS; ${process.platform} ${(await import('node:os')).availableParallelism()} cores, Node ${process.version}\n`,
);
console.log('| tool | full scan, median (best) | MiB/s | CPU time (user+sys) | peak RSS |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.tool} | ${r.wall.toFixed(2)} s (${r.best.toFixed(2)} s) | ${(mib / r.wall).toFixed(0)} | ${r.cpu.toFixed(2)} s | ${(r.rssKiB / 1024).toFixed(0)} MiB |`,
  );
console.log(
  `load average at the end: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const ours = results[0];
const rust = results.find((r) => r.tool.startsWith('ccusage 20'));
if (rust)
  console.log(
    `\nours / ccusage 20: wall time ${(ours.wall / rust.wall).toFixed(2)}, CPU time ${(ours.cpu / rust.cpu).toFixed(2)} (below 1 = ours is faster / cheaper)`,
  );
console.log(
  `\nUsageMeter with its worker: full scan ${fullWorker()} ms; longest event-loop stall of the calling thread during it ${incremental.maxStallMs.toFixed(1)} ms; ${incremental.progressEvents} progress events`,
);
console.log(
  `restart on the persisted index (nothing new): ${incremental.restart.toFixed(1)} ms (index ${(incremental.indexBytes / 1048576).toFixed(1)} MiB on disk)`,
);
console.log(
  `incremental refresh after appending 1 MiB, running meter: median ${incremental.incrementalMs.toFixed(1)} ms, max ${Math.max(...incremental.incrementalAll).toFixed(1)} ms (${incremental.incrementalAll.map((t) => t.toFixed(1)).join(', ')})`,
);
console.log(
  `incremental as a new CLI process (process start + index load + 1 MiB): ${incremental.cliIncremental.wall.toFixed(2)} s, peak RSS ${(incremental.cliIncremental.rssKiB / 1024).toFixed(0)} MiB`,
);

function fullWorker() {
  return incremental.fullWorker.toFixed(0);
}

// Token totals per day: ours, each ccusage, and the generator's truth.
const truth = {};
for (const [day, agents] of Object.entries(expected)) {
  const t = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  for (const a of Object.values(agents)) for (const k of Object.keys(t)) t[k] += a[k];
  truth[day] = t;
}
const truthClaude = Object.fromEntries(
  Object.entries(expected)
    .filter(([, a]) => a.claude_code)
    .map(([d, a]) => [d, a.claude_code]),
);
function compare(name, got, want) {
  const days = new Set([...Object.keys(got ?? {}), ...Object.keys(want)]);
  let diffDays = 0;
  const examples = [];
  for (const day of [...days].sort()) {
    const g = got?.[day] ?? {};
    const w = want[day] ?? {};
    const bad = ['input', 'output', 'cache_read', 'cache_write'].filter((k) => (g[k] ?? 0) !== (w[k] ?? 0));
    if (bad.length > 0) {
      diffDays++;
      if (examples.length < 3)
        examples.push(`${day}: ${bad.map((k) => `${k} ${g[k] ?? 0} vs ${w[k] ?? 0}`).join(', ')}`);
    }
  }
  console.log(
    `${name}: ${days.size - diffDays}/${days.size} days equal${examples.length ? `; e.g. ${examples.join('; ')}` : ''}`,
  );
}
console.log('\nToken totals per UTC day (input, output, cache read, cache write):');
compare('ours vs ground truth', perDay.ours, truth);
if (perDay.ccusage20) {
  compare('ccusage 20 vs ground truth', perDay.ccusage20, truth);
  compare('ours vs ccusage 20', perDay.ours, perDay.ccusage20);
}
if (perDay.ccusage19claude)
  compare('ccusage 19 (Claude only) vs Claude ground truth', perDay.ccusage19claude, truthClaude);
rmSync(emptyHome, { recursive: true, force: true });
