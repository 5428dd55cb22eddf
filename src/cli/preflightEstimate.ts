// The estimate flags of `spend-band preflight` / `run`: --estimate-usd N, --estimate-tokens N --model ID,
// or --from-history AGENT (this machine's agent logs, through the same incremental index as `spend-band
// usage`; the class of each past run comes from --sessions FILE, the journal the extension writes). The
// estimate itself is flows/preflight/estimateRun.ts, shared with the editor.
import type { BandsClient } from '../api/bandsClient';
import type { RunEstimate } from '../domain/estimate';
import { EXIT } from '../domain/exitCodes';
import { decimalToMicros } from '../domain/money';
import { agentById, KNOWN_AGENTS } from '../domain/runDecisionAgents';
import type { BandsDocument } from '../domain/schemas';
import { EstimateProblem, estimateRun, type EstimateRequest } from '../flows/preflight/estimateRun';
import { loadPricing } from '../usage/prices/prices';
import { flag, type ParsedArgs } from './args';
import { CliError } from './cliError';
import { localMeter, pricesPath } from './localMeter';
import { taggedSessions } from './localMeter';

export interface EstimateContext {
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  now: Date;
  signal: AbortSignal;
  warn(text: string): void;
}

/** Read the estimate flags; `defaultAgent` is the agent a `run` command starts (used when no flag is given). */
export function estimateRequestFromArgs(args: ParsedArgs, defaultAgent?: string): EstimateRequest {
  const usdText = flag(args, 'estimate-usd');
  const tokensText = flag(args, 'estimate-tokens');
  const agent = flag(args, 'from-history');
  const given = [usdText, tokensText, agent].filter((v) => v !== undefined).length;
  if (given > 1)
    throw new CliError(
      'give one estimate: --estimate-usd N, --estimate-tokens N --model ID, or --from-history AGENT.',
      EXIT.usage,
    );
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
    if (!Number.isSafeInteger(tokens) || tokens <= 0)
      throw new CliError(
        `--estimate-tokens takes a whole number of tokens such as 2000000, not "${tokensText}".`,
        EXIT.usage,
      );
    const model = flag(args, 'model');
    if (!model)
      throw new CliError(
        '--estimate-tokens needs --model ID (e.g. --model claude-sonnet-4-5) to price the tokens.',
        EXIT.usage,
      );
    return { kind: 'tokens', tokens, model };
  }
  if (flag(args, 'model') !== undefined) throw new CliError('--model goes with --estimate-tokens N.', EXIT.usage);
  if (agent !== undefined) {
    const known = agentById(agent);
    if (!known)
      throw new CliError(
        `--from-history takes a metered agent: ${KNOWN_AGENTS.map((a) => a.id).join(' or ')}, not "${agent}".`,
        EXIT.usage,
      );
    return { kind: 'history', agent: known.id };
  }
  return defaultAgent ? { kind: 'history', agent: defaultAgent } : { kind: 'none' };
}

export interface EstimateSources {
  document: BandsDocument;
  client: BandsClient | undefined;
}

export async function resolveEstimate(
  ctx: EstimateContext,
  request: EstimateRequest,
  workflow: string,
  sources: EstimateSources,
): Promise<RunEstimate> {
  const journal = taggedSessions(ctx.args, ctx.env, ctx.warn);
  try {
    return await estimateRun(request, {
      workflow,
      document: sources.document,
      now: ctx.now,
      signal: ctx.signal,
      pricing: () => loadPricing(pricesPath(ctx.args, ctx.env)),
      unknownModelAdvice: `Use a model id such as claude-sonnet-4-5, add it to ${pricesPath(ctx.args, ctx.env)}, or give --estimate-usd.`,
      localEvents: async (fromMs, toMs) => {
        const { meter } = localMeter(ctx.args, ctx.env);
        try {
          return { events: (await meter.refresh({ signal: ctx.signal })).eventsBetween(fromMs, toMs) };
        } finally {
          await meter.dispose();
        }
      },
      sessions: journal.sessions,
      anyClassAdvice:
        journal.from.length > 0
          ? undefined
          : `Pass --sessions FILE (the extension's session journal) to use only runs of ${workflow}.`,
      historyClient: async () =>
        sources.client && sources.document.capabilities.usage_history === true
          ? { client: sources.client, release: async () => undefined }
          : undefined,
      warn: ctx.warn,
    });
  } catch (error) {
    if (error instanceof EstimateProblem || (error as Error).message.includes('price file'))
      throw new CliError((error as Error).message, EXIT.usage);
    throw error;
  }
}
