// Reading Claude Code and Codex logs from real files: dedupe, Codex deltas, corrupt lines, sub-agents,
// two config dirs, archived rollouts.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  claudeLine,
  codex,
  fixturePath,
  plus,
  rolloutName,
  setup,
  totals,
  usage,
  writeLines,
  type MeterSetup,
} from './usageTestKit';

const CODEX_FIXTURE = 'rollout-2026-11-02T11-00-00-0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b.jsonl';

describe('usage: agent logs', function () {
  this.timeout(30_000);
  let s: MeterSetup;
  beforeEach(() => {
    s = setup();
  });
  afterEach(() => s.dir.remove());

  describe('Claude Code', () => {
    it('reads the recorded transcript: one request per message.id+requestId with its largest line, corrupt lines counted', async () => {
      const dest = join(s.claude, 'projects', '-home-dev-shop-api', '7f3c2a10-5b6e-4d2a-9c1e-0a8b7c6d5e4f.jsonl');
      mkdirSync(join(dest, '..'), { recursive: true });
      copyFileSync(fixturePath('claude-session.jsonl'), dest);
      const snap = await s.meter().refresh();
      assert.deepEqual(totals(snap), {
        input: 10,
        output: 685,
        cache_read: 31600,
        cache_write: 1200,
        requests: 3,
        costMicros: 57945,
      });
      assert.equal(snap.skippedLines, 2);
      assert.deepEqual(snap.unpricedModels, []);
      const first = snap.events.find((e) => e.model === 'claude-sonnet-4-5-20250929')!;
      assert.equal(first.sessionId, '7f3c2a10-5b6e-4d2a-9c1e-0a8b7c6d5e4f');
      assert.equal(first.project, '/home/dev/shop-api');
      assert.equal(first.agent, 'claude_code');
      assert.equal(first.timestamp, Date.parse('2026-11-02T10:00:00Z'), 'the minute of the line that was kept');
    });

    it('keeps the line with the most tokens whatever the order, and a resumed copy in another file counts once', async () => {
      const line = (output: number, ts = '2026-11-02T10:00:05.000Z') =>
        claudeLine({ msgId: 'msg_1', requestId: 'req_1', timestamp: ts, input: 4, output, cacheRead: 100 });
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [line(900), line(3), line(17)]);
      writeLines(join(s.claude, 'projects', 'p', 'resumed.jsonl'), [
        line(3),
        line(900),
        claudeLine({ msgId: 'msg_2', requestId: 'req_2', timestamp: '2026-11-02T10:10:00Z', output: 5 }),
      ]);
      const snap = await s.meter().refresh();
      assert.deepEqual(totals(snap), {
        input: 4,
        output: 905,
        cache_read: 100,
        cache_write: 0,
        requests: 2,
        costMicros: 12 + 13_575 + 30,
      });
    });

    it('same message.id with another requestId is another request; without requestId, message.id alone dedupes', async () => {
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        claudeLine({ msgId: 'msg_1', requestId: 'req_1', timestamp: '2026-11-02T10:00:00Z', output: 10 }),
        claudeLine({ msgId: 'msg_1', requestId: 'req_2', timestamp: '2026-11-02T10:00:00Z', output: 20 }),
        claudeLine({ msgId: 'msg_3', timestamp: '2026-11-02T10:00:00Z', output: 30 }),
        claudeLine({ msgId: 'msg_3', timestamp: '2026-11-02T10:01:00Z', output: 31 }),
      ]);
      const snap = await s.meter().refresh();
      assert.equal(totals(snap).requests, 3);
      assert.equal(totals(snap).output, 10 + 20 + 31);
    });

    it('a line that grows after a partial one moves the request to the minute of the larger line', async () => {
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        claudeLine({ msgId: 'm', requestId: 'r', timestamp: '2026-11-02T23:59:59.800Z', output: 1 }),
        claudeLine({ msgId: 'm', requestId: 'r', timestamp: '2026-11-03T00:00:00.300Z', output: 50 }),
      ]);
      const snap = await s.meter().refresh();
      assert.equal(snap.events.length, 1);
      assert.equal(snap.events[0]!.timestamp, Date.parse('2026-11-03T00:00:00Z'));
      assert.equal(snap.events[0]!.tokens.output, 50);
    });

    it('sub-agent transcripts in <session>/subagents/ count under the parent session', async () => {
      writeLines(join(s.claude, 'projects', 'p', 'parent.jsonl'), [
        claudeLine({
          msgId: 'm1',
          requestId: 'r1',
          sessionId: 'parent',
          timestamp: '2026-11-02T10:00:00Z',
          output: 100,
        }),
      ]);
      writeLines(join(s.claude, 'projects', 'p', 'parent', 'subagents', 'agent-a1.jsonl'), [
        claudeLine({
          msgId: 'm2',
          requestId: 'r2',
          sessionId: 'parent',
          sidechain: true,
          model: 'claude-haiku-4-5-20251001',
          timestamp: '2026-11-02T10:00:30Z',
          output: 40,
        }),
      ]);
      const snap = await s.meter().refresh();
      assert.equal(totals(snap).requests, 2);
      assert.deepEqual(new Set(snap.events.map((e) => e.sessionId)), new Set(['parent']));
      assert.equal(totals(snap, (e) => e.model.includes('haiku')).output, 40);
    });

    it('two config dirs are both read; the same transcript in both (or a symlinked dir) counts once', async () => {
      const second = join(s.dir.path, 'claude2');
      const shared = claudeLine({ msgId: 'shared', requestId: 'r', timestamp: '2026-11-02T10:00:00Z', output: 7 });
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        shared,
        claudeLine({ msgId: 'only1', requestId: 'r', timestamp: '2026-11-02T10:00:00Z', output: 1 }),
      ]);
      writeLines(join(second, 'projects', 'q', 'b.jsonl'), [
        shared,
        claudeLine({ msgId: 'only2', requestId: 'r', timestamp: '2026-11-02T10:00:00Z', output: 2 }),
      ]);
      const linked = join(s.dir.path, 'claude-link');
      symlinkSync(s.claude, linked);
      const snap = await s.meter({ claudeDirs: [s.claude, second, linked] }).refresh();
      assert.deepEqual([totals(snap).requests, totals(snap).output], [3, 10]);
      assert.equal(snap.stats.filesRead, 2, 'the symlinked copy of the first dir is not read again');
    });

    it('tool inputs and results that contain "model" or "usage" keys do not change what is read; escapes and unicode are decoded', async () => {
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        claudeLine({
          msgId: 'm',
          requestId: 'r',
          timestamp: '2026-11-02T10:00:00Z',
          cwd: '/home/dév/"quoted" \\ path',
          output: 9,
          content: [
            {
              type: 'tool_use',
              id: 't',
              name: 'Task',
              input: {
                model: 'claude-opus-4-1',
                usage: { input_tokens: 5_000_000, output_tokens: 1 },
                text: 'a "}" and a \\" and {"usage":{}}',
              },
            },
          ],
        }),
      ]);
      const snap = await s.meter().refresh();
      assert.equal(snap.events.length, 1);
      const e = snap.events[0]!;
      assert.equal(e.model, 'claude-sonnet-4-5-20250929');
      assert.equal(e.tokens.output, 9);
      assert.equal(e.tokens.input, 0);
      assert.equal(e.project, '/home/dév/"quoted" \\ path');
    });

    it('corrupt, truncated and unreadable usage lines are counted and skipped, never fatal', async () => {
      const good = claudeLine({ msgId: 'm', requestId: 'r', timestamp: '2026-11-02T10:00:00Z', output: 3 });
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        good,
        good.slice(0, 120),
        '{"message":{"usage":{"input_tokens":"many"}},"timestamp":"2026-11-02T10:00:00Z"}',
        claudeLine({ msgId: 'm2', requestId: 'r2', timestamp: 'yesterday', output: 3 }),
        '{"message":{"usage":{"input_tokens":1}},"timestamp":"2026-11-02T10:00:00Z",}',
        '\u0000\u0001garbage',
        '',
        '{"type":"summary","summary":"not usage, not an error"}',
      ]);
      const snap = await s.meter().refresh();
      assert.equal(totals(snap).requests, 1);
      assert.equal(snap.skippedLines, 5);
    });
  });

  describe('Codex', () => {
    it('reads the recorded rollout: last_token_usage per event, unchanged totals not counted again, totals-only events as a difference', async () => {
      const dest = join(s.codexHome, 'sessions', '2026', '11', '02', CODEX_FIXTURE);
      mkdirSync(join(dest, '..'), { recursive: true });
      copyFileSync(fixturePath(CODEX_FIXTURE), dest);
      const snap = await s.meter().refresh();
      assert.deepEqual(totals(snap), {
        input: 1900,
        output: 1050,
        cache_read: 4200,
        cache_write: 0,
        requests: 3,
        costMicros: 13400,
      });
      assert.equal(snap.skippedLines, 0);
      assert.deepEqual(
        snap.events.map((e) => [e.model, e.sessionId, e.agent, e.project]),
        [
          ['gpt-5-codex', '0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b', 'codex', '/home/dev/shop-api'],
          ['gpt-5', '0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b', 'codex', '/home/dev/shop-api'],
          ['gpt-5', '0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b', 'codex', '/home/dev/shop-api'],
        ],
      );
      assert.deepEqual(
        snap.events.map((e) => [new Date(e.timestamp).toISOString().slice(11, 16), e.tokens.output]),
        [
          ['11:00', 300],
          ['11:05', 700],
          ['11:06', 50],
        ],
      );
    });

    it('cached input is part of input and reasoning part of output', async () => {
      const l = usage(10_000, 8_000, 600, 400);
      writeLines(
        join(s.codexHome, 'sessions', '2026', '11', '02', rolloutName('11111111-2222-3333-4444-555555555555')),
        [codex.turn('2026-11-02T10:00:00Z', 'gpt-5'), codex.tokens('2026-11-02T10:00:05Z', l, l)],
      );
      const e = (await s.meter().refresh()).events[0]!;
      assert.deepEqual(e.tokens, { input: 2_000, cache_read: 8_000, output: 600, cache_write: 0, cache_write_1h: 0 });
      assert.equal(e.costMicros, 2_000 * 1.25 + 8_000 * 0.125 + 600 * 10);
    });

    it('archived_sessions/ is read, and a rollout moved there from sessions/ is not counted twice', async () => {
      const id = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
      const l1 = usage(100, 0, 10, 0);
      const l2 = usage(200, 0, 20, 0);
      const lines = [
        codex.meta('2026-11-02T10:00:00Z', id),
        codex.turn('2026-11-02T10:00:00Z', 'gpt-5'),
        codex.tokens('2026-11-02T10:00:05Z', l1, l1),
        codex.tokens('2026-11-02T10:01:05Z', plus(l1, l2), l2),
      ];
      const live = join(s.codexHome, 'sessions', '2026', '11', '02', rolloutName(id));
      writeLines(live, lines);
      const other = 'ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee';
      writeLines(join(s.codexHome, 'archived_sessions', rolloutName(other)), [
        codex.turn('2026-11-01T10:00:00Z', 'gpt-5-codex'),
        codex.tokens('2026-11-01T10:00:05Z', l1, l1),
      ]);
      const meter = s.meter();
      assert.equal(totals(await meter.refresh()).requests, 3);
      // Codex archives the rollout: same content at another path (a copy here, so a new inode).
      writeLines(join(s.codexHome, 'archived_sessions', rolloutName(id)), lines);
      const { rmSync } = await import('node:fs');
      rmSync(live);
      const snap = await meter.refresh();
      assert.deepEqual([totals(snap).requests, totals(snap).input], [3, 400]);
    });

    it('a rollout without turn_context has model "unknown", reported unpriced with its tokens', async () => {
      const l = usage(1000, 0, 100, 0);
      writeLines(
        join(s.codexHome, 'sessions', '2026', '11', '02', rolloutName('12345678-2222-3333-4444-555555555555')),
        [codex.tokens('2026-11-02T10:00:05Z', l, l)],
      );
      const snap = await s.meter().refresh();
      assert.equal(snap.events[0]!.costMicros, null);
      assert.deepEqual(snap.unpricedModels, [
        {
          model: 'unknown',
          tokens: { input: 1000, output: 100, cache_read: 0, cache_write: 0, cache_write_1h: 0 },
          requests: 1,
        },
      ]);
    });
  });
});
