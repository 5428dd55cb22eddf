// A history larger than one page of the usage store (16 Ki requests, 16 Ki rollups), and larger
// than the dedupe table's memory budget: dedupe stays exact across page boundaries, across files
// (a resumed session repeating lines), across a restart on the persisted index (where a repeat with
// more tokens replaces the counted line), and whether the table holds every request in memory or
// spills most of them to disk. The spilled runs must give the very same rollups as the in-memory one.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UsageMeterOptions } from '../../../src/usage/usageMeter';
import type { UsageSnapshot } from '../../../src/usage/usageSnapshot';
import { groupUsage } from '../../../src/usage/usageRows';
import { appendLines, buildWorker, claudeLine, setup, totals, writeLines, type MeterSetup } from './usageTestKit';

const REQUESTS = 40_000; // > 2 pages of entries; one minute each, so > 2 pages of rollups too
const minuteAt = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i, 0)).toISOString();

interface Run {
  name: string;
  options: () => Partial<UsageMeterOptions>;
}

const RUNS: Run[] = [
  { name: 'every request in memory', options: () => ({}) },
  {
    name: 'a dedupe budget of 1 000 requests (most of them on disk), on this thread',
    options: () => ({ dedupeBudget: 1000 }),
  },
  {
    name: 'a dedupe budget of 1 000 requests, in the worker thread',
    options: () => ({ dedupeBudget: 1000, workerScript: buildWorker() }),
  },
  {
    name: 'a dedupe budget of 1 000 requests, as the CLI scans (sync I/O on its own thread)',
    options: () => ({ dedupeBudget: 1000, workerScript: buildWorker(), scanInThisThread: true }),
  },
];

