// Shared pieces of the adapters that turn a real endpoint's answer into a BandsDocument: float USD to
// micros, lenient timestamps, durations to periods, thresholds and the `all` band itself.
import { TZDate } from '@date-fns/tz';
import { subMonths } from 'date-fns';
import { z } from 'zod';
import { statusFromThresholds } from '../domain/gauge';
import { decimalToMicros } from '../domain/money';
import {
  ALL_WORKFLOWS,
  BandsDocumentSchema,
  describeZodError,
  type Band,
  type BandsDocument,
  type Period,
  type Threshold,
} from '../domain/schemas';
import type { UnbudgetedSpend } from './unbudgetedSpend';

export interface AdapterResult {
  document: BandsDocument;
  /** spend on layers that have no limit: shown next to the bands, never turned into one */
  unbudgeted: UnbudgetedSpend[];
}

/** A float amount of USD as the vendors send it; null/absent stays null. */
export const usdAmount = z.number().finite().nullable().optional();

export function usdMicros(value: number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return decimalToMicros(value);
}

/** Far end of a budget that never resets (a lifetime limit). */
export const LIFETIME_END = '2999-01-01T00:00:00.000Z';
export const LIFETIME_INTERVAL = 'lifetime';

/**
 * Vendor timestamps: with or without a zone (LiteLLM stores naive UTC), with microseconds.
 * Returns an ISO string in UTC, or undefined when the value is absent or not a time.
 */
export function vendorInstant(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let text = value.trim().replace(' ', 'T');
  text = text.replace(/(\.\d{3})\d+/, '$1');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

interface ParsedDuration {
  /** ISO 8601 duration for Period.interval */
  interval: string;
  /** calendar months (LiteLLM "1mo"/"30d" reset on the 1st) */
  months?: number;
  ms?: number;
}

/** LiteLLM `budget_duration` ("30s", "30m", "24h", "7d", "30d", "1mo") → an ISO interval. */
export function parseLitellmDuration(value: string | null | undefined): ParsedDuration | undefined {
  if (!value) return undefined;
  const match = /^\s*(\d+)\s*(s|m|h|d|w|mo)\s*$/i.exec(value);
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (n <= 0) return undefined;
  // LiteLLM resets on calendar boundaries: 30d on the 1st, 7d on Monday (docs: budget_reset_and_tz)
  if (unit === 'mo') return { interval: `P${n}M`, months: n };
  if (unit === 'd' && n === 30) return { interval: 'P1M', months: 1 };
  if (unit === 'd' && n === 7) return { interval: 'P1W', ms: 7 * 86_400_000 };
  if (unit === 'w') return { interval: `P${n}W`, ms: n * 7 * 86_400_000 };
  if (unit === 'd') return { interval: `P${n}D`, ms: n * 86_400_000 };
  if (unit === 'h') return { interval: `PT${n}H`, ms: n * 3_600_000 };
  if (unit === 'm') return { interval: `PT${n}M`, ms: n * 60_000 };
  return { interval: `PT${n}S`, ms: n * 1000 };
}

/** The period that ends at `end` and lasts `duration` (UTC calendar for months). */
export function periodEndingAt(end: string, duration: ParsedDuration): Period {
  const endMs = Date.parse(end);
  const startMs =
    duration.months !== undefined
      ? subMonths(new TZDate(endMs, 'UTC'), duration.months).getTime()
      : endMs - (duration.ms ?? 0);
  return {
    interval: duration.interval,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    timezone: 'UTC',
  };
}

export function lifetimePeriod(start: string | undefined, now: Date, end?: string): Period {
  return {
    interval: LIFETIME_INTERVAL,
    start: start ?? new Date(0).toISOString(),
    end: end && Date.parse(end) > now.getTime() ? end : LIFETIME_END,
    timezone: 'UTC',
  };
}

/** Thresholds: a soft limit as a warning, plus the given defaults; sorted, one per percent. */
export function thresholdsWith(softPercent: number | undefined, defaults: readonly Threshold[]): Threshold[] {
  const byPercent = new Map<number, Threshold>();
  for (const t of defaults) byPercent.set(t.percent, t);
  if (softPercent !== undefined && Number.isFinite(softPercent)) {
    const percent = Math.round(softPercent);
    if (percent >= 1 && percent < 100 && !byPercent.has(percent)) byPercent.set(percent, { percent, severity: 'warn' });
  }
  return [...byPercent.values()].sort((a, b) => a.percent - b.percent);
}

export interface AllBandSpec {
  id: string;
  label: string;
  period: Period;
  allocatedMicros: number;
  usedMicros: number;
  /** when the source states it (OpenRouter limit_remaining); else allocated − used */
  remainingMicros?: number;
  thresholds: Threshold[];
  provider: string;
  asOf: string;
}

/** A band over every workflow class: what a per-key or per-user budget is. Enforcement is the gateway's: hard. */
export function allBand(spec: AllBandSpec): Band {
  const currency = 'USD';
  return {
    id: spec.id,
    workflow: ALL_WORKFLOWS,
    label: spec.label,
    period: spec.period,
    allocated: { currency, amount_micros: spec.allocatedMicros },
    used: { currency, amount_micros: spec.usedMicros },
    remaining: { currency, amount_micros: spec.remainingMicros ?? spec.allocatedMicros - spec.usedMicros },
    enforcement: 'hard',
    thresholds: spec.thresholds,
    status: statusFromThresholds(spec.usedMicros, spec.allocatedMicros, spec.thresholds),
    as_of: spec.asOf,
    sources: [
      {
        provider: spec.provider,
        used: { currency, amount_micros: spec.usedMicros },
        as_of: spec.asOf,
        estimated: false,
      },
    ],
    temporary_increase: null,
  };
}

/** Our own mapping must produce a valid document; if a vendor value slipped through oddly, say where. */
export function checkAdapterDocument(document: BandsDocument, fail: (detail: string) => Error): BandsDocument {
  const parsed = BandsDocumentSchema.safeParse(document);
  if (!parsed.success)
    throw fail(`the adapter could not build a valid document from the answer: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
