// LiteLLM proxy → BandsDocument. `GET /key/info` with the developer's own virtual key gives the key's
// budget; `/team/info` (team keys: the team budget applies, and the developer's budget inside the team)
// and `/user/info` (keys without a team: the personal budget) add the other layers when the key may
// read them. Every layer with a `max_budget` becomes an `all` band (LiteLLM budgets cover every
// workflow); a layer with `max_budget: null` has no limit, so its spend is reported as unbudgeted
// instead of inventing an allocation. Bands are ordered by what is left, so the layer that will block
// first is the one a per-workflow lookup finds.
// Capabilities: no pre-flight, no increase requests, no session tags; usage history is not read here.
import { z } from 'zod';
import type { Band, Threshold } from '../domain/schemas';
import {
  allBand,
  checkAdapterDocument,
  lifetimePeriod,
  parseLitellmDuration,
  periodEndingAt,
  thresholdsWith,
  usdAmount,
  usdMicros,
  vendorInstant,
  type AdapterResult,
} from './adapterSupport';
import { ApiError } from './apiError';
import type { HttpTransport } from './httpTransport';
import type { UnbudgetedSpend } from './unbudgetedSpend';
import { periodContaining } from '../domain/period';

const text = z.string().nullable().optional();

/** A budget's limits and period as LiteLLM keeps them on a key, a user, a team or a budget table. */
const budgetLimits = {
  max_budget: usdAmount,
  soft_budget: usdAmount,
  budget_duration: text,
  budget_reset_at: text,
};
/** The same with what was spent. */
const budgetFields = { spend: usdAmount, ...budgetLimits };

const BudgetTableSchema = z.object(budgetLimits).nullable().optional();

export const LitellmKeyInfoSchema = z.object({
  info: z.object({
    key_name: text,
    key_alias: text,
    user_id: text,
    team_id: text,
    ...budgetFields,
    created_at: text,
    expires: text,
    litellm_budget_table: BudgetTableSchema,
  }),
});
export type LitellmKeyInfo = z.infer<typeof LitellmKeyInfoSchema>;

export const LitellmUserInfoSchema = z.object({
  user_id: text,
  user_info: z
    .object({ user_alias: text, user_email: text, user_role: text, ...budgetFields })
    .nullable()
    .optional(),
});
export type LitellmUserInfo = z.infer<typeof LitellmUserInfoSchema>;

export const LitellmTeamInfoSchema = z.object({
  team_id: text,
  team_info: z
    .object({ team_alias: text, ...budgetFields })
    .nullable()
    .optional(),
  team_memberships: z
    .array(z.object({ user_id: text, team_id: text, spend: usdAmount, litellm_budget_table: BudgetTableSchema }))
    .nullable()
    .optional(),
});
export type LitellmTeamInfo = z.infer<typeof LitellmTeamInfoSchema>;

/** LiteLLM's "budget tracking" alert fires 15 % before the budget: at 85 %. */
const LITELLM_THRESHOLDS: readonly Threshold[] = [
  { percent: 85, severity: 'warn' },
  { percent: 100, severity: 'critical' },
];

export interface LitellmAnswers {
  key: LitellmKeyInfo;
  user?: LitellmUserInfo;
  team?: LitellmTeamInfo;
}

interface Layer {
  id: string;
  scope: 'key' | 'user' | 'team' | 'team_member';
  label: string;
  maxBudget: number | null | undefined;
  softBudget: number | null | undefined;
  spend: number | null | undefined;
  duration: string | null | undefined;
  resetAt: string | null | undefined;
  /** whether the spend is the developer's own (not a whole team's) */
  personal: boolean;
}

