// Moves the demo's gauge with real OpenTelemetry: a Claude Code-shaped `claude_code.api_request` event
// stream and `claude_code.cost.usage` / `token.usage` metrics, made by the OpenTelemetry JS SDK and
// sent by its OTLP/HTTP protobuf exporters to the reference server, as Claude Code itself would with
// OTEL_EXPORTER_OTLP_ENDPOINT=<server>/v1/otlp. Prints the band's used amount before and after.
//
//   SPEND_BAND_TOKEN=<demo token> node test/host/otlpDemo.mjs http://127.0.0.1:8787 [--workflow deep_coding] [--requests 5] [--usd 0.8]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    workflow: { type: 'string', default: 'deep_coding' },
    requests: { type: 'string', default: '5' },
    usd: { type: 'string', default: '0.8' },
  },
});
const url = positionals[0] ?? process.env.SPEND_BAND_ENDPOINT;
const token = process.env.SPEND_BAND_TOKEN;
if (!url || !token) {
  console.error('usage: SPEND_BAND_TOKEN=<token> node test/host/otlpDemo.mjs <server URL> (npm run demo prints both)');
  process.exit(2);
}
const headers = { Authorization: `Bearer ${token}` };
const count = Number(values.requests);
const usd = Number(values.usd);

async function bandUsed() {
  const response = await fetch(`${url}/v1/me/bands`, { headers });
  if (!response.ok) throw new Error(`GET /v1/me/bands answered ${response.status}: ${await response.text()}`);
  const doc = await response.json();
  const band = doc.bands.find((b) => b.workflow === values.workflow) ?? doc.bands.find((b) => b.workflow === 'all');
  return band
    ? { id: band.id, used: band.used.amount_micros / 1e6, allocated: band.allocated.amount_micros / 1e6 }
    : undefined;
}

const resource = resourceFromAttributes({
  'service.name': 'claude-code',
  'service.version': 'demo',
  'spendband.workflow': values.workflow,
});
const logs = new LoggerProvider({
  resource,
  processors: [
    new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${url}/v1/otlp/v1/logs`, headers }) }),
  ],
});
const reader = new PeriodicExportingMetricReader({
  exporter: new OTLPMetricExporter({ url: `${url}/v1/otlp/v1/metrics`, headers }),
  exportIntervalMillis: 60_000,
});
const metrics = new MeterProvider({ resource, readers: [reader] });

const before = await bandUsed();
const sessionId = randomUUID();
const logger = logs.getLogger('com.anthropic.claude_code.events', 'demo');
const meter = metrics.getMeter('com.anthropic.claude_code', 'demo');
const cost = meter.createCounter('claude_code.cost.usage', { unit: 'USD' });
const tokens = meter.createCounter('claude_code.token.usage', { unit: 'tokens' });
for (let i = 0; i < count; i++) {
  const attributes = {
    'session.id': sessionId,
    model: 'claude-sonnet-4-5',
    'event.name': 'api_request',
    'event.timestamp': new Date().toISOString(),
    cost_usd: usd,
    input_tokens: 12_000,
    output_tokens: 2_500,
    cache_read_tokens: 40_000,
    cache_creation_tokens: 0,
    duration_ms: 4200,
    request_id: `req_demo_${randomUUID()}`,
  };
  logger.emit({ body: 'claude_code.api_request', attributes });
  // The same spend as metrics: the server counts the events and leaves these sums of the session aside.
  cost.add(usd, { 'session.id': sessionId, model: 'claude-sonnet-4-5' });
  tokens.add(12_000, { 'session.id': sessionId, model: 'claude-sonnet-4-5', type: 'input' });
}
await logs.forceFlush();
await reader.forceFlush();
await Promise.all([logs.shutdown(), metrics.shutdown()]);
const after = await bandUsed();
console.log(
  `sent ${count} claude_code.api_request events of $${usd.toFixed(2)} (session ${sessionId}, class ${values.workflow}) and the matching metrics over OTLP/HTTP protobuf`,
);
if (before && after) {
  console.log(
    `band ${after.id}: used $${before.used.toFixed(2)} → $${after.used.toFixed(2)} of $${after.allocated.toFixed(2)} (the gauge shows it at its next refresh, or Spend Band: Refresh)`,
  );
}
