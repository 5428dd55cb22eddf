// Generates a realistic corpus of agent logs of about a given size, deterministically (seeded):
//   claude/projects/<project>/<session>.jsonl   Claude Code transcripts: user lines with large tool
//       results, assistant responses written as one line per content block (same message.id and
//       requestId, partial output_tokens on the earlier lines), repeated content blocks, resumed
//       sessions that copy earlier lines, sub-agent transcripts in <session>/subagents/, a few
//       truncated lines, tool inputs that contain "model"/"usage" keys of their own.
//   codex/sessions/YYYY/MM/DD/rollout-*.jsonl and codex/archived_sessions/: session_meta,
//       turn_context, response items, token_count events (with re-emitted unchanged totals and
//       rate-limit-only events).
// It also writes expected.json: the true token totals per UTC day and agent, after dedupe.
//
//   node test/bench/corpusGen.mjs --size 50MB --out .bench/corpus-50MB [--seed 1]
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|K|M|G|B)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`not a size: ${text} (use e.g. 50MB, 1GB)`);
  const unit = (m[2] ?? 'B').toUpperCase();
  const mult = unit.startsWith('G') ? 1024 ** 3 : unit.startsWith('M') ? 1024 ** 2 : unit.startsWith('K') ? 1024 : 1;
  return Math.round(Number(m[1]) * mult);
}

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the of and to in is that for it as with was on be by this are from at or an have not which but function const return value file test error type import export async await string number interface class module config build ✓ résumé naïve 数据'.split(
    ' ',
  );

