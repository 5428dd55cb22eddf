// `spend-band server --demo` also seeds a team for the budget owner's review: 12 developers in 3 roles
// (the demo's own Dana, Sam and Alex among them) with 3 months of usage, so `spend-band admin review`
// has something true to show: two idle or barely used seats (Ivan, Rosa), a class that drifts
// (background_automation ramps up over the last three weeks of the last complete month), two outliers
// (Omar in deep_coding among backend engineers, Zoe in research among frontend engineers), and
// increase requests approved (one with its result recorded, one whose review date passed without one)
// and denied. Deterministic (hash-seeded) and idempotent: it runs once per database.
import { createHash } from 'node:crypto';
import { periodContaining } from '../domain/period';
import { addDeveloper, ensureRole, insertUsageEvents, setBand, setSeat, type UsageEventInput } from './adminStore';
import { buildBandsDocument } from './bandsBuilder';
import { insertRequest, resolveRequest } from './requestStore';
import type { SqlDb } from './storage/sqlDb';
import { recordOutcome } from './teamReviewStore';

const DAY = 86_400_000;
const USD = 'USD';
const $ = (usd: number) => Math.round(usd * 1_000_000);

/** The 12: role, and a name. demo, sam and alex exist already (demoSeed.ts). */
const TEAM: readonly [string, string, string][] = [
  ['demo', 'backend_engineer', 'Dana Demo'],
  ['sam', 'backend_engineer', 'Sam Rivera'],
  ['priya', 'backend_engineer', 'Priya Nair'],
  ['lee', 'backend_engineer', 'Lee Chen'],
  ['omar', 'backend_engineer', 'Omar Haddad'],
  ['alex', 'frontend_engineer', 'Alex Kim'],
  ['mia', 'frontend_engineer', 'Mia Rossi'],
  ['noah', 'frontend_engineer', 'Noah Weber'],
  ['zoe', 'frontend_engineer', 'Zoe Martin'],
  ['ivan', 'frontend_engineer', 'Ivan Petrov'],
  ['kai', 'platform_engineer', 'Kai Tanaka'],
  ['rosa', 'platform_engineer', 'Rosa Silva'],
];

/** Dollars a working day per class, by role. */
const DAILY: Record<string, Record<string, number>> = {
  backend_engineer: { light_assist: 1.3, deep_coding: 5.5, review: 1.8, research: 2.2, background_automation: 2.4 },
  frontend_engineer: { light_assist: 0.8, deep_coding: 1.6, review: 0.7, research: 0.5, background_automation: 0.3 },
  platform_engineer: { light_assist: 0.4, deep_coding: 1.2, review: 0.5, research: 0.4, background_automation: 0.9 },
};

function unit(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 0x1_0000_0000;
}

