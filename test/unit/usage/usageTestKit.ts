// Real log files in a temp dir, written line by line as Claude Code and Codex write them, and a
// meter on them. No mocks: the scan reads these files from disk.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageMeter, type UsageMeterOptions } from '../../../src/usage/usageMeter';
import type { UsageSnapshot } from '../../../src/usage/usageSnapshot';

export interface TempDir {
  path: string;
  remove(): void;
}

export function tempDir(prefix = 'sb-usage-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeLines(path: string, lines: readonly string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
}

export function appendLines(path: string, lines: readonly string[]): void {
  appendFileSync(path, lines.map((l) => `${l}\n`).join(''));
}

export interface ClaudeLineOptions {
  msgId?: string | undefined;
  requestId?: string | undefined;
  model?: string;
  timestamp: string;
  sessionId?: string;
  cwd?: string;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  sidechain?: boolean;
  content?: unknown[];
}

/** An assistant line as Claude Code writes it (one per content block of a response). */
export function claudeLine(o: ClaudeLineOptions): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: o.sidechain ?? false,
    userType: 'external',
    cwd: o.cwd ?? '/home/dev/project',
    sessionId: o.sessionId ?? 'session-1',
    version: '2.0.14',
    gitBranch: 'main',
    message: {
      ...(o.msgId !== undefined ? { id: o.msgId } : {}),
      type: 'message',
      role: 'assistant',
      model: o.model ?? 'claude-sonnet-4-5-20250929',
      content: o.content ?? [{ type: 'text', text: 'Done.' }],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: o.input ?? 0,
        cache_creation_input_tokens: o.cacheWrite ?? 0,
        cache_read_input_tokens: o.cacheRead ?? 0,
        cache_creation: { ephemeral_5m_input_tokens: o.cacheWrite ?? 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: o.output ?? 0,
        service_tier: 'standard',
      },
    },
    ...(o.requestId !== undefined ? { requestId: o.requestId } : {}),
    type: 'assistant',
    uuid: `u-${Math.random().toString(36).slice(2)}`,
    timestamp: o.timestamp,
  });
}

export function claudeUserLine(timestamp: string, text: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    type: 'user',
    message: { role: 'user', content: text },
    uuid: 'u-user',
    timestamp,
    sessionId: 'session-1',
    ...extra,
  });
}

export interface CodexUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  total_tokens: number;
}

export function usage(input: number, cached: number, output: number, reasoning: number): CodexUsage {
  return {
    input_tokens: input,
    cached_input_tokens: cached,
    output_tokens: output,
    reasoning_output_tokens: reasoning,
    total_tokens: input + output,
  };
}

export function plus(a: CodexUsage, b: CodexUsage): CodexUsage {
  return usage(
    a.input_tokens + b.input_tokens,
    a.cached_input_tokens + b.cached_input_tokens,
    a.output_tokens + b.output_tokens,
    a.reasoning_output_tokens + b.reasoning_output_tokens,
  );
}

export const codex = {
  meta: (timestamp: string, id: string, cwd = '/home/dev/codex-project') =>
    JSON.stringify({
      timestamp,
      type: 'session_meta',
      payload: {
        id,
        timestamp,
        cwd,
        originator: 'codex_cli_rs',
        cli_version: '0.46.0',
        instructions: 'You are Codex.',
      },
    }),
  turn: (timestamp: string, model: string, cwd = '/home/dev/codex-project') =>
    JSON.stringify({
      timestamp,
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
  message: (timestamp: string, text: string) =>
    JSON.stringify({
      timestamp,
      type: 'response_item',
      payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    }),
  tokens: (timestamp: string, total: CodexUsage | null, last: CodexUsage | null) =>
    JSON.stringify({
      timestamp,
      type: 'event_msg',
      payload: {
        type: 'token_count',
        info:
          total || last
            ? {
                ...(total ? { total_token_usage: total } : {}),
                ...(last ? { last_token_usage: last } : {}),
                model_context_window: 272000,
              }
            : null,
        rate_limits: { primary: { used_percent: 12.5, window_minutes: 300 } },
      },
    }),
};

export function rolloutName(id: string, stamp = '2026-11-02T10-00-00'): string {
  return `rollout-${stamp}-${id}.jsonl`;
}

export interface Totals {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  requests: number;
  costMicros: number;
}

export function totals(
  snapshot: UsageSnapshot,
  filter: (e: UsageSnapshot['events'][number]) => boolean = () => true,
): Totals {
  const t: Totals = { input: 0, output: 0, cache_read: 0, cache_write: 0, requests: 0, costMicros: 0 };
  for (const e of snapshot.events) {
    if (!filter(e)) continue;
    t.input += e.tokens.input;
    t.output += e.tokens.output;
    t.cache_read += e.tokens.cache_read;
    t.cache_write += e.tokens.cache_write;
    t.requests += e.requests;
    t.costMicros += e.costMicros ?? 0;
  }
  return t;
}

export interface MeterSetup {
  dir: TempDir;
  claude: string;
  codexHome: string;
  statePath: string;
  meter(extra?: Partial<UsageMeterOptions>): UsageMeter;
}

/** A temp dir with a Claude config dir and a CODEX_HOME, and meters (in-process unless told) on them. */
export function setup(): MeterSetup {
  const dir = tempDir();
  const claude = join(dir.path, 'claude');
  const codexHome = join(dir.path, 'codex');
  const statePath = join(dir.path, 'cache', 'usage-index.bin');
  return {
    dir,
    claude,
    codexHome,
    statePath,
    meter: (extra = {}) => new UsageMeter({ claudeDirs: [claude], codexDirs: [codexHome], statePath, ...extra }),
  };
}

/** Shared by every test file in the run (each bundles its own copy of this kit). */
const shared = globalThis as { spendBandTestWorker?: string };

/** dist/scanWorker.js built from the sources under test into a temp dir (once per test run). */
export function buildWorker(): string {
  if (shared.spendBandTestWorker) return shared.spendBandTestWorker;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = join(mkdtempSync(join(tmpdir(), 'sb-worker-')), 'scanWorker.js');
  esbuild.buildSync({
    entryPoints: [resolve('src/usage/scan/scanWorker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    loader: { '.wasm': 'binary' },
    logLevel: 'error',
  });
  shared.spendBandTestWorker = out;
  process.on('exit', () => rmSync(dirname(out), { recursive: true, force: true }));
  return out;
}

export function fixturePath(name: string): string {
  return resolve('test/fixtures/logs', name);
}

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}
