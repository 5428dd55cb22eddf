// The UsageMeter as the extension runs it: the scan in a worker thread (the real scanWorker bundle),
// parser threads for a large scan, progress, cancellation; and the same figures in every mode.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { UsageMeter } from '../../../src/usage/usageMeter';
import type { ScanProgress } from '../../../src/usage/usageSnapshot';
import {
  appendLines,
  buildWorker,
  claudeLine,
  codex,
  plus,
  rolloutName,
  setup,
  totals,
  usage,
  writeLines,
  type MeterSetup,
} from './usageTestKit';

/** Many sessions in several projects, and Codex rollouts: enough files and bytes for parser threads. */
function writeCorpus(s: MeterSetup, sessions: number): { requests: number; output: number } {
  let requests = 0;
  let output = 0;
  const text = 'x'.repeat(3000);
  for (let f = 0; f < sessions; f++) {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const out = 10 + ((f * 40 + i) % 97);
      const ts = new Date(Date.UTC(2026, 10, 1 + (f % 20), 8, i, 0)).toISOString();
      // Two content-block lines per response, the first with partial output.
      lines.push(
        claudeLine({
          msgId: `m-${f}-${i}`,
          requestId: `r-${f}-${i}`,
          sessionId: `s-${f}`,
          timestamp: ts,
          output: 1,
          input: 2,
          content: [{ type: 'text', text }],
        }),
      );
      lines.push(
        claudeLine({
          msgId: `m-${f}-${i}`,
          requestId: `r-${f}-${i}`,
          sessionId: `s-${f}`,
          timestamp: ts,
          output: out,
          input: 2,
        }),
      );
      requests++;
      output += out;
    }
    writeLines(join(s.claude, 'projects', `p${f % 5}`, `s-${f}.jsonl`), lines);
  }
  for (let r = 0; r < 5; r++) {
    const id = `0000000${r}-1111-2222-3333-444444444444`;
    const l = usage(1000, 100, 50 + r, 0);
    writeLines(join(s.codexHome, 'sessions', '2026', '11', '02', rolloutName(id)), [
      codex.meta('2026-11-02T10:00:00Z', id),
      codex.turn('2026-11-02T10:00:00Z', 'gpt-5-codex'),
      codex.tokens('2026-11-02T10:00:05Z', l, l),
      codex.tokens('2026-11-02T10:00:06Z', l, l),
      codex.tokens('2026-11-02T10:01:05Z', plus(l, l), l),
    ]);
    requests += 2;
    output += 2 * (50 + r);
  }
  return { requests, output };
}

describe('usage: UsageMeter', function () {
  this.timeout(60_000);
  let s: MeterSetup;
  let meters: UsageMeter[];
  let worker: string;
  before(() => {
    worker = buildWorker();
  });
  beforeEach(() => {
    s = setup();
    meters = [];
  });
  afterEach(async () => {
    for (const m of meters) await m.dispose();
    s.dir.remove();
  });
  const meter = (extra: Parameters<MeterSetup['meter']>[0] = {}) => {
    const m = s.meter(extra);
    meters.push(m);
    return m;
  };

  it('in a worker thread, with parser threads, gives the same figures as in-process, and reports progress', async () => {
    const expected = writeCorpus(s, 60);
    const progress: ScanProgress[] = [];
    const threaded = meter({ workerScript: worker, maxHelpers: 2, helperThresholdBytes: 1 });
    const a = await threaded.refresh({ onProgress: (p) => progress.push(p) });
    assert.deepEqual([totals(a).requests, totals(a).output], [expected.requests, expected.output]);
    assert.ok(progress.length >= 1);
    const last = progress[progress.length - 1]!;
    assert.equal(last.filesDone, last.filesTotal);
    assert.equal(last.filesTotal, 65);
    assert.ok(last.bytesTotal > 60 * 40 * 3000);

    const inProcess = meter({ statePath: join(s.dir.path, 'other-index.bin') });
    const b = await inProcess.refresh();
    assert.deepEqual(b.events, a.events);
    assert.equal(b.skippedLines, a.skippedLines);

    const cliLike = meter({
      statePath: join(s.dir.path, 'cli-index.bin'),
      workerScript: worker,
      scanInThisThread: true,
      maxHelpers: 1,
      helperThresholdBytes: 1,
    });
    assert.deepEqual((await cliLike.refresh()).events, a.events);
  });

  it('the worker keeps its index between refreshes and persists it for the next start', async () => {
    writeCorpus(s, 3);
    const m = meter({ workerScript: worker });
    const first = await m.refresh();
    appendLines(join(s.claude, 'projects', 'p0', 's-0.jsonl'), [
      claudeLine({ msgId: 'new', requestId: 'new', sessionId: 's-0', timestamp: '2026-11-20T10:00:00Z', output: 1234 }),
    ]);
    const second = await m.refresh();
    assert.equal(totals(second).output, totals(first).output + 1234);
    assert.equal(second.stats.filesRead, 1);
    await m.dispose();
    const restarted = meter({ workerScript: worker });
    const third = await restarted.refresh();
    assert.equal(third.stats.bytesRead, 0);
    assert.deepEqual(third.events, second.events);
  });

  it('a cancelled refresh rejects with AbortError; the next one completes', async () => {
    writeCorpus(s, 30);
    const m = meter({ workerScript: worker });
    const controller = new AbortController();
    const pending = m.refresh({ signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    const already = new AbortController();
    already.abort();
    await assert.rejects(m.refresh({ signal: already.signal }), { name: 'AbortError' });
    const snap = await m.refresh();
    assert.equal(totals(snap).requests, 30 * 40 + 10);
  });

  it('in-process refreshes honour the signal too', async () => {
    writeCorpus(s, 10);
    const m = meter();
    const controller = new AbortController();
    const pending = m.refresh({ signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal(totals(await m.refresh()).requests, 10 * 40 + 10);
  });
});
