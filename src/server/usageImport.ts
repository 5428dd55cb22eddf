// `spend-band admin usage import FILE`: usage events as JSON lines or CSV with the columns
// developer, time, provider, model, tokens, cost and optionally workflow, currency, estimated, id,
// input_tokens, output_tokens, cache_read_tokens, cache_write_tokens. Cost is a decimal in major units
// (USD unless a currency column says otherwise); JSON lines may also give {currency, amount_micros}
// or cost_micros, and tokens as a number (total) or {input, output, cache_read, cache_write}.
// Parsing is all-or-nothing: any bad line is reported with its number and nothing is imported.
import { decimalToMicros } from '../domain/money';
import type { UsageEventInput } from './adminStore';

export interface ParsedImport {
  events: UsageEventInput[];
  errors: string[];
}

const MAX_ERRORS = 20;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseUsageFile(text: string, fileName: string): ParsedImport {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const isJsonLines =
    fileName.endsWith('.jsonl') || fileName.endsWith('.ndjson') || firstLine.trimStart().startsWith('{');
  return isJsonLines ? parseJsonLines(body) : parseCsv(body);
}

function parseJsonLines(text: string): ParsedImport {
  const out: ParsedImport = { events: [], errors: [] };
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || out.errors.length >= MAX_ERRORS) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      out.errors.push(`line ${i + 1}: not valid JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      out.errors.push(`line ${i + 1}: expected a JSON object with developer, time, provider, model, tokens, cost`);
      return;
    }
    collect(out, i + 1, value as Record<string, unknown>);
  });
  return out;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
export function csvRows(text: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

function parseCsv(text: string): ParsedImport {
  const out: ParsedImport = { events: [], errors: [] };
  const rows = csvRows(text);
  const header = rows.shift();
  if (!header) return out;
  const names = header.cells.map((c) => c.trim().toLowerCase());
  for (const required of ['developer', 'time', 'provider', 'cost']) {
    if (!names.includes(required))
      out.errors.push(
        `line ${header.line}: the header has no "${required}" column (expected developer,time,provider,model,tokens,cost[,workflow])`,
      );
  }
  if (out.errors.length > 0) return out;
  for (const row of rows) {
    if (out.errors.length >= MAX_ERRORS) break;
    if (row.cells.length !== names.length) {
      out.errors.push(`line ${row.line}: ${row.cells.length} columns, the header has ${names.length}`);
      continue;
    }
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const cell = row.cells[i]!.trim();
      if (cell !== '') record[name] = cell;
    });
    collect(out, row.line, record);
  }
  return out;
}

function integer(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`${field}: expected a whole number of tokens, got ${JSON.stringify(value)}`);
  return n;
}

function text(value: unknown, field: string, max: number, required: boolean): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw new Error(`${field}: missing`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > max)
    throw new Error(`${field}: expected text of at most ${max} characters`);
  return value;
}

function collect(out: ParsedImport, line: number, r: Record<string, unknown>): void {
  try {
    const developerId = text(r.developer, 'developer', 100, true)!;
    const time = text(r.time, 'time', 40, true)!;
    if (!ISO_INSTANT.test(time) || Number.isNaN(Date.parse(time)))
      throw new Error(`time: expected an ISO 8601 instant with offset such as 2026-11-03T09:15:00Z, got "${time}"`);
    const provider = text(r.provider, 'provider', 100, true)!;
    const model = text(r.model, 'model', 200, false);
    const workflow = text(r.workflow, 'workflow', 64, false);
    if (workflow !== undefined && !/^[a-z][a-z0-9_]{0,63}$/.test(workflow))
      throw new Error(`workflow: "${workflow}" is not a workflow class id such as deep_coding`);
    let currency = text(r.currency, 'currency', 3, false) ?? 'USD';
    let costMicros: number;
    if (r.cost_micros !== undefined) {
      costMicros = Number(r.cost_micros);
      if (!Number.isSafeInteger(costMicros)) throw new Error('cost_micros: expected an integer');
    } else if (typeof r.cost === 'object' && r.cost !== null) {
      const money = r.cost as { currency?: unknown; amount_micros?: unknown };
      if (typeof money.currency !== 'string' || !Number.isSafeInteger(money.amount_micros))
        throw new Error('cost: expected {currency, amount_micros} or a decimal amount');
      currency = money.currency;
      costMicros = money.amount_micros as number;
    } else {
      if (typeof r.cost !== 'string' && typeof r.cost !== 'number')
        throw new Error('cost: missing (a decimal amount such as 0.42)');
      try {
        costMicros = decimalToMicros(r.cost);
      } catch {
        throw new Error(`cost: expected a decimal amount such as 0.42, got ${JSON.stringify(r.cost)}`);
      }
    }
    if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`currency: "${currency}" is not an ISO 4217 code such as USD`);
    if (costMicros < 0) throw new Error('cost: must not be negative');
    let tokens: UsageEventInput['tokens'];
    if (typeof r.tokens === 'object' && r.tokens !== null) {
      const t = r.tokens as Record<string, unknown>;
      tokens = {
        input: integer(t.input, 'tokens.input'),
        output: integer(t.output, 'tokens.output'),
        cache_read: integer(t.cache_read, 'tokens.cache_read'),
        cache_write: integer(t.cache_write, 'tokens.cache_write'),
      };
    } else {
      tokens = {
        total: integer(r.tokens, 'tokens'),
        input: integer(r.input_tokens, 'input_tokens'),
        output: integer(r.output_tokens, 'output_tokens'),
        cache_read: integer(r.cache_read_tokens, 'cache_read_tokens'),
        cache_write: integer(r.cache_write_tokens, 'cache_write_tokens'),
      };
    }
    const estimatedText = r.estimated;
    const estimated = estimatedText === true || estimatedText === 'true' || estimatedText === '1';
    const sourceId = r.id === undefined ? undefined : text(String(r.id), 'id', 200, false);
    out.events.push({
      developerId,
      timeMs: Date.parse(time),
      provider,
      model: model ?? null,
      workflow: workflow ?? null,
      currency,
      costMicros,
      tokens,
      estimated,
      sourceId,
    });
  } catch (error) {
    out.errors.push(`line ${line}: ${(error as Error).message}`);
  }
}
