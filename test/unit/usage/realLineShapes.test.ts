// Lines in the shapes current Claude Code versions write, read from real files in a temp dir: 1-hour
// cache writes, fast mode, Bedrock model ids. Each asserts the figure a user sees (tokens, cost).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, totals, writeLines, type MeterSetup } from './usageTestKit';

/** An assistant line as Claude Code 2.x writes it (fields in its order, usage with the cache split). */
function assistantLine(o: {
  id: string;
  req: string;
  ts: string;
  model: string;
  usage: Record<string, unknown>;
}): string {
  return JSON.stringify({
    parentUuid: 'b7c1e2d0-8a4f-4d7e-9c1a-2f3e4d5c6b7a',
    isSidechain: true,
    userType: 'external',
    cwd: '/home/dev/project',
    sessionId: '0f9e8d7c-6b5a-4392-8170-6f5e4d3c2b1a',
    version: '2.1.3',
    gitBranch: 'main',
    agentId: 'a1b2c3d4',
    message: {
      model: o.model,
      id: o.id,
      type: 'message',
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_01', name: 'Read', input: { file_path: '/home/dev/project/a.ts' } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: o.usage,
    },
    requestId: o.req,
    type: 'assistant',
    uuid: 'c0ffee00-1111-4222-8333-944445555666',
    timestamp: o.ts,
  });
}

