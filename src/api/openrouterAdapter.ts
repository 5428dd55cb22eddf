// OpenRouter → BandsDocument. `GET /api/v1/key` with the developer's key: `limit` (USD, null = no
// limit), `limit_remaining`, `limit_reset` (daily/weekly/monthly, null = lifetime) and the usage for the
// matching UTC window. A key with a limit is one `all` band; a key without one has no allocation to
// show, so its spend this UTC month is reported as unbudgeted. OpenRouter rejects requests once the
// limit is used up, hence enforcement `hard`.
// Capabilities: none of pre-flight, requests, session tags, usage history.
import { z } from 'zod';
import { DEFAULT_THRESHOLDS } from '../domain/gauge';
import { periodContaining, type PeriodInterval } from '../domain/period';
import type { Band, Period } from '../domain/schemas';
import {
  allBand,
  checkAdapterDocument,
  lifetimePeriod,
  thresholdsWith,
  usdAmount,
  usdMicros,
  vendorInstant,
  type AdapterResult,
} from './adapterSupport';
import { ApiError } from './apiError';
import type { HttpTransport } from './httpTransport';
import type { UnbudgetedSpend } from './unbudgetedSpend';

export const OPENROUTER_BASE_URL = 'https://openrouter.ai';

export const OpenrouterKeySchema = z.object({
  data: z.object({
    label: z.string().nullable().optional(),
    limit: usdAmount,
    limit_remaining: usdAmount,
    limit_reset: z.string().nullable().optional(),
    usage: usdAmount,
    usage_daily: usdAmount,
    usage_weekly: usdAmount,
    usage_monthly: usdAmount,
    is_free_tier: z.boolean().nullable().optional(),
    creator_user_id: z.string().nullable().optional(),
    expires_at: z.string().nullable().optional(),
  }),
});
export type OpenrouterKey = z.infer<typeof OpenrouterKeySchema>;

const RESETS: Record<string, { interval: PeriodInterval; usage: 'usage_daily' | 'usage_weekly' | 'usage_monthly' }> = {
  daily: { interval: 'P1D', usage: 'usage_daily' },
  weekly: { interval: 'P1W', usage: 'usage_weekly' },
  monthly: { interval: 'P1M', usage: 'usage_monthly' },
};

/** Pure mapping of the `/api/v1/key` answer at `now`. */
export function openrouterDocument(
  answer: OpenrouterKey,
  now: Date,
  redactText: (s: string) => string = (s) => s,
): AdapterResult {
  const key = answer.data;
  const asOf = now.toISOString();
  const label = redactText(key.label ?? 'key');
  const bands: Band[] = [];
  const unbudgeted: UnbudgetedSpend[] = [];
  const reset = key.limit_reset ? RESETS[key.limit_reset.toLowerCase()] : undefined;
  if (key.limit_reset && !reset) {
    throw new ApiError(
      'invalidPayload',
      `OpenRouter answered data.limit_reset "${redactText(key.limit_reset)}", a cadence Spend Band does not know (daily, weekly, monthly or null)`,
    );
  }
  if (key.limit !== null && key.limit !== undefined) {
    // OpenRouter weeks start on Monday and months on the 1st, in UTC
    const period: Period = reset
      ? periodContaining(reset.interval, now, 'UTC')
      : lifetimePeriod(undefined, now, vendorInstant(key.expires_at));
    const used = reset ? key[reset.usage] : key.usage;
    bands.push(
      allBand({
        id: 'openrouter-key',
        label: `OpenRouter key ${label}`,
        period,
        allocatedMicros: usdMicros(key.limit),
        usedMicros: usdMicros(used),
        ...(key.limit_remaining !== null && key.limit_remaining !== undefined
          ? { remainingMicros: usdMicros(key.limit_remaining) }
          : {}),
        thresholds: thresholdsWith(undefined, DEFAULT_THRESHOLDS),
        provider: 'openrouter',
        asOf,
      }),
    );
  } else {
    unbudgeted.push({
      id: 'openrouter-key',
      label: `OpenRouter key ${label} (no limit set)`,
      scope: 'key',
      provider: 'openrouter',
      used: { currency: 'USD', amount_micros: usdMicros(key.usage_monthly ?? key.usage) },
      ...(key.usage_monthly !== null && key.usage_monthly !== undefined
        ? { period: periodContaining('P1M', now, 'UTC') }
        : {}),
      as_of: asOf,
    });
  }
  const document = {
    developer: { id: key.creator_user_id ?? label, display_name: label },
    role: { id: 'openrouter_key', label: key.is_free_tier ? 'OpenRouter key (free tier)' : 'OpenRouter key' },
    seats: [],
    bands,
    escalation: { rules: [] },
    capabilities: { session_tags: false, preflight: false, increase_requests: false, usage_history: false },
    generated_at: asOf,
  };
  return {
    document: checkAdapterDocument(document, (detail) => new ApiError('invalidPayload', `OpenRouter: ${detail}`)),
    unbudgeted,
  };
}

export interface OpenrouterFetchOptions {
  now: Date;
  signal?: AbortSignal | undefined;
  redactText?: (s: string) => string;
}

/** `GET /api/v1/key`, falling back to the older `/api/v1/auth/key` on a 404. */
export async function fetchOpenrouterBands(
  http: HttpTransport,
  options: OpenrouterFetchOptions,
): Promise<AdapterResult> {
  // people paste either https://openrouter.ai or https://openrouter.ai/api/v1
  const prefix = http.baseUrl.pathname.endsWith('/api/v1/') ? '' : 'api/v1/';
  let answer: OpenrouterKey;
  try {
    answer = (
      await http.sendJson(
        { method: 'GET', path: `${prefix}key`, signal: options.signal },
        OpenrouterKeySchema,
        'GET /api/v1/key',
      )
    ).value;
  } catch (error) {
    if (!(error instanceof ApiError) || error.kind !== 'notFound') throw error;
    answer = (
      await http.sendJson(
        { method: 'GET', path: `${prefix}auth/key`, signal: options.signal },
        OpenrouterKeySchema,
        'GET /api/v1/auth/key',
      )
    ).value;
  }
  return openrouterDocument(answer, options.now, options.redactText);
}
