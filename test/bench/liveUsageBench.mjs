// Benchmark (not a test) for issue #15: OTLP ingest throughput on the reference server at 64
// connections, and the start-to-answer latency of `spend-band hook claude` and `spend-band statusline`
// (each run is a fresh `node dist/cli.js` process, as Claude Code starts it).
//
// OTLP bodies are made by the OpenTelemetry JS SDK and serialized by its own protobuf serializer
// (@opentelemetry/otlp-transformer), all before the clock starts: every body has new request ids /
// new metric windows, so each data point is really stored, not skipped as a duplicate.
//
//   node esbuild.mjs && node test/bench/liveUsageBench.mjs
//   (BENCH_SECONDS=10, BENCH_CONNECTIONS=64, BENCH_RECORDS=50 per logs body, BENCH_HOOK_RUNS=200)
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER_JS = join(ROOT, 'dist', 'server.js');
const CLI_JS = join(ROOT, 'dist', 'cli.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 50);
const HOOK_RUNS = Number(process.env.BENCH_HOOK_RUNS ?? 200);

if (!existsSync(SERVER_JS) || !existsSync(CLI_JS)) {
  console.error('dist/ is missing: run "node esbuild.mjs" first.');
  process.exit(2);
}

const children = [];
function startServer(dir) {
  const child = spawn(
    process.execPath,
    [SERVER_JS, '--db', join(dir, 'server.db'), '--port', '0', '--demo', '--json'],
    {
      cwd: ROOT,
      // The per-token limit (120 writes a minute) would turn most of this load into 429s.
      env: { ...process.env, SPEND_BAND_RATE_LIMIT: 'off' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', (line) => ok(JSON.parse(line)));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
  });
}

async function logBodies(count) {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code' }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('com.anthropic.claude_code.events');
  const bodies = [];
  const now = Date.now();
  for (let b = 0; b < count; b++) {
    memory.reset();
    for (let i = 0; i < RECORDS; i++) {
      logger.emit({
        body: 'claude_code.api_request',
        timestamp: new Date(now - i * 1000),
        attributes: {
          'event.name': 'api_request',
          'session.id': `bench-${b % 97}`,
          model: 'claude-sonnet-4-5',
          cost_usd: 0.0123,
          input_tokens: 1200,
          output_tokens: 300,
          cache_read_tokens: 4000,
          cache_creation_tokens: 0,
          request_id: `req_${randomUUID()}`,
        },
      });
    }
    bodies.push(Buffer.from(ProtobufLogsSerializer.serializeRequest(memory.getFinishedLogRecords())));
  }
  await provider.shutdown();
  return bodies;
}

class Reader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

async function metricBodies(count, sessions) {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code' }),
    readers: [reader],
  });
  const meter = provider.getMeter('com.anthropic.claude_code');
  const cost = meter.createCounter('claude_code.cost.usage');
  const tokens = meter.createCounter('claude_code.token.usage');
  const bodies = [];
  let points = 0;
  for (let b = 0; b < count; b++) {
    for (let s = 0; s < sessions; s++) {
      const attrs = { 'session.id': `mbench-${s}`, model: 'claude-sonnet-4-5' };
      cost.add(0.01, attrs);
      tokens.add(100, { ...attrs, type: 'input' });
      tokens.add(20, { ...attrs, type: 'output' });
    }
    // Delta windows must differ in time: the SDK stamps them with the clock.
    await new Promise((r) => setTimeout(r, 2));
    const { resourceMetrics } = await reader.collect();
    points += sessions * 3;
    bodies.push(Buffer.from(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)));
  }
  await provider.shutdown();
  return { bodies, pointsPerBody: points / count };
}

function post(agent, url, path, token, body) {
  return new Promise((ok, fail) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-protobuf',
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => ok(res.statusCode));
      },
    );
    req.once('error', fail);
    req.end(body);
  });
}

async function load(url, token, path, bodies, pointsPerBody) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  let done = 0;
  let failed = 0;
  const latencies = [];
  const end = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end && next < bodies.length) {
      const body = bodies[next++];
      const t0 = performance.now();
      const status = await post(agent, url, path, token, body);
      latencies.push(performance.now() - t0);
      if (status === 200) done++;
      else failed++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: done,
    failed,
    seconds: Number(seconds.toFixed(2)),
    pointsPerSecond: Math.round((done * pointsPerBody) / seconds),
    requestsPerSecond: Math.round(done / seconds),
    p50Ms: Number(latencies[Math.floor(latencies.length * 0.5)]?.toFixed(1)),
    p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)]?.toFixed(1)),
    ranOutOfBodies: next >= bodies.length,
  };
}

function percentile(sorted, p) {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1));
}

function timeRuns(args, env, stdin) {
  const times = [];
  for (let i = 0; i < HOOK_RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI_JS, ...args], { env, input: stdin, encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return {
    runs: HOOK_RUNS,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    maxMs: percentile(times, 1),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'spend-band-live-bench-'));
try {
  const server = await startServer(dir);
  const before = loadavg().map((n) => n.toFixed(2));
  // Enough bodies that 64 connections cannot run out within the time (re-sent bodies would be duplicates).
  const logs = await logBodies(Number(process.env.BENCH_LOG_BODIES ?? 3000));
  const metrics = await metricBodies(Number(process.env.BENCH_METRIC_BODIES ?? 400), 100);
  const logsResult = await load(server.url, server.token, '/v1/otlp/v1/logs', logs, RECORDS);
  const metricsResult = await load(
    server.url,
    server.token,
    '/v1/otlp/v1/metrics',
    metrics.bodies,
    metrics.pointsPerBody,
  );

  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    SPEND_BAND_ENDPOINT: server.url,
    SPEND_BAND_TOKEN: server.token,
    SPEND_BAND_CACHE: join(dir, 'cache'),
  };
  const hookInput = JSON.stringify({
    session_id: 'bench',
    transcript_path: '/t',
    cwd: '/c',
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Task',
    tool_input: { description: 'x', prompt: 'y' },
    tool_use_id: 'toolu_bench',
  });
  const hook = timeRuns(['hook', 'claude', '--estimate-usd', '0.5'], env, hookInput);
  spawnSync(process.execPath, [CLI_JS, 'status', '--json'], { env });
  const statusInput = JSON.stringify({
    session_id: 'bench',
    model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet' },
    cost: { total_cost_usd: 1.23 },
    rate_limits: { five_hour: { used_percentage: 20, resets_at: 1 } },
  });
  const statusline = timeRuns(['statusline'], env, statusInput);
  const bare = timeRuns(['--version'], env, '');
  console.log(
    JSON.stringify(
      {
        machine: { cpus: cpus().length, loadavgBefore: before, loadavgAfter: loadavg().map((n) => n.toFixed(2)) },
        connections: CONNECTIONS,
        otlpLogs: { recordsPerBody: RECORDS, ...logsResult },
        otlpMetrics: { pointsPerBody: metrics.pointsPerBody, ...metricsResult },
        hookClaude: hook,
        statusline,
        cliVersionOnly: bare,
      },
      null,
      2,
    ),
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
