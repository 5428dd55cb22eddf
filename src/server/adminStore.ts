// Admin writes on the server database, shared by the `spend-band admin` commands and the demo seed.
// They validate what a person typed and throw AdminInputError with a sentence saying what to fix.
import { createHash } from 'node:crypto';
import { isSupportedInterval, isValidTimeZone } from '../domain/period';
import type { Threshold } from '../domain/schemas';
import {
  ADMIN_INPUT_ERROR,
  type BandInput,
  type DeveloperInput,
  type DeveloperSummary,
  type PolicyInput,
  type RuleInput,
  type Scoped,
  type SeatInput,
  type SessionTagSummary,
} from '../domain/serverAdmin';
import type { SqlDb, SqlValue } from './storage/sqlDb';
import { ALL_SCOPES, generateToken, hashToken, type Scope } from './tokens';

export class AdminInputError extends Error {
  override name = ADMIN_INPUT_ERROR;
}

const DEVELOPER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;
const CLASS_ID = /^[a-z][a-z0-9_]{0,63}$/;

export function checkDeveloperId(id: string): string {
  if (!DEVELOPER_ID.test(id))
    throw new AdminInputError(`"${id}" is not a developer id: use letters, digits and . _ @ - (at most 100).`);
  return id;
}

export function checkClassId(id: string, what: string): string {
  if (!CLASS_ID.test(id))
    throw new AdminInputError(
      `"${id}" is not a ${what} id: use lower-case letters, digits and _ starting with a letter, e.g. backend_engineer.`,
    );
  return id;
}

export function checkWorkflow(id: string): string {
  return id === 'all' ? id : checkClassId(id, 'workflow class');
}

export function checkCurrency(code: string): string {
  if (!/^[A-Z]{3}$/.test(code)) throw new AdminInputError(`"${code}" is not an ISO 4217 currency code such as USD.`);
  return code;
}

export async function ensureRole(db: SqlDb, id: string, label?: string): Promise<void> {
  checkClassId(id, 'role');
  await db.run(
    'INSERT INTO roles (id, label) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET label = coalesce(excluded.label, roles.label)',
    [id, label ?? null],
  );
}

export async function developerExists(db: SqlDb, id: string): Promise<boolean> {
  return (await db.get('SELECT 1 AS one FROM developers WHERE id = ?', [id])) !== undefined;
}

export async function requireDeveloper(db: SqlDb, id: string): Promise<void> {
  if (!(await developerExists(db, id)))
    throw new AdminInputError(
      `there is no developer "${id}". Add one with: spend-band admin developer add --id ${id} --role ROLE`,
    );
}

export async function requireRole(db: SqlDb, id: string): Promise<void> {
  if ((await db.get('SELECT 1 AS one FROM roles WHERE id = ?', [id])) === undefined) {
    throw new AdminInputError(
      `there is no role "${id}". Roles are created by: spend-band admin developer add --id ID --role ${id} (or seat set --role ${id}).`,
    );
  }
}

/** Every developer with its count of live tokens, by id. */
export async function listDevelopers(db: SqlDb): Promise<DeveloperSummary[]> {
  const rows = await db.all<DeveloperSummary>(
    `SELECT d.id, d.display_name, d.email, d.role_id, (SELECT count(*) FROM tokens t WHERE t.developer_id = d.id AND t.revoked_ms IS NULL) AS live_tokens
     FROM developers d ORDER BY d.id`,
  );
  return rows.map((r) => ({ ...r, live_tokens: Number(r.live_tokens) }));
}

/** Add a developer, or update the given fields of an existing one. Returns whether it was new. */
export async function addDeveloper(db: SqlDb, input: DeveloperInput, nowMs: number): Promise<boolean> {
  checkDeveloperId(input.id);
  if (input.name !== undefined && input.name.length > 200)
    throw new AdminInputError('--name is longer than 200 characters.');
  if (input.email !== undefined && input.email.length > 200)
    throw new AdminInputError('--email is longer than 200 characters.');
  if (input.team !== undefined) checkClassId(input.team, 'team');
  return db.transaction(async () => {
    const exists = await developerExists(db, input.id);
    if (input.role !== undefined) await ensureRole(db, input.role);
    if (exists) {
      await db.run(
        'UPDATE developers SET display_name = coalesce(?, display_name), email = coalesce(?, email), role_id = coalesce(?, role_id), team_id = coalesce(?, team_id) WHERE id = ?',
        [input.name ?? null, input.email ?? null, input.role ?? null, input.team ?? null, input.id],
      );
      return false;
    }
    const role = input.role ?? 'developer';
    await ensureRole(db, role);
    await db.run(
      'INSERT INTO developers (id, display_name, email, role_id, team_id, created_ms) VALUES (?, ?, ?, ?, ?, ?)',
      [input.id, input.name ?? null, input.email ?? null, role, input.team ?? 'default', nowMs],
    );
    return true;
  });
}

