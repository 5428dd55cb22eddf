// Benchmark (not a test) for issue #15: OTLP ingest throughput on the reference server at 64
// connections, and the start-to-answer latency of `spend-band hook claude` and `spend-band statusline`
// (each run is a fresh process, as Claude Code starts it), beside Node's own floor on this machine.
//
// OTLP bodies are made by the OpenTelemetry JS SDK and serialized by its own protobuf serializer
// (@opentelemetry/otlp-transformer), all before the clock starts: every body has new request ids /
// new metric windows, so each data point is really stored, not skipped as a duplicate.
//
// The hook and status line are timed as Claude Code can start them: through the CLI (node dist/cli.js
// hook claude), through their own entries (dist/spend-band-hook.js, dist/spend-band-statusline.js),
// and as the exact command `hook install` writes / the demo prints, run by /bin/sh. The floor is a bare
// `node -e 0`, with this environment's NODE_EXTRA_CA_CERTS (when it has one) and without. The variants
// take turns run by run, so a load that changes during the run touches them all alike. Every hook run
// is a new tool call (a new run id: the server reserves, as it would in use).
//
//   node esbuild.mjs && node test/bench/liveUsageBench.mjs
//   (BENCH_SECONDS=10, BENCH_CONNECTIONS=64, BENCH_RECORDS=50 per logs body, BENCH_HOOK_RUNS=200,
//    BENCH_PARTS=otlp,cli to choose the parts)
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
const PARTS = new Set((process.env.BENCH_PARTS ?? 'otlp,cli').split(','));
const HOOK_JS = join(ROOT, 'dist', 'spend-band-hook.js');
const STATUSLINE_JS = join(ROOT, 'dist', 'spend-band-statusline.js');

if (![SERVER_JS, CLI_JS, HOOK_JS, STATUSLINE_JS].every((file) => existsSync(file))) {
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

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: percentile(sorted, 1),
  };
}

/**
 * Each variant `runs` times, taking turns. A variant: { name, file, args, env, stdin() }; `file` is
 * node unless given. Any run that fails stops the benchmark: a fast failure is not a fast answer.
 */
