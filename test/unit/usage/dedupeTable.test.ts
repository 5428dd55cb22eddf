// The dedupe table against a plain Map: with a memory budget of 100 requests out of 20 000, nearly
// every shard is written out and every record queued, yet each key must end with the same winner
// (the first line with the most tokens) in the same rollup, and the kept sums must follow. The spill
// file, when the index is never saved (a cache folder that cannot be written), stays bounded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DedupeTable, spillPathBeside, type DedupeOwner } from '../../../src/usage/store/dedupe/dedupeTable';

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rec {
  hi: number;
  lo: number;
  session: number;
  minute: number;
  model: number;
  /** input, output, cache_read, cache_write, cache_write_1h (a part of cache_write) */
  t: [number, number, number, number, number];
}

class Owner implements DedupeOwner {
  readonly buckets = new Map<string, number>();
  readonly keys: string[] = [];
  /** kept sums per rollup: input, output, cache_read, cache_write, cache_write_1h, requests */
  readonly sums: number[][] = [];
  bucketOf(session: number, minute: number, model: number): number {
    const key = `${session}:${minute}:${model}`;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = this.keys.length;
      this.keys.push(key);
      this.sums.push([0, 0, 0, 0, 0, 0]);
      this.buckets.set(key, b);
    }
    return b;
  }
  roll(
    session: number,
    minute: number,
    model: number,
    sign: 1 | -1,
    i: number,
    o: number,
    r: number,
    w: number,
    h: number,
  ): void {
    const s = this.sums[this.bucketOf(session, minute, model)]!;
    s[0]! += sign * i;
    s[1]! += sign * o;
    s[2]! += sign * r;
    s[3]! += sign * w;
    s[4]! += sign * h;
    s[5]! += sign;
  }
}

