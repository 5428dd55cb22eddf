// `spend-band report [--period YYYY-MM] [--format text|md|json|csv]`: the month's report — per band,
// class, model and agent; seats + usage; the biggest sessions and agent runs with outliers — from the
// same model as the extension's report webview. Bands come from the same source resolution as
// `status` (src/cli/bandsSourceOptions.ts → src/api/bandsSource.ts); the rest is gathered by
// flows/report/reportInputs.ts, as in the editor.
import { exitCodeFor, isApiError } from '../api/apiError';
import { clientForSource, loadBands, type BandsResult } from '../api/bandsSource';
import type { LocalConfig, LocalUsage } from '../domain/localConfig';
import { isValidTimeZone } from '../domain/period';
import { reportToCsv, reportToJson } from '../domain/reportExport';
import type { ReportModel } from '../domain/reportModel';
import { reportToMarkdown, reportToText } from '../domain/reportText';
import { monthWindow, windowContaining } from '../domain/reportWindow';
import type { WorkflowSession } from '../domain/session';
import { gatherReport, reportTimeZone } from '../flows/report/reportInputs';
import type { UsageSnapshot } from '../usage/usageSnapshot';
import { flag, hasFlag } from './args';
import { sourceFromCli } from './bandsSourceOptions';
import type { CliContext } from './cliContext';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { localMeter } from './localMeter';
import { cacheDir } from './paths';
import { localUsageFor as meteredUsageFor, taggedSessions } from './localMeter';

const FORMATS = ['text', 'md', 'json', 'csv'] as const;
type ReportFormat = (typeof FORMATS)[number];

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

/** Local bands' usage in each band's current period, from the metering (the CLI's status computes it the same way). */
function localUsageFor(
  config: LocalConfig,
  snapshot: UsageSnapshot | undefined,
  sessions: readonly WorkflowSession[],
  now: Date,
): LocalUsage {
  if (!snapshot) return { usedByWorkflow: new Map(), asOf: now };
  return meteredUsageFor(config, snapshot, sessions, now).usage;
}

export async function reportCommand(ctx: CliContext): Promise<number> {
  const args = ctx.args;
  const format = (hasFlag(args, 'json') ? 'json' : (flag(args, 'format') ?? 'text')) as ReportFormat;
  if (!FORMATS.includes(format))
    throw new CliError(`--format must be one of ${FORMATS.join(', ')}, not "${flag(args, 'format')}".`, EXIT.usage);
  const periodText = flag(args, 'period');
  if (periodText !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(periodText)) {
    throw new CliError(`--period must be a month like 2026-11, not "${periodText}".`, EXIT.usage);
  }
  const zoneFlag = flag(args, 'timezone');
  if (zoneFlag !== undefined && !isValidTimeZone(zoneFlag))
    throw new CliError(`--timezone must be an IANA zone such as Europe/Berlin, not "${zoneFlag}".`, EXIT.usage);
  const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
  const now = ctx.now();
  const { sessions } = taggedSessions(args, ctx.env, warn);

  const { source, localConfigMissing } = await sourceFromCli(args, ctx.env);
  const metering = await readMetering(ctx, warn);
  let loaded: BandsResult;
  try {
    loaded = await loadBands(source, {
      now,
      signal: ctx.signal,
      cacheDir: cacheDir(args, ctx.env),
      offline: hasFlag(args, 'offline'),
      ...(source.kind === 'local'
        ? { localUsage: async () => localUsageFor(source.config, metering, sessions, now) }
        : {}),
    });
  } catch (error) {
    if (!isApiError(error)) throw error;
    ctx.stderr.write(`spend-band: ${error.message}\n`);
    return exitCodeFor(error);
  }
  const document = loaded.document;
  const zone = zoneFlag ?? reportTimeZone(document, undefined);
  const window = periodText ? monthWindow(periodText, zone)! : windowContaining('month', now, zone);
  const { model, usageSource, usageError } = await gatherReport({
    document,
    source: loaded.source,
    stale: loaded.stale,
    window,
    now,
    signal: ctx.signal,
    usageClient: async () => {
      if (source.kind !== 'endpoint' || loaded.source !== 'endpoint' || hasFlag(args, 'offline')) return undefined;
      const client = clientForSource(source);
      return { client, release: () => client.close() };
    },
    metering,
    sessions,
    warn,
  });
  if (usageSource === 'local_logs' && sessions.length === 0)
    warn(
      'no --sessions FILE given: all local usage counts as untagged. The extension writes tagged sessions to a file you can pass here.',
    );

  ctx.stdout.write(renderReport(model, format));

  if (loaded.error) {
    warn(`${loaded.error.message} The report uses the last good bands, fetched ${loaded.fetchedAt}.`);
    return exitCodeFor(loaded.error);
  }
  if (localConfigMissing)
    warn(`no bands configured: write ${localConfigMissing} (see the README) or pass --endpoint URL.`);
  if (usageError) return exitCodeFor(usageError);
  return EXIT.ok;
}
