// `spend-band report [--period YYYY-MM] [--format text|md|json|csv]`: the month's report — per band,
// class, model and agent; seats + usage; the biggest sessions and agent runs with outliers — from the
// same model as the extension's report webview. Bands come from the same source resolution as
// `status` (src/cli/bandsSourceOptions.ts → src/api/bandsSource.ts); usage from the endpoint's
// history when it has one, else from the agent logs on this machine (src/usage/).
import { exitCodeFor, isApiError, type ApiError } from '../api/apiError';
import { BandsClient } from '../api/bandsClient';
import { loadBands, type BandsResult, type SourceConfig } from '../api/bandsSource';
import type { LocalConfig, LocalUsage } from '../domain/localConfig';
import { isSupportedInterval, isValidTimeZone, periodContaining, systemTimeZone } from '../domain/period';
import { reportToCsv, reportToJson } from '../domain/reportExport';
import { buildReport, usageRange, type ReportModel, type ReportUsageSource } from '../domain/reportModel';
import { reportToMarkdown, reportToText } from '../domain/reportText';
import { collectUsagePages, rowsFromMetering, rowsFromUsagePages, runsFromMetering, type ReportRun, type ReportUsageRow } from '../domain/reportUsage';
import { monthWindow, windowContaining } from '../domain/reportWindow';
import type { WorkflowSession } from '../domain/session';
import { usedByWorkflow } from '../usage/attribution';
import type { UsageSnapshot } from '../usage/usageSnapshot';
import { flag, hasFlag } from './args';
import { sourceFromCli } from './bandsSourceOptions';
import type { CliContext } from './cliContext';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { localMeter } from './localMeter';
import { cacheDir } from './paths';
import { readSessionsFile } from './usageCommand';

const FORMATS = ['text', 'md', 'json', 'csv'] as const;
type ReportFormat = (typeof FORMATS)[number];

/** An endpoint answers at most this many pages of 500 hourly buckets (about 4 years). */
const MAX_USAGE_PAGES = 80;

export function renderReport(model: ReportModel, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return reportToJson(model);
    case 'csv':
      return reportToCsv(model);
    case 'md':
      return reportToMarkdown(model);
    case 'text':
      return reportToText(model);
  }
}

async function readMetering(ctx: CliContext, warn: (text: string) => void): Promise<UsageSnapshot | undefined> {
  const { meter } = localMeter(ctx.args, ctx.env);
  try {
    const snapshot = await meter.refresh({ signal: ctx.signal });
    if (snapshot.stats.indexError) warn(snapshot.stats.indexError);
    return snapshot.stats.filesTotal > 0 ? snapshot : undefined;
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('price file')) throw new CliError(message, EXIT.usage);
    warn(`could not read the agent logs (${message}); the report shows the bands without local usage.`);
    return undefined;
  } finally {
    await meter.dispose();
  }
}

/** Local bands' usage in each band's current period, from the metering (as the extension computes it). */
function localUsageFor(config: LocalConfig, snapshot: UsageSnapshot | undefined, sessions: readonly WorkflowSession[], now: Date): LocalUsage {
  if (!snapshot) return { usedByWorkflow: new Map(), asOf: now };
  const zone = config.timezone ?? systemTimeZone();
  const used = new Map<string, number>();
  for (const band of config.bands ?? []) {
    const interval = band.period ?? 'P1M';
    if (!isSupportedInterval(interval)) continue;
    const period = periodContaining(interval, now, zone);
    const byClass = usedByWorkflow(snapshot, sessions, new Date(period.start), new Date(period.end));
    used.set(band.workflow, band.workflow === 'all' ? [...byClass.values()].reduce((a, b) => a + b, 0) : (byClass.get(band.workflow) ?? 0));
  }
  return { usedByWorkflow: used, asOf: new Date(snapshot.asOf), provider: 'local_logs' };
}

