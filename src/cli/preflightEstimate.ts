// The estimate of `spend-band preflight` / `run`: --estimate-usd N, --estimate-tokens N --model ID, or
// --from-history AGENT (this machine's agent logs, through the same incremental index as `spend-band
// usage`; the class of each past run comes from --sessions FILE, the journal the extension writes).
// Without local history, the endpoint's usage history of the class is the fallback.
import type { BandsClient } from '../api/bandsClient';
import { dailyUsageEstimate, historyEstimate, noEstimate, pastRuns, tokensEstimate, userEstimate, type RunEstimate } from '../domain/estimate';
import { decimalToMicros } from '../domain/money';
import { agentById, KNOWN_AGENTS } from '../domain/runDecisionAgents';
import type { BandsDocument } from '../domain/schemas';
import type { WorkflowSession } from '../domain/session';
import { loadPricing } from '../usage/prices/prices';
import { flag, type ParsedArgs } from './args';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { localMeter, pricesPath } from './localMeter';
import { readSessionsFile } from './usageCommand';

/** How far back past runs count: older runs describe older models and prices. */
export const HISTORY_DAYS = 90;

export interface EstimateContext {
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  now: Date;
  signal: AbortSignal;
  warn(text: string): void;
}

export type EstimateRequest =
  | { kind: 'usd'; micros: number }
  | { kind: 'tokens'; tokens: number; model: string }
  | { kind: 'history'; agent: string }
  | { kind: 'none' };

/** Read the estimate flags; `defaultAgent` is the agent a `run` command starts (used when no flag is given). */
export function estimateRequestFromArgs(args: ParsedArgs, defaultAgent?: string): EstimateRequest {
  const usdText = flag(args, 'estimate-usd');
  const tokensText = flag(args, 'estimate-tokens');
  const agent = flag(args, 'from-history');
  const given = [usdText, tokensText, agent].filter((v) => v !== undefined).length;
  if (given > 1) throw new CliError('give one estimate: --estimate-usd N, --estimate-tokens N --model ID, or --from-history AGENT.', EXIT.usage);
  if (usdText !== undefined) {
    let micros: number;
    try {
      micros = decimalToMicros(usdText);
    } catch {
      throw new CliError(`--estimate-usd takes an amount in dollars such as 4.50, not "${usdText}".`, EXIT.usage);
    }
    if (micros < 0) throw new CliError(`--estimate-usd cannot be negative (got ${usdText}).`, EXIT.usage);
    return { kind: 'usd', micros };
  }
  if (tokensText !== undefined) {
    const tokens = Number(tokensText);
    if (!Number.isSafeInteger(tokens) || tokens <= 0) throw new CliError(`--estimate-tokens takes a whole number of tokens such as 2000000, not "${tokensText}".`, EXIT.usage);
    const model = flag(args, 'model');
    if (!model) throw new CliError('--estimate-tokens needs --model ID (e.g. --model claude-sonnet-4-5) to price the tokens.', EXIT.usage);
    return { kind: 'tokens', tokens, model };
  }
  if (flag(args, 'model') !== undefined) throw new CliError('--model goes with --estimate-tokens N.', EXIT.usage);
  if (agent !== undefined) {
    const known = agentById(agent);
    if (!known) throw new CliError(`--from-history takes a metered agent: ${KNOWN_AGENTS.map((a) => a.id).join(' or ')}, not "${agent}".`, EXIT.usage);
    return { kind: 'history', agent: known.id };
  }
  return defaultAgent ? { kind: 'history', agent: defaultAgent } : { kind: 'none' };
}

export interface EstimateSources {
  document: BandsDocument;
  client: BandsClient | undefined;
}

export async function resolveEstimate(ctx: EstimateContext, request: EstimateRequest, workflow: string, sources: EstimateSources): Promise<RunEstimate> {
  const currency = currencyOf(sources.document, workflow);
  switch (request.kind) {
    case 'usd':
      return userEstimate(request.micros, currency);
    case 'tokens': {
      let pricing;
      try {
        pricing = loadPricing(pricesPath(ctx.args, ctx.env));
      } catch (error) {
        throw new CliError((error as Error).message, EXIT.usage);
      }
      const price = pricing.priceOf(request.model);
      if (!price) {
        throw new CliError(`no price for the model "${request.model}" (prices as of ${pricing.table.as_of}). Use a model id such as claude-sonnet-4-5, add it to ${pricesPath(ctx.args, ctx.env)}, or give --estimate-usd.`, EXIT.usage);
      }
      return tokensEstimate(request.tokens, request.model, price, currency);
    }
    case 'history': {
      const local = await localHistory(ctx, request.agent, workflow, currency);
      if (local.ok) return local.value;
      const remote = await endpointHistory(ctx, workflow, sources, currency);
      if (remote?.ok) return { ...remote.value, explanation: `${remote.value.explanation} (${local.reason}.)` };
      return noEstimate(remote ? `${local.reason}; ${remote.reason}` : local.reason, currency);
    }
    case 'none':
      return noEstimate('none was given', currency);
  }
}

function currencyOf(document: BandsDocument, workflow: string): string {
  return document.bands.find((b) => b.workflow === workflow)?.allocated.currency ?? document.bands[0]?.allocated.currency ?? 'USD';
}

async function localHistory(ctx: EstimateContext, agent: string, workflow: string, currency: string) {
  const sessionsPath = flag(ctx.args, 'sessions');
  const sessions: WorkflowSession[] = sessionsPath ? readSessionsFile(sessionsPath, ctx.warn) : [];
  const { meter } = localMeter(ctx.args, ctx.env);
  try {
    const snapshot = await meter.refresh({ signal: ctx.signal });
    const nowMs = ctx.now.getTime();
    const fromMs = nowMs - HISTORY_DAYS * 86_400_000;
    const runs = pastRuns(snapshot.eventsBetween(fromMs, nowMs + 1), sessions, { fromMs, toMs: nowMs + 1 });
    const outcome = historyEstimate(runs, { agent, workflow, currency });
    if (outcome.ok && outcome.value.history?.anyClass && !sessionsPath) {
      return { ok: true as const, value: { ...outcome.value, explanation: `${outcome.value.explanation} Pass --sessions FILE (the extension's session journal) to use only runs of ${workflow}.` } };
    }
    return outcome;
  } catch (error) {
    if ((error as Error).message.includes('price file')) throw new CliError((error as Error).message, EXIT.usage);
    throw error;
  } finally {
    await meter.dispose();
  }
}

async function endpointHistory(ctx: EstimateContext, workflow: string, sources: EstimateSources, currency: string) {
  if (!sources.client || sources.document.capabilities.usage_history !== true) return undefined;
  const to = ctx.now;
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const buckets = [];
  let cursor: string | undefined;
  try {
    // a month of daily buckets is a few pages at most; the cap keeps a misbehaving cursor from looping
    for (let page = 0; page < 10; page++) {
      const answer = await sources.client.getUsage(
        { from: from.toISOString(), to: to.toISOString(), granularity: 'P1D', groupBy: ['workflow'], limit: 500, ...(cursor ? { cursor } : {}) },
        { signal: ctx.signal },
      );
      buckets.push(...answer.data);
      if (!answer.next_cursor) break;
      cursor = answer.next_cursor;
    }
  } catch (error) {
    ctx.warn(`could not read the endpoint's usage history for an estimate: ${(error as Error).message}`);
    return undefined;
  }
  return dailyUsageEstimate(buckets, workflow, currency);
}
