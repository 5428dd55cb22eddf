// `spend-band usage`: personal usage measured from the local Claude Code and Codex logs, grouped by
// day, month, model, workflow class or agent. The incremental index lives in the cache folder, one
// per set of log folders, so a second run reads only what was appended.
import { join } from 'node:path';
import { money as moneyValue } from '../domain/money';
import { isValidTimeZone, startOfLocalDate, systemTimeZone } from '../domain/period';
import type { WorkflowSession } from '../domain/session';
import {
  groupUsage,
  isUtcZone,
  localDayFormatter,
  USAGE_GROUPINGS,
  type UsageGrouping,
  type UsageRow,
} from '../usage/usageRows';
import { UnpricedSums, type UsageEvent, type UsageSnapshot, type UsageTokens } from '../usage/usageSnapshot';
import { flag, hasFlag } from './args';
import { printJson, type CliContext } from './cliContext';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { localMeter, taggedSessions } from './localMeter';
import { moneyText } from './output';

export { readSessionsFile } from './localMeter';

function parseDay(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const text = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : value;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const valid = m && new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).toISOString().slice(0, 10) === text;
  if (!valid) throw new CliError(`--${name} must be a date like 2025-09-30, got "${value}".`, EXIT.usage);
  return text;
}

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function tokensJson(t: UsageTokens): UsageTokens {
  return {
    input: t.input,
    output: t.output,
    cache_read: t.cache_read,
    cache_write: t.cache_write,
    cache_write_1h: t.cache_write_1h,
  };
}

/**
 * A row's cost: the priced events' sum, with `unpriced_events` beside it; when no event of the row has
 * a price, `amount_micros` is null (never $0: the usage is there, its price is unknown).
 */
function costJson(row: UsageRow): { currency: string; amount_micros: number | null } {
  if (row.requests > 0 && row.unpricedRequests === row.requests) return { currency: 'USD', amount_micros: null };
  return moneyValue(row.costMicros);
}

function rowJson(row: UsageRow) {
  return {
    key: row.key,
    tokens: tokensJson(row.tokens),
    cost: costJson(row),
    events: row.requests,
    unpriced_events: row.unpricedRequests,
  };
}

export async function usageCommand(ctx: CliContext): Promise<number> {
  const args = ctx.args;
  const by = (flag(args, 'by') ?? 'day') as UsageGrouping;
  if (!USAGE_GROUPINGS.includes(by))
    throw new CliError(`--by must be one of ${USAGE_GROUPINGS.join(', ')}, got "${flag(args, 'by')}".`, EXIT.usage);
  const since = parseDay(flag(args, 'since'), 'since');
  const until = parseDay(flag(args, 'until'), 'until');
  if (since && until && until < since)
    throw new CliError(`--until (${until}) is before --since (${since}). Swap them.`, EXIT.usage);
  const timeZone = flag(args, 'timezone') ?? systemTimeZone();
  if (!isUtcZone(timeZone) && !isValidTimeZone(timeZone))
    throw new CliError(`--timezone must be an IANA zone such as Europe/Berlin, got "${timeZone}".`, EXIT.usage);
  const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
  const { sessions, from: sessionFiles } = taggedSessions(args, ctx.env, warn);
  if (by === 'workflow' && sessionFiles.length === 0)
    warn(
      "no --sessions FILE given and no session journal of the extension found: all usage is untagged. Pass the extension's sessions.jsonl with --sessions.",
    );

  // The figures are sums: visit the counted requests, build no per-rollup arrays (memory).
  const { meter, claude, codex, pricesPath } = localMeter(args, ctx.env, { streamRequests: true });
  try {
    let snapshot: UsageSnapshot;
    try {
      snapshot = await meter.refresh({ signal: ctx.signal });
    } catch (error) {
      const message = (error as Error).message;
      if (message.includes('price file')) throw new CliError(message, EXIT.usage);
      throw error;
    }
    return printUsage(ctx, snapshot, { by, since, until, timeZone, sessions, claude, codex, pricesPath });
  } finally {
    // After printing: the snapshot reads the store until then.
    await meter.dispose();
  }
}

interface PrintOptions {
  by: UsageGrouping;
  since: string | undefined;
  until: string | undefined;
  timeZone: string;
  sessions: WorkflowSession[];
  claude: string[];
  codex: string[];
  pricesPath: string;
}