async function endpointUsage(source: Extract<SourceConfig, { kind: 'endpoint' }>, range: { fromMs: number; toMs: number }, signal: AbortSignal) {
  const client = new BandsClient({
    baseUrl: source.baseUrl,
    ...(source.token ? { token: source.token } : {}),
    ...(source.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    ...(source.timeouts ? { timeouts: source.timeouts } : {}),
    ...(source.env ? { env: source.env } : {}),
  });
  try {
    // Hourly buckets: every whole-hour zone's local days are made of them, whatever the server's zone.
    const query = { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), granularity: 'PT1H' as const, groupBy: ['workflow', 'provider', 'model'] as const, limit: 500 };
    const { pages, complete } = await collectUsagePages((cursor) => client.getUsage({ ...query, ...(cursor ? { cursor } : {}) }, { signal }), MAX_USAGE_PAGES);
    return { rows: rowsFromUsagePages(pages), complete };
  } finally {
    await client.close();
  }
}

export async function reportCommand(ctx: CliContext): Promise<number> {
  const args = ctx.args;
  const format = (hasFlag(args, 'json') ? 'json' : (flag(args, 'format') ?? 'text')) as ReportFormat;
  if (!FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, not "${flag(args, 'format')}".`, EXIT.usage);
  const periodText = flag(args, 'period');
  if (periodText !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(periodText)) {
    throw new CliError(`--period must be a month like 2026-11, not "${periodText}".`, EXIT.usage);
  }
  const zoneFlag = flag(args, 'timezone');
  if (zoneFlag !== undefined && !isValidTimeZone(zoneFlag)) throw new CliError(`--timezone must be an IANA zone such as Europe/Berlin, not "${zoneFlag}".`, EXIT.usage);
  const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
  const now = ctx.now();
  const sessionsPath = flag(args, 'sessions');
  const sessions = sessionsPath ? readSessionsFile(sessionsPath, warn) : [];

  const { source, localConfigMissing } = await sourceFromCli(args, ctx.env);
  const metering = await readMetering(ctx, warn);
  let loaded: BandsResult;
  try {
    loaded = await loadBands(source, {
      now,
      signal: ctx.signal,
      cacheDir: cacheDir(args, ctx.env),
      offline: hasFlag(args, 'offline'),
      ...(source.kind === 'local' ? { localUsage: async () => localUsageFor(source.config, metering, sessions, now) } : {}),
    });
  } catch (error) {
    if (!isApiError(error)) throw error;
    ctx.stderr.write(`spend-band: ${error.message}\n`);
    return exitCodeFor(error);
  }
  const document = loaded.document;
  const zone = zoneFlag ?? document.bands[0]?.period.timezone ?? systemTimeZone();
  const window = periodText ? monthWindow(periodText, zone)! : windowContaining('month', now, zone);
  const range = usageRange(document, window, now);

  let usage: ReportUsageRow[] = [];
  let usageSource: ReportUsageSource = 'none';
  let usageIncomplete = false;
  let usageError: ApiError | undefined;
  if (source.kind === 'endpoint' && loaded.source === 'endpoint' && document.capabilities.usage_history === true && !hasFlag(args, 'offline')) {
    try {
      const answer = await endpointUsage(source, range, ctx.signal);
      usage = answer.rows;
      usageIncomplete = !answer.complete;
      usageSource = 'endpoint';
    } catch (error) {
      if (!isApiError(error)) throw error;
      usageError = error;
      warn(`the usage history could not be read (${error.message}); the report uses the agent logs on this machine instead.`);
    }
  }
  if (usageSource === 'none' && metering) {
    usage = rowsFromMetering(metering.eventsBetween(range.fromMs, range.toMs), sessions, range.fromMs, range.toMs, now.getTime());
    usageSource = 'local_logs';
  }
  const runs: ReportRun[] = metering ? runsFromMetering(metering.eventsBetween(Date.parse(window.start), Date.parse(window.end)), sessions, Date.parse(window.start), Date.parse(window.end), now.getTime()) : [];
  if (usageSource === 'local_logs' && sessions.length === 0) warn('no --sessions FILE given: all local usage counts as untagged. The extension writes tagged sessions to a file you can pass here.');

  const model = buildReport({ document, source: loaded.source, stale: loaded.stale, window, now, usage, usageSource, usageIncomplete, runs });
  ctx.stdout.write(renderReport(model, format));

  if (loaded.error) {
    warn(`${loaded.error.message} The report uses the last good bands, fetched ${loaded.fetchedAt}.`);
    return exitCodeFor(loaded.error);
  }
  if (localConfigMissing) warn(`no bands configured: write ${localConfigMissing} (see the README) or pass --endpoint URL.`);
  if (usageError) return exitCodeFor(usageError);
  return EXIT.ok;
}