/** Pure mapping of the LiteLLM answers at `now`. */
export function litellmDocument(
  answers: LitellmAnswers,
  now: Date,
  redactText: (s: string) => string = (s) => s,
): AdapterResult {
  const key = answers.key.info;
  const asOf = now.toISOString();
  const keyName = redactText(key.key_alias ?? key.key_name ?? 'virtual key');
  const layers: Layer[] = [
    {
      id: 'litellm-key',
      scope: 'key',
      label: `LiteLLM key ${keyName}`,
      maxBudget: key.max_budget ?? key.litellm_budget_table?.max_budget,
      softBudget: key.soft_budget ?? key.litellm_budget_table?.soft_budget,
      spend: key.spend,
      duration: key.budget_duration ?? key.litellm_budget_table?.budget_duration,
      resetAt: key.budget_reset_at ?? key.litellm_budget_table?.budget_reset_at,
      personal: true,
    },
  ];
  const teamInfo = answers.team?.team_info;
  if (key.team_id && answers.team) {
    const teamName = teamInfo?.team_alias ?? key.team_id;
    const membership = answers.team.team_memberships?.find((m) => m.user_id !== undefined && m.user_id === key.user_id);
    const memberBudget = membership?.litellm_budget_table;
    if (membership && memberBudget && memberBudget.max_budget !== null && memberBudget.max_budget !== undefined) {
      layers.push({
        id: `litellm-team-member-${key.team_id}`,
        scope: 'team_member',
        label: `Your budget in team ${teamName}`,
        maxBudget: memberBudget.max_budget,
        softBudget: memberBudget.soft_budget,
        spend: membership.spend,
        duration: memberBudget.budget_duration,
        resetAt: memberBudget.budget_reset_at,
        personal: true,
      });
    }
    // the team's spend is everyone's: a ceiling worth showing only when the team has a limit
    if (teamInfo && teamInfo.max_budget !== null && teamInfo.max_budget !== undefined) {
      layers.push({
        id: `litellm-team-${key.team_id}`,
        scope: 'team',
        label: `Team ${teamName} (whole team)`,
        maxBudget: teamInfo.max_budget,
        softBudget: teamInfo.soft_budget,
        spend: teamInfo.spend,
        duration: teamInfo.budget_duration,
        resetAt: teamInfo.budget_reset_at,
        personal: false,
      });
    }
  }
  const userInfo = answers.user?.user_info;
  // "If a key belongs to a team, the team budget is applied, not the user's personal budget."
  if (!key.team_id && userInfo) {
    layers.push({
      id: 'litellm-user',
      scope: 'user',
      label: `Your LiteLLM budget${userInfo.user_alias ? ` (${userInfo.user_alias})` : ''}`,
      maxBudget: userInfo.max_budget,
      softBudget: userInfo.soft_budget,
      spend: userInfo.spend,
      duration: userInfo.budget_duration,
      resetAt: userInfo.budget_reset_at,
      personal: true,
    });
  }

  const bands: Band[] = [];
  const unbudgeted: UnbudgetedSpend[] = [];
  for (const layer of layers) {
    const usedMicros = usdMicros(layer.spend);
    const period = layerPeriod(layer, key.created_at, now);
    if (layer.maxBudget === null || layer.maxBudget === undefined) {
      if (layer.personal) {
        unbudgeted.push({
          id: layer.id,
          label: `${layer.label} (no budget set)`,
          scope: layer.scope,
          provider: 'litellm',
          used: { currency: 'USD', amount_micros: usedMicros },
          ...(period.interval === 'lifetime' ? {} : { period }),
          as_of: asOf,
        });
      }
      continue;
    }
    const allocatedMicros = usdMicros(layer.maxBudget);
    const softPercent =
      layer.softBudget !== null && layer.softBudget !== undefined && layer.maxBudget > 0
        ? (layer.softBudget / layer.maxBudget) * 100
        : undefined;
    bands.push(
      allBand({
        id: layer.id,
        label: layer.label,
        period,
        allocatedMicros,
        usedMicros,
        thresholds: thresholdsWith(softPercent, LITELLM_THRESHOLDS),
        provider: 'litellm',
        asOf,
      }),
    );
  }
  // the layer with the least left blocks first: put it where bandForWorkflow looks
  bands.sort((a, b) => a.remaining.amount_micros - b.remaining.amount_micros);

  const role = userInfo?.user_role;
  const document = {
    developer: {
      id: key.user_id ?? answers.user?.user_id ?? keyName,
      ...(userInfo?.user_alias ? { display_name: userInfo.user_alias } : {}),
      ...(userInfo?.user_email ? { email: userInfo.user_email } : {}),
    },
    role: role
      ? { id: role, label: `LiteLLM ${role.replace(/_/g, ' ')}` }
      : { id: 'litellm_key', label: 'LiteLLM virtual key' },
    seats: [],
    bands,
    escalation: { rules: [] },
    // LiteLLM has no pre-flight and no user-filed increase requests; daily activity is not read here
    capabilities: { session_tags: false, preflight: false, increase_requests: false, usage_history: false },
    generated_at: asOf,
  };
  return {
    document: checkAdapterDocument(document, (detail) => new ApiError('invalidPayload', `LiteLLM: ${detail}`)),
    unbudgeted,
  };
}

function layerPeriod(layer: Layer, createdAt: string | null | undefined, now: Date) {
  const duration = parseLitellmDuration(layer.duration);
  const resetAt = vendorInstant(layer.resetAt);
  if (duration && resetAt) return periodEndingAt(resetAt, duration);
  if (duration && (duration.interval === 'P1M' || duration.interval === 'P1W' || duration.interval === 'P1D')) {
    // no reset time yet (a new budget): LiteLLM resets on UTC calendar boundaries
    return periodContaining(duration.interval, now, 'UTC');
  }
  if (duration && duration.ms !== undefined)
    return periodEndingAt(new Date(now.getTime() + duration.ms).toISOString(), duration);
  return lifetimePeriod(vendorInstant(createdAt), now);
}

export interface LitellmFetchOptions {
  now: Date;
  signal?: AbortSignal | undefined;
  /** read `/user/info` for a key without a team (default true) */
  lookupUser?: boolean;
  /** read `/team/info` for a team key (default true) */
  lookupTeam?: boolean;
  redactText?: (s: string) => string;
}

/** Fetch the layers and map them. The key answer is required; a layer the key may not read is skipped. */
export async function fetchLitellmBands(http: HttpTransport, options: LitellmFetchOptions): Promise<AdapterResult> {
  const signal = options.signal;
  const { value: key } = await http.sendJson(
    { method: 'GET', path: 'key/info', signal },
    LitellmKeyInfoSchema,
    'GET /key/info',
  );
  const answers: LitellmAnswers = { key };
  const userId = key.info.user_id;
  const teamId = key.info.team_id;
  if (teamId && options.lookupTeam !== false) {
    const team = await optional(
      http.sendJson(
        { method: 'GET', path: 'team/info', query: { team_id: teamId }, signal },
        LitellmTeamInfoSchema,
        'GET /team/info',
      ),
    );
    if (team) answers.team = team.value;
  }
  if (!teamId && userId && options.lookupUser !== false) {
    const user = await optional(
      http.sendJson(
        { method: 'GET', path: 'user/info', query: { user_id: userId }, signal },
        LitellmUserInfoSchema,
        'GET /user/info',
      ),
    );
    if (user) answers.user = user.value;
  }
  return litellmDocument(answers, options.now, options.redactText);
}

/** A lookup the key is not allowed to make (or the proxy does not have) is not a failure of the source. */
async function optional<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (
      error instanceof ApiError &&
      (error.kind === 'unauthorized' || error.kind === 'forbidden' || error.kind === 'notFound')
    )
      return undefined;
    throw error;
  }
}
