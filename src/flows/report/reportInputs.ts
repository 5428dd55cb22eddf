// What a report is built from, gathered one way for `spend-band report` and the editor's report panel:
// the bands, the endpoint's usage history when it keeps one (else this machine's metering attributed
// to the tagged sessions), and the agent runs from the local logs. The model itself is the pure
// domain/reportModel.ts.
import { isApiError, type ApiError } from '../../api/apiError';
import type { BandsClient } from '../../api/bandsClient';
import { systemTimeZone } from '../../domain/period';
import {
  buildReport,
  usageRange,
  type ReportFocus,
  type ReportModel,
  type ReportUsageSource,
} from '../../domain/reportModel';
import {
  collectUsagePages,
  rowsFromMetering,
  rowsFromUsagePages,
  runsFromMetering,
  type MeteredEvent,
  type ReportUsageRow,
} from '../../domain/reportUsage';
import type { ReportWindow } from '../../domain/reportWindow';
import type { BandsDocument } from '../../domain/schemas';
import type { WorkflowSession } from '../../domain/session';
import type { WorkflowClass } from '../../domain/workflowClasses';

/** An endpoint answers at most this many pages of 500 hourly buckets (about 4 years). */
const MAX_USAGE_PAGES = 80;

/** The zone the report's days and windows are counted in: the bands' own zone, else the one configured, else the system's. */
export function reportTimeZone(document: BandsDocument | undefined, configuredZone: string | undefined): string {
  return document?.bands[0]?.period.timezone ?? (configuredZone || systemTimeZone());
}

export interface ReportSources {
  document: BandsDocument;
  /** where the bands came from (endpoint, local, litellm, openrouter) */
  source: string;
  stale: boolean;
  window: ReportWindow;
  now: Date;
  signal: AbortSignal;
  /** the endpoint's client when the bands came from an endpoint that keeps usage history; `release` runs when done */
  usageClient(): Promise<{ client: BandsClient; release(): Promise<void> } | undefined>;
  /** this machine's metered usage (undefined when off or no agent logs were found) */
  metering: { eventsBetween(fromMs: number, toMs: number): readonly MeteredEvent[] } | undefined;
  sessions: readonly WorkflowSession[];
  classes?: readonly WorkflowClass[] | undefined;
  focus?: ReportFocus | undefined;
  warn(text: string): void;
}

export interface GatheredReport {
  model: ReportModel;
  /** where the usage figures came from */
  usageSource: ReportUsageSource;
  /** why the endpoint's usage history could not be read (the report fell back to the local logs) */
  usageError?: ApiError | undefined;
}

export async function gatherReport(sources: ReportSources): Promise<GatheredReport> {
  const { document, window, now, signal, metering, sessions } = sources;
  const range = usageRange(document, window, now);
  let usage: ReportUsageRow[] = [];
  let usageSource: ReportUsageSource = 'none';
  let usageIncomplete = false;
  let usageError: ApiError | undefined;
  const held = document.capabilities.usage_history === true ? await sources.usageClient() : undefined;
  if (held) {
    try {
      // Hourly buckets: every whole-hour zone's local days are made of them, whatever the server's zone.
      const query = {
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        granularity: 'PT1H' as const,
        groupBy: ['workflow', 'provider', 'model'] as const,
        limit: 500,
      };
      const { pages, complete } = await collectUsagePages(
        (cursor) => held.client.getUsage({ ...query, ...(cursor ? { cursor } : {}) }, { signal }),
        MAX_USAGE_PAGES,
      );
      usage = rowsFromUsagePages(pages);
      usageIncomplete = !complete;
      usageSource = 'endpoint';
    } catch (error) {
      if (signal.aborted || !isApiError(error)) throw error;
      usageError = error;
      sources.warn(
        `the usage history could not be read (${error.message}); the report uses the agent logs on this machine instead.`,
      );
    } finally {
      await held.release();
    }
  }
  if (usageSource === 'none' && metering) {
    usage = rowsFromMetering(
      metering.eventsBetween(range.fromMs, range.toMs),
      sessions,
      range.fromMs,
      range.toMs,
      now.getTime(),
    );
    usageSource = 'local_logs';
  }
  const fromMs = Date.parse(window.start);
  const toMs = Date.parse(window.end);
  const runs = metering
    ? runsFromMetering(metering.eventsBetween(fromMs, toMs), sessions, fromMs, toMs, now.getTime())
    : [];
  const model = buildReport({
    document,
    source: sources.source,
    stale: sources.stale,
    window,
    now,
    usage,
    usageSource,
    usageIncomplete,
    runs,
    ...(sources.classes ? { classes: sources.classes } : {}),
    focus: sources.focus,
  });
  return { model, usageSource, usageError };
}
