// `spend-band statusline`: the command for Claude Code's `statusLine` setting
// (https://code.claude.com/docs/en/statusline). Claude Code pipes its session JSON on stdin after
// each message; this prints one line: the band (class, % used, used/allocated, time left) from the
// bands the CLI or the extension cached, and the agent's own figures where it gives them (session
// `cost.total_cost_usd`, plan `rate_limits`), labelled official. It also records those official
// figures in the agent-state file, where the extension shows them beside our estimate.
// No network on this path: it reads two small files.
import { timeLeftText } from '../domain/format';
import { formatMoney } from '../domain/money';
import {
  newestCachedBands,
  officialFromStatusLine,
  recordOfficial,
  type AgentState,
  type CachedDocument,
} from '../flows/agents/agentState';
import { EXIT } from '../domain/exitCodes';
import { assertKnownFlags, flag } from './args';
import type { CliContext } from './cliContext';
import { cacheDir } from './paths';
import { readStdinText } from './stdinText';

const MAX_STDIN_BYTES = 1024 * 1024;
const STALE_MS = 60 * 60_000;

/** The gauge's own days/hours left (domain/format.ts), so the status line and `status` agree. */
function timeLeft(endIso: string, nowMs: number): string {
  const ms = Date.parse(endIso) - nowMs;
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'resets now';
  return `${timeLeftText(ms)} left`;
}

function label(id: string): string {
  return id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function pickBand(doc: CachedDocument, workflow: string | undefined): CachedDocument['bands'][number] | undefined {
  const bands = doc.bands;
  if (workflow) return bands.find((b) => b.workflow === workflow) ?? bands.find((b) => b.workflow === 'all');
  // No class given: the band nearest its limit is the one worth a glance.
  return [...bands].sort(
    (a, b) =>
      b.used.amount_micros / Math.max(1, b.allocated.amount_micros) -
      a.used.amount_micros / Math.max(1, a.allocated.amount_micros),
  )[0];
}

export async function statuslineCommand(ctx: CliContext): Promise<number> {
  assertKnownFlags(ctx.args, ['workflow', 'cache-dir']);
  const now = ctx.now();
  const dir = cacheDir(ctx.args, ctx.env);
  let input: unknown;
  try {
    const text = await readStdinText(MAX_STDIN_BYTES, { onTooLarge: 'truncate', skipTerminal: true });
    input = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    input = undefined;
  }
  const official = officialFromStatusLine(input);
  let state: AgentState | undefined;
  try {
    state = recordOfficial(dir, official, now);
  } catch {
    // A read-only cache folder must not blank the status line.
  }

  const parts: string[] = [];
  const explicit =
    flag(ctx.args, 'workflow') ??
    ctx.env.SPEND_BAND_WORKFLOW ??
    /(?:^|,)\s*spendband\.workflow=([a-z][a-z0-9_]{0,63})/.exec(ctx.env.OTEL_RESOURCE_ATTRIBUTES ?? '')?.[1];
  const cached = newestCachedBands(dir, state);
  const band = cached ? pickBand(cached.document, explicit) : undefined;
  if (band && cached) {
    const allocated = band.allocated.amount_micros;
    const used = band.used.amount_micros;
    const pct = allocated > 0 ? Math.round((used / allocated) * 100) : 0;
    const stale =
      now.getTime() - Date.parse(cached.fetchedAt) > STALE_MS
        ? ` (as of ${cached.fetchedAt.slice(0, 16).replace('T', ' ')})`
        : '';
    parts.push(
      `${band.label ?? label(band.workflow)} ${pct}% · ${formatMoney(band.used)}/${formatMoney(band.allocated)} · ${timeLeft(band.period.end, now.getTime())}${stale}`,
    );
  } else {
    parts.push('Spend Band: no bands cached yet (run spend-band status)');
  }
  const agent: string[] = [];
  if (official.costMicros !== undefined)
    agent.push(`${formatMoney({ currency: 'USD', amount_micros: official.costMicros })} session`);
  for (const [name, w] of Object.entries(official.rateLimits ?? {})) {
    const short = name === 'five_hour' ? '5h' : name === 'seven_day' ? '7d' : name;
    agent.push(`${short} ${Math.round(w.usedPercent)}%`);
  }
  if (agent.length > 0) parts.push(`Claude official: ${agent.join(' · ')}`);
  ctx.stdout.write(`${parts.join(' │ ')}\n`);
  return EXIT.ok;
}