function printUsage(ctx: CliContext, snapshot: UsageSnapshot, o: PrintOptions): number {
  const { by, since, until, timeZone, sessions, claude, codex, pricesPath } = o;
  const args = ctx.args;
  const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
  if (snapshot.stats.indexError) warn(snapshot.stats.indexError);
  const odd = snapshot.stats.undecodableNames ?? [];
  if (odd.length > 0)
    warn(
      `${odd.length} log file(s) not read: their names are not valid UTF-8 (${odd.slice(0, 3).join(', ')}${odd.length > 3 ? ', …' : ''}). Rename them to UTF-8 names to count their usage.`,
    );

  const fromMs = since ? startOfLocalDate(since, timeZone) : undefined;
  const toMs = until ? startOfLocalDate(nextDay(until), timeZone) : undefined;
  // Visit the snapshot's events without building its sorted list: the figures are sums.
  const window = { ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  // Unpriced usage by model, added up as it is visited (a list of its events would grow with the logs).
  const unpricedSums = new UnpricedSums();
  const alongside = (e: UsageEvent) => {
    if ((fromMs !== undefined && e.timestamp < fromMs) || (toMs !== undefined && e.timestamp >= toMs)) return;
    first = Math.min(first, e.timestamp);
    last = Math.max(last, e.timestamp);
    if (e.costMicros !== null) return;
    unpricedSums.add(
      e.model,
      e.tokens.input,
      e.tokens.output,
      e.tokens.cache_read,
      e.tokens.cache_write,
      e.tokens.cache_write_1h,
      e.requests,
    );
  };
  // One pass over the counted requests (each pass reads them from the store again): the grouping,
  // and beside it the first and last day and the unpriced usage.
  const table = groupUsage(
    {
      eachEvent: (visit) =>
        snapshot.eachEvent((e) => {
          alongside(e);
          visit(e);
        }),
    },
    { by, timeZone, sessions, ...window },
  );
  const day = localDayFormatter(timeZone);
  const from = since ?? (Number.isFinite(first) ? day(first) : null);
  const to = until ?? (Number.isFinite(last) ? day(last) : null);
  const unpriced = unpricedSums
    .sorted((a, b) => b.requests - a.requests || (a.model < b.model ? -1 : 1))
    .map((u) => ({ model: u.model, tokens: tokensJson(u.tokens), events: u.requests }));

  if (hasFlag(args, 'json')) {
    printJson(ctx, {
      from,
      to,
      time_zone: timeZone,
      by,
      totals: {
        tokens: tokensJson(table.totals.tokens),
        cost: costJson(table.totals),
        events: table.totals.requests,
        unpriced_events: table.totals.unpricedRequests,
      },
      rows: table.rows.map(rowJson),
      skipped_lines: snapshot.skippedLines,
      unpriced_models: unpriced,
      prices_as_of: snapshot.pricesAsOf,
      // Every figure here is metered from this machine's logs and priced at list prices (domain/provenance.ts).
      provenance: 'metered',
      estimated: true,
      as_of: snapshot.asOf,
    });
  } else {
    ctx.stdout.write(renderUsageText(table.rows, table.totals, by, from, to, timeZone));
    if (unpriced.length > 0) {
      ctx.stdout.write(
        `\nNo price for: ${unpriced.map((u) => `${u.model} (${u.events} requests, ${formatTokens(u.tokens.input + u.tokens.output + u.tokens.cache_read + u.tokens.cache_write)} tokens)`).join(', ')} — not included in the cost. Add them to ${pricesPath}.\n`,
      );
    }
    ctx.stdout.write(
      `Prices as of ${snapshot.pricesAsOf}. ${snapshot.stats.filesTotal} log files, ${snapshot.skippedLines} unreadable line(s) skipped.\n`,
    );
  }
  if (snapshot.stats.filesTotal === 0 && !hasFlag(args, 'quiet')) {
    warn(
      `no agent logs found under ${[...claude.map((d) => join(d, 'projects')), ...codex.map((d) => join(d, 'sessions'))].join(', ')}. Pass --claude-dir or --codex-dir (or set CLAUDE_CONFIG_DIR / CODEX_HOME).`,
    );
  }
  return EXIT.ok;
}

function formatTokens(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function renderUsageText(
  rows: UsageRow[],
  totals: UsageRow,
  by: UsageGrouping,
  from: string | null,
  to: string | null,
  timeZone: string,
): string {
  const head = [
    by === 'day' ? 'Day' : by === 'month' ? 'Month' : by === 'model' ? 'Model' : by === 'agent' ? 'Agent' : 'Workflow',
    'Input',
    'Output',
    'Cache read',
    'Cache write',
    'Requests',
    'Cost',
  ];
  const line = (r: UsageRow, key = r.key) => [
    key,
    formatTokens(r.tokens.input),
    formatTokens(r.tokens.output),
    formatTokens(r.tokens.cache_read),
    formatTokens(r.tokens.cache_write),
    String(r.requests),
    r.requests > 0 && r.unpricedRequests === r.requests
      ? 'no price'
      : `${moneyText(moneyValue(r.costMicros))}${r.unpricedRequests > 0 ? ' +?' : ''}`,
  ];
  const body = [head, ...rows.map((r) => line(r)), line(totals, 'Total')];
  const widths = head.map((_, c) => Math.max(...body.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const out = [
    `Usage ${from ?? '—'} … ${to ?? '—'} (${timeZone})`,
    fmt(head),
    ...rows.map((r) => fmt(line(r))),
    fmt(line(totals, 'Total')),
  ];
  if (rows.length === 0) out.splice(2, 0, '(no usage in this window)');
  return `${out.join('\n')}\n`;
}
