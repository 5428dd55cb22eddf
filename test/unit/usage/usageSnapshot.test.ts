// The snapshot's events in their total order (timestamp, agent, agent session, model), built for a
// window alone when a caller asks for a period: the same events, in the same order, as the whole
// list filtered to that window.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { UsageEvent } from '../../../src/usage/usageSnapshot';
import { claudeLine, codex, rolloutName, setup, usage, writeLines, type MeterSetup } from './usageTestKit';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const order = (a: UsageEvent, b: UsageEvent) =>
  a.timestamp - b.timestamp || cmp(a.agent, b.agent) || cmp(a.sessionId, b.sessionId) || cmp(a.model, b.model);
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 2, 10, minute, second)).toISOString();
const key = (e: UsageEvent) => `${e.timestamp} ${e.agent} ${e.sessionId} ${e.model} ${e.tokens.output}`;

describe('usage: the snapshot in order, and for a window', function () {
  this.timeout(30_000);
  let s: MeterSetup;
  beforeEach(() => {
    s = setup();
    // Sessions written in an order unlike their names, sharing minutes, with two models each.
    let n = 0;
    for (const session of ['s-c', 's-a', 's-b']) {
      const lines: string[] = [];
      for (let minute = 0; minute < 40; minute++) {
        for (const model of ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']) {
          if ((minute + session.length + model.length) % 3 === 0) continue;
          n++;
          lines.push(
            claudeLine({
              msgId: `m${n}`,
              requestId: `r${n}`,
              timestamp: at(minute, n % 60),
              output: n,
              sessionId: session,
              model,
            }),
          );
        }
      }
      writeLines(join(s.claude, 'projects', `p-${session}`, `${session}.jsonl`), lines);
    }
    const l = usage(10, 0, 5, 0);
    writeLines(join(s.codexHome, 'sessions', '2026', '11', '02', rolloutName('0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b')), [
      codex.turn(at(3), 'gpt-5-codex'),
      codex.tokens(at(3, 30), l, l),
    ]);
  });
  afterEach(() => s.dir.remove());

  it('events are in the total order; eventsBetween gives the same events as the list filtered to the window', async () => {
    const meter = s.meter();
    const snap = await meter.refresh();
    const all = snap.events;
    assert.ok(all.length > 150, `${all.length} rollups`);
    assert.deepEqual(all.map(key), [...all].sort(order).map(key));
    assert.ok(
      all.some((e, i) => i > 0 && e.timestamp === all[i - 1]!.timestamp),
      'minutes shared by several rollups',
    );
    for (const [from, to] of [
      [at(0), at(40)],
      [at(5), at(6)],
      [at(3), at(12, 30)],
      [at(39), at(50)],
      [at(50), at(60)],
    ] as const) {
      const window = (e: UsageEvent) => e.timestamp >= Date.parse(from) && e.timestamp < Date.parse(to);
      assert.deepEqual(
        snap.eventsBetween(Date.parse(from), Date.parse(to)).map(key),
        all.filter(window).map(key),
        `${from} to ${to}`,
      );
    }
    await meter.dispose();
    // Asked for a window first, before the whole list is ever built (a report, a pre-flight estimate).
    const fresh = await s.meter().refresh();
    const window = fresh.eventsBetween(Date.parse(at(3)), Date.parse(at(12)));
    assert.deepEqual(
      window.map(key),
      all.filter((e) => e.timestamp >= Date.parse(at(3)) && e.timestamp < Date.parse(at(12))).map(key),
    );
    assert.ok(
      window.some((e) => e.agent === 'codex'),
      'the Codex rollout is in its minute',
    );
  });
});
