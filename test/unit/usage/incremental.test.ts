// Incremental scanning on real files: only appended bytes are read; partial lines wait; truncation,
// rotation, moves and deletions; the persisted index survives a restart and a crash mid-write. Run
// for both ways of keeping the per-file index: a meter's Map, and the one-shot scan's walk in path
// order beside the file table on disk (the CLI's way).
import assert from 'node:assert/strict';
import {
  appendFileSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { UsageMeterOptions } from '../../../src/usage/usageMeter';
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
const line = (id: string, output: number, minute = 0) =>
  claudeLine({ msgId: id, requestId: `req-${id}`, timestamp: at(minute), output, input: 1 });

const KINDS: { name: string; options: () => Partial<UsageMeterOptions> }[] = [
  { name: 'a meter, its file index in memory', options: () => ({}) },
  {
    name: 'one-shot scans as the CLI runs them, the file index on disk',
    options: () => ({ workerScript: buildWorker(), scanInThisThread: true }),
  },
];

for (const kind of KINDS) {
  describe(`usage: incremental scanning (${kind.name})`, function () {
    this.timeout(30_000);
    let s: MeterSetup;
    let file: string;
    beforeEach(() => {
      s = setup();
      file = join(s.claude, 'projects', 'p', 'session.jsonl');
    });
    afterEach(() => s.dir.remove());
    const newMeter = () => s.meter(kind.options());

    it('reads only the appended bytes on the next refresh', async () => {
      writeLines(file, [line('a', 10), line('b', 20)]);
      const meter = newMeter();
      const first = await meter.refresh();
      assert.equal(totals(first).output, 30);
      assert.equal(first.stats.fullScan, true);
      const size = readFileSync(file).length;
      const appended = line('c', 5, 1);
      appendLines(file, [appended]);
      const second = await meter.refresh();
      assert.equal(totals(second).output, 35);
      assert.equal(second.stats.bytesRead, appended.length + 1);
      assert.equal(second.stats.filesRead, 1);
      assert.ok(size > appended.length);
      const third = await meter.refresh();
      assert.equal(third.stats.filesRead, 0, 'an unchanged file is not opened');
      assert.equal(totals(third).output, 35);
    });

    it('a line being written (no newline yet) waits for the next refresh and is counted once', async () => {
      const whole = line('a', 10);
      writeLines(file, [line('x', 1)]);
      appendFileSync(file, whole.slice(0, 50));
      const meter = newMeter();
      assert.equal(totals(await meter.refresh()).output, 1);
      appendFileSync(file, `${whole.slice(50)}\n`);
      const snap = await meter.refresh();
      assert.equal(totals(snap).output, 11);
      assert.equal(snap.skippedLines, 0, 'the half line was not counted as corrupt');
    });

    it('a complete last line without a newline is read, and not again when the newline follows', async () => {
      writeLines(file, [line('x', 1)]);
      appendFileSync(file, line('a', 10));
      const meter = newMeter();
      assert.equal(totals(await meter.refresh()).output, 11);
      appendFileSync(file, `\n${line('b', 100)}\n`);
      const snap = await meter.refresh();
      assert.equal(totals(snap).output, 111);
      assert.equal(snap.skippedLines, 0);
    });

    it('a file appended while it is being scanned: nothing lost, nothing counted twice', async () => {
      // Big enough to take several chunks, so the append lands mid-scan.
      const lines = Array.from({ length: 3000 }, (_, i) => line(`m${i}`, 1, i % 50));
      writeLines(file, lines);
      const meter = newMeter();
      let appended = false;
      const snap = await meter.refresh({
        onProgress: (p) => {
          if (!appended && p.bytesDone > 0) {
            appended = true;
            appendLines(file, [line('late-1', 1000), line('late-2', 1000)]);
          }
        },
      });
      assert.ok(appended, 'the scan reported progress mid-file');
      const after = await meter.refresh();
      assert.equal(totals(after).output, 3000 + 2000);
      assert.equal(totals(after).requests, 3002);
      assert.ok(totals(snap).output >= 3000);
    });

    it('truncation: read again from the start; what was counted stays, repeated lines are not counted twice', async () => {
      writeLines(file, [line('a', 10), line('b', 20), line('c', 30)]);
      const meter = newMeter();
      assert.equal(totals(await meter.refresh()).output, 60);
      truncateSync(file, 0);
      appendLines(file, [line('a', 10), line('d', 5)]);
      const snap = await meter.refresh();
      assert.equal(totals(snap).output, 65);
      assert.equal(totals(snap).requests, 4);
    });

    it('a file rewritten to the same size or larger under the same inode is noticed (the bytes before the offset changed)', async () => {
      writeLines(file, [line('a', 10)]);
      const meter = newMeter();
      await meter.refresh();
      const original = readFileSync(file, 'utf8');
      // Same length prefix, other content, then more lines: not an append.
      writeFileSync(file, `${line('z', 7)}\n${line('y', 8)}\n`);
      assert.ok(readFileSync(file).length > original.length);
      const snap = await meter.refresh();
      assert.equal(totals(snap).output, 25);
    });

    it('rotation (same path, new inode) starts the new file from the beginning', async () => {
      writeLines(file, [line('a', 10), line('b', 20)]);
      const meter = newMeter();
      await meter.refresh();
      const rotated = `${file}.new`;
      writeLines(rotated, [line('c', 1), line('d', 2), line('e', 3), line('f', 4)]);
      renameSync(rotated, file);
      const snap = await meter.refresh();
      assert.equal(totals(snap).output, 40);
      assert.equal(snap.stats.filesRead, 1);
    });

    it('a moved file continues from its offset; a deleted file keeps the usage it had', async () => {
      writeLines(file, [line('a', 10)]);
      const meter = newMeter();
      await meter.refresh();
      const moved = join(dirname(file), 'moved.jsonl');
      renameSync(file, moved);
      const b = line('b', 20);
      appendLines(moved, [b]);
      const snap = await meter.refresh();
      assert.equal(totals(snap).output, 30);
      assert.equal(snap.stats.bytesRead, b.length + 1, 'only the new line was read');
      unlinkSync(moved);
      assert.equal(totals(await meter.refresh()).output, 30, 'Claude Code deletes old transcripts; the spend happened');
    });

    it('a restart reuses the persisted index: no rescan, same figures', async () => {
      writeLines(file, [line('a', 10), line('b', 20)]);
      writeLines(join(s.claude, 'projects', 'q', 'other.jsonl'), [line('c', 30)]);
      const first = newMeter();
      const before = await first.refresh();
      await first.dispose();
      const second = newMeter();
      const after = await second.refresh();
      assert.equal(after.stats.fullScan, false);
      assert.equal(after.stats.bytesRead, 0);
      assert.equal(after.stats.filesRead, 0);
      assert.deepEqual(totals(after), totals(before));
      assert.deepEqual(after.events, before.events);
      const d = line('d', 40, 5);
      appendLines(file, [d]);
      const third = await second.refresh();
      assert.equal(totals(third).output, 100);
      assert.equal(third.stats.bytesRead, d.length + 1);
      // A session first seen after the restart (its id and folder in UTF-8 beyond ASCII) is named
      // beside the ones read back from the index, in the rollups and in the events visited one by one.
      const other = claudeLine({
        msgId: 'e',
        requestId: 'req-e',
        timestamp: at(6),
        output: 1,
        input: 1,
        sessionId: 'sessión-ü2',
        cwd: '/home/dév/日本',
      });
      writeLines(join(s.claude, 'projects', 'r', 'third.jsonl'), [other]);
      const fourth = await second.refresh();
      const named = (events: { sessionId: string; project: string; tokens: { output: number } }[]) =>
        [...new Set(events.map((e) => `${e.sessionId} ${e.project} ${e.tokens.output > 0}`))].sort();
      const visited: { sessionId: string; project: string; tokens: { output: number } }[] = [];
      fourth.eachEvent((e) => visited.push({ sessionId: e.sessionId, project: e.project, tokens: e.tokens }));
      const want = ['session-1 /home/dev/project true', 'sessión-ü2 /home/dév/日本 true'];
      assert.deepEqual(named(fourth.events), want);
      assert.deepEqual(named(visited), want);
      await second.dispose();
      const fifth = await newMeter().refresh();
      assert.deepEqual(named(fifth.events), want, 'and again from the index');
      // As the CLI adds usage up: each request visited from the store, its session named from disk.
      const streaming = s.meter({ workerScript: buildWorker(), scanInThisThread: true, streamRequests: true });
      const streamed: { sessionId: string; project: string; tokens: { output: number } }[] = [];
      (await streaming.refresh()).eachEvent((e) =>
        streamed.push({ sessionId: e.sessionId, project: e.project, tokens: e.tokens }),
      );
      assert.deepEqual(named(streamed), want);
      await streaming.dispose();
    });

    it('a crash mid-write of the index leaves the previous index usable (write to a temp file, then rename)', async () => {
      writeLines(file, [line('a', 10)]);
      const m1 = newMeter();
      await m1.refresh();
      await m1.dispose();
      const good = readFileSync(s.statePath);
      // A crash while writing the next index: a partial temp file beside the real one.
      writeFileSync(`${s.statePath}.999.crash.tmp`, good.subarray(0, Math.floor(good.length / 2)));
      appendLines(file, [line('b', 20)]);
      const m2 = newMeter();
      const snap = await m2.refresh();
      assert.equal(snap.stats.fullScan, false, 'the previous index was used');
      assert.equal(totals(snap).output, 30);
      await m2.dispose();
      assert.ok(
        readdirSync(dirname(s.statePath)).every((n) => n === 'usage-index.bin' || n.endsWith('.crash.tmp')),
        'no temp file of ours is left behind',
      );
    });

    it('a torn or corrupted index is ignored: a full rescan gives the right figures', async () => {
      writeLines(file, [line('a', 10), line('b', 20)]);
      const m1 = newMeter();
      await m1.refresh();
      await m1.dispose();
      const good = readFileSync(s.statePath);
      for (const broken of [
        good.subarray(0, good.length - 7),
        Buffer.concat([good.subarray(0, 40), Buffer.from('garbage'), good.subarray(47)]),
        Buffer.from(''),
      ]) {
        writeFileSync(s.statePath, broken);
        const m = newMeter();
        const snap = await m.refresh();
        assert.equal(totals(snap).output, 30);
        await m.dispose();
      }
    });

    it('a config dir reached twice (a symlink to another) and a transcript symlinked into a walked folder are read once', async () => {
      writeLines(file, [line('a', 10)]);
      const other = join(s.dir.path, 'claude2', 'projects', 'q', 'other.jsonl');
      writeLines(other, [line('b', 20)]);
      const linkedDir = join(s.dir.path, 'claude-link');
      symlinkSync(s.claude, linkedDir);
      symlinkSync(file, join(s.claude, 'projects', 'p', 'link-to-session.jsonl'));
      const m = s.meter({ ...kind.options(), claudeDirs: [linkedDir, s.claude, join(s.dir.path, 'claude2')] });
      const snap = await m.refresh();
      assert.deepEqual([totals(snap).output, snap.stats.filesRead], [30, 2]);
      await m.dispose();
    });

    it('a CODEX_HOME inside the Claude projects folder: each file is read once, by its own agent', async () => {
      writeLines(file, [line('a', 10)]);
      const codexHome = join(s.claude, 'projects', 'codex-home');
      const l = usage(100, 0, 7, 0);
      writeLines(join(codexHome, 'sessions', '2026', '11', '02', rolloutName('0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b')), [
        codex.turn(at(1), 'gpt-5-codex'),
        codex.tokens(at(2), l, l),
      ]);
      const m = s.meter({ ...kind.options(), codexDirs: [codexHome] });
      const snap = await m.refresh();
      assert.deepEqual(
        [
          totals(snap, (e) => e.agent === 'claude_code').output,
          totals(snap, (e) => e.agent === 'codex').output,
          snap.stats.filesRead,
        ],
        [10, 7, 2],
      );
      await m.dispose();
    });

    it('a vanished log folder is not an error', async () => {
      rmSync(s.claude, { recursive: true, force: true });
      const snap = await newMeter().refresh();
      assert.deepEqual(snap.events, []);
      assert.equal(snap.stats.filesTotal, 0);
    });
  });
}