export async function issueToken(
  db: SqlDb,
  developerId: string,
  nowMs: number,
  scopes: readonly Scope[] = ALL_SCOPES,
  label?: string,
  expiresMs: number | null = null,
): Promise<string> {
  await requireDeveloper(db, developerId);
  if (scopes.length === 0) throw new AdminInputError('a token needs at least one scope.');
  if (expiresMs !== null && expiresMs <= nowMs)
    throw new AdminInputError('the expiry is not in the future; give a later time.');
  const token = generateToken();
  await db.run(
    'INSERT INTO tokens (hash, developer_id, scopes, label, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?)',
    [hashToken(token), developerId, [...new Set(scopes)].join(' '), label ?? null, nowMs, expiresMs],
  );
  return token;
}

export interface Rotation {
  token: string;
  scopes: Scope[];
  /** how many live tokens the rotation retired */
  retired: number;
  /** when the retired tokens stop working (now, or now + grace) */
  retiredAtMs: number;
}

/**
 * Issue a new token with the scopes of the developer's newest live token (or `scopes`), and retire
 * every other live token: revoked now, or — with a grace period — made to expire at now + grace, so
 * a client can switch over without a gap.
 */
export async function rotateTokens(
  db: SqlDb,
  developerId: string,
  nowMs: number,
  options: {
    graceMs?: number;
    expiresMs?: number | null;
    scopes?: readonly Scope[] | undefined;
    label?: string | undefined;
  } = {},
): Promise<Rotation> {
  await requireDeveloper(db, developerId);
  return db.transaction(async () => {
    const newest = await db.get<{ scopes: string; label: string | null }>(
      'SELECT scopes, label FROM tokens WHERE developer_id = ? AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?) ORDER BY created_ms DESC LIMIT 1',
      [developerId, nowMs],
    );
    const scopes = options.scopes
      ? [...options.scopes]
      : ((newest?.scopes.split(' ') as Scope[] | undefined) ?? [...ALL_SCOPES]);
    const graceMs = options.graceMs ?? 0;
    const retiredAtMs = nowMs + graceMs;
    // With a grace period, tokens that would outlive it are cut to it (shorter expiries stay).
    const retired =
      graceMs > 0
        ? (
            await db.run(
              'UPDATE tokens SET expires_ms = ? WHERE developer_id = ? AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)',
              [retiredAtMs, developerId, retiredAtMs],
            )
          ).changes
        : await revokeTokens(db, developerId, nowMs);
    const token = await issueToken(
      db,
      developerId,
      nowMs,
      scopes,
      options.label ?? newest?.label ?? undefined,
      options.expiresMs ?? null,
    );
    return { token, scopes, retired, retiredAtMs };
  });
}

/** Revoke every live token of the developer; returns how many. */
export async function revokeTokens(db: SqlDb, developerId: string, nowMs: number): Promise<number> {
  await requireDeveloper(db, developerId);
  return (
    await db.run('UPDATE tokens SET revoked_ms = ? WHERE developer_id = ? AND revoked_ms IS NULL', [nowMs, developerId])
  ).changes;
}

export async function setSeat(db: SqlDb, input: SeatInput): Promise<string> {
  checkCurrency(input.currency);
  if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(input.vendor))
    throw new AdminInputError(`"${input.vendor}" is not a vendor id such as github or anthropic.`);
  if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(input.product))
    throw new AdminInputError(`"${input.product}" is not a product id such as copilot_business.`);
  if (input.costMicros < 0) throw new AdminInputError('a seat cannot cost less than nothing.');
  const id = `seat_${input.role}_${input.vendor}_${input.product}`;
  await db.transaction(async () => {
    await ensureRole(db, input.role);
    await db.run(
      `INSERT INTO seats (id, role_id, vendor, product, plan, currency, cost_micros, cost_period, included_quotas) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (role_id, vendor, product) DO UPDATE SET plan = excluded.plan, currency = excluded.currency, cost_micros = excluded.cost_micros,
         cost_period = excluded.cost_period, included_quotas = coalesce(excluded.included_quotas, seats.included_quotas)`,
      [
        id,
        input.role,
        input.vendor,
        input.product,
        input.plan ?? null,
        input.currency,
        input.costMicros,
        input.costPeriod ?? 'P1M',
        input.includedQuotas ? JSON.stringify(input.includedQuotas) : null,
      ],
    );
  });
  return id;
}

