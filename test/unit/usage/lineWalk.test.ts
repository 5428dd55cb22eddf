// The walk over a log line runs as WebAssembly (src/usage/agents/lineWalk.c → lineWalk.wasm). These
// tests hold it to what a user relies on: the module shipped is the one its source builds to; strings
// with escapes are read right wherever they fall against the walk's 16-byte steps, in both agents'
// lines; and a line longer than the read buffer (a pasted file, a big tool result) is counted
// without disturbing the lines and files read after it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClaudeLineParser } from '../../../src/usage/agents/claude/claudeLine';
import { walkableBuffer } from '../../../src/usage/agents/lineWalker';
import { CodexLineParser, newCodexState } from '../../../src/usage/agents/codex/codexLine';
import { LINE_CORRUPT, LINE_OTHER, LINE_USAGE } from '../../../src/usage/agents/lineKinds';
import { decodeString } from '../../../src/usage/agents/jsonBytes';
import { newScratch, parseFileSync } from '../../../src/usage/agents/logParser';
import { claudeLine, tempDir, writeLines, type TempDir } from './usageTestKit';

const TS = '2026-11-02T10:00:00.000Z';
const WASM = 'src/usage/agents/lineWalk.wasm';

/** Parse `line` as it lies in `b` at `at`; the model it read, or the status when it is not a usage line. */
function modelOf(parser: ClaudeLineParser, b: Buffer, at: number, line: string): string | number {
  const end = at + b.write(line, at);
  const status = parser.parse(b, at, end);
  if (status !== LINE_USAGE) return status;
  return decodeString(b, parser.modelOpen, parser.modelClose);
}

describe('usage: the line walk (WebAssembly)', function () {
  this.timeout(60_000);

  it('ships the module that lineWalk.c builds to (npm run build:wasm)', () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts[
      'build:wasm'
    ]!;
    const dir = tempDir('sb-wasm-');
    try {
      const out = join(dir.path, 'claudeLine.wasm');
      const [command, ...args] = script.replace(`-o ${WASM}`, `-o ${out}`).split(' ');
      const built = spawnSync(command!, args, { encoding: 'utf8' });
      assert.ok(
        !built.error,
        `${command} could not run (${built.error?.message}): install clang and lld (apt-get install clang lld)`,
      );
      assert.equal(built.status, 0, built.stderr);
      assert.ok(
        readFileSync(out).equals(readFileSync(WASM)),
        `${WASM} is not the build of claudeLine.c: run npm run build:wasm and commit the result`,
      );
    } finally {
      dir.remove();
    }
  });

  it('reads a Codex cwd and model with escapes at every offset, and its token counts', () => {
    const walkable = walkableBuffer(1 << 16);
    const plain = Buffer.alloc(1 << 16);
    for (let pad = 0; pad < 40; pad++) {
      const cwd = `/home/${'d'.repeat(pad)}/"q\\uote\\"`;
      const model = `gpt-${'5'.repeat(pad % 7)}\\"x`;
      for (const b of [walkable, plain]) {
        const p = new CodexLineParser(newCodexState('/tmp/rollout-x.jsonl'));
        const line = (o: unknown) => {
          const text = JSON.stringify(o);
          return p.parseBytes(b, 3, 3 + b.write(text, 3));
        };
        const ts = '2026-11-02T10:00:00.000Z';
        assert.equal(line({ timestamp: ts, type: 'turn_context', payload: { cwd, model } }), LINE_OTHER);
        assert.equal(p.state.cwd, cwd, `pad ${pad}`);
        assert.equal(p.state.model, model, `pad ${pad}`);
        const usage = {
          input_tokens: 100 + pad,
          cached_input_tokens: 40,
          output_tokens: 7,
          reasoning_output_tokens: 2,
          total_tokens: 107 + pad,
        };
        const event = { type: 'token_count', info: { total_token_usage: usage, last_token_usage: usage } };
        assert.equal(line({ timestamp: ts, type: 'event_msg', payload: event }), LINE_USAGE);
        assert.deepEqual([p.input, p.cacheRead, p.output, p.cwd, p.model], [60 + pad, 40, 7, cwd, model]);
        // a response item is not read past its type, even when its payload is not JSON
        assert.equal(p.parseBytes(b, 0, b.write('{"type":"response_item","payload":{"a":')), LINE_OTHER);
      }
    }
  });

  it('reads strings with escaped quotes and backslashes at every offset of the 16-byte steps', () => {
    const parser = new ClaudeLineParser();
    const walkable = walkableBuffer(1 << 16);
    const plain = Buffer.alloc(1 << 16);
    for (let pad = 0; pad < 40; pad++) {
      for (const tricky of ['\\', '"', '\\"', '\\\\"x', 'a\\\\', '\\\\\\"', '"usage":{"input_tokens":9}']) {
        const model = `${'m'.repeat(pad)}${tricky}-claude`;
        const line = claudeLine({ msgId: 'msg_1', requestId: 'req_1', timestamp: TS, model, input: 7 });
        for (const b of [walkable, plain]) {
          for (const at of [0, 5]) {
            assert.equal(modelOf(parser, b, at, line), model, `pad ${pad}, ${JSON.stringify(tricky)}, at ${at}`);
            assert.equal(parser.input, 7);
          }
        }
        // cut inside the string: the walk must not run past the line's end into stale bytes
        const cut = line.slice(0, line.indexOf('-claude'));
        assert.equal(modelOf(parser, plain, 0, `${cut}}`), LINE_CORRUPT, `cut at pad ${pad}`);
      }
    }
  });

  describe('a line longer than the read buffer', () => {
    let dir: TempDir;
    beforeEach(() => (dir = tempDir()));
    afterEach(() => dir.remove());

    it('is counted, and the lines and files after it are read as before', () => {
      const big = claudeLine({
        msgId: 'msg_big',
        requestId: 'req_big',
        timestamp: TS,
        input: 1000,
        output: 50,
        content: [{ type: 'text', text: `say "${'x'.repeat(3 << 20)}" \\ done` }],
      });
      const small = (n: number) =>
        claudeLine({ msgId: `msg_${n}`, requestId: `req_${n}`, timestamp: TS, input: n, output: 1 });
      const first = join(dir.path, 'a.jsonl');
      const second = join(dir.path, 'b.jsonl');
      writeLines(first, [small(1), big, small(2)]);
      writeLines(second, [small(3), small(4)]);
      const scratch = newScratch(true);
      const a = parseFileSync({ path: first, agent: 'claude_code', from: 0 }, scratch);
      assert.deepEqual(Array.from(a.records.tokens.filter((_, i) => i % 5 === 0)), [1, 1000, 2]);
      assert.equal(a.skipped, 0);
      const b = parseFileSync({ path: second, agent: 'claude_code', from: 0 }, scratch);
      assert.deepEqual(Array.from(b.records.tokens.filter((_, i) => i % 5 === 0)), [3, 4]);
      // the same file again, now with the long line first in a fresh buffer
      writeFileSync(second, `${big}\n${small(5)}\n`);
      const c = parseFileSync({ path: second, agent: 'claude_code', from: 0 }, scratch);
      assert.deepEqual(Array.from(c.records.tokens.filter((_, i) => i % 5 === 0)), [1000, 5]);
    });
  });
});