export function generateCorpus({ dir, bytes, seed = 1 }) {
  const rand = rng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  const b62 = (n) => {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += abc[Math.floor(rand() * abc.length)];
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const sentence = (n) => {
    const w = [];
    for (let i = 0; i < n; i++) w.push(pick(WORDS));
    return w.join(' ');
  };
  // Repeated content blocks: the same file contents and snippets come back again and again.
  const blocks = [];
  for (let i = 0; i < 64; i++) {
    const lines = [];
    const n = int(5, 160);
    for (let j = 0; j < n; j++)
      lines.push(`${'  '.repeat(int(0, 3))}${sentence(int(2, 12))}${rand() < 0.2 ? ' "quoted" \\ back\tslash' : ''}`);
    blocks.push(lines.join('\n'));
  }

  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  const claudeRoot = join(dir, 'claude', 'projects');
  const codexRoot = join(dir, 'codex');
  mkdirSync(claudeRoot, { recursive: true });
  const expected = {}; // day -> agent -> tokens
  const addExpected = (ts, agent, t) => {
    const day = new Date(ts).toISOString().slice(0, 10);
    expected[day] ??= {};
    const e = (expected[day][agent] ??= { input: 0, output: 0, cache_read: 0, cache_write: 0, requests: 0 });
    e.input += t.input;
    e.output += t.output;
    e.cache_read += t.cache_read;
    e.cache_write += t.cache_write;
    e.requests++;
  };

  const start = Date.UTC(2026, 8, 1, 6, 0, 0); // 2026-09-01
  const spanMs = 88 * 86_400_000;
  const projects = Array.from({ length: 12 }, (_, i) => ({
    cwd: `/home/dev/work/project-${i}${i === 3 ? ' (ünïcode)' : ''}`,
    dirName: `-home-dev-work-project-${i}`,
  }));
  const claudeModels = [
    'claude-sonnet-4-5-20250929',
    'claude-sonnet-4-5-20250929',
    'claude-sonnet-4-5-20250929',
    'claude-opus-4-1-20250805',
    'claude-opus-4-5-20251101',
    'claude-sonnet-4-20250514',
  ];
  let written = 0;
  const claudeBudget = bytes * 0.85;
  const sessionsDone = [];
  let files = 0;

  const writeFile = (path, lines) => {
    const text = lines.join('\n') + '\n';
    writeFileSync(path, text);
    written += Buffer.byteLength(text);
    files++;
  };

  const assistantLines = (ctx, model, ts, sidechain) => {
    // One response: 1-4 content blocks, each its own line with the same ids.
    const msgId = `msg_01${b62(22)}`;
    const reqId = `req_011C${b62(18)}`;
    const usage = {
      input_tokens: int(1, 12),
      cache_creation_input_tokens: rand() < 0.5 ? int(0, 6000) : 0,
      cache_read_input_tokens: int(2_000, rand() < 0.05 ? 260_000 : 90_000),
      output_tokens: int(20, 3000),
    };
    const nBlocks = int(1, 4);
    const lines = [];
    for (let k = 0; k < nBlocks; k++) {
      const last = k === nBlocks - 1;
      let content;
      const r = rand();
      if (r < 0.25) content = [{ type: 'thinking', thinking: sentence(int(10, 200)), signature: b62(120) }];
      else if (r < 0.6) content = [{ type: 'text', text: rand() < 0.5 ? pick(blocks) : sentence(int(5, 120)) }];
      else {
        const tool = pick(['Read', 'Edit', 'Write', 'Bash', 'Task', 'Grep']);
        const input =
          tool === 'Task'
            ? {
                description: sentence(4),
                prompt: sentence(int(20, 80)),
                subagent_type: 'general-purpose',
                model: 'haiku',
              }
            : tool === 'Write'
              ? { file_path: `/home/dev/work/src/${hex(6)}.ts`, content: pick(blocks) }
              : tool === 'Edit'
                ? {
                    file_path: `/home/dev/work/src/${hex(6)}.ts`,
                    old_string: pick(blocks).slice(0, 400),
                    new_string: pick(blocks).slice(0, 500),
                  }
                : tool === 'Bash'
                  ? { command: `npm test -- --grep "${sentence(2)}"`, description: sentence(5) }
                  : {
                      pattern: sentence(2),
                      path: '/home/dev/work',
                      usage: { note: 'a key named usage inside a tool input' },
                    };
        content = [{ type: 'tool_use', id: `toolu_01${b62(22)}`, name: tool, input }];
      }
      const lineUsage = {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        cache_creation: { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 },
        output_tokens: last ? usage.output_tokens : int(1, 12),
        service_tier: 'standard',
      };
      const obj = {
        parentUuid: ctx.parent,
        isSidechain: sidechain,
        userType: 'external',
        cwd: ctx.cwd,
        sessionId: ctx.sessionId,
        version: '2.0.14',
        gitBranch: 'main',
        ...(sidechain ? { agentId: ctx.agentId } : {}),
        message: {
          id: msgId,
          type: 'message',
          role: 'assistant',
          model,
          content,
          stop_reason: last ? 'end_turn' : null,
          stop_sequence: null,
          usage: lineUsage,
        },
        requestId: reqId,
        type: 'assistant',
        uuid: uuid(),
        timestamp: new Date(ts + k * 400).toISOString(),
      };
      ctx.parent = obj.uuid;
      lines.push(JSON.stringify(obj));
    }
    addExpected(ts + (nBlocks - 1) * 400, 'claude_code', {
      input: usage.input_tokens,
      output: usage.output_tokens,
      cache_read: usage.cache_read_input_tokens,
      cache_write: usage.cache_creation_input_tokens,
    });
    return lines;
  };

  const userLine = (ctx, ts) => {
    const big = rand() < 0.6;
    const content = big
      ? [
          {
            tool_use_id: `toolu_01${b62(22)}`,
            type: 'tool_result',
            content: Array.from({ length: int(1, 4) }, () => pick(blocks)).join('\n'),
          },
        ]
      : sentence(int(5, 60));
    const obj = {
      parentUuid: ctx.parent,
      isSidechain: false,
      userType: 'external',
      cwd: ctx.cwd,
      sessionId: ctx.sessionId,
      version: '2.0.14',
      gitBranch: 'main',
      type: 'user',
      message: { role: 'user', content },
      uuid: uuid(),
      timestamp: new Date(ts).toISOString(),
      ...(big && rand() < 0.1
        ? {
            toolUseResult: {
              status: 'completed',
              totalTokens: int(100, 9000),
              usage: { input_tokens: 5, output_tokens: 9 },
            },
          }
        : {}),
    };
    ctx.parent = obj.uuid;
    return JSON.stringify(obj);
  };

  while (written < claudeBudget) {
    const project = pick(projects);
    const sessionId = uuid();
    const ctx = { parent: null, cwd: project.cwd, sessionId };
    const model = pick(claudeModels);
    let ts = start + Math.floor(rand() * spanMs);
    const lines = [];
    const turns = int(10, 120);
    lines.push(JSON.stringify({ type: 'summary', summary: sentence(6), leafUuid: uuid() }));
    for (let t = 0; t < turns; t++) {
      lines.push(userLine(ctx, ts));
      ts += int(2_000, 40_000);
      lines.push(...assistantLines(ctx, model, ts, false));
      ts += int(1_000, 20_000);
      if (rand() < 0.003) lines.push(lines[lines.length - 1].slice(0, int(10, 200))); // a truncated line
    }
    const projectDir = join(claudeRoot, project.dirName);
    mkdirSync(projectDir, { recursive: true });
    // Resumed session: a new file that starts with a copy of an earlier session's lines.
    if (sessionsDone.length > 0 && rand() < 0.15) {
      const earlier = pick(sessionsDone);
      lines.unshift(...earlier.lines.slice(0, Math.min(earlier.lines.length, int(20, 200))));
    }
    writeFile(join(projectDir, `${sessionId}.jsonl`), lines);
    if (sessionsDone.length < 40) sessionsDone.push({ lines });
    // Sub-agents: transcripts of their own, sidechain lines under the parent session id.
    if (rand() < 0.3) {
      const subDir = join(projectDir, sessionId, 'subagents');
      mkdirSync(subDir, { recursive: true });
      for (let a = 0; a < int(1, 3); a++) {
        const agentId = hex(8);
        const sctx = { parent: null, cwd: project.cwd, sessionId, agentId };
        const slines = [];
        let sts = start + Math.floor(rand() * spanMs);
        for (let t = 0; t < int(3, 25); t++) {
          slines.push(...assistantLines(sctx, 'claude-haiku-4-5-20251001', sts, true));
          sts += int(1_000, 10_000);
        }
        writeFile(join(subDir, `agent-${agentId}.jsonl`), slines);
      }
    }
  }

  // Codex rollouts.
  while (written < bytes) {
    const id = uuid();
    let ts = start + Math.floor(rand() * spanMs);
    const d = new Date(ts);
    const archived = rand() < 0.2;
    const ymd = [
      String(d.getUTCFullYear()),
      String(d.getUTCMonth() + 1).padStart(2, '0'),
      String(d.getUTCDate()).padStart(2, '0'),
    ];
    const stamp = d.toISOString().slice(0, 19).replace(/:/g, '-');
    const folder = archived ? join(codexRoot, 'archived_sessions') : join(codexRoot, 'sessions', ...ymd);
    mkdirSync(folder, { recursive: true });
    const cwd = pick(projects).cwd;
    const model = pick(['gpt-5-codex', 'gpt-5-codex', 'gpt-5']);
    const lines = [];
    lines.push(
      JSON.stringify({
        timestamp: d.toISOString(),
        type: 'session_meta',
        payload: {
          id,
          timestamp: d.toISOString(),
          cwd,
          originator: 'codex_cli_rs',
          cli_version: '0.46.0',
          instructions: pick(blocks).slice(0, 3000),
        },
      }),
    );
    const total = {
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      reasoning_output_tokens: 0,
      total_tokens: 0,
    };
    for (let t = 0; t < int(5, 80); t++) {
      ts += int(3_000, 60_000);
      lines.push(
        JSON.stringify({
          timestamp: new Date(ts).toISOString(),
          type: 'turn_context',
          payload: {
            cwd,
            approval_policy: 'on-request',
            sandbox_policy: { mode: 'workspace-write' },
            model,
            effort: 'medium',
            summary: 'auto',
          },
        }),
      );
      lines.push(
        JSON.stringify({
          timestamp: new Date(ts).toISOString(),
          type: 'response_item',
          payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: sentence(int(5, 80)) }] },
        }),
      );
      for (let c = 0; c < int(1, 4); c++) {
        ts += int(1_000, 15_000);
        lines.push(
          JSON.stringify({
            timestamp: new Date(ts).toISOString(),
            type: 'response_item',
            payload: {
              type: 'function_call',
              name: 'shell',
              arguments: JSON.stringify({ command: ['bash', '-lc', sentence(4)] }),
              call_id: `call_${b62(24)}`,
            },
          }),
        );
        lines.push(
          JSON.stringify({
            timestamp: new Date(ts).toISOString(),
            type: 'response_item',
            payload: {
              type: 'function_call_output',
              call_id: `call_${b62(24)}`,
              output: JSON.stringify({ output: pick(blocks), metadata: { exit_code: 0 } }),
            },
          }),
        );
        const input = int(3_000, 120_000);
        const cached = Math.floor(input * rand() * 0.9);
        const output = int(10, 4000);
        const reasoning = Math.floor(output * rand() * 0.7);
        const last = {
          input_tokens: input,
          cached_input_tokens: cached,
          output_tokens: output,
          reasoning_output_tokens: reasoning,
          total_tokens: input + output,
        };
        for (const k of Object.keys(total)) total[k] += last[k];
        const tc = (info) =>
          JSON.stringify({
            timestamp: new Date(ts).toISOString(),
            type: 'event_msg',
            payload: {
              type: 'token_count',
              info,
              rate_limits: { primary: { used_percent: rand() * 100, window_minutes: 300 } },
            },
          });
        lines.push(tc({ total_token_usage: { ...total }, last_token_usage: last, model_context_window: 272000 }));
        addExpected(ts, 'codex', { input: input - cached, output, cache_read: cached, cache_write: 0 });
        if (rand() < 0.3)
          lines.push(tc({ total_token_usage: { ...total }, last_token_usage: last, model_context_window: 272000 })); // re-emitted, unchanged total
        if (rand() < 0.2) lines.push(tc(null)); // rate limits only
      }
    }
    writeFile(join(folder, `rollout-${stamp}-${id}.jsonl`), lines);
  }
  writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected, null, 1));
  return { bytes: written, files };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const get = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? dflt : args[i + 1];
  };
  const size = parseSize(get('size', '50MB'));
  const out = get('out', `.bench/corpus-${get('size', '50MB')}`);
  const t0 = performance.now();
  const r = generateCorpus({ dir: out, bytes: size, seed: Number(get('seed', '1')) });
  console.log(
    `wrote ${(r.bytes / 1048576).toFixed(1)} MiB in ${r.files} files to ${out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
