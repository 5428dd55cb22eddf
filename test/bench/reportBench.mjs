// Measures the time to build and render the spend report with a year of usage data: a year of local
// metering rollups (per agent session and minute, as src/usage delivers them) and tagged sessions, or
// a year of an endpoint's hourly buckets, turned into the report model of this month and its HTML
// body (the same code the webview and the CLI run). Not a test: it prints figures.
//
//   node test/bench/reportBench.mjs [--events-per-day 300] [--runs 7]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { 'events-per-day': { type: 'string', default: '300' }, runs: { type: 'string', default: '7' } },
});
const perDay = Number(values['events-per-day']);
const runs = Number(values.runs);
const repo = fileURLToPath(new URL('../..', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'sb-report-bench-'));
try {
  const out = join(dir, 'report.mjs');
  await build({
    stdin: {
      contents: `export { buildReport } from './src/domain/reportModel';
export { reportBodyHtml } from './src/domain/reportHtml';
export { rowsFromMetering, runsFromMetering } from './src/domain/reportUsage';
export { windowContaining } from './src/domain/reportWindow';
export { reportToCsv, reportToJson } from './src/domain/reportExport';`,
      resolveDir: repo,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'warning',
  });
  const r = await import(pathToFileURL(out).href);

  // deterministic pseudo-random numbers
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 0x1_0000_0000;

  const now = new Date('2026-11-18T15:00:00Z');
  const DAY = 86_400_000;
  const start = now.getTime() - 365 * DAY;
  const classes = ['deep_coding', 'review', 'research', 'background_automation', 'light_assist'];
  const models = ['claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-5', 'gpt-5-codex'];
  const events = [];
  const sessions = [];
  for (let d = 0; d < 365; d++) {
    const dayStart = start + d * DAY;
    // 8 tagged sessions a day, one agent session each
    for (let s = 0; s < 8; s++) {
      const sStart = dayStart + (8 + s) * 3_600_000;
      sessions.push({
        id: `00000000-0000-4000-8000-${String(d * 8 + s).padStart(12, '0')}`,
        workflow: classes[(d + s) % classes.length],
        start: new Date(sStart).toISOString(),
        end: new Date(sStart + 50 * 60_000).toISOString(),
      });
    }
    for (let i = 0; i < perDay; i++) {
      const s = i % 8;
      const t = dayStart + (8 + s) * 3_600_000 + Math.floor(rand() * 60) * 60_000;
      events.push({
        timestamp: t,
        agent: s % 3 === 0 ? 'codex' : 'claude_code',
        model: models[i % models.length],
        costMicros: rand() < 0.02 ? null : Math.round(rand() * rand() * 4_000_000),
        sessionId: `sess-${d}-${s}`,
        project: `/home/dev/project-${s % 4}`,
        requests: 1 + Math.floor(rand() * 5),
      });
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  const band = (workflow, interval, startIso, endIso, allocated, used) => ({
    id: `b_${workflow}`,
    workflow,
    period: { interval, start: startIso, end: endIso, timezone: 'UTC' },
    allocated: { currency: 'USD', amount_micros: allocated },
    used: { currency: 'USD', amount_micros: used },
    remaining: { currency: 'USD', amount_micros: allocated - used },
    enforcement: 'soft',
    thresholds: [
      { percent: 80, severity: 'warn' },
      { percent: 100, severity: 'critical' },
    ],
    status: 'ok',
    as_of: now.toISOString(),
  });
  const document = {
    developer: { id: 'bench' },
    role: { id: 'dev' },
    seats: [
      { id: 's', vendor: 'github', product: 'copilot_business', cost: { currency: 'USD', amount_micros: 19_000_000 } },
    ],
    bands: [
      ...['deep_coding', 'review', 'research', 'light_assist'].map((w) =>
        band(w, 'P1M', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 200_000_000, 90_000_000),
      ),
      band('background_automation', 'P1W', '2026-11-16T00:00:00Z', '2026-11-23T00:00:00Z', 60_000_000, 20_000_000),
    ],
    escalation: { rules: [] },
    capabilities: {},
    generated_at: now.toISOString(),
  };
  const window = r.windowContaining('month', now, 'UTC');

  function once(range) {
    const t0 = performance.now();
    const usage = r.rowsFromMetering(events, sessions, range.fromMs, range.toMs, now.getTime());
    const reportRuns = r.runsFromMetering(
      events,
      sessions,
      Date.parse(window.start),
      Date.parse(window.end),
      now.getTime(),
    );
    const model = r.buildReport({
      document,
      source: 'local',
      window,
      now,
      usage,
      usageSource: 'local_logs',
      runs: reportRuns,
    });
    const t1 = performance.now();
    const html = r.reportBodyHtml(model);
    const t2 = performance.now();
    return { model, html, buildMs: t1 - t0, renderMs: t2 - t1, rows: usage.length };
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

  // the month (what opening the report reads) and, as a worst case, the whole year of rows
  for (const [name, range] of [
    ['this month', { fromMs: Date.parse(window.start), toMs: now.getTime() + 60_000 }],
    ['whole year of rows', { fromMs: start, toMs: now.getTime() + 60_000 }],
  ]) {
    once(range); // warm-up
    const samples = Array.from({ length: runs }, () => once(range));
    const last = samples[samples.length - 1];
    const elements = (last.html.match(/<[a-z]/g) ?? []).length;
    console.log(
      `${name.padEnd(20)} ${String(last.rows).padStart(7)} usage rows → model ${median(samples.map((s) => s.buildMs)).toFixed(1)} ms, HTML ${median(samples.map((s) => s.renderMs)).toFixed(1)} ms ` +
        `(median of ${runs}); HTML ${(last.html.length / 1024).toFixed(0)} KiB, ${elements} elements`,
    );
  }
  const t0 = performance.now();
  const model = once({ fromMs: Date.parse(window.start), toMs: now.getTime() + 60_000 }).model;
  const csv = r.reportToCsv(model);
  const json = r.reportToJson(model);
  console.log(
    `exports: CSV ${(csv.length / 1024).toFixed(0)} KiB + JSON ${(json.length / 1024).toFixed(0)} KiB in ${(performance.now() - t0).toFixed(1)} ms (incl. one more model)`,
  );
  console.log(
    `input: ${events.length} metering rollups over 365 days, ${sessions.length} tagged sessions; Node ${process.version}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
