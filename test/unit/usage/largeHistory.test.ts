// A history larger than one page of the usage store (16 Ki requests, 16 Ki rollups): dedupe stays
// exact across page boundaries, across files (a resumed session repeating lines), and across a
// restart on the persisted index, where a repeat with more tokens replaces the counted line.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appendLines, claudeLine, setup, totals, writeLines, type MeterSetup } from './usageTestKit';

const REQUESTS = 40_000; // > 2 pages of entries; one minute each, so > 2 pages of rollups too
const minuteAt = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i, 0)).toISOString();

describe('usage: a large history', function () {
  this.timeout(60_000);
  let s: MeterSetup;
  beforeEach(() => {
    s = setup();
  });
  afterEach(() => s.dir.remove());

  it('counts each of 40 000 requests once, with its largest line, across files and a restart', async () => {
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
      if (i % 7 === 0) resumed.push(claudeLine({ msgId: id, requestId: `req_${i}`, timestamp: minuteAt(i), input: 3, output: 1, sessionId: 'resumed' }));
    }
    // The resumed file sorts first: its partial lines are counted, then replaced by the full ones.
    writeLines(join(s.claude, 'projects', 'p', 'a-resumed.jsonl'), resumed);
    writeLines(join(s.claude, 'projects', 'p', 'b-original.jsonl'), original);
    const first = s.meter();
    const snap = await first.refresh();
    const t = totals(snap);
    assert.equal(t.requests, REQUESTS);
    assert.equal(t.output, wantOutput);
    assert.equal(t.input, wantInput);
    assert.ok(snap.events.length >= REQUESTS, 'one rollup per minute at least');
    await first.dispose();

    // Restart on the persisted index; a request near the end of the last page comes back with more
    // output (a later content block), and one from the first page is repeated unchanged.
    const second = s.meter();
    const again = await second.refresh();
    assert.equal(again.stats.fullScan, false);
    assert.deepEqual(totals(again), t);
    const late = REQUESTS - 3;
    appendLines(join(s.claude, 'projects', 'p', 'b-original.jsonl'), [
      claudeLine({ msgId: `msg_${late}`, requestId: `req_${late}`, timestamp: minuteAt(late), input: 3, output: 5000 }),
      claudeLine({ msgId: 'msg_1', requestId: 'req_1', timestamp: minuteAt(1), input: 3, output: 10 + 1 }),
    ]);
    const grown = totals(await second.refresh());
    assert.equal(grown.requests, REQUESTS);
    assert.equal(grown.output, wantOutput - (10 + (late % 97)) + 5000);
    await second.dispose();
  });
});
