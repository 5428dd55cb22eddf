// Local bands: the config file a person writes by hand (docs/contract/cli.md) and the extension's
// `spendBand.local.*` settings, in decimal units of the currency, turned into a BandsDocument in micros.
import { z } from 'zod';
import { statusFromThresholds } from './gauge';
import { parseJsonWithLines, lineOfPath, JsonSyntaxError } from './jsonWithLines';
import { decimalToMicros } from './money';
import { isSupportedInterval, isValidTimeZone, periodContaining, systemTimeZone, type PeriodInterval } from './period';
import {
  formatPath,
  type Band,
  type BandsDocument,
  type EscalationRule,
  type SeatItem,
  type Threshold,
} from './schemas';

function microsOrUndefined(value: number | string): number | undefined {
  try {
    return decimalToMicros(value);
  } catch {
    return undefined;
  }
}
const AMOUNT_HINT = 'expected an amount such as 19 or 12.50';
const decimal = z
  // zod's own union message is a bare "Invalid input": say what an amount looks like
  .union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? `missing: ${AMOUNT_HINT}` : AMOUNT_HINT),
  })
  .refine((v) => microsOrUndefined(v) !== undefined, { message: AMOUNT_HINT, abort: true });
const nonNegative = decimal.refine((v) => (microsOrUndefined(v) ?? 0) >= 0, { message: 'must not be negative' });

const workflowId = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a workflow class id such as deep_coding');

export const LocalRuleSchema = z.object({
  estimate_at_least_usd: nonNegative.optional(),
  remaining_percent_after_below: z.number().int().min(0).max(100).optional(),
  max_duration_above: z.string().optional(),
  max_iterations_above: z.number().int().min(0).optional(),
  action: z.enum(['warn', 'needs_approval', 'deny']),
  message: z.string().max(500).optional(),
});

export const LocalBandSchema = z.object({
  workflow: workflowId.or(z.literal('all')),
  label: z.string().max(100).optional(),
  allocated_usd: nonNegative,
  period: z
    .string()
    .refine(isSupportedInterval, { message: 'expected P1M (calendar month), P1W (ISO week) or P1D' })
    .optional(),
  thresholds: z.array(z.number().int().min(1).max(1000)).max(10).optional(),
  enforcement: z.enum(['none', 'soft', 'hard']).optional(),
  escalation: z.array(LocalRuleSchema).max(50).optional(),
});

export const LocalSeatSchema = z.object({
  vendor: z.string().min(1),
  product: z.string().min(1),
  plan: z.string().optional(),
  monthly_usd: nonNegative,
});

export const LocalConfigSchema = z.object({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .optional(),
  timezone: z
    .string()
    .refine(isValidTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' })
    .optional(),
  // an empty id would make an invalid BandsDocument (developer.id and role.id are non-empty)
  developer: z.string().min(1, 'an id such as ada, or leave the field out').max(200).optional(),
  role: z.string().min(1, 'a role id such as platform_engineer, or leave the field out').max(200).optional(),
  per_run_cap_usd: nonNegative.optional(),
  seats: z.array(LocalSeatSchema).max(50).optional(),
  bands: z
    .array(LocalBandSchema)
    .max(100)
    .superRefine((bands, ctx) => {
      // name the repeated band itself, so the error carries its line
      const first = new Map<string, number>();
      bands.forEach((band, i) => {
        const earlier = first.get(band.workflow);
        if (earlier === undefined) first.set(band.workflow, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: [i, 'workflow'],
            message: `each workflow class may have one band (${band.workflow} is already bands[${earlier}])`,
          });
      });
    })
    .optional(),
});
export type LocalConfig = z.infer<typeof LocalConfigSchema>;

export class LocalConfigError extends Error {
  constructor(
    message: string,
    readonly origin: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'LocalConfigError';
  }
}

/** Parse the config file's text; errors name the file, the line and the field. */
export function parseLocalConfig(text: string, origin: string): LocalConfig {
  let located;
  try {
    located = parseJsonWithLines(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new LocalConfigError(
        `${origin} line ${error.line}: not valid JSON (${error.message.replace(/^line \d+, /, '')})`,
        origin,
        error.line,
        undefined,
      );
    }
    throw error;
  }
  return validateLocalConfig(located.value, origin, located.lines);
}

/** Validate an already-parsed value (the extension's settings); `lines` adds line numbers when known. */
export function validateLocalConfig(value: unknown, origin: string, lines?: Map<string, number>): LocalConfig {
  const result = LocalConfigSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = formatPath(issue.path);
  const line = lines ? lineOfPath(lines, field === '(root)' ? '' : field) : undefined;
  const where = line !== undefined ? `${origin} line ${line}` : origin;
  throw new LocalConfigError(`${where}, ${field}: ${issue.message}`, origin, line, field);
}

