// `spend-band hook claude`: a Claude Code command hook (https://code.claude.com/docs/en/hooks). It
// reads the hook's JSON on stdin (PreToolUse on the tools that start costly background work, or
// UserPromptSubmit in a `claude -p` run), asks pre-flight (the endpoint, else the bands cached on this
// machine) with an estimate from the recent sessions' official costs, and prints the hook's JSON
// answer (domain/hookAnswer.ts). It always exits 0: when the endpoint is down, slow or failing (5xx) it
// lets the run go ahead and says so (fail open), within its own time budget (--timeout-ms, default
// 1000); when the endpoint answers and refuses the question (a 4xx) the run is held for the user.
//
// `spend-band hook install` adds the hook to ~/.claude/settings.json (or --settings FILE) without
// touching other hooks: a backup first, nothing changed when it is there already, --dry-run to see.
//
// Its bundle is kept apart and small (no zod, no undici, not even fetch), as it runs before every such
// tool call: see the note in the issue-15 notes for the measured start-up.
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { failOpenAnswer, hookAnswer, notCheckedAnswer, type HookEvent, type HookOutput } from '../domain/hookAnswer';
import { formatMoney } from '../domain/money';
import { sha256Hex } from '../domain/sha256';
import { preflightVerdict } from '../domain/preflightVerdict';
import type { Band, EscalationPolicy, PreflightDecision } from '../domain/schemas';
import { EXIT } from '../domain/exitCodes';
import { noEstimateDecision } from '../flows/preflight/noEstimate';
import { newestCachedBands, readAgentState, recentSessionCosts } from '../flows/agents/agentState';
import {
  defaultClaudeSettingsPath,
  fastEntryCommand,
  HOOK_ENTRY,
  installClaudeHooks,
  SettingsFileError,
} from '../flows/agents/claudeHooks';
import { assertKnownFlags, flag, hasFlag } from './args';
import type { CliContext } from './cliContext';
import { CliError } from './cliError';
import { cacheDir } from './paths';
import { readStdinText, StdinTooLarge } from './stdinText';

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_ESTIMATE_MICROS = 1_000_000;
const MAX_STDIN_BYTES = 1024 * 1024;

export async function hookCommand(ctx: CliContext): Promise<number> {
  const sub = ctx.args.positionals[0];
  if (sub === 'claude') return hookClaude(ctx);
  if (sub === 'install') return hookInstall(ctx);
  throw new CliError(
    `spend-band hook ${sub ?? ''}: use "hook claude" (as the hook command) or "hook install [--settings FILE] [--dry-run]".`,
    EXIT.usage,
  );
}

// ---------------------------------------------------------------------------------------------------
// hook claude

interface HookInput {
  event: HookEvent;
  sessionId: string;
  toolName: string;
  toolUseId: string;
  toolInput: Record<string, unknown>;
  prompt: string;
}

async function readStdin(): Promise<string> {
  try {
    return await readStdinText(MAX_STDIN_BYTES, { onTooLarge: 'throw' });
  } catch (error) {
    if (error instanceof StdinTooLarge) throw new Error('the hook input is larger than 1 MiB');
    throw error;
  }
}

function parseHookInput(text: string): HookInput {
  const json: unknown = JSON.parse(text);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('the hook input is not a JSON object');
  const o = json as Record<string, unknown>;
  const event = o.hook_event_name;
  if (event !== 'PreToolUse' && event !== 'UserPromptSubmit')
    throw new Error(`hook_event_name "${String(event)}" is not PreToolUse or UserPromptSubmit`);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    event,
    sessionId: str(o.session_id),
    toolName: str(o.tool_name),
    toolUseId: str(o.tool_use_id),
    toolInput:
      typeof o.tool_input === 'object' && o.tool_input !== null ? (o.tool_input as Record<string, unknown>) : {},
    prompt: str(o.prompt),
  };
}

function print(ctx: CliContext, output: HookOutput): number {
  ctx.stdout.write(`${JSON.stringify(output)}\n`);
  return EXIT.ok;
}

/**
 * A UUID made from the session and the tool call, so a resumed run asks about the same run again.
 * `also` (the request's own body) makes another one for the same call asked with another estimate or
 * workflow, which the endpoint refuses under the first id (422 idempotency_key_reused).
 */