describe('usage: a large history', function () {
  this.timeout(120_000);
  let s: MeterSetup;
  beforeEach(() => {
    s = setup();
  });
  afterEach(() => s.dir.remove());

  /** The full scan, a restart, and appends; returns each stage's events. */
  async function scenario(options: Partial<UsageMeterOptions>): Promise<UsageSnapshot['events'][]> {
    const original: string[] = [];
    const resumed: string[] = [];
    let wantOutput = 0;
    let wantInput = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const id = `msg_${i}`;
      const full = 10 + (i % 97);
      // Claude Code: an earlier content-block line with partial output, then the full one.
      original.push(claudeLine({ msgId: id, requestId: `req_${i}`, timestamp: minuteAt(i), input: 3, output: 1 }));
      original.push(claudeLine({ msgId: id, requestId: `req_${i}`, timestamp: minuteAt(i), input: 3, output: full }));
      wantOutput += full;
      wantInput += 3;
      // A resumed session repeats every 7th request's partial line (must add nothing).
      if (i % 7 === 0)
        resumed.push(
          claudeLine({
            msgId: id,
            requestId: `req_${i}`,
            timestamp: minuteAt(i),
            input: 3,
            output: 1,
            sessionId: 'resumed',
          }),
        );
    }
    // The resumed file sorts first: its partial lines are counted, then replaced by the full ones.
    const main = join(s.claude, 'projects', 'p', 'b-original.jsonl');
    writeLines(join(s.claude, 'projects', 'p', 'a-resumed.jsonl'), resumed);
    writeLines(main, original);
    const first = s.meter(options);
    const snap = await first.refresh();
    const t = totals(snap);
    assert.equal(t.requests, REQUESTS);
    assert.equal(t.output, wantOutput);
    assert.equal(t.input, wantInput);
    assert.ok(snap.events.length >= REQUESTS, 'one rollup per minute at least');
    assert.equal(
      snap.events.filter((e) => e.sessionId === 'resumed').length,
      0,
      'the resumed copies lost to the full lines: no rollup of theirs is left',
    );
    await first.dispose();

    // Restart on the persisted index; a request near the end of the last page comes back with more
    // output (a later content block), one from the first page is repeated unchanged, and new ones come.
    const second = s.meter(options);
    const again = await second.refresh();
    assert.equal(again.stats.fullScan, false);
    assert.deepEqual(totals(again), t);
    const late = REQUESTS - 3;
    appendLines(main, [
      claudeLine({ msgId: `msg_${late}`, requestId: `req_${late}`, timestamp: minuteAt(late), input: 3, output: 5000 }),
      claudeLine({ msgId: 'msg_1', requestId: 'req_1', timestamp: minuteAt(1), input: 3, output: 10 + 1 }),
      claudeLine({ msgId: 'msg_new', requestId: 'req_new', timestamp: minuteAt(REQUESTS + 5), input: 3, output: 7 }),
    ]);
    const grownSnap = await second.refresh();
    const grown = totals(grownSnap);
    assert.equal(grown.requests, REQUESTS + 1);
    assert.equal(grown.output, wantOutput - (10 + (late % 97)) + 5000 + 7);
    // Twice more in the same meter: a refresh after a save reads the entries from the new index.
    appendLines(main, [
      claudeLine({ msgId: 'msg_2', requestId: 'req_2', timestamp: minuteAt(2), input: 3, output: 4000 }),
    ]);
    const third = await second.refresh();
    assert.equal(totals(third).output, grown.output - (10 + 2) + 4000);
    await second.dispose();

    // A third start reads the index the second one left.
    const last = s.meter(options);
    const final = await last.refresh();
    assert.equal(final.stats.fullScan, false);
    assert.deepEqual(totals(final), totals(third));
    await last.dispose();
    assert.deepEqual(
      readdirSync(dirname(s.statePath)).filter((f) => f.endsWith('.spill') || f.endsWith('.tmp')),
      [],
      'no spill or temporary file is left behind',
    );
    return [snap.events, grownSnap.events, third.events, final.events];
  }

  it('a cache folder that cannot be written: the dedupe table spills to the temp folder, the figures are right, and the index error is told', async () => {
    const notAFolder = join(s.dir.path, 'not-a-folder');
    writeLines(notAFolder, ['a file where the cache folder should be']);
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++)
      lines.push(claudeLine({ msgId: `m${i}`, requestId: `r${i}`, timestamp: minuteAt(i), input: 1, output: 2 }));
    writeLines(join(s.claude, 'projects', 'p', 's.jsonl'), lines);
    const meter = s.meter({
      dedupeBudget: 50,
      statePath: join(notAFolder, 'usage-index.bin'),
      workerScript: buildWorker(),
      scanInThisThread: true,
    });
    const snap = await meter.refresh();
    await meter.dispose();
    assert.deepEqual(totals(snap), {
      input: 2000,
      output: 4000,
      cache_read: 0,
      cache_write: 0,
      requests: 2000,
      costMicros: totals(snap).costMicros,
    });
    assert.match(snap.stats.indexError ?? '', /could not save the usage index/);
  });

  it("the CLI's streamed snapshot (each request visited from the store, most of it on disk) adds up to the rollups, per day and per model, unpriced models included", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const model = i % 5 === 0 ? 'claude-mystery-9' : 'claude-sonnet-4-5-20250929';
      lines.push(
        claudeLine({
          msgId: `m${i}`,
          requestId: `r${i}`,
          timestamp: new Date(Date.UTC(2026, 0, 1 + (i % 40), 0, i % 60)).toISOString(),
          input: 10 + (i % 13),
          output: 5 + (i % 17),
          cacheRead: 100,
          model,
        }),
      );
      if (i % 3 === 0)
        lines.push(
          claudeLine({
            msgId: `m${i}`,
            requestId: `r${i}`,
            timestamp: new Date(Date.UTC(2026, 0, 1 + (i % 40), 0, i % 60)).toISOString(),
            input: 10,
            output: 1,
            model,
          }),
        );
    }
    writeLines(join(s.claude, 'projects', 'p', 's.jsonl'), lines);
    const streamed = s.meter({
      dedupeBudget: 500,
      workerScript: buildWorker(),
      scanInThisThread: true,
      streamRequests: true,
      statePath: join(s.dir.path, 'streamed.bin'),
    });
    const rolled = s.meter({ statePath: join(s.dir.path, 'rolled.bin') });
    try {
      const a = await streamed.refresh();
      const b = await rolled.refresh();
      for (const by of ['day', 'model'] as const) {
        assert.deepEqual(
          groupUsage(a, { by, timeZone: 'UTC' }),
          groupUsage(b.events, { by, timeZone: 'UTC' }),
          `by ${by}`,
        );
      }
      assert.deepEqual(a.unpricedModels, b.unpricedModels);
      assert.equal(a.unpricedModels[0]?.requests, 1200);
      assert.deepEqual(a.events, b.events, 'its sorted list is the rollups too');
    } finally {
      await streamed.dispose();
      await rolled.dispose();
    }
  });

  let reference: UsageSnapshot['events'][] | undefined;
  for (const run of RUNS) {
    it(`counts each of 40 000 requests once, with its largest line, across files and restarts: ${run.name}`, async () => {
      const stages = await scenario(run.options());
      if (!reference) {
        reference = stages;
        return;
      }
      for (let i = 0; i < stages.length; i++)
        assert.deepEqual(stages[i], reference[i], `stage ${i + 1}: the same rollups as with every request in memory`);
    });
  }
});