export async function seedDemoTeam(db: SqlDb, now: Date): Promise<void> {
  await db.transaction(async () => {
    if ((await db.get("SELECT value FROM meta WHERE key = 'demo_team_seeded'")) !== undefined) return;
    const nowMs = now.getTime();
    await ensureRole(db, 'platform_engineer', 'Platform engineer');
    for (const [id, role, name] of TEAM) await addDeveloper(db, { id, role, name, team: 'default' }, nowMs);
    await setSeat(db, {
      role: 'platform_engineer',
      vendor: 'github',
      product: 'copilot_business',
      plan: 'business',
      currency: USD,
      costMicros: $(19),
    });
    await setSeat(db, {
      role: 'platform_engineer',
      vendor: 'anthropic',
      product: 'claude_team',
      plan: 'team',
      currency: USD,
      costMicros: $(30),
    });
    await setBand(db, {
      scope: { roleId: 'platform_engineer' },
      workflow: 'all',
      interval: 'P1M',
      timezone: 'UTC',
      currency: USD,
      allocatedMicros: $(150),
      enforcement: 'soft',
      thresholds: [80, 100],
    });

    // Three months back from now; the drift and the outliers sit in the last complete month.
    const monthEnd = Date.parse(periodContaining('P1M', now, 'UTC').start);
    const from = Math.floor((nowMs - 92 * DAY) / DAY) * DAY;
    const events: UsageEventInput[] = [];
    for (const [id, role] of TEAM) {
      if (id === 'demo' || id === 'ivan') continue; // Dana's usage is demoSeed.ts's; Ivan's seat is idle
      for (let day = from; day < Math.min(nowMs, monthEnd + 31 * DAY) && day < nowMs - DAY; day += DAY) {
        const weekday = new Date(day).getUTCDay();
        if (weekday === 0 || weekday === 6) continue;
        const date = new Date(day).toISOString().slice(0, 10);
        for (const [workflow, daily] of Object.entries(DAILY[role]!)) {
          let usd = daily * (0.5 + unit(`team:${id}:${workflow}:${date}`));
          if (id === 'rosa') usd *= 0.02; // barely used
          // The drift: background runs ramp up over the last 21 days of the month under review, and stay up.
          const daysToEnd = (monthEnd - day) / DAY;
          if (workflow === 'background_automation' && daysToEnd < 21) usd *= 1 + Math.min(21, 21 - daysToEnd) * 0.35;
          const outlier = (id === 'omar' && workflow === 'deep_coding') || (id === 'zoe' && workflow === 'research');
          const inMonth = day >= monthEnd - 31 * DAY && day < monthEnd;
          const runs = outlier && inMonth ? 2 : 1;
          for (let r = 0; r < runs; r++) {
            const cost = outlier && inMonth ? usd * (5 + 4 * unit(`team:${id}:${date}:${r}:x`)) : usd;
            const seed = `team:${id}:${workflow}:${date}:${r}`;
            events.push({
              developerId: id,
              timeMs: day + Math.floor((9 + 8 * unit(`${seed}:t`)) * 3_600_000),
              provider: workflow === 'light_assist' ? 'github_copilot' : 'anthropic',
              model: workflow === 'light_assist' ? 'gpt-4.1' : 'claude-sonnet-4-5',
              workflow,
              currency: USD,
              costMicros: $(Math.round(cost * 100) / 100),
              sourceId: seed,
            });
          }
        }
      }
    }
    await insertUsageEvents(db, events);

    // Increase requests in the month under review: approved with a result, approved with the review date passed, denied.
    const filed = monthEnd - 20 * DAY;
    const reviewBy = new Date(monthEnd - 2 * DAY).toISOString().slice(0, 10);
    const requests: [string, string, number, Record<string, unknown>, boolean | null, string | null][] = [
      [
        'priya',
        'b_deep_coding',
        40,
        {
          kind: 'shorter_lead_time',
          metric: 'lead time for changes (d)',
          baseline: 4,
          target: 2.5,
          unit: 'd',
          review_at: reviewBy,
        },
        true,
        'lead time 4 d → 2.7 d over the month',
      ],
      [
        'omar',
        'b_deep_coding',
        80,
        { kind: 'fewer_incidents', metric: 'pager incidents a month', baseline: 6, target: 3, review_at: reviewBy },
        true,
        null,
      ],
      ['mia', 'b_all', 60, { kind: 'other', metric: 'design system migrated', target: 1 }, false, null],
    ];
    for (const [developerId, bandId, usd, outcome, approve, result] of requests) {
      const doc = (await buildBandsDocument(db, developerId, new Date(filed)))?.document;
      const row = await insertRequest(db, {
        developerId,
        kind: 'band_increase',
        bandId,
        body: {
          requested: { delta: { currency: USD, amount_micros: $(usd) } },
          scope: 'current_period',
          justification: `Demo request of ${developerId}.`,
          outcome,
        },
        bandSnapshot: doc?.bands.find((b) => b.id === bandId),
        nowMs: filed,
        expiresMs: null,
      });
      if (approve === null) continue;
      await resolveRequest(db, row.id, {
        approve,
        note: approve ? 'agreed in the weekly review' : 'not this quarter',
        decidedBy: { id: 'lead' },
        now: new Date(filed + DAY),
      });
      if (result) await recordOutcome(db, row.id, result, monthEnd - DAY);
    }
    await db.run("INSERT INTO meta (key, value) VALUES ('demo_team_seeded', ?)", [now.toISOString()]);
  });
}