function runIdFor(input: HookInput, also = ''): string {
  const h = sha256Hex(`${input.sessionId}\n${input.toolUseId || input.prompt}${also ? `\n${also}` : ''}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function workflowFor(ctx: CliContext, input: HookInput): string {
  const explicit = flag(ctx.args, 'workflow') ?? ctx.env.SPEND_BAND_WORKFLOW;
  if (explicit) return explicit;
  const fromOtel = /(?:^|,)\s*spendband\.workflow=([a-z][a-z0-9_]{0,63})/.exec(ctx.env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  if (fromOtel) return fromOtel[1]!;
  // What reaches this point runs unattended: a sub-agent, a schedule, or a `claude -p` prompt.
  void input;
  return 'background_automation';
}

interface HookEstimate {
  micros: number;
  text: string;
  basis: 'history' | 'user_supplied';
  confidence: 'low' | 'medium';
  /** no --estimate-usd and no session costs: a figure assumed, not an estimate */
  assumed?: boolean;
}

function estimateFor(ctx: CliContext, dir: string): HookEstimate {
  const given = flag(ctx.args, 'estimate-usd');
  if (given !== undefined) {
    const usd = Number(given);
    if (!Number.isFinite(usd) || usd < 0)
      throw new CliError(`--estimate-usd must be a positive amount such as 2.50, not "${given}".`, EXIT.usage);
    const micros = Math.round(usd * 1_000_000);
    return {
      micros,
      text: `${formatMoney({ currency: 'USD', amount_micros: micros })} estimated (given)`,
      basis: 'user_supplied',
      confidence: 'medium',
    };
  }
  const costs = recentSessionCosts(readAgentState(dir));
  if (costs.length === 0) {
    return {
      micros: DEFAULT_ESTIMATE_MICROS,
      text: `${formatMoney({ currency: 'USD', amount_micros: DEFAULT_ESTIMATE_MICROS })} assumed (no session history yet)`,
      basis: 'user_supplied',
      confidence: 'low',
      assumed: true,
    };
  }
  const sorted = [...costs].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return {
    micros: median,
    text: `${formatMoney({ currency: 'USD', amount_micros: median })} estimated (median of your last ${costs.length} Claude Code session${costs.length === 1 ? '' : 's'}, official costs)`,
    basis: 'history',
    confidence: costs.length >= 5 ? 'medium' : 'low',
  };
}

function nonInteractive(ctx: CliContext): boolean {
  if (hasFlag(ctx.args, 'non-interactive') || ctx.env.SPEND_BAND_HOOK_NONINTERACTIVE === '1') return true;
  // Claude Code names how it was started; `claude -p` runs as the SDK CLI entry point.
  return /^sdk/.test(ctx.env.CLAUDE_CODE_ENTRYPOINT ?? '');
}

function cheaperPath(input: HookInput, band: { id?: string | undefined } | undefined): string {
  const model = typeof input.toolInput.model === 'string' ? input.toolInput.model : '';
  if (/opus/i.test(model)) return 'run this sub-agent with model "sonnet" or "haiku"';
  if (input.toolInput.run_in_background === true)
    return 'do it in the foreground, step by step, where it can be stopped';
  return `split it into smaller steps, or ask for more budget with: spend-band request${band?.id ? ` --band ${band.id}` : ''} …`;
}

/** No answer (unreachable, timeout, 5xx, not a decision): the run goes ahead, and says so. */
class Unanswered extends Error {}
/** The endpoint answered and refused the question (a 4xx): the run is not let through unchecked. */
class Refused extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

type Send = (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;

/**
 * node:https is loaded only for an https endpoint: loading it (tls and its friends) took ~35 ms of this
 * short-lived process's start-up here, for a request to 127.0.0.1 that never uses it.
 */
function sender(url: URL, env: NodeJS.ProcessEnv): Send {
  if (url.protocol !== 'https:') return httpRequest;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https = require('node:https') as typeof import('node:https');
  const ca = extraCertificates(env);
  return ca ? (u, options, callback) => https.request(u, { ...options, ca }, callback) : https.request;
}

/**
 * The installed command clears NODE_EXTRA_CA_CERTS for this process (Node 20 reads that file at start,
 * ~40 ms, before it knows whether a TLS connection will be made) and hands its value over in
 * SPEND_BAND_EXTRA_CA_CERTS: an https endpoint then trusts Node's bundled roots plus that file, as
 * NODE_EXTRA_CA_CERTS would have made it.
 */
function extraCertificates(env: NodeJS.ProcessEnv): string[] | undefined {
  const file = env.SPEND_BAND_EXTRA_CA_CERTS?.trim();
  if (!file || env.NODE_EXTRA_CA_CERTS) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    // Node itself only warns when the file cannot be read, and goes on with its own roots.
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { rootCertificates } = require('node:tls') as typeof import('node:tls');
  return [...rootCertificates, pem];
}

/**
 * POST the pre-flight with node:http(s), not fetch: the first fetch() in a process loads Node's bundled
 * undici, which on a busy machine cost this short-lived process more than the whole answer.
 */
function postJson(
  url: URL,
  token: string,
  body: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; text: string }> {
  const send = sender(url, env);
  return new Promise((resolvePost, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Unanswered(`the endpoint did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_STDIN_BYTES) req.destroy();
          else chunks.push(chunk);
        });
        res.once('end', () => {
          clearTimeout(timer);
          resolvePost({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.once('error', () => undefined);
      },
    );
    req.once('error', () => {
      clearTimeout(timer);
      reject(new Unanswered('the endpoint is unreachable'));
    });
    req.end(body);
  });
}

