// `spend-band server --demo`: a small team with real rows, so the extension's demo and the tests have
// something true to show. Developer `demo` gets five bands whose statuses hold whatever the day of the
// period: the spend seeded inside each band's current period is a fixed share of its allocation,
// spread over the part of the period already elapsed (light_assist 40 %, deep_coding 62 %,
// background_automation 30 % → ok; review 85 % → warn; research 112 % → exceeded), plus 30 days of
// history before it. Seeding is idempotent: every seeded row has a stable key, the team is created
// once, and a later run only tops up a new period's usage and issues a fresh demo token.
import { createHash } from 'node:crypto';
import { periodContaining, type PeriodInterval } from '../domain/period';
import { buildBandsDocument } from './bandsBuilder';
import {
  addDeveloper,
  addRule,
  insertUsageEvents,
  issueToken,
  setBand,
  setPolicy,
  setSeat,
  ensureRole,
  type UsageEventInput,
} from './adminStore';
import { insertRequest } from './requestStore';
import type { SqlDb } from './storage/sqlDb';

export const DEMO_DEVELOPER = 'demo';
const USD = 'USD';
const $ = (usd: number) => Math.round(usd * 1_000_000);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface DemoBand {
  workflow: string;
  allocatedUsd: number;
  interval: PeriodInterval;
  /** share of the allocation spent in the current period, in per mille (the most, for a paced band) */
  spentPerMille: number;
  /**
   * A band on pace: the share spent so far is this many per mille of the share of the period elapsed
   * (950: a little under pace), up to spentPerMille. Without it the share is fixed: a band that shows
   * its warning or its overdraft whatever the day.
   */
  pacePerMille?: number;
  /** attributed through seeded session tags (true) or carried on the event (false) */
  viaTags: boolean;
  provider: string;
  model: string;
  enforcement: 'soft' | 'hard';
}

const DEMO_BANDS: readonly DemoBand[] = [
  {
    workflow: 'light_assist',
    allocatedUsd: 40,
    interval: 'P1M',
    spentPerMille: 400,
    pacePerMille: 850,
    viaTags: true,
    provider: 'github_copilot',
    model: 'gpt-4.1',
    enforcement: 'soft',
  },
  {
    workflow: 'deep_coding',
    allocatedUsd: 150,
    interval: 'P1M',
    spentPerMille: 620,
    pacePerMille: 950,
    viaTags: true,
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    enforcement: 'soft',
  },
  {
    workflow: 'review',
    allocatedUsd: 40,
    interval: 'P1M',
    spentPerMille: 850,
    viaTags: false,
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    enforcement: 'soft',
  },
  {
    workflow: 'research',
    allocatedUsd: 60,
    interval: 'P1M',
    spentPerMille: 1120,
    viaTags: false,
    provider: 'openai',
    model: 'gpt-5',
    enforcement: 'soft',
  },
  {
    workflow: 'background_automation',
    allocatedUsd: 40,
    interval: 'P1W',
    spentPerMille: 300,
    pacePerMille: 900,
    viaTags: false,
    provider: 'anthropic',
    model: 'claude-opus-4-1',
    enforcement: 'hard',
  },
];

const EVENTS_PER_PERIOD = 8;
/** A demo token works for 30 days, or until the next `server --demo` start. */
export const DEMO_TOKEN_TTL_MS = 30 * 86_400_000;

export interface DemoSeedResult {
  developerId: string;
  token: string;
  /** true when the team was created by this call */
  created: boolean;
}

export async function seedDemo(db: SqlDb, now: Date): Promise<DemoSeedResult> {
  const nowMs = now.getTime();
  return db.transaction(async () => {
    const created = (await db.get("SELECT value FROM meta WHERE key = 'demo_seeded'")) === undefined;
    if (created) await createTeam(db, nowMs);
    await seedCurrentPeriods(db, now);
    if (created) {
      await seedHistory(db, now);
      await fileDemoRequest(db, now);
      await db.run("INSERT INTO meta (key, value) VALUES ('demo_seeded', ?)", [now.toISOString()]);
    }
    // One live demo token at a time, and not forever (issue #20 finding 10): each start revokes the
    // tokens earlier demo starts printed (tokens an admin issued are left alone).
    await db.run("UPDATE tokens SET revoked_ms = ? WHERE developer_id = ? AND label = 'demo' AND revoked_ms IS NULL", [
      nowMs,
      DEMO_DEVELOPER,
    ]);
    const token = await issueToken(db, DEMO_DEVELOPER, nowMs, undefined, 'demo', nowMs + DEMO_TOKEN_TTL_MS);
    return { developerId: DEMO_DEVELOPER, token, created };
  });
}

