// The demo seed: statuses that hold on any day of the period (first minutes, last minutes, short
// months, the first minutes of a week), real usage rows, teammates, a pending request, and re-runs
// that never duplicate data.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statusWord } from '../../../src/domain/format';
import { gaugeFor } from '../../../src/domain/gauge';
import { buildBandsDocument } from '../../../src/server/bandsBuilder';
import { seedDemo } from '../../../src/server/demoSeed';
import { openStorage } from '../../../src/server/storage/openStorage';
import type { StorageEngine } from '../../../src/server/storage/sqlDb';
import { describeEngines, freshLocation } from './postgresKit';

describeEngines('reference server: demo seed', function (engine) {
  let dir: string;
  let db: StorageEngine;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spend-band-demo-'));
    db = await openStorage(await freshLocation(engine, dir));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const statuses = async (now: Date) =>
    Object.fromEntries((await buildBandsDocument(db, 'demo', now))!.document.bands.map((b) => [b.workflow, b.status]));
  const count = async (sql: string) => Number((await db.get<{ n: number }>(sql))!.n);
  const expected = {
    light_assist: 'ok',
    deep_coding: 'ok',
    review: 'warn',
    research: 'exceeded',
    background_automation: 'ok',
  };

  for (const instant of [
    '2026-11-01T00:00:30Z', // seconds into a month (and a Sunday)
    '2026-11-16T00:00:05Z', // seconds into an ISO week
    '2026-11-30T23:59:59Z', // the last second of a month
    '2027-02-28T12:00:00Z', // a short month
    '2028-02-29T18:00:00Z', // a leap day
  ]) {
    it(`holds the demo statuses when seeded at ${instant}`, async () => {
      const now = new Date(instant);
      await seedDemo(db, now);
      assert.deepEqual(await statuses(now), expected);
      const review = (await buildBandsDocument(db, 'demo', now))!.document.bands.find((b) => b.workflow === 'review')!;
      assert.equal(review.used.amount_micros, 34_000_000, '85 % of $40, from events inside the period');
      assert.deepEqual(await overPace(now), [], 'no band that should be on track is over pace');
    });
  }

  /** The demo's ok bands whose words say "over pace" (their forecast passes the allocation). */
  const overPace = async (now: Date) =>
    (await buildBandsDocument(db, 'demo', now))!.document.bands
      .filter((b) => b.status === 'ok')
      .filter((b) => {
        const g = gaugeFor(b, now);
        return (
          statusWord(b.status, { forecastMicros: g.forecastMicros, allocatedMicros: g.allocatedMicros }) !== 'on track'
        );
      })
      .map((b) => b.workflow);

  it('seeded on December 4th: the month is part-used and on track, review shows its warning', async () => {
    const now = new Date('2026-12-04T16:05:00Z');
    await seedDemo(db, now);
    const bands = (await buildBandsDocument(db, 'demo', now))!.document.bands;
    const used = (workflow: string) => {
      const band = bands.find((b) => b.workflow === workflow)!;
      return Math.round((band.used.amount_micros / band.allocated.amount_micros) * 1000) / 10;
    };
    // 3.67 of 31 days gone (11.8 %): a little under that, not the 62 % a fixed share put there
    assert.ok(used('deep_coding') > 9 && used('deep_coding') < 11.8, `deep_coding ${used('deep_coding')} %`);
    assert.ok(used('light_assist') > 8 && used('light_assist') < 11.8, `light_assist ${used('light_assist')} %`);
    // Friday 16:05 of the ISO week: 4.67 of 7 days, capped at 30 %
    assert.equal(used('background_automation'), 30);
    assert.equal(used('review'), 85);
    assert.deepEqual(await overPace(now), []);
    assert.deepEqual(await statuses(now), expected);
  });

  it('seeds a team with seats, rules, 30 days of history and one pending request', async () => {
    const now = new Date('2026-11-18T10:00:00Z');
    const seeded = await seedDemo(db, now);
    assert.equal(seeded.created, true);
    assert.match(seeded.token, /^sbt_/);
    const doc = (await buildBandsDocument(db, 'demo', now))!.document;
    assert.equal(doc.developer.display_name, 'Dana Demo');
    assert.equal(doc.role.id, 'backend_engineer');
    assert.deepEqual(
      doc.seats.map((s) => [s.product, s.cost.amount_micros]),
      [
        ['copilot_business', 19_000_000],
        ['claude_team', 30_000_000],
      ],
    );
    assert.deepEqual(
      doc.escalation.rules.map((r) => [r.id, r.action]),
      [
        ['r_bg_deny', 'deny'],
        ['r_bg_approval', 'needs_approval'],
        ['r_bg_low', 'warn'],
        ['r_near_limit', 'warn'],
      ],
    );
    assert.equal(doc.escalation.per_run_cap?.amount_micros, 25_000_000);
    assert.equal(await count('SELECT count(*) AS n FROM developers'), 3);
    const oldest = await count("SELECT min(time_ms) AS n FROM usage_events WHERE developer_id = 'demo'");
    assert.ok(now.getTime() - oldest >= 29 * 86_400_000, '30 days of history');
    assert.ok(
      (await count("SELECT count(*) AS n FROM session_tags WHERE developer_id = 'demo'")) > 0,
      'attribution through real tags',
    );
    assert.equal(
      await count(
        "SELECT count(*) AS n FROM requests WHERE status = 'pending' AND kind = 'band_increase' AND band_id = 'b_deep_coding'",
      ),
      1,
    );
    for (const other of ['sam', 'alex'])
      assert.ok((await buildBandsDocument(db, other, now))!.document.bands.length > 0, other);
  });

  it('does not duplicate data when run again; a new period gets its own usage', async () => {
    const now = new Date('2026-11-18T10:00:00Z');
    const first = await seedDemo(db, now);
    const rows = () =>
      count(
        'SELECT (SELECT count(*) FROM usage_events) + (SELECT count(*) FROM session_tags) + (SELECT count(*) FROM requests) + (SELECT count(*) FROM rules) + (SELECT count(*) FROM bands) AS n',
      );
    const before = await rows();
    const second = await seedDemo(db, new Date('2026-11-25T10:00:00Z'));
    assert.equal(second.created, false);
    assert.notEqual(second.token, first.token, 'a fresh token each run');
    // A new week tops up the weekly band only.
    const weekly = () =>
      count(
        "SELECT count(*) AS n FROM usage_events WHERE developer_id = 'demo' AND workflow = 'background_automation'",
      );
    assert.equal(await rows(), before + 8 + 2, "the new week's background runs (8) and the teammates' (2)");
    await seedDemo(db, new Date('2026-11-25T11:00:00Z'));
    assert.ok((await weekly()) > 0);
    assert.equal(await rows(), before + 10, 'same period again: nothing new');
    const december = new Date('2026-12-03T10:00:00Z');
    await seedDemo(db, december);
    assert.deepEqual(await statuses(december), expected);
    assert.equal(await count('SELECT count(*) AS n FROM developers'), 3);
  });
});