describe('usage: the dedupe table within its memory budget', function () {
  this.timeout(60_000);
  let dir: string;
  const tables: DedupeTable[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-dedupe-'));
  });
  afterEach(() => {
    for (const t of tables.splice(0)) t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function table(owner: Owner, compactAtBytes?: number, keyFilter = false): DedupeTable {
    let n = 0;
    const t = new DedupeTable(owner, 100, () => join(dir, `spill-${n++}.spill`), compactAtBytes);
    if (keyFilter) t.useKeyFilter();
    tables.push(t);
    return t;
  }

  /** Rounds of records: new keys and repeats of earlier ones (more, fewer or equal tokens, another minute). */
  function rounds(seed: number, count: number, perRound: number): Rec[][] {
    const random = rng(seed);
    const seen: Rec[] = [];
    const out: Rec[][] = [];
    for (let r = 0; r < count; r++) {
      const round: Rec[] = [];
      for (let k = 0; k < perRound; k++) {
        let rec: Rec;
        if (seen.length > 0 && random() < 0.45) {
          const prev = seen[Math.floor(random() * seen.length)]!;
          const grow = random() < 0.5 ? Math.floor(random() * 50) : 0;
          rec = {
            ...prev,
            minute: prev.minute + (random() < 0.2 ? 1 : 0),
            session: random() < 0.1 ? 999 : prev.session,
            t: [prev.t[0], prev.t[1] + grow, prev.t[2], prev.t[3], prev.t[4]],
          };
        } else {
          rec = {
            hi: Math.floor(random() * 2 ** 32),
            lo: Math.floor(random() * 2 ** 32),
            session: Math.floor(random() * 40),
            minute: Math.floor(random() * 5000),
            model: Math.floor(random() * 3),
            t: [Math.floor(random() * 1000), Math.floor(random() * 1000), Math.floor(random() * 1e5), 0, 0],
          };
          rec.t[3] = Math.floor(random() * 100);
          rec.t[4] = Math.floor(rec.t[3] * random());
          seen.push(rec);
        }
        round.push(rec);
      }
      out.push(round);
    }
    return out;
  }

  /** The winners as a plain Map would keep them: key → [rollup key, tokens]. */
  function reference(all: Rec[][]): Map<string, { bucket: string; t: number[] }> {
    const won = new Map<string, { bucket: string; t: number[]; total: number }>();
    for (const round of all) {
      for (const r of round) {
        const key = `${r.hi}:${r.lo}`;
        const total = r.t[0] + r.t[1] + r.t[2] + r.t[3];
        const prev = won.get(key);
        if (!prev || total > prev.total)
          won.set(key, { bucket: `${r.session}:${r.minute}:${r.model}`, t: [...r.t], total });
      }
    }
    return new Map([...won].map(([k, v]) => [k, { bucket: v.bucket, t: v.t }]));
  }

  function contents(t: DedupeTable, owner: Owner): Map<string, { requests: number; t: number[] }> {
    const byBucket = new Map<string, { requests: number; t: number[] }>();
    t.forEach((session, minute, model, i, o, r, w, h) => {
      const key = owner.keys[owner.bucketOf(session, minute, model)]!;
      let x = byBucket.get(key);
      if (!x) byBucket.set(key, (x = { requests: 0, t: [0, 0, 0, 0, 0] }));
      x.requests++;
      x.t[0]! += i;
      x.t[1]! += o;
      x.t[2]! += r;
      x.t[3]! += w;
      x.t[4]! += h;
    });
    return byBucket;
  }

  for (const keyFilter of [false, true])
    it(`gives every key the same winner, in the same rollup, as one table in memory; the kept sums follow; the spill file stays bounded${keyFilter ? ' (with the key filter: new keys counted beside shards on disk)' : ''}`, () => {
      const all = rounds(7, 60, 500);
      const owner = new Owner();
      const t = table(owner, 256 * 1024, keyFilter);
      let largest = 0;
      for (const round of all) {
        for (const r of round) t.offer(r.hi, r.lo, r.session, r.minute, r.model, ...r.t);
        t.settleAll();
        largest = Math.max(largest, t.spillBytes);
      }
      assert.ok(t.residentCount <= 100, `at most the budget in memory (${t.residentCount})`);

      const want = new Map<string, { requests: number; t: number[] }>();
      for (const { bucket, t: tokens } of reference(all).values()) {
        let x = want.get(bucket);
        if (!x) want.set(bucket, (x = { requests: 0, t: [0, 0, 0, 0, 0] }));
        x.requests++;
        for (let k = 0; k < 5; k++) x.t[k]! += tokens[k]!;
      }
      assert.equal(t.count, reference(all).size);
      assert.deepEqual(contents(t, owner), want);
      // The kept sums (as the running meter keeps them) equal the entries added up.
      const kept = new Map<string, { requests: number; t: number[] }>();
      owner.sums.forEach((s, b) => {
        if (s[5]! > 0) kept.set(owner.keys[b]!, { requests: s[5]!, t: s.slice(0, 5) });
      });
      assert.deepEqual(kept, want);
      // Compacted once past its threshold and three quarters dead: at most about four times the live
      // entries (17 000 × 40 bytes here) plus a round's writes.
      assert.ok(largest < 2.8 * 1024 * 1024, `the spill file was compacted (largest ${largest} bytes)`);
    });

  it('with the key filter, new requests for shards on disk are counted without reading those shards', () => {
    const read = (keyFilter: boolean) => {
      const owner = new Owner();
      const t = table(owner, undefined, keyFilter);
      const [history, fresh] = rounds(11, 2, 20_000);
      for (const r of history!) t.offer(r.hi, r.lo, r.session, r.minute, r.model, ...r.t);
      t.settleAll();
      const before = t.entriesRead;
      // A refresh's worth of requests never seen (spread over every shard), each logged twice.
      for (const r of fresh!.slice(0, 300)) {
        const key = { ...r, hi: (r.hi ^ 0x5bd1e995) >>> 0, lo: (r.lo ^ 0x1b873593) >>> 0 };
        t.offer(key.hi, key.lo, key.session, key.minute, key.model, key.t[0], 1, key.t[2], key.t[3], key.t[4]);
        t.offer(key.hi, key.lo, key.session, key.minute, key.model, ...key.t);
      }
      t.settleAll();
      return { read: t.entriesRead - before, count: t.count };
    };
    const without = read(false);
    const withFilter = read(true);
    assert.equal(withFilter.count, without.count, 'the same requests counted');
    assert.ok(without.read > 3000, `without the filter nearly every shard is read (${without.read} entries)`);
    assert.ok(
      withFilter.read < without.read / 10,
      `with it, hardly any (${withFilter.read} entries against ${without.read})`,
    );
  });

  it('without compaction the same rounds leave a spill file many times larger (the bound above is real)', () => {
    const owner = new Owner();
    const t = table(owner, Number.POSITIVE_INFINITY);
    for (const round of rounds(7, 60, 500)) {
      for (const r of round) t.offer(r.hi, r.lo, r.session, r.minute, r.model, ...r.t);
      t.settleAll();
    }
    assert.ok(t.spillBytes > 6 * 1024 * 1024, `${t.spillBytes} bytes`);
  });

  it('leaves no spill file behind when closed', () => {
    const owner = new Owner();
    const t = table(owner);
    for (const round of rounds(3, 2, 2000))
      for (const r of round) t.offer(r.hi, r.lo, r.session, r.minute, r.model, ...r.t);
    t.settleAll();
    assert.ok(t.spillBytes > 0, 'it spilled');
    t.close();
    assert.deepEqual(readdirSync(dir), []);
  });

  it('removes spill files a dead process left beside the index (a crash on Windows), and only those', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const index = join(dir, 'usage-index-ab12.bin');
    const stale = `usage-index-ab12.bin.${dead}.x1.spill`;
    const live = `usage-index-ab12.bin.${process.pid}.x2.spill`;
    const otherIndex = `usage-index-cd34.bin.${dead}.x3.spill`;
    for (const name of [stale, live, otherIndex, 'usage-index-ab12.bin']) writeFileSync(join(dir, name), 'x');
    const path = spillPathBeside(index);
    assert.deepEqual(readdirSync(dir).sort(), [live, otherIndex, 'usage-index-ab12.bin'].sort());
    assert.ok(path.startsWith(join(dir, `usage-index-ab12.bin.${process.pid}.`)) && path.endsWith('.spill'));
  });
});