async function askEndpoint(
  endpoint: string,
  token: string,
  body: unknown,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<PreflightDecision> {
  let url: URL;
  try {
    url = new URL(`${endpoint.replace(/\/+$/, '')}/v1/me/preflight`);
  } catch {
    throw new Unanswered(`the endpoint "${endpoint.slice(0, 100)}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Unanswered(`the endpoint "${endpoint.slice(0, 100)}" is not an http(s) URL`);
  // Plain http only to this machine: the token must not cross a network in clear.
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new Unanswered('the endpoint uses plain http to another host; use https');
  const response = await postJson(url, token, JSON.stringify(body), timeoutMs, env);
  if (response.status === 401 || response.status === 403)
    throw new Refused(
      `the endpoint refused the token (${response.status}); set a valid SPEND_BAND_TOKEN in the environment Claude Code starts with`,
      'authentication',
    );
  if (response.status >= 400 && response.status < 500) {
    let problem: { code?: unknown; detail?: unknown } = {};
    try {
      problem = JSON.parse(response.text) as typeof problem;
    } catch {
      // not a problem document: the status alone
    }
    const code = typeof problem.code === 'string' ? problem.code : '';
    const detail = typeof problem.detail === 'string' ? `: ${problem.detail.slice(0, 300)}` : '';
    throw new Refused(`the endpoint answered ${response.status}${code ? ` ${code}` : ''}${detail}`, code);
  }
  if (response.status < 200 || response.status >= 300) throw new Unanswered(`the endpoint answered ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    throw new Unanswered('the endpoint answered with something other than JSON');
  }
  const d = json as Partial<PreflightDecision>;
  if (
    !d ||
    !['allow', 'warn', 'needs_approval', 'deny'].includes(d.decision as string) ||
    typeof d.reason !== 'string'
  ) {
    throw new Unanswered('the endpoint answered with something other than a pre-flight decision');
  }
  return d as PreflightDecision;
}

function headroom(decision: PreflightDecision): string | undefined {
  const p = decision.projected;
  if (!p?.remaining_after) return undefined;
  const pct = typeof p.percent_after === 'number' ? ` (${Math.round(p.percent_after)}% used)` : '';
  return `${formatMoney(p.remaining_after)} would be left after this run${pct}`;
}

async function hookClaude(ctx: CliContext): Promise<number> {
  assertKnownFlags(ctx.args, [
    'workflow',
    'estimate-usd',
    'timeout-ms',
    'non-interactive',
    'endpoint',
    'token-env',
    'cache-dir',
  ]);
  let input: HookInput;
  try {
    input = parseHookInput(await readStdin());
  } catch (error) {
    ctx.stderr.write(`spend-band hook: ${(error as Error).message}; nothing checked.\n`);
    return print(ctx, failOpenAnswer('PreToolUse', 'the hook input could not be read'));
  }
  const quiet = !nonInteractive(ctx);
  // An interactive prompt is the developer's own turn: the editor's gauge covers it. Only unattended
  // (-p) prompts are checked here, so typing never waits on the network.
  if (input.event === 'UserPromptSubmit' && quiet) return print(ctx, {});
  const timeoutText = flag(ctx.args, 'timeout-ms');
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 50 || timeoutMs > 60_000)
    throw new CliError('--timeout-ms must be a whole number of milliseconds from 50 to 60000.', EXIT.usage);
  const dir = cacheDir(ctx.args, ctx.env);
  const workflow = workflowFor(ctx, input);
  const estimate = estimateFor(ctx, dir);
  const cost = { currency: 'USD', amount_micros: estimate.micros };
  const endpoint = flag(ctx.args, 'endpoint') ?? (ctx.env.SPEND_BAND_ENDPOINT?.trim() || undefined);
  const token = ctx.env[flag(ctx.args, 'token-env') ?? 'SPEND_BAND_TOKEN']?.trim() || undefined;

  let decision: PreflightDecision;
  let decidedBy: string;
  let band: Band | undefined;
  if (endpoint && token) {
    const question = {
      workflow,
      estimate: { cost, basis: estimate.basis, confidence: estimate.confidence },
      run: {
        tool: 'claude_code',
        description:
          `${input.event === 'PreToolUse' ? `${input.toolName} tool call` : 'claude -p prompt'} in session ${input.sessionId}`.slice(
            0,
            500,
          ),
      },
    };
    const deadline = Date.now() + timeoutMs;
    try {
      try {
        decision = await askEndpoint(
          endpoint,
          token,
          { client_run_id: runIdFor(input), ...question },
          timeoutMs,
          ctx.env,
        );
      } catch (error) {
        // The same call (or the same -p prompt in the session) asked again with another estimate: it is
        // a question of its own, under an id that includes what is asked.
        if (!(error instanceof Refused) || error.code !== 'idempotency_key_reused') throw error;
        decision = await askEndpoint(
          endpoint,
          token,
          { client_run_id: runIdFor(input, JSON.stringify(question)), ...question },
          Math.max(50, deadline - Date.now()),
          ctx.env,
        );
      }
      decidedBy = 'the endpoint';
    } catch (error) {
      if (error instanceof Refused) {
        ctx.stderr.write(`spend-band hook: ${error.message}; the run is held for you to decide.\n`);
        return print(ctx, notCheckedAnswer(input.event, error.message));
      }
      if (!(error instanceof Unanswered)) throw error;
      ctx.stderr.write(`spend-band hook: ${error.message}; the run is not checked.\n`);
      return print(ctx, failOpenAnswer(input.event, error.message));
    }
  } else {
    const cached = newestCachedBands(dir);
    if (!cached) {
      return print(
        ctx,
        failOpenAnswer(
          input.event,
          'no bands known on this machine yet: connect an endpoint (SPEND_BAND_ENDPOINT and SPEND_BAND_TOKEN) or run "spend-band status" once',
        ),
      );
    }
    const bands = cached.document.bands as unknown as Band[];
    band = bands.find((b) => b.workflow === workflow) ?? bands.find((b) => b.workflow === 'all');
    const policy =
      (cached.document.escalation as EscalationPolicy | undefined) ?? ({ rules: [] } as unknown as EscalationPolicy);
    decision = {
      ...preflightVerdict({ workflow, estimate: { cost }, band, policy, now: ctx.now() }),
      reservation: null,
      approval: null,
    };
    decidedBy = `the bands cached at ${cached.fetchedAt}`;
  }
  // no estimate is never a silent allow (the rule of every pre-flight face)
  if (estimate.assumed) decision = noEstimateDecision(decision, `it was checked at an assumed ${formatMoney(cost)}`);
  return print(
    ctx,
    hookAnswer({
      event: input.event,
      decision: decision.decision,
      reason: decision.reason,
      estimateText: estimate.text,
      headroomText: headroom(decision),
      requestId: decision.approval?.request_id,
      nonInteractive: !quiet,
      cheaper:
        decision.decision === 'deny'
          ? cheaperPath(input, band ?? (decision.band_id ? { id: decision.band_id } : undefined))
          : undefined,
      decidedBy,
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// hook install (the settings merge is flows/agents/claudeHooks.ts, shared with the extension)

/** The hook's own entry beside this bundle (dist/), by absolute path; else this CLI's `hook claude`. */
function defaultCommand(): string {
  const entry = join(__dirname, HOOK_ENTRY);
  if (existsSync(entry)) return fastEntryCommand(process.execPath, entry, 'hook');
  const script = process.argv[1] ? resolve(process.argv[1]) : 'spend-band';
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return script.endsWith('.js') ? `${quote(process.execPath)} ${quote(script)} hook claude` : 'spend-band hook claude';
}

async function hookInstall(ctx: CliContext): Promise<number> {
  assertKnownFlags(ctx.args, ['settings', 'dry-run', 'command', 'json']);
  const path = resolve(flag(ctx.args, 'settings') ?? defaultClaudeSettingsPath(ctx.env));
  let result;
  try {
    result = installClaudeHooks({
      settingsPath: path,
      command: flag(ctx.args, 'command') ?? defaultCommand(),
      dryRun: hasFlag(ctx.args, 'dry-run'),
      now: ctx.now(),
    });
  } catch (error) {
    if (error instanceof SettingsFileError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  if (result.changes.length === 0) {
    ctx.stdout.write(
      `${path}: the Spend Band hooks are already in place; nothing ${hasFlag(ctx.args, 'dry-run') ? 'to do' : 'changed'}.\n`,
    );
  } else if (hasFlag(ctx.args, 'dry-run')) {
    ctx.stdout.write(`Would write ${path} (${result.changes.join(', ')}):\n${result.text}`);
  } else {
    ctx.stdout.write(
      `${path}: ${result.changes.join(', ')}.${result.backup ? ` Backup: ${result.backup}.` : ''} Restart Claude Code to load them.\n`,
    );
  }
  return EXIT.ok;
}
