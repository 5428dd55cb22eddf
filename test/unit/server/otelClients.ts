// Real OpenTelemetry JS SDK clients for the OTLP ingest tests: records and metrics are made by the SDK
// (LoggerProvider, MeterProvider), and sent by the official OTLP/HTTP exporters (JSON or protobuf),
// as an instrumented agent would. A batch is collected once and can then be exported again as is,
// which is what an exporter does when it retries.
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

export type Encoding = 'json' | 'protobuf';

export interface Target {
  url: string;
  token: string;
  compression?: 'gzip' | 'none';
}

function headers(t: Target): Record<string, string> {
  return { Authorization: `Bearer ${t.token}` };
}

/** Log records made by the SDK (resource + records), ready to export one or more times. */
export async function makeLogBatch(
  resource: Record<string, string>,
  records: Array<{ body: string; attributes: Record<string, string | number>; timeMs: number }>,
): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.0');
  for (const r of records) logger.emit({ body: r.body, attributes: r.attributes, timestamp: new Date(r.timeMs) });
  await provider.forceFlush();
  const out = [...memory.getFinishedLogRecords()];
  await provider.shutdown();
  return out;
}

export function exportLogs(t: Target, encoding: Encoding, batch: ReadableLogRecord[]): Promise<ExportResult> {
  const options = {
    url: `${t.url}/v1/otlp/v1/logs`,
    headers: headers(t),
    compression: (t.compression ?? 'none') as never,
  };
  const exporter = encoding === 'json' ? new JsonLogExporter(options) : new ProtoLogExporter(options);
  return new Promise((resolve) =>
    exporter.export(batch, (result) => void exporter.shutdown().then(() => resolve(result))),
  );
}

class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A meter whose collections are handed over whole (delta or cumulative), as an exporter would send them. */
export function makeMeter(resource: Record<string, string>, temporality: 'delta' | 'cumulative') {
  const reader = new CollectingReader({
    aggregationTemporalitySelector: () =>
      temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  });
  const provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader] });
  const meter = provider.getMeter('com.anthropic.claude_code', '2.1.0');
  return {
    cost: meter.createCounter('claude_code.cost.usage', { unit: 'USD' }),
    tokens: meter.createCounter('claude_code.token.usage', { unit: 'tokens' }),
    async collect(): Promise<ResourceMetrics> {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new Error(`collect failed: ${String(errors[0])}`);
      return resourceMetrics;
    },
    shutdown: () => provider.shutdown(),
  };
}

export function exportMetrics(t: Target, encoding: Encoding, batch: ResourceMetrics): Promise<ExportResult> {
  const options = {
    url: `${t.url}/v1/otlp/v1/metrics`,
    headers: headers(t),
    compression: (t.compression ?? 'none') as never,
    temporalityPreference: AggregationTemporalityPreference.DELTA,
  };
  const exporter = encoding === 'json' ? new JsonMetricExporter(options) : new ProtoMetricExporter(options);
  return new Promise((resolve) =>
    exporter.export(batch, (result) => void exporter.shutdown().then(() => resolve(result))),
  );
}
