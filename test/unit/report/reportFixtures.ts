// A small, fully known month for the report tests: a document with two class bands (one weekly) and a
// seat, usage rows placed on chosen days, and local metering events with tagged sessions.
import type { MeteredEvent, ReportUsageRow } from '../../../src/domain/reportUsage';
import type { BandsDocument } from '../../../src/domain/schemas';
import type { WorkflowSession } from '../../../src/domain/session';
import { makeBand, NOVEMBER_UTC } from '../domain/makeBand';

export const $ = (usd: number) => Math.round(usd * 1e6);
export const NOW = new Date('2026-11-16T12:00:00Z');
export const WEEK_OF_NOW = {
  interval: 'P1W',
  start: '2026-11-16T00:00:00Z',
  end: '2026-11-23T00:00:00Z',
  timezone: 'UTC',
};

export function documentOf(overrides: Partial<BandsDocument> = {}): BandsDocument {
  return {
    developer: { id: 'dana', display_name: 'Dana Demo' },
    role: { id: 'backend', label: 'Backend engineer' },
    seats: [
      { id: 's1', vendor: 'github', product: 'copilot_business', cost: { currency: 'USD', amount_micros: $(19) } },
    ],
    bands: [
      makeBand({ id: 'b_deep', workflow: 'deep_coding', allocated: $(150), used: $(60), period: NOVEMBER_UTC }),
      makeBand({ id: 'b_bg', workflow: 'background_automation', allocated: $(40), used: $(5), period: WEEK_OF_NOW }),
    ],
    escalation: { rules: [] },
    capabilities: { usage_history: true },
    generated_at: NOW.toISOString(),
    ...overrides,
  };
}

export function row(
  iso: string,
  workflow: string,
  usd: number | null,
  extra: Partial<ReportUsageRow> = {},
): ReportUsageRow {
  const startMs = Date.parse(iso);
  return {
    startMs,
    endMs: startMs + 3_600_000,
    workflow,
    model: 'claude-sonnet-4-5',
    agent: 'anthropic',
    costMicros: usd === null ? null : $(usd),
    currency: 'USD',
    requests: 1,
    tokens: 1_000,
    ...extra,
  };
}

export function event(
  iso: string,
  usd: number | null,
  sessionId: string,
  extra: Partial<MeteredEvent> = {},
): MeteredEvent {
  return {
    timestamp: Date.parse(iso),
    agent: 'claude_code',
    model: 'claude-sonnet-4-5',
    costMicros: usd === null ? null : $(usd),
    sessionId,
    project: '/home/dana/shop',
    requests: 1,
    tokens: { input: 600, output: 200, cache_read: 150, cache_write: 50 },
    ...extra,
  };
}

export function session(id: string, workflow: string, start: string, end: string | null): WorkflowSession {
  return { id, workflow, start, end };
}
