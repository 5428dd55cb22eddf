// The estimate of a run before its pre-flight, one rule for `spend-band preflight`/`run` and the editor's
// guarded task, command and Language Model Tool: an amount given, tokens × the model's price, or this
// developer's history of the agent (local agent logs first, then the endpoint's daily usage of the
// class). Each face reads its own input (flags, a task definition) into an EstimateRequest and says in
// its own words what to fix; the history and the pricing live here.
import type { BandsClient } from '../../api/bandsClient';
import { bandForWorkflow } from '../../domain/bandLookup';
import {
  dailyUsageEstimate,
  historyEstimate,
  noEstimate,
  pastRuns,
  tokensEstimate,
  userEstimate,
  type HistoryEvent,
  type RunEstimate,
} from '../../domain/estimate';
import type { BandsDocument } from '../../domain/schemas';
import type { WorkflowSession } from '../../domain/session';
import type { Pricing } from '../../usage/prices/prices';

/** How far back past runs count: older runs describe older models and prices. */
export const HISTORY_DAYS = 90;
/** The endpoint's daily usage looked at when this machine has no history of the agent. */
const ENDPOINT_HISTORY_DAYS = 30;
const DAY_MS = 86_400_000;

export type EstimateRequest =
  | { kind: 'usd'; micros: number }
  | { kind: 'tokens'; tokens: number; model: string }
  | { kind: 'history'; agent: string }
  | { kind: 'none'; reason?: string };

/** Input a person can fix (a model without a price); the message says how. */
export class EstimateProblem extends Error {
  override name = 'EstimateProblem';
}

export interface EstimateInputs {
  workflow: string;
  /** the bands the run is checked against: their currency is the estimate's */
  document: BandsDocument | undefined;
  now: Date;
  signal?: AbortSignal | undefined;
  /** the price table for a token estimate (may throw with a sentence, e.g. a broken price file) */
  pricing(): Pricing;
  /** what to do about a model without a price, said after "no price for the model …" */
  unknownModelAdvice: string;
  /** this machine's usage events in [fromMs, toMs), or a reason there are none */
  localEvents(fromMs: number, toMs: number): Promise<{ events: readonly HistoryEvent[] } | { reason: string }>;
  /** the workflow sessions that say which class each past run belonged to */
  sessions: readonly WorkflowSession[];
  /** said after a history estimate that had to use runs of every class (no sessions for this one) */
  anyClassAdvice?: string | undefined;
  /** the endpoint's client when it keeps usage history; `release` runs when done with it */
  historyClient(): Promise<{ client: BandsClient; release(): Promise<void> } | undefined>;
  warn(text: string): void;
}

/** The currency of the class's band (else of the first band, else USD). */
export function estimateCurrency(document: BandsDocument | undefined, workflow: string): string {
  if (!document) return 'USD';
  return (
    bandForWorkflow(document.bands, workflow)?.allocated.currency ?? document.bands[0]?.allocated.currency ?? 'USD'
  );
}

export async function estimateRun(request: EstimateRequest, inputs: EstimateInputs): Promise<RunEstimate> {
  const currency = estimateCurrency(inputs.document, inputs.workflow);
  switch (request.kind) {
    case 'usd':
      return userEstimate(request.micros, currency);
    case 'tokens': {
      const pricing = inputs.pricing();
      const price = pricing.priceOf(request.model);
      if (!price)
        throw new EstimateProblem(
          `no price for the model "${request.model}" (prices as of ${pricing.table.as_of}). ${inputs.unknownModelAdvice}`,
        );
      return tokensEstimate(request.tokens, request.model, price, currency);
    }
    case 'history': {
      const local = await localHistory(request.agent, currency, inputs);
      if (local.ok) return local.value;
      const remote = await endpointHistory(currency, inputs);
      if (remote?.ok) return { ...remote.value, explanation: `${remote.value.explanation} (${local.reason}.)` };
      return noEstimate(remote ? `${local.reason}; ${remote.reason}` : local.reason, currency);
    }
    case 'none':
      return noEstimate(request.reason ?? 'none was given', currency);
  }
}

async function localHistory(agent: string, currency: string, inputs: EstimateInputs) {
  const nowMs = inputs.now.getTime();
  const fromMs = nowMs - HISTORY_DAYS * DAY_MS;
  const found = await inputs.localEvents(fromMs, nowMs + 1);
  if ('reason' in found) return { ok: false as const, reason: found.reason };
  const runs = pastRuns(found.events, inputs.sessions, { fromMs, toMs: nowMs + 1 });
  const outcome = historyEstimate(runs, { agent, workflow: inputs.workflow, currency });
  if (outcome.ok && outcome.value.history?.anyClass && inputs.anyClassAdvice) {
    return {
      ok: true as const,
      value: { ...outcome.value, explanation: `${outcome.value.explanation} ${inputs.anyClassAdvice}` },
    };
  }
  return outcome;
}

async function endpointHistory(currency: string, inputs: EstimateInputs) {
  const held = await inputs.historyClient();
  if (!held) return undefined;
  const to = inputs.now;
  const from = new Date(to.getTime() - ENDPOINT_HISTORY_DAYS * DAY_MS);
  const buckets = [];
  let cursor: string | undefined;
  try {
    // a month of daily buckets is a few pages at most; the cap keeps a misbehaving cursor from looping
    for (let page = 0; page < 10; page++) {
      const answer = await held.client.getUsage(
        {
          from: from.toISOString(),
          to: to.toISOString(),
          granularity: 'P1D',
          groupBy: ['workflow'],
          limit: 500,
          ...(cursor ? { cursor } : {}),
        },
        { signal: inputs.signal },
      );
      buckets.push(...answer.data);
      if (!answer.next_cursor) break;
      cursor = answer.next_cursor;
    }
  } catch (error) {
    inputs.warn(`the endpoint's usage history could not be read for an estimate: ${(error as Error).message}`);
    return undefined;
  } finally {
    await held.release();
  }
  return dailyUsageEstimate(buckets, inputs.workflow, currency);
}
