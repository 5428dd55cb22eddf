// Benchmark (not a test): the monthly team review for 1,000 developers with 3 months of generated usage
// events, built on SQLite and on PostgreSQL from the same rows (dist/server.js openAdmin().review()).
//
//   node esbuild.mjs && node test/bench/reviewBench.mjs   (BENCH_DEVELOPERS=1000, BENCH_EVENTS_PER_DAY=6, BENCH_ROUNDS=3)
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './postgresCluster.mjs';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const server = require(join(ROOT, 'dist', 'server.js'));
const DEVELOPERS = Number(process.env.BENCH_DEVELOPERS ?? 1000);
const PER_DAY = Number(process.env.BENCH_EVENTS_PER_DAY ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROLES = ['backend_engineer', 'frontend_engineer', 'platform_engineer'];
const CLASSES = ['light_assist', 'deep_coding', 'review', 'research', 'background_automation'];
const START = Date.parse('2026-09-01T00:00:00Z');
const DAYS = 91;
const NOW = new Date('2026-12-02T09:00:00Z');

const unit = (seed) => createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;

/** JSON lines for one developer's three months (deterministic). */
function developerLines(id) {
  const lines = [];
  for (let d = 0; d < DAYS; d++) {
    for (let i = 0; i < PER_DAY; i++) {
      const seed = `${id}:${d}:${i}`;
      const t = START + d * 86_400_000 + Math.floor(unit(`${seed}:t`) * 86_400_000);
      const cost = Math.round(unit(`${seed}:c`) ** 3 * 8_000_000);
      lines.push(
        JSON.stringify({
          developer: id,
          time: new Date(t).toISOString(),
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          workflow: CLASSES[Math.floor(unit(`${seed}:w`) * CLASSES.length)],
          cost_micros: cost,
          id: seed,
        }),
      );
    }
  }
  return lines.join('\n');
}

async function fill(location) {
  const admin = await server.openAdmin(location, {});
  const t0 = performance.now();
  for (const role of ROLES) {
    await admin.setSeat({
      role,
      vendor: 'github',
      product: 'copilot_business',
      currency: 'USD',
      costMicros: 19_000_000,
    });
  }
  for (let n = 0; n < DEVELOPERS; n++) {
    const id = `dev${String(n).padStart(4, '0')}`;
    await admin.addDeveloper({ id, role: ROLES[n % 3], team: 'bench' }, NOW.getTime());
  }
  for (const role of ROLES)
    for (const workflow of CLASSES)
      await admin.setBand({
        scope: { roleId: role },
        workflow,
        interval: 'P1M',
        timezone: 'UTC',
        currency: 'USD',
        allocatedMicros: 60_000_000,
        enforcement: 'soft',
        thresholds: [80, 100],
      });
  let events = 0;
  for (let n = 0; n < DEVELOPERS; n++) {
    const r = await admin.importUsage(developerLines(`dev${String(n).padStart(4, '0')}`), 'bench.jsonl');
    if (r.errors) throw new Error(r.errors[0]);
    events += r.inserted;
  }
  const fillMs = performance.now() - t0;
  return { admin, events, fillMs };
}

async function measure(name, location) {
  const { admin, events, fillMs } = await fill(location);
  const times = [];
  let review;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    review = await admin.review({ team: 'bench', period: 'month', date: '2026-11-15', now: NOW });
    times.push(performance.now() - t);
  }
  await admin.close();
  times.sort((a, b) => a - b);
  return {
    name,
    events,
    fillS: (fillMs / 1000).toFixed(1),
    medianMs: Math.round(times[Math.floor(times.length / 2)]),
    allMs: times.map(Math.round),
    developers: review.developers.length,
    outliers: review.outliers.length,
    usage: review.totals.usageMicros,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'spend-band-reviewbench-'));
const pg = await startPostgres();
try {
  const load0 = loadavg()[0];
  const sqlite = await measure(
    `SQLite (${process.env.SPEND_BAND_SQLITE ?? (process.versions.node.split('.')[0] >= 23 ? 'node:sqlite' : 'better-sqlite3')})`,
    join(dir, 'server.db'),
  );
  const postgres = await measure('PostgreSQL 15 (pg)', await pg.createDatabase('bench'));
  const load1 = loadavg()[0];
  console.log(
    `monthly review, ${DEVELOPERS} developers × ${DAYS} days × ${PER_DAY} events, node ${process.version}, ${cpus().length} cores, load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
  );
  for (const r of [sqlite, postgres])
    console.log(
      `${r.name.padEnd(28)} ${String(r.events).padStart(8)} events, filled in ${r.fillS} s; review median ${r.medianMs} ms (${r.allMs.join(', ')} ms), ${r.developers} developers, ${r.outliers} outliers`,
    );
  if (sqlite.usage !== postgres.usage)
    throw new Error(`the engines disagree: ${sqlite.usage} vs ${postgres.usage} micros`);
  console.log(`both engines: usage ${sqlite.usage} micros (identical)`);
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