export function thresholdsFromPercents(percents: readonly number[]): Threshold[] {
  return [...new Set(percents)]
    .sort((a, b) => a - b)
    .map((percent) => ({ percent, severity: percent >= 100 ? 'critical' : 'warn' }));
}

async function checkScope(db: SqlDb, scope: Scoped): Promise<void> {
  if (scope.developerId !== undefined) await requireDeveloper(db, scope.developerId);
  else await requireRole(db, checkClassId(scope.roleId, 'role'));
}

export async function setBand(db: SqlDb, input: BandInput): Promise<string> {
  checkWorkflow(input.workflow);
  checkCurrency(input.currency);
  if (!isSupportedInterval(input.interval))
    throw new AdminInputError(`--period ${input.interval}: use P1M (calendar month), P1W (ISO week) or P1D.`);
  if (!isValidTimeZone(input.timezone))
    throw new AdminInputError(`--timezone ${input.timezone}: use an IANA zone such as UTC or Europe/Berlin.`);
  if (!['none', 'soft', 'hard'].includes(input.enforcement))
    throw new AdminInputError(`--enforcement ${input.enforcement}: use none, soft or hard.`);
  if (input.allocatedMicros < 0) throw new AdminInputError('--allocated-usd must not be negative.');
  for (const p of input.thresholds) {
    if (!Number.isInteger(p) || p < 1 || p > 1000)
      throw new AdminInputError(`--thresholds: ${p} is not a whole percent from 1 to 1000 (e.g. 80,100).`);
  }
  if (input.label !== undefined && input.label.length > 100)
    throw new AdminInputError('--label is longer than 100 characters.');
  const owner =
    input.scope.developerId !== undefined ? `developer:${input.scope.developerId}` : `role:${input.scope.roleId}`;
  const id = `${owner}:${input.workflow}`;
  await db.transaction(async () => {
    await checkScope(db, input.scope);
    await db.run(
      `INSERT INTO bands (id, developer_id, role_id, workflow, label, interval, timezone, currency, allocated_micros, enforcement, thresholds)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET label = coalesce(excluded.label, bands.label), interval = excluded.interval, timezone = excluded.timezone,
         currency = excluded.currency, allocated_micros = excluded.allocated_micros, enforcement = excluded.enforcement, thresholds = excluded.thresholds`,
      [
        id,
        input.scope.developerId ?? null,
        input.scope.roleId ?? null,
        input.workflow,
        input.label ?? null,
        input.interval,
        input.timezone,
        input.currency,
        input.allocatedMicros,
        input.enforcement,
        JSON.stringify(thresholdsFromPercents(input.thresholds.length > 0 ? input.thresholds : [80, 100])),
      ],
    );
  });
  return id;
}

export async function addRule(db: SqlDb, input: RuleInput): Promise<string> {
  if (!['warn', 'needs_approval', 'deny'].includes(input.action))
    throw new AdminInputError(`--action ${input.action}: use warn, needs_approval or deny.`);
  for (const w of input.appliesTo) checkWorkflow(w);
  if (input.message !== undefined && input.message.length > 500)
    throw new AdminInputError('--message is longer than 500 characters.');
  return db.transaction(async () => {
    await checkScope(db, input.scope);
    const count = Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM rules'))!.n);
    const id = input.id ?? `r${count + 1}_${input.appliesTo[0] ?? 'any'}_${input.action}`;
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(id))
      throw new AdminInputError(`--id ${id}: use letters, digits and _ . - only.`);
    if ((await db.get('SELECT 1 AS one FROM rules WHERE id = ?', [id])) !== undefined)
      throw new AdminInputError(`a rule ${id} exists already; pick another --id.`);
    await db.run(
      'INSERT INTO rules (id, developer_id, role_id, applies_to, when_json, action, approver_role, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        id,
        input.scope.developerId ?? null,
        input.scope.roleId ?? null,
        JSON.stringify(input.appliesTo),
        JSON.stringify(input.when),
        input.action,
        input.approverRole ?? null,
        input.message ?? null,
      ],
    );
    return id;
  });
}

