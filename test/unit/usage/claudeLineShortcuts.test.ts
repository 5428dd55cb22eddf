// The Claude Code line reader skips what cannot hold usage: it stops reading a user line early, and
// reads `usage`, `model` and the ids only at their own nesting level. These lines are built to tempt
// a shortcut into a wrong figure (a `usage` inside a tool input or after the message, a line cut by
// a crash and joined to the next); the meter reads them from real files, and every figure must be
// the one a full reading of the line gives.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claudeLine, setup, totals, writeLines, type MeterSetup } from './usageTestKit';

const TS = '2026-11-02T10:00:00.000Z';

/** An assistant line as an object, to reshape before it is written. */
function lineObject(
  o: Parameters<typeof claudeLine>[0],
): { message: Record<string, unknown> } & Record<string, unknown> {
  return JSON.parse(claudeLine(o)) as { message: Record<string, unknown> } & Record<string, unknown>;
}

describe('usage: Claude Code line shortcuts give the figures of a full reading', function () {
  this.timeout(30_000);
  let s: MeterSetup;
  let file: string;
  beforeEach(() => {
    s = setup();
    file = join(s.claude, 'projects', '-home-dev-project', 'session-1.jsonl');
  });
  afterEach(() => s.dir.remove());

  it('a tool input holding its own "usage" object does not replace the message usage', async () => {
    const line = claudeLine({
      msgId: 'msg_01A',
      requestId: 'req_01A',
      timestamp: TS,
      input: 10,
      output: 20,
      content: [
        {
          type: 'tool_use',
          id: 'toolu_01',
          name: 'mcp__billing__report',
          input: { period: 'week', usage: { input_tokens: 999_999, output_tokens: 999_999 }, note: 'x' },
        },
      ],
    });
    writeLines(file, [line]);
    const snap = await s.meter().refresh();
    assert.deepEqual([totals(snap).input, totals(snap).output, totals(snap).requests], [10, 20, 1]);
    assert.equal(snap.skippedLines, 0);
  });

  it('an assistant line without message usage whose content holds a usage object counts nothing', async () => {
    const full = lineObject({
      msgId: 'msg_01B',
      requestId: 'req_01B',
      timestamp: TS,
      content: [{ type: 'tool_use', id: 't', name: 'X', input: { a: [1], usage: { input_tokens: 5 } } }],
    });
    delete full.message.usage;
    writeLines(file, [JSON.stringify(full)]);
    const snap = await s.meter().refresh();
    assert.equal(totals(snap).requests, 0);
    assert.equal(snap.skippedLines, 0, 'a valid line without usage is not corrupt');
  });

  it('a later top-level member with a usage object of its own does not replace the message usage', async () => {
    const full = lineObject({ msgId: 'msg_01C', requestId: 'req_01C', timestamp: TS, input: 7 });
    // The timestamp first, so that a jump past the message to this usage would still find one.
    const { timestamp, ...rest } = full;
    const line = { timestamp, ...rest, extra: { kind: 'audit', usage: { input_tokens: 123_456 } }, after: 'x' };
    writeLines(file, [JSON.stringify(line)]);
    const snap = await s.meter().refresh();
    assert.deepEqual([totals(snap).input, totals(snap).requests], [7, 1]);
  });

  it('a line cut short by a crash and continued by the next is corrupt, and the next counts once', async () => {
    const cut = claudeLine({
      msgId: 'msg_01D',
      requestId: 'req_01D',
      timestamp: TS,
      input: 100,
      content: [{ type: 'text', text: 'a long answer '.repeat(50) }],
    });
    const next = claudeLine({ msgId: 'msg_01E', requestId: 'req_01E', timestamp: TS, input: 3, output: 4 });
    const again = claudeLine({ msgId: 'msg_01E', requestId: 'req_01E', timestamp: TS, input: 3, output: 4 });
    // The first write stopped in the middle of the content; the next line was appended after it.
    mkdirSync(join(s.claude, 'projects', '-home-dev-project'), { recursive: true });
    writeFileSync(file, `${cut.slice(0, cut.indexOf('long answer') + 200)}${next}\n${again}\n`);
    const snap = await s.meter().refresh();
    assert.equal(snap.skippedLines, 1, 'the joined line is reported as corrupt');
    assert.deepEqual([totals(snap).input, totals(snap).output, totals(snap).requests], [3, 4, 1]);
  });

  it('a user line is not counted, even when its tool result carries a usage object', async () => {
    const user = JSON.stringify({
      parentUuid: 'p',
      isSidechain: false,
      userType: 'external',
      cwd: '/home/dev/project',
      sessionId: 'session-1',
      version: '2.0.14',
      gitBranch: 'main',
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'done' }] },
      uuid: 'u1',
      timestamp: TS,
      toolUseResult: { totalTokens: 5000, usage: { input_tokens: 4000, output_tokens: 1000 } },
    });
    // The same with `type` after the message (the role says it is a user's).
    const parsed = JSON.parse(user) as Record<string, unknown>;
    delete parsed.type;
    const late = JSON.stringify({ ...parsed, type: 'user' });
    writeLines(file, [user, late, claudeLine({ msgId: 'msg_01F', requestId: 'req_01F', timestamp: TS, input: 1 })]);
    const snap = await s.meter().refresh();
    assert.deepEqual([totals(snap).input, totals(snap).requests], [1, 1]);
    assert.equal(snap.skippedLines, 0);
  });

  it('an assistant line with bytes after its closing brace is corrupt', async () => {
    const good = claudeLine({ msgId: 'msg_01G', requestId: 'req_01G', timestamp: TS, input: 2 });
    writeLines(file, [`${good.slice(0, -1)}}}`, good]);
    const snap = await s.meter().refresh();
    assert.equal(snap.skippedLines, 1);
    assert.deepEqual([totals(snap).input, totals(snap).requests], [2, 1]);
  });

  it('members between the content and the usage (stop reason, quoted text with escapes) are read past', async () => {
    const full = lineObject({
      msgId: 'msg_01H',
      requestId: 'req_01H',
      timestamp: TS,
      input: 11,
      output: 12,
      content: [{ type: 'text', text: 'say "usage": {"input_tokens": 5} \\ and ] }' }],
    });
    const { usage, ...rest } = full.message;
    full.message = { ...rest, stop_reason: 'end_turn', note: 'a "quoted" ] , word', count: -1.5e3, usage };
    writeLines(file, [JSON.stringify(full)]);
    const snap = await s.meter().refresh();
    assert.deepEqual([totals(snap).input, totals(snap).output, totals(snap).requests], [11, 12, 1]);
    assert.equal(snap.skippedLines, 0);
  });
});