async function createTeam(db: SqlDb, nowMs: number): Promise<void> {
  await ensureRole(db, 'backend_engineer', 'Backend engineer');
  await ensureRole(db, 'frontend_engineer', 'Frontend engineer');
  await addDeveloper(
    db,
    { id: DEMO_DEVELOPER, name: 'Dana Demo', email: 'dana@example.com', role: 'backend_engineer' },
    nowMs,
  );
  await addDeveloper(db, { id: 'sam', name: 'Sam Rivera', role: 'backend_engineer' }, nowMs);
  await addDeveloper(db, { id: 'alex', name: 'Alex Kim', role: 'frontend_engineer' }, nowMs);
  for (const role of ['backend_engineer', 'frontend_engineer']) {
    await setSeat(db, {
      role,
      vendor: 'github',
      product: 'copilot_business',
      plan: 'business',
      currency: USD,
      costMicros: $(19),
      includedQuotas: [{ unit: 'premium_request', quantity: 300, overage_permitted: false }],
    });
    await setSeat(db, {
      role,
      vendor: 'anthropic',
      product: 'claude_team',
      plan: 'team',
      currency: USD,
      costMicros: $(30),
    });
  }
  for (const band of DEMO_BANDS) {
    const common = {
      workflow: band.workflow,
      interval: band.interval,
      timezone: 'UTC',
      currency: USD,
      enforcement: band.enforcement,
      thresholds: [80, 100],
    };
    await setBand(db, { ...common, scope: { developerId: DEMO_DEVELOPER }, allocatedMicros: $(band.allocatedUsd) });
    await setBand(db, { ...common, scope: { roleId: 'backend_engineer' }, allocatedMicros: $(band.allocatedUsd) });
  }
  await setBand(db, {
    scope: { roleId: 'frontend_engineer' },
    workflow: 'all',
    interval: 'P1M',
    timezone: 'UTC',
    currency: USD,
    allocatedMicros: $(200),
    enforcement: 'soft',
    thresholds: [80, 100],
  });
  await setPolicy(db, {
    scope: { roleId: 'backend_engineer' },
    currency: USD,
    perRunCapMicros: $(25),
    maxDuration: 'PT2H',
  });
  const bg = ['background_automation'];
  const role = { roleId: 'backend_engineer' } as const;
  await addRule(db, {
    scope: role,
    id: 'r_bg_deny',
    appliesTo: bg,
    when: { estimate_at_least: { currency: USD, amount_micros: $(20) } },
    action: 'deny',
    message: 'Background runs of $20 or more are not allowed; split the job.',
  });
  await addRule(db, {
    scope: role,
    id: 'r_bg_approval',
    appliesTo: bg,
    when: { estimate_at_least: { currency: USD, amount_micros: $(5) } },
    action: 'needs_approval',
    approverRole: 'team_lead',
  });
  await addRule(db, {
    scope: role,
    id: 'r_bg_low',
    appliesTo: bg,
    when: { remaining_percent_after_below: 20 },
    action: 'warn',
  });
  await addRule(db, {
    scope: role,
    id: 'r_near_limit',
    appliesTo: ['deep_coding', 'review', 'research'],
    when: { remaining_percent_after_below: 20 },
    action: 'warn',
  });
}

