// OTLP/HTTP request bodies (logs and metrics) in either encoding the OTLP spec allows, binary
// protobuf (application/x-protobuf) or JSON (application/json), decoded into one plain shape: the
// OTLP/JSON field names (lowerCamelCase, 64-bit integers as decimal strings), so the ingest reads both
// encodings with the same code. Only the fields the ingest reads are described below; the protobuf
// wire format lets a decoder skip the rest. Field numbers follow opentelemetry-proto v1
// (common, resource, logs, metrics and the collector service requests).
import * as protobuf from 'protobufjs/light';
import { ProblemError } from './problem';

const ANY_VALUE_FIELDS = {
  stringValue: { type: 'string', id: 1 },
  boolValue: { type: 'bool', id: 2 },
  intValue: { type: 'int64', id: 3 },
  doubleValue: { type: 'double', id: 4 },
  arrayValue: { type: 'ArrayValue', id: 5 },
  kvlistValue: { type: 'KeyValueList', id: 6 },
  bytesValue: { type: 'bytes', id: 7 },
};

const DESCRIPTOR = {
  nested: {
    AnyValue: { oneofs: { value: { oneof: Object.keys(ANY_VALUE_FIELDS) } }, fields: ANY_VALUE_FIELDS },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    LogRecord: {
      fields: {
        timeUnixNano: { type: 'fixed64', id: 1 },
        observedTimeUnixNano: { type: 'fixed64', id: 11 },
        body: { type: 'AnyValue', id: 5 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 6 },
        eventName: { type: 'string', id: 12 },
      },
    },
    ScopeLogs: {
      fields: {
        scope: { type: 'InstrumentationScope', id: 1 },
        logRecords: { rule: 'repeated', type: 'LogRecord', id: 2 },
      },
    },
    ResourceLogs: {
      fields: { resource: { type: 'Resource', id: 1 }, scopeLogs: { rule: 'repeated', type: 'ScopeLogs', id: 2 } },
    },
    ExportLogsServiceRequest: { fields: { resourceLogs: { rule: 'repeated', type: 'ResourceLogs', id: 1 } } },
    NumberDataPoint: {
      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
      fields: {
        attributes: { rule: 'repeated', type: 'KeyValue', id: 7 },
        startTimeUnixNano: { type: 'fixed64', id: 2 },
        timeUnixNano: { type: 'fixed64', id: 3 },
        asDouble: { type: 'double', id: 4 },
        asInt: { type: 'sfixed64', id: 6 },
      },
    },
    Gauge: { fields: { dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 } } },
    Sum: {
      fields: {
        dataPoints: { rule: 'repeated', type: 'NumberDataPoint', id: 1 },
        aggregationTemporality: { type: 'int32', id: 2 },
        isMonotonic: { type: 'bool', id: 3 },
      },
    },
    Metric: {
      fields: {
        name: { type: 'string', id: 1 },
        unit: { type: 'string', id: 3 },
        gauge: { type: 'Gauge', id: 5 },
        sum: { type: 'Sum', id: 7 },
      },
    },
    ScopeMetrics: {
      fields: { scope: { type: 'InstrumentationScope', id: 1 }, metrics: { rule: 'repeated', type: 'Metric', id: 2 } },
    },
    ResourceMetrics: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeMetrics: { rule: 'repeated', type: 'ScopeMetrics', id: 2 },
      },
    },
    ExportMetricsServiceRequest: { fields: { resourceMetrics: { rule: 'repeated', type: 'ResourceMetrics', id: 1 } } },
    PartialSuccessLogs: {
      fields: { rejectedLogRecords: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
    },
    ExportLogsServiceResponse: { fields: { partialSuccess: { type: 'PartialSuccessLogs', id: 1 } } },
    PartialSuccessMetrics: {
      fields: { rejectedDataPoints: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
    },
    ExportMetricsServiceResponse: { fields: { partialSuccess: { type: 'PartialSuccessMetrics', id: 1 } } },
  },
};

let root: protobuf.Root | undefined;
function type(name: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(DESCRIPTOR);
  return root.lookupType(name);
}