function timeVariants(variants, runs) {
  const times = Object.fromEntries(variants.map((v) => [v.name, []]));
  const outputs = Object.fromEntries(variants.map((v) => [v.name, new Map()]));
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      const input = v.stdin ? v.stdin(i) : '';
      const t0 = performance.now();
      const r = spawnSync(v.file ?? process.execPath, v.args, { env: v.env, input, encoding: 'utf8' });
      times[v.name].push(performance.now() - t0);
      if (r.status !== 0 || r.stderr) throw new Error(`${v.name} exited ${r.status}: ${r.stderr}`);
      const key = v.classify ? v.classify(r.stdout) : undefined;
      if (key !== undefined) outputs[v.name].set(key, (outputs[v.name].get(key) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    variants.map((v) => [
      v.name,
      { ...summary(times[v.name]), ...(outputs[v.name].size ? { answers: Object.fromEntries(outputs[v.name]) } : {}) },
    ]),
  );
}

/**
 * The server's own share of a hook run: the same pre-flight question (a new run id each time) from this
 * warm process over one kept-alive connection, so no process start, no module loading, no connect.
 */
async function serverPreflight(server, runs) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  for (let i = 0; i < runs; i++) {
    const body = Buffer.from(
      JSON.stringify({
        client_run_id: randomUUID(),
        workflow: 'background_automation',
        estimate: { cost: { currency: 'USD', amount_micros: 1200 }, basis: 'history', confidence: 'low' },
        run: { tool: 'claude_code', description: 'Task tool call in session bench' },
      }),
    );
    const t0 = performance.now();
    await new Promise((ok, fail) => {
      const req = request(
        `${server.url}/v1/me/preflight`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${server.token}`,
            'content-type': 'application/json',
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume();
          res.once('end', () => (res.statusCode === 200 ? ok() : fail(new Error(`preflight ${res.statusCode}`))));
        },
      );
      req.once('error', fail);
      req.end(body);
    });
    times.push(performance.now() - t0);
  }
  agent.destroy();
  return summary(times);
}

/** The hook's answer in a word: its decision, or "not checked" when it let the run go unchecked. */
function hookDecision(stdout) {
  const json = JSON.parse(stdout);
  return json.hookSpecificOutput?.permissionDecision ?? (json.systemMessage ? 'not checked' : 'none');
}

async function cliLatency(server, dir) {
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    SPEND_BAND_ENDPOINT: server.url,
    SPEND_BAND_TOKEN: server.token,
    SPEND_BAND_CACHE: join(dir, 'cache'),
    ...(extraCa ? { NODE_EXTRA_CA_CERTS: extraCa } : {}),
  };
  const { NODE_EXTRA_CA_CERTS: _dropped, ...envWithoutCa } = env;
  // The commands exactly as Claude Code gets them: `hook install` writes the hook's; the demo prints the
  // status line's (test/host/liveUsageLines.mjs).
  const settingsPath = join(dir, 'settings.json');
  const install = spawnSync(process.execPath, [CLI_JS, 'hook', 'install', '--settings', settingsPath], { env });
  if (install.status !== 0) throw new Error(`hook install: ${install.stderr}`);
  const { readFileSync } = await import('node:fs');
  const hookCommand = JSON.parse(readFileSync(settingsPath, 'utf8')).hooks.PreToolUse[0].hooks[0].command;
  const { statuslineCommand } = await import('../host/liveUsageLines.mjs');
  const statusLineCommand = statuslineCommand();

  const hookInput = (i) =>
    JSON.stringify({
      session_id: 'bench',
      transcript_path: '/t',
      cwd: '/c',
      permission_mode: 'default',
      hook_event_name: 'PreToolUse',
      tool_name: 'Task',
      tool_input: { description: 'x', prompt: 'y' },
      tool_use_id: `toolu_bench_${i}_${randomUUID()}`,
    });
  // The hook estimates each run from history, as installed (no --estimate-usd): the official session
  // cost the status line recorded. A small one, so a thousand reservations stay inside the demo's band
  // and the answers stay "allow".
  const estimate = [];
  const status = spawnSync(process.execPath, [CLI_JS, 'status', '--json'], { env });
  if (status.status !== 0) throw new Error(`status: ${status.stderr}`);
  const statusInput = () =>
    JSON.stringify({
      session_id: 'bench',
      model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet' },
      cost: { total_cost_usd: 0.0012 },
      rate_limits: { five_hour: { used_percentage: 20, resets_at: 1 } },
    });
  const seeded = spawnSync(process.execPath, [CLI_JS, 'statusline'], { env, input: statusInput() });
  if (seeded.status !== 0) throw new Error(`statusline: ${seeded.stderr}`);
  const sh = '/bin/sh';
  const withCa = extraCa ? ' (NODE_EXTRA_CA_CERTS set)' : '';
  return timeVariants(
    [
      { name: `node -e 0${withCa}`, args: ['-e', '0'], env },
      ...(extraCa ? [{ name: 'node -e 0 (NODE_EXTRA_CA_CERTS unset)', args: ['-e', '0'], env: envWithoutCa }] : []),
      { name: 'spend-band --version', args: [CLI_JS, '--version'], env },
      {
        name: 'hook: node dist/cli.js hook claude',
        args: [CLI_JS, 'hook', 'claude', ...estimate],
        env,
        stdin: hookInput,
        classify: hookDecision,
      },
      {
        name: 'hook: node dist/spend-band-hook.js',
        args: [HOOK_JS, ...estimate],
        env,
        stdin: hookInput,
        classify: hookDecision,
      },
      {
        name: 'hook: the installed command (sh -c)',
        file: sh,
        args: ['-c', [hookCommand, ...estimate].join(' ')],
        env,
        stdin: hookInput,
        classify: hookDecision,
      },
      { name: 'statusline: node dist/cli.js statusline', args: [CLI_JS, 'statusline'], env, stdin: statusInput },
      { name: 'statusline: node dist/spend-band-statusline.js', args: [STATUSLINE_JS], env, stdin: statusInput },
      {
        name: 'statusline: the printed command (sh -c)',
        file: sh,
        args: ['-c', statusLineCommand],
        env,
        stdin: statusInput,
      },
      { name: 'sh -c true (the shell alone)', file: sh, args: ['-c', 'true'], env },
    ],
    HOOK_RUNS,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'spend-band-live-bench-'));
try {
  const server = await startServer(dir);
  const result = { machine: { cpus: cpus().length, node: process.version } };
  if (PARTS.has('otlp')) {
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
    result.otlp = {
      loadavgBefore: before,
      loadavgAfter: loadavg().map((n) => n.toFixed(2)),
      connections: CONNECTIONS,
      logs: { recordsPerBody: RECORDS, ...logsResult },
      metrics: { pointsPerBody: metrics.pointsPerBody, ...metricsResult },
    };
  }
  if (PARTS.has('cli')) {
    const before = loadavg().map((n) => n.toFixed(2));
    const latency = await cliLatency(server, dir);
    const preflight = await serverPreflight(server, HOOK_RUNS);
    result.startToAnswer = {
      loadavgBefore: before,
      loadavgAfter: loadavg().map((n) => n.toFixed(2)),
      ...latency,
      'the server alone: POST /v1/me/preflight on a kept-alive connection': preflight,
    };
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