/** Deterministic pseudo-random numbers from a text seed (so the demo is the same on every machine). */
function unit(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 0x1_0000_0000;
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function insertTag(
  db: SqlDb,
  developerId: string,
  seed: string,
  workflow: string,
  startMs: number,
  endMs: number,
  nowMs: number,
): Promise<void> {
  await db.run(
    `INSERT INTO session_tags (developer_id, id, workflow, started_ms, ended_ms, tool, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (developer_id, id) DO NOTHING`,
    [developerId, uuidFrom(seed), workflow, startMs, endMs, JSON.stringify({ name: 'demo_seed' }), nowMs, nowMs],
  );
}

function tokensFor(costMicros: number, seed: string): UsageEventInput['tokens'] {
  const input = Math.round(costMicros / 6 + unit(`${seed}:in`) * 2000);
  const output = Math.round(costMicros / 30);
  return { input, output, cache_read: Math.round(input * 0.4), cache_write: Math.round(input * 0.05) };
}

/**
 * What a demo band has spent of its current period by now, in micros: a fixed share, or for a paced
 * band its pace × the elapsed share of the period (so on December 4th a monthly band is about 10 %
 * used and on track, not 62 % and "over pace"), never more than its fixed share (below its warning).
 */
function spentInPeriod(band: DemoBand, elapsedMs: number, lengthMs: number): number {
  const most = Math.round(($(band.allocatedUsd) * band.spentPerMille) / 1000);
  if (band.pacePerMille === undefined || lengthMs <= 0) return most;
  const paced = Math.floor(($(band.allocatedUsd) * band.pacePerMille * Math.min(1, elapsedMs / lengthMs)) / 1000);
  return Math.min(most, paced);
}

/** The spend of each demo band's current period, spread over the elapsed part: the statuses hold on any day. */
async function seedCurrentPeriods(db: SqlDb, now: Date): Promise<void> {
  const nowMs = now.getTime();
  const events: UsageEventInput[] = [];
  for (const [k, band] of DEMO_BANDS.entries()) {
    const period = periodContaining(band.interval, now, 'UTC');
    const start = Date.parse(period.start);
    const elapsed = Math.max(0, nowMs - start);
    const total = spentInPeriod(band, elapsed, Date.parse(period.end) - start);
    const slot = elapsed / (DEMO_BANDS.length * EVENTS_PER_PERIOD);
    const each = Math.floor(total / EVENTS_PER_PERIOD);
    for (let i = 0; i < EVENTS_PER_PERIOD; i++) {
      const seed = `demo:${band.workflow}:${period.start}:${i}`;
      const cost = i === EVENTS_PER_PERIOD - 1 ? total - each * (EVENTS_PER_PERIOD - 1) : each;
      const at = Math.floor(start + slot * (i * DEMO_BANDS.length + k + 0.5));
      if (band.viaTags) {
        const half = Math.floor(Math.min(45 * 60_000, slot * 0.45));
        await insertTag(db, DEMO_DEVELOPER, `tag:${seed}`, band.workflow, at - half, at + Math.max(half, 1), nowMs);
      }
      events.push({
        developerId: DEMO_DEVELOPER,
        timeMs: at,
        provider: band.provider,
        model: band.model,
        workflow: band.viaTags ? null : band.workflow,
        currency: USD,
        costMicros: cost,
        tokens: tokensFor(cost, seed),
        estimated: false,
        sourceId: seed,
      });
    }
    // Teammates spend a little in the same period (isolation tests need someone else's numbers).
    for (const [developerId, share] of [
      ['sam', 150],
      ['alex', 90],
    ] as const) {
      const seed = `${developerId}:${band.workflow}:${period.start}`;
      events.push({
        developerId,
        timeMs: Math.floor(start + elapsed * 0.5),
        provider: band.provider,
        model: band.model,
        workflow: band.workflow,
        currency: USD,
        costMicros: Math.round(($(band.allocatedUsd) * share) / 1000),
        tokens: tokensFor($(1), seed),
        sourceId: seed,
      });
    }
  }
  await insertUsageEvents(db, events);
}

/** 30 days before the current periods: daily sessions (tagged blocks) with spend inside them. */
async function seedHistory(db: SqlDb, now: Date): Promise<void> {
  const nowMs = now.getTime();
  const events: UsageEventInput[] = [];
  const blocks: Record<string, [number, number]> = {
    light_assist: [8, 9.5],
    deep_coding: [9.5, 12.5],
    review: [13.5, 14.5],
    research: [14.5, 16.5],
    background_automation: [1, 3],
  };
  const dayZero = Math.floor(nowMs / DAY) * DAY;
  for (let d = 1; d <= 30; d++) {
    const day = dayZero - d * DAY;
    const date = new Date(day).toISOString().slice(0, 10);
    for (const band of DEMO_BANDS) {
      const periodStart = Date.parse(periodContaining(band.interval, now, 'UTC').start);
      const [from, to] = blocks[band.workflow]!;
      const blockStart = day + from * HOUR;
      const blockEnd = day + to * HOUR;
      if (blockEnd > periodStart) continue;
      const weekend = new Date(day).getUTCDay() % 6 === 0;
      if (weekend && band.workflow !== 'background_automation') continue;
      const dailyUsd =
        (band.allocatedUsd / (band.interval === 'P1W' ? 7 : 21)) * (0.4 + unit(`h:${band.workflow}:${date}`) * 0.9);
      if (band.viaTags)
        await insertTag(
          db,
          DEMO_DEVELOPER,
          `histtag:${band.workflow}:${date}`,
          band.workflow,
          blockStart,
          blockEnd,
          nowMs,
        );
      for (let i = 0; i < 3; i++) {
        const seed = `hist:${band.workflow}:${date}:${i}`;
        const cost = Math.round(($(dailyUsd) / 3) * (0.5 + unit(seed)));
        events.push({
          developerId: DEMO_DEVELOPER,
          timeMs: Math.floor(blockStart + ((blockEnd - blockStart) * (i + 0.5)) / 3),
          provider: band.provider,
          model: band.model,
          workflow: band.viaTags ? null : band.workflow,
          currency: USD,
          costMicros: cost,
          tokens: tokensFor(cost, seed),
          sourceId: seed,
        });
      }
    }
  }
  await insertUsageEvents(db, events);
}

async function fileDemoRequest(db: SqlDb, now: Date): Promise<void> {
  const doc = (await buildBandsDocument(db, DEMO_DEVELOPER, now))?.document;
  await insertRequest(db, {
    developerId: DEMO_DEVELOPER,
    kind: 'band_increase',
    bandId: 'b_deep_coding',
    body: {
      requested: { delta: { currency: USD, amount_micros: $(50) } },
      scope: 'current_period',
      justification:
        'Moving the billing service to the new queue needs two more agentic refactoring sessions this month.',
      outcome: { kind: 'shorter_lead_time', metric: 'lead time for changes (d)', baseline: 4, target: 2, unit: 'd' },
    },
    bandSnapshot: doc?.bands.find((b) => b.id === 'b_deep_coding'),
    nowMs: now.getTime(),
    expiresMs: null,
  });
}