export async function setPolicy(db: SqlDb, input: PolicyInput): Promise<void> {
  checkCurrency(input.currency);
  const key =
    input.scope.developerId !== undefined ? `developer:${input.scope.developerId}` : `role:${input.scope.roleId}`;
  await db.transaction(async () => {
    await checkScope(db, input.scope);
    await db.run(
      `INSERT INTO policies (scope, currency, per_run_cap_micros, max_duration, max_iterations) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (scope) DO UPDATE SET currency = excluded.currency,
         per_run_cap_micros = coalesce(excluded.per_run_cap_micros, policies.per_run_cap_micros),
         max_duration = coalesce(excluded.max_duration, policies.max_duration),
         max_iterations = coalesce(excluded.max_iterations, policies.max_iterations)`,
      [key, input.currency, input.perRunCapMicros ?? null, input.maxDuration ?? null, input.maxIterations ?? null],
    );
  });
}

export interface UsageEventInput {
  developerId: string;
  timeMs: number;
  provider: string;
  model?: string | null | undefined;
  workflow?: string | null | undefined;
  currency: string;
  costMicros: number;
  tokens?:
    | {
        input?: number | undefined;
        output?: number | undefined;
        cache_read?: number | undefined;
        cache_write?: number | undefined;
        total?: number | undefined;
      }
    | undefined;
  estimated?: boolean | undefined;
  /** an id from the source, when it has one; else the event's own content identifies it */
  sourceId?: string | undefined;
}

/** The columns of a usage event row, in the order usageEventRow() gives its values. */
export const USAGE_EVENT_COLUMNS = `developer_id, time_ms, provider, model, workflow, currency, cost_micros, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, total_tokens, estimated, dedupe_key`;

/** One event's values for USAGE_EVENT_COLUMNS under its dedupe key: one binding for every writer of usage_events. */
export function usageEventRow(e: UsageEventInput, dedupeKey: string): SqlValue[] {
  const t = e.tokens ?? {};
  return [
    e.developerId,
    e.timeMs,
    e.provider,
    e.model ?? null,
    e.workflow ?? null,
    e.currency,
    e.costMicros,
    t.input ?? null,
    t.output ?? null,
    t.cache_read ?? null,
    t.cache_write ?? null,
    t.total ?? null,
    e.estimated ? 1 : 0,
    dedupeKey,
  ];
}

/** Insert events; an event already present (same source id, or same content) is skipped, not doubled. */
/** Rows per INSERT: one round trip per batch on Postgres (14 parameters a row, far below both engines' limits). */
const INSERT_BATCH = 200;

export async function insertUsageEvents(
  db: SqlDb,
  events: readonly UsageEventInput[],
): Promise<{ inserted: number; duplicates: number }> {
  const head = `INSERT INTO usage_events (${USAGE_EVENT_COLUMNS}) VALUES `;
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const params = events.map((e) => {
    // Without a source id, the event's content is its key: every column but `estimated` (JSON writes
    // an absent token count as null, as usageEventRow binds it).
    const key =
      e.sourceId !== undefined
        ? `id:${e.developerId}:${e.sourceId}`
        : `h:${createHash('sha256')
            .update(JSON.stringify(usageEventRow(e, '').slice(0, 12)))
            .digest('base64url')}`;
    return usageEventRow(e, key);
  });
  let inserted = 0;
  await db.transaction(async () => {
    inserted = 0;
    for (let i = 0; i < params.length; i += INSERT_BATCH) {
      const batch = params.slice(i, i + INSERT_BATCH);
      const sql = `${head}${Array.from({ length: batch.length }, () => row).join(', ')} ON CONFLICT (dedupe_key) DO NOTHING`;
      inserted += (await db.run(sql, batch.flat())).changes;
    }
  });
  return { inserted, duplicates: events.length - inserted };
}

interface TagRow {
  developer_id: string;
  id: string;
  workflow: string;
  started_ms: number;
  ended_ms: number | null;
  workspace: string | null;
  updated_ms: number;
}

/** The session tags the editors sent, newest first, at most 1000 (what the server attributes usage by). */
export async function listSessionTags(db: SqlDb, developerId?: string): Promise<SessionTagSummary[]> {
  const rows =
    developerId === undefined
      ? await db.all<TagRow>('SELECT * FROM session_tags ORDER BY started_ms DESC LIMIT 1000')
      : await db.all<TagRow>('SELECT * FROM session_tags WHERE developer_id = ? ORDER BY started_ms DESC LIMIT 1000', [
          developerId,
        ]);
  return rows.map((r) => ({
    developer_id: r.developer_id,
    id: r.id,
    workflow: r.workflow,
    started_at: new Date(r.started_ms).toISOString(),
    ended_at: r.ended_ms === null ? null : new Date(r.ended_ms).toISOString(),
    workspace: r.workspace === null ? null : (JSON.parse(r.workspace) as unknown),
    updated_at: new Date(r.updated_ms).toISOString(),
  }));
}