/** The OTLP/JSON value of an attribute, as far as the ingest reads them. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
export interface OtlpKeyValue {
  key?: string;
  value?: OtlpAnyValue;
}
export interface OtlpResource {
  attributes?: OtlpKeyValue[];
}
export interface OtlpLogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  eventName?: string;
}
export interface OtlpLogsRequest {
  resourceLogs?: Array<{ resource?: OtlpResource; scopeLogs?: Array<{ logRecords?: OtlpLogRecord[] }> }>;
}
export interface OtlpNumberDataPoint {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string | number;
  timeUnixNano?: string | number;
  asDouble?: number | string;
  asInt?: string | number;
}
export interface OtlpMetric {
  name?: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpNumberDataPoint[] };
  sum?: { dataPoints?: OtlpNumberDataPoint[]; aggregationTemporality?: number | string; isMonotonic?: boolean };
}
export interface OtlpMetricsRequest {
  resourceMetrics?: Array<{ resource?: OtlpResource; scopeMetrics?: Array<{ metrics?: OtlpMetric[] }> }>;
}

export type OtlpEncoding = 'protobuf' | 'json';

/** The encoding named by a Content-Type header, or a 415 that says which ones this endpoint takes. */
export function otlpEncoding(contentType: string | undefined): OtlpEncoding {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  throw new ProblemError(
    415,
    'invalid_request',
    `OTLP/HTTP bodies are application/x-protobuf or application/json, not "${media.slice(0, 80) || 'none'}". Set OTEL_EXPORTER_OTLP_PROTOCOL to http/protobuf or http/json.`,
  );
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: String,
  defaults: false,
  arrays: false,
  oneofs: false,
};

function decode(body: Buffer, encoding: OtlpEncoding, typeName: string, topKey: string, what: string): unknown {
  let value: unknown;
  if (encoding === 'protobuf') {
    try {
      const t = type(typeName);
      value = t.toObject(t.decode(body), TO_OBJECT);
    } catch (error) {
      throw malformed(`the body is not an OTLP ${what} protobuf message (${(error as Error).message})`);
    }
  } else {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw malformed(`the body is not valid JSON (${(error as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`expected an object with "${topKey}"`);
  const list = (value as Record<string, unknown>)[topKey];
  if (list !== undefined && !Array.isArray(list)) throw malformed(`"${topKey}" must be an array`);
  return value;
}

function malformed(why: string): ProblemError {
  return new ProblemError(
    400,
    'invalid_request',
    `Malformed OTLP request: ${why}. Nothing was stored; send an OTLP/HTTP export request as the OTLP specification describes.`,
  );
}

export function decodeLogsRequest(body: Buffer, encoding: OtlpEncoding): OtlpLogsRequest {
  const value = decode(body, encoding, 'ExportLogsServiceRequest', 'resourceLogs', 'logs') as OtlpLogsRequest;
  checkShape(value.resourceLogs, 'resourceLogs', (r, at) =>
    checkShape(r.scopeLogs, `${at}.scopeLogs`, (s, at2) => checkShape(s.logRecords, `${at2}.logRecords`, checkRecord)),
  );
  return value;
}

export function decodeMetricsRequest(body: Buffer, encoding: OtlpEncoding): OtlpMetricsRequest {
  const value = decode(
    body,
    encoding,
    'ExportMetricsServiceRequest',
    'resourceMetrics',
    'metrics',
  ) as OtlpMetricsRequest;
  checkShape(value.resourceMetrics, 'resourceMetrics', (r, at) =>
    checkShape(r.scopeMetrics, `${at}.scopeMetrics`, (s, at2) =>
      checkShape(s.metrics, `${at2}.metrics`, (m: OtlpMetric, at3) => {
        if (m.sum !== undefined) checkShape(m.sum.dataPoints, `${at3}.sum.dataPoints`, checkRecord);
        if (m.gauge !== undefined) checkShape(m.gauge.dataPoints, `${at3}.gauge.dataPoints`, checkRecord);
      }),
    ),
  );
  return value;
}

/** Arrays must be arrays of objects all the way down, so the ingest never meets a surprise type. */
function checkShape<T>(list: T[] | undefined, at: string, inner: (item: T, at: string) => void): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw malformed(`${at} must be an array`);
  list.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw malformed(`${at}[${i}] must be an object`);
    inner(item, `${at}[${i}]`);
  });
}

function checkRecord(record: { attributes?: OtlpKeyValue[] }, at: string): void {
  checkShape(record.attributes, `${at}.attributes`, (kv: OtlpKeyValue, at2) => {
    if (typeof kv.key !== 'string') throw malformed(`${at2}.key must be a string`);
    if (kv.value !== undefined && (typeof kv.value !== 'object' || kv.value === null))
      throw malformed(`${at2}.value must be an AnyValue object`);
  });
}

/** The export response (empty on full success), in the request's encoding. */
export function encodeExportResponse(
  signal: 'logs' | 'metrics',
  encoding: OtlpEncoding,
  rejected: number,
  message: string,
): { body: string | Uint8Array; contentType: string } {
  const partial =
    rejected > 0
      ? signal === 'logs'
        ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: message } }
        : { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } }
      : {};
  if (encoding === 'json') return { body: JSON.stringify(partial), contentType: 'application/json' };
  const t = type(signal === 'logs' ? 'ExportLogsServiceResponse' : 'ExportMetricsServiceResponse');
  return { body: t.encode(t.fromObject(partial)).finish(), contentType: 'application/x-protobuf' };
}
