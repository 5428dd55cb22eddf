// Gathers what the report model needs inside the extension: the bands on screen, the endpoint's usage
// history when it has one (else local metering attributed to tagged sessions), and the runs from the
// local logs. The same pure pieces as `spend-band report` (src/domain/report*.ts).
import type { FeatureDeps } from './featureDeps';
import { systemTimeZone } from '../domain/period';
import { buildReport, usageRange, type ReportFocus, type ReportModel, type ReportUsageSource } from '../domain/reportModel';
import { collectUsagePages, rowsFromMetering, rowsFromUsagePages, runsFromMetering, type ReportUsageRow } from '../domain/reportUsage';
import type { ReportWindow } from '../domain/reportWindow';
import type { BandsDocument } from '../domain/schemas';

/** An endpoint answers at most this many pages of 500 hourly buckets (about 4 years). */
const MAX_USAGE_PAGES = 80;

export class ReportUnavailableError extends Error {}

/** The zone the report's days and windows are counted in: the bands' own zone, else local settings, else the system's. */
export function reportTimeZone(document: BandsDocument | undefined, localZone: string): string {
  return document?.bands[0]?.period.timezone ?? (localZone || systemTimeZone());
}

export async function loadReportModel(deps: FeatureDeps, window: ReportWindow, focus: ReportFocus | undefined, signal: AbortSignal, now = new Date()): Promise<ReportModel> {
  const snapshot = deps.snapshot();
  const document = snapshot?.document;
  if (!snapshot || !document) {
    throw new ReportUnavailableError('No bands to report on yet: connect an endpoint (Spend Band: Connect Endpoint…) or use local bands (Spend Band: Use Local Bands), then open the report again.');
  }
  const range = usageRange(document, window, now);
  const metering = await deps.usageSnapshot();
  const sessions = deps.sessions();
  let usage: ReportUsageRow[] = [];
  let usageSource: ReportUsageSource = 'none';
  let usageIncomplete = false;
  if (snapshot.source === 'endpoint' && document.capabilities.usage_history === true) {
    const client = await deps.client();
    if (client) {
      try {
        const query = { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), granularity: 'PT1H' as const, groupBy: ['workflow', 'provider', 'model'] as const, limit: 500 };
        const { pages, complete } = await collectUsagePages((cursor) => client.getUsage({ ...query, ...(cursor ? { cursor } : {}) }, { signal }), MAX_USAGE_PAGES);
        usage = rowsFromUsagePages(pages);
        usageIncomplete = !complete;
        usageSource = 'endpoint';
      } catch (error) {
        if (signal.aborted) throw error;
        deps.log.warn(`Report: the usage history could not be read (${(error as Error).message}); using the agent logs on this machine instead.`);
      } finally {
        await client.close();
      }
    }
  }
  if (usageSource === 'none' && metering && metering.stats.filesTotal > 0) {
    usage = rowsFromMetering(metering.eventsBetween(range.fromMs, range.toMs), sessions, range.fromMs, range.toMs, now.getTime());
    usageSource = 'local_logs';
  }
  const runs = metering ? runsFromMetering(metering.eventsBetween(Date.parse(window.start), Date.parse(window.end)), sessions, Date.parse(window.start), Date.parse(window.end), now.getTime()) : [];
  return buildReport({
    document,
    source: snapshot.source,
    stale: snapshot.stale,
    window,
    now,
    usage,
    usageSource,
    usageIncomplete,
    runs,
    classes: deps.classes(),
    focus,
  });
}
