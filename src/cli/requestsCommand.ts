// `spend-band requests`: the developer's increase and approval requests, newest first.
import { ApiError, exitCodeFor } from '../api/apiError';
import { formatMoney } from '../domain/money';
import { RequestStatusSchema, type Request } from '../domain/schemas';
import { flag, hasFlag } from './args';
import { printJson, type CliContext } from './cliContext';
import { endpointClient } from './endpointClient';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

/** An ApiError as one stderr line and its exit code; anything else is rethrown (a bug). */
export function apiFailure(ctx: CliContext, error: unknown): number {
  if (error instanceof ApiError) {
    ctx.stderr.write(`spend-band: ${error.message}\n`);
    return exitCodeFor(error);
  }
  throw error;
}

function amountText(r: Request): string {
  const requested = r.requested as { delta?: { currency: string; amount_micros: number }; new_allocated?: { currency: string; amount_micros: number } } | undefined;
  if (requested?.delta) return `+${formatMoney(requested.delta)}`;
  if (requested?.new_allocated) return `→ ${formatMoney(requested.new_allocated)}`;
  if (r.preflight) return `run ~${formatMoney(r.preflight.estimate.cost)}`;
  return '';
}

export async function requestsCommand(ctx: CliContext): Promise<number> {
  const status = flag(ctx.args, 'status');
  if (status !== undefined && !RequestStatusSchema.safeParse(status).success) {
    throw new CliError(`--status must be one of ${RequestStatusSchema.options.join(', ')}.`, EXIT.usage);
  }
  const client = await endpointClient(ctx.args, ctx.env, 'requests');
  try {
    const all: Request[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listRequests({ ...(status ? { status: status as Request['status'] } : {}), ...(cursor ? { cursor } : {}), limit: 100 }, { signal: ctx.signal });
      all.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && all.length < 1000);
    if (hasFlag(ctx.args, 'json')) printJson(ctx, { data: all });
    else if (all.length === 0) ctx.stdout.write(`No ${status ?? ''} requests.\n`.replace('  ', ' '));
    else {
      for (const r of all) {
        const note = r.resolution?.note ? ` — "${r.resolution.note}"` : '';
        ctx.stdout.write(`${r.id}  ${r.status.padEnd(9)} ${r.kind.padEnd(13)} ${(r.band_id ?? '').padEnd(24)} ${amountText(r).padEnd(12)} ${r.updated_at}${note}\n`);
      }
    }
    return EXIT.ok;
  } catch (error) {
    return apiFailure(ctx, error);
  } finally {
    await client.close();
  }
}