describe('usage: real line shapes', function () {
  this.timeout(30_000);
  let s: MeterSetup;
  beforeEach(() => {
    s = setup();
  });
  afterEach(() => s.dir.remove());

  it('1-hour cache writes (usage.cache_creation.ephemeral_1h_input_tokens) are priced at 2x input, 5-minute ones at 1.25x', async () => {
    writeLines(join(s.claude, 'projects', '-home-dev-project', 'agent-a1b2c3d4.jsonl'), [
      assistantLine({
        id: 'msg_01AAA',
        req: 'req_011AAA',
        ts: '2026-11-02T10:00:00.000Z',
        model: 'claude-opus-4-6',
        usage: {
          input_tokens: 3,
          cache_creation_input_tokens: 12_000,
          cache_read_input_tokens: 20_000,
          cache_creation: { ephemeral_5m_input_tokens: 2_000, ephemeral_1h_input_tokens: 10_000 },
          output_tokens: 400,
          service_tier: 'standard',
        },
      }),
    ]);
    const snap = await s.meter().refresh();
    const e = snap.events[0]!;
    assert.equal(e.tokens.cache_write, 12_000);
    assert.equal(e.tokens.cache_write_1h, 10_000);
    // $5 in, $25 out, $0.50 read, $6.25 5m write, $10 1h write (per million).
    const want = 3 * 5 + 400 * 25 + 20_000 * 0.5 + 2_000 * 6.25 + 10_000 * 10;
    assert.equal(totals(snap).costMicros, want);
    // Priced all at the 5-minute rate it would have been 37.5 % lower on the writes.
    assert.ok(want > 3 * 5 + 400 * 25 + 20_000 * 0.5 + 12_000 * 6.25);
  });

  it('a line with the cache split but no total counts the split', async () => {
    writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
      assistantLine({
        id: 'msg_01BBB',
        req: 'req_011BBB',
        ts: '2026-11-02T10:00:00.000Z',
        model: 'claude-sonnet-4-5-20250929',
        usage: {
          input_tokens: 10,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1_000 },
          output_tokens: 5,
        },
      }),
    ]);
    const snap = await s.meter().refresh();
    assert.deepEqual(snap.events[0]!.tokens, {
      input: 10,
      output: 5,
      cache_read: 0,
      cache_write: 1_000,
      cache_write_1h: 1_000,
    });
    assert.equal(totals(snap).costMicros, 10 * 3 + 5 * 15 + 1_000 * 6);
  });

  it('fast mode (usage.speed "fast") is priced at the fast rates and named apart; standard lines of the same model are not', async () => {
    writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
      assistantLine({
        id: 'msg_01CCC',
        req: 'req_011CCC',
        ts: '2026-11-02T10:00:00.000Z',
        model: 'claude-opus-4-6',
        usage: {
          input_tokens: 1_000,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 100,
          service_tier: 'standard',
          speed: 'fast',
        },
      }),
      assistantLine({
        id: 'msg_01DDD',
        req: 'req_011DDD',
        ts: '2026-11-02T10:01:00.000Z',
        model: 'claude-opus-4-6',
        usage: {
          input_tokens: 1_000,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 100,
          service_tier: 'standard',
          speed: 'standard',
        },
      }),
    ]);
    const snap = await s.meter().refresh();
    const byModel = Object.fromEntries(snap.events.map((e) => [e.model, e.costMicros]));
    assert.deepEqual(byModel, {
      'claude-opus-4-6[fast]': 1_000 * 30 + 100 * 150,
      'claude-opus-4-6': 1_000 * 5 + 100 * 25,
    });
  });

  it('Bedrock and Vertex model ids in the logs are priced as the Anthropic model', async () => {
    writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
      assistantLine({
        id: 'msg_01EEE',
        req: 'req_011EEE',
        ts: '2026-11-02T10:00:00.000Z',
        model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        usage: { input_tokens: 1_000, output_tokens: 10 },
      }),
      assistantLine({
        id: 'msg_01FFF',
        req: 'req_011FFF',
        ts: '2026-11-02T10:00:00.000Z',
        model: 'claude-opus-4-6@20260205',
        usage: { input_tokens: 1_000, output_tokens: 10 },
      }),
    ]);
    const snap = await s.meter().refresh();
    assert.deepEqual(snap.unpricedModels, []);
    assert.equal(totals(snap).costMicros, 1_000 * 3 + 10 * 15 + 1_000 * 5 + 10 * 25);
  });

  /** A progress line of the parent transcript carrying the sub-agent's assistant line (Claude Code 2.x). */
  function progressLine(inner: string): string {
    const sub = JSON.parse(inner) as { message: unknown; requestId: string; timestamp: string; uuid: string };
    return JSON.stringify({
      parentUuid: 'aaaaaaaa-1111-4222-8333-444455556666',
      isSidechain: false,
      userType: 'external',
      cwd: '/home/dev/project',
      sessionId: '0f9e8d7c-6b5a-4392-8170-6f5e4d3c2b1a',
      version: '2.1.3',
      gitBranch: 'main',
      type: 'progress',
      data: {
        message: {
          type: 'assistant',
          message: sub.message,
          requestId: sub.requestId,
          timestamp: sub.timestamp,
          uuid: sub.uuid,
        },
        normalizedMessages: [],
        type: 'agent_progress',
        prompt: 'Find the tests',
        agentId: 'a1b2c3d4',
      },
      toolUseID: 'agent_msg_01',
      parentToolUseID: 'toolu_01PARENT',
      uuid: 'bbbbbbbb-1111-4222-8333-444455556666',
      timestamp: '2026-11-02T10:00:05.000Z',
    });
  }

  const SUB = assistantLine({
    id: 'msg_01SUB',
    req: 'req_011SUB',
    ts: '2026-11-02T10:00:03.000Z',
    model: 'claude-haiku-4-5-20251001',
    usage: { input_tokens: 1_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 200 },
  });

  it("sub-agent usage in the parent's progress lines counts once, whether or not the sub-agent's own file exists", async () => {
    const project = join(s.claude, 'projects', '-home-dev-project');
    writeLines(join(project, '0f9e8d7c-6b5a-4392-8170-6f5e4d3c2b1a.jsonl'), [progressLine(SUB), progressLine(SUB)]);
    let snap = await s.meter().refresh();
    assert.deepEqual(
      [totals(snap).input, totals(snap).output, totals(snap).requests],
      [1_000, 200, 1],
      'counted from the progress lines alone',
    );
    assert.equal(totals(snap).costMicros, 1_000 * 1 + 200 * 5);
    // The sub-agent's own file appears (as Claude Code writes it beside the parent): still once.
    writeLines(join(project, '0f9e8d7c-6b5a-4392-8170-6f5e4d3c2b1a', 'subagents', 'agent-a1b2c3d4.jsonl'), [SUB]);
    snap = await s.meter().refresh();
    assert.deepEqual([totals(snap).input, totals(snap).requests], [1_000, 1]);
  });

  it('a file that starts with a byte order mark is read from its first line', async () => {
    const path = join(s.claude, 'projects', 'p', 'bom.jsonl');
    mkdirSync(join(s.claude, 'projects', 'p'), { recursive: true });
    writeFileSync(path, `\uFEFF${SUB}\n`);
    const snap = await s.meter().refresh();
    assert.equal(totals(snap).requests, 1);
    assert.equal(snap.skippedLines, 0);
  });

  it('a log file whose name is not valid UTF-8 is reported by name, not silently dropped', async () => {
    const dir = join(s.claude, 'projects', 'p');
    mkdirSync(dir, { recursive: true });
    // "café.jsonl" written in Latin-1 (0xE9), as an old tool or a copied archive may leave it.
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.jsonl')]), `${SUB}\n`);
    for (const threaded of [false, true]) {
      const snap = await s.meter(threaded ? { scanInThisThread: true } : {}).refresh();
      assert.equal(snap.stats.undecodableNames?.length, 1, threaded ? 'one-shot scan' : 'incremental scan');
      assert.match(snap.stats.undecodableNames![0]!, /caf\uFFFD\.jsonl$/);
    }
  });
});
