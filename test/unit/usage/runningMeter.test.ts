// A meter that stays up and refreshes again and again, as the extension runs it: it keeps its
// folder listing (folders read again only when their stat changed) and its rollups' sums (updated
// as requests are counted or grow) between refreshes. After every kind of change to real log files
// its figures must equal those of a meter that recomputes the sums from its entries each time
// (the CLI's way), and the changes must be seen on the very next refresh — also when the dedupe
// table keeps almost nothing in memory.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UsageMeter } from '../../../src/usage/usageMeter';
import type { UsageSnapshot } from '../../../src/usage/usageSnapshot';
import {
  appendLines,
  buildWorker,
  claudeLine,
  codex,
  rolloutName,
  setup,
  totals,
  usage,
  writeLines,
  type MeterSetup,
} from './usageTestKit';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 10, minute, 0)).toISOString();
const line = (id: string, output: number, minute = 0, model = 'claude-sonnet-4-5-20250929') =>
  claudeLine({ msgId: id, requestId: `req-${id}`, timestamp: at(minute), output, input: 100, cacheRead: 1000, model });

describe('usage: a running meter', function () {
  this.timeout(60_000);
  let s: MeterSetup;
  let meters: UsageMeter[];
  beforeEach(() => {
    s = setup();
    meters = [];
  });
  afterEach(async () => {
    for (const m of meters) await m.dispose();
    s.dir.remove();
  });

  it('after appends, growing requests, new files and folders, rotation, truncation, moves, deletions and a price change: the same figures as recomputed sums, on the next refresh', async () => {
    const prices = join(s.dir.path, 'prices.json');
    writeFileSync(
      prices,
      JSON.stringify({ unit: 'usd_per_million', models: { 'claude-mystery-5': { input: 2, output: 10 } } }),
    );
    const p1 = join(s.claude, 'projects', 'p1');
    const main = join(p1, 's1.jsonl');
    const other = join(p1, 's2.jsonl');
    writeLines(main, [line('a', 10), line('b', 20, 1)]);
    writeLines(other, [line('c', 30, 2, 'claude-mystery-5')]);
    const id = '00000001-1111-2222-3333-444444444444';
    const rollout = join(s.codexHome, 'sessions', '2026', '11', '02', rolloutName(id));
    const l = usage(1000, 100, 50, 0);
    writeLines(rollout, [codex.meta(at(0), id), codex.turn(at(0), 'gpt-5-codex'), codex.tokens(at(1), l, l)]);
    // Let every folder's times age past the folder cache's settle margin (3 s), so that the running
    // meters trust their folder listings from the first refresh on and only a changed stat makes
    // them read a folder again.
    await new Promise((resolve) => setTimeout(resolve, 3_500));

    const options = { pricesOverridePath: prices };
    const inWorker = s.meter({ ...options, workerScript: buildWorker(), statePath: join(s.dir.path, 'worker.bin') });
    const inProcess = s.meter({ ...options, statePath: join(s.dir.path, 'in-process.bin') });
    const recomputing = s.meter({
      ...options,
      workerScript: buildWorker(),
      scanInThisThread: true,
      statePath: join(s.dir.path, 'cli.bin'),
    });
    // The same three with a dedupe table that holds one request in memory: every other one is
    // spilled to disk or read back from the index, and queued records are replayed on each refresh.
    const spilled = { ...options, dedupeBudget: 1 };
    const inWorkerSpilled = s.meter({
      ...spilled,
      workerScript: buildWorker(),
      statePath: join(s.dir.path, 'worker-spilled.bin'),
    });
    const inProcessSpilled = s.meter({ ...spilled, statePath: join(s.dir.path, 'in-process-spilled.bin') });
    const recomputingSpilled = s.meter({
      ...spilled,
      workerScript: buildWorker(),
      scanInThisThread: true,
      statePath: join(s.dir.path, 'cli-spilled.bin'),
    });
    meters.push(inWorker, inProcess, recomputing, inWorkerSpilled, inProcessSpilled, recomputingSpilled);
    const refreshAll = async (): Promise<UsageSnapshot> => {
      const [a, b, c] = [await inWorker.refresh(), await inProcess.refresh(), await recomputing.refresh()];
      const others = [
        await inWorkerSpilled.refresh(),
        await inProcessSpilled.refresh(),
        await recomputingSpilled.refresh(),
      ];
      for (const x of [a, b, ...others]) {
        assert.deepEqual(x.events, c.events);
        assert.deepEqual(x.unpricedModels, c.unpricedModels);
        assert.equal(x.skippedLines, c.skippedLines);
      }
      return a;
    };
    const output = (snap: UsageSnapshot) => totals(snap).output;

    let snap = await refreshAll();
    assert.equal(output(snap), 10 + 20 + 30 + 50);
    const cost0 = totals(snap).costMicros;

    // A later content-block line of request a, with more output and in another minute: the request
    // leaves its rollup for another one. A line of b with less output changes nothing.
    appendLines(main, [line('a', 15, 5), line('b', 5, 1)]);
    snap = await refreshAll();
    assert.equal(output(snap), 15 + 20 + 30 + 50);
    assert.equal(snap.events.filter((e) => e.timestamp === Date.parse(at(0))).length, 0, 'minute 0 is empty now');

    // New files in a folder listed before, and in a new session's subagents folder.
    writeLines(join(p1, 's3.jsonl'), [line('d', 7, 6)]);
    writeLines(join(p1, 's1', 'subagents', 'agent-1.jsonl'), [line('e', 8, 6)]);
    snap = await refreshAll();
    assert.equal(output(snap), 15 + 20 + 30 + 50 + 7 + 8);

    // Rotation (same path, new inode), then truncation of another file with new content.
    writeLines(`${main}.new`, [line('a', 15, 5), line('f', 100, 7)]);
    renameSync(`${main}.new`, main);
    truncateSync(other, 0);
    appendLines(other, [line('g', 1, 8, 'claude-mystery-5')]);
    snap = await refreshAll();
    assert.equal(output(snap), 15 + 20 + 30 + 50 + 7 + 8 + 100 + 1, 'what was counted stays');

    // Codex archives the rollout (a move) and it grows; a transcript is deleted.
    const archived = join(s.codexHome, 'archived_sessions', rolloutName(id));
    writeLines(join(s.codexHome, 'archived_sessions', 'keep.txt'), ['']);
    renameSync(rollout, archived);
    appendLines(archived, [codex.tokens(at(9), usage(2000, 200, 80, 0), usage(1000, 100, 30, 0))]);
    unlinkSync(join(p1, 's3.jsonl'));
    rmSync(join(p1, 's1'), { recursive: true });
    snap = await refreshAll();
    assert.equal(output(snap), 15 + 20 + 30 + 50 + 7 + 8 + 100 + 1 + 30);

    // The price file changes: every rollup's cost is computed again.
    writeFileSync(
      prices,
      JSON.stringify({ unit: 'usd_per_million', models: { 'claude-mystery-5': { input: 200, output: 1000 } } }),
    );
    snap = await refreshAll();
    const mystery = totals(snap, (e) => e.model === 'claude-mystery-5');
    // $200 and $1000 a million tokens are 200 and 1000 micros a token: 2 requests × 100 input, 30 + 1 output.
    assert.equal(mystery.costMicros, 2 * 100 * 200 + (30 + 1) * 1000);
    assert.notEqual(totals(snap).costMicros, cost0);

    // Nothing changed: nothing read.
    const still = await inWorker.refresh();
    assert.equal(still.stats.filesRead, 0);
    assert.deepEqual(still.events, snap.events);
  });

  it('an index loaded at start is not written again for a small change until later; stopping writes it', async () => {
    const file = join(s.claude, 'projects', 'p1', 's1.jsonl');
    writeLines(file, [line('a', 10)]);
    const first = s.meter();
    await first.refresh();
    await first.dispose();
    const saved = readFileSync(s.statePath);

    const restarted = s.meter();
    meters.push(restarted);
    assert.equal((await restarted.refresh()).stats.bytesRead, 0);
    appendLines(file, [line('b', 20, 1)]);
    assert.equal(totals(await restarted.refresh()).output, 30);
    // The in-process meter persists (or not) on the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(
      readFileSync(s.statePath),
      saved,
      'a refresh asked for meanwhile would wait behind a write of the whole index',
    );
    await restarted.dispose();
    assert.notDeepEqual(readFileSync(s.statePath), saved);
    const third = s.meter();
    meters.push(third);
    const snap = await third.refresh();
    assert.equal(snap.stats.bytesRead, 0);
    assert.equal(totals(snap).output, 30);
  });
});