export interface LocalUsage {
  /** micros spent per workflow class in each band's current period (from local metering) */
  usedByWorkflow: ReadonlyMap<string, number>;
  asOf: Date;
  /** where the usage figure came from, e.g. local_logs; omitted when nothing is metered yet */
  provider?: string;
}

export interface SelfSetIncrease {
  workflow: string;
  amount_micros: number;
  /** ISO date-time when it ends */
  until: string;
  request_id: string;
}

const ACTION_RANK: Record<z.infer<typeof LocalRuleSchema>['action'], number> = {
  deny: 0,
  needs_approval: 1,
  warn: 2,
};

function thresholdsFrom(percents: readonly number[] | undefined): Threshold[] {
  const list = [...(percents ?? [80, 100])].sort((a, b) => a - b);
  return list.map((percent) => ({ percent, severity: percent >= 100 ? 'critical' : 'warn' }));
}

/** The local config as a Bands API v1 document, at `now`. */
export function localBandsDocument(
  config: LocalConfig,
  now: Date,
  usage: LocalUsage = { usedByWorkflow: new Map(), asOf: now },
  increases: readonly SelfSetIncrease[] = [],
): BandsDocument {
  const currency = config.currency ?? 'USD';
  const timeZone = config.timezone ?? systemTimeZone();
  const asOf = usage.asOf.toISOString();
  const rules: EscalationRule[] = [];
  const seats: SeatItem[] = (config.seats ?? []).map((seat, i) => ({
    id: `local-seat-${i + 1}`,
    vendor: seat.vendor,
    product: seat.product,
    ...(seat.plan ? { plan: seat.plan } : {}),
    cost: { currency, amount_micros: decimalToMicros(seat.monthly_usd) },
    cost_period: 'P1M',
    source: 'local_config',
  }));
  const bands: Band[] = (config.bands ?? []).map((spec) => {
    const period = periodContaining((spec.period ?? 'P1M') as PeriodInterval, now, timeZone);
    const increase = increases.find((inc) => inc.workflow === spec.workflow && Date.parse(inc.until) > now.getTime());
    const allocated = decimalToMicros(spec.allocated_usd) + (increase?.amount_micros ?? 0);
    const used = usage.usedByWorkflow.get(spec.workflow) ?? 0;
    const thresholds = thresholdsFrom(spec.thresholds);
    // People write tiers from mild to strict, as in the CLI contract's example (warn at 5, approval at
    // 20); with "first match wins" the strict tier would never be reached. The strictest matching tier
    // is what they mean, so each band's rules go strictest first; ids keep the position in the file.
    const tiers = (spec.escalation ?? []).map((rule, i) => ({ rule, i }));
    tiers.sort((a, b) => ACTION_RANK[a.rule.action] - ACTION_RANK[b.rule.action] || a.i - b.i);
    tiers.forEach(({ rule, i }) => {
      rules.push({
        id: `${spec.workflow}-${i + 1}`,
        applies_to: [spec.workflow],
        when: {
          ...(rule.estimate_at_least_usd !== undefined
            ? { estimate_at_least: { currency, amount_micros: decimalToMicros(rule.estimate_at_least_usd) } }
            : {}),
          ...(rule.remaining_percent_after_below !== undefined
            ? { remaining_percent_after_below: rule.remaining_percent_after_below }
            : {}),
          ...(rule.max_duration_above !== undefined ? { max_duration_above: rule.max_duration_above } : {}),
          ...(rule.max_iterations_above !== undefined ? { max_iterations_above: rule.max_iterations_above } : {}),
        },
        action: rule.action,
        ...(rule.message ? { message: rule.message } : {}),
      });
    });
    const band: Band = {
      id: `local-${spec.workflow}`,
      workflow: spec.workflow,
      ...(spec.label ? { label: spec.label } : {}),
      period,
      allocated: { currency, amount_micros: allocated },
      used: { currency, amount_micros: used },
      remaining: { currency, amount_micros: allocated - used },
      enforcement: spec.enforcement ?? 'soft',
      thresholds,
      status: statusFromThresholds(used, allocated, thresholds),
      as_of: asOf,
      ...(usage.provider
        ? {
            sources: [
              { provider: usage.provider, used: { currency, amount_micros: used }, as_of: asOf, estimated: true },
            ],
          }
        : {}),
      temporary_increase: increase
        ? {
            amount: { currency, amount_micros: increase.amount_micros },
            until: increase.until,
            request_id: increase.request_id,
            self_set: true,
          }
        : null,
    };
    return band;
  });
  return {
    developer: { id: config.developer ?? 'me' },
    role: { id: config.role ?? 'developer' },
    seats,
    bands,
    escalation: {
      ...(config.per_run_cap_usd !== undefined
        ? { per_run_cap: { currency, amount_micros: decimalToMicros(config.per_run_cap_usd) } }
        : {}),
      rules,
    },
    capabilities: {
      session_tags: false,
      preflight: false,
      increase_requests: false,
      usage_history: usage.provider !== undefined,
    },
    generated_at: now.toISOString(),
  };
}
