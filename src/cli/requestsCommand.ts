// `spend-band requests`: the developer's increase and approval requests, newest first.
import { ApiError, exitCodeFor } from '../api/apiError';
import { RequestStatusSchema, type Request } from '../domain/schemas';
import { flag, hasFlag } from './args';
import { printJson, type CliContext } from './cliContext';
import { endpointClient } from './endpointClient';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { limitOf, localTime, moneyText, painter, renderTable } from './output';

/** An ApiError as one stderr line and its exit code; anything else is rethrown (a bug). */
export function apiFailure(ctx: CliContext, error: unknown): number {
  if (error instanceof ApiError) {
    ctx.stderr.write(`spend-band: ${error.message}\n`);
    return exitCodeFor(error);
  }
  throw error;
}

function amountText(r: Request): string {
  const requested = r.requested as
    | {
        delta?: { currency: string; amount_micros: number };
        new_allocated?: { currency: string; amount_micros: number };
      }
    | undefined;
  if (requested?.delta) return `+${moneyText(requested.delta)}`;
  if (requested?.new_allocated) return `→ ${moneyText(requested.new_allocated)}`;
  if (r.preflight) return `run ~${moneyText(r.preflight.estimate.cost)}`;
  return '';
}

export async function requestsCommand(ctx: CliContext): Promise<number> {
  const status = flag(ctx.args, 'status');
  if (status !== undefined && !RequestStatusSchema.safeParse(status).success) {
    throw new CliError(`--status must be one of ${RequestStatusSchema.options.join(', ')}.`, EXIT.usage);
  }
  const limit = limitOf(flag(ctx.args, 'limit'));
  const cap = limit ?? 1000;
  const client = await endpointClient(ctx.args, ctx.env, 'requests');
  try {
    const all: Request[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listRequests(
        {
          ...(status ? { status: status as Request['status'] } : {}),
          ...(cursor ? { cursor } : {}),
          limit: Math.min(100, cap - all.length),
        },
        { signal: ctx.signal },
      );
      all.push(...page.data.slice(0, cap - all.length));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && all.length < cap);
    if (hasFlag(ctx.args, 'json')) printJson(ctx, { data: all });
    else if (all.length === 0) ctx.stdout.write(`No ${status ?? ''} requests.\n`.replace('  ', ' '));
    else {
      const now = ctx.now();
      const paint = painter(ctx.stdout, ctx.env);
      ctx.stdout.write(
        renderTable(
          all,
          [
            { header: 'ID', value: (r) => r.id },
            { header: 'Status', value: (r) => r.status },
            { header: 'Kind', value: (r) => (r.kind === 'run_approval' ? 'run approval' : 'band increase') },
            { header: 'Band', value: (r) => r.band_id ?? '' },
            { header: 'Amount', value: amountText, align: 'right' },
            { header: 'Updated', value: (r) => localTime(r.updated_at, now) },
            { header: 'Note', value: (r) => r.resolution?.note ?? '' },
          ],
          paint,
        ),
      );
      if (cursor) ctx.stderr.write(`spend-band: showing the newest ${all.length}; pass a larger --limit for more.\n`);
    }
    return EXIT.ok;
  } catch (error) {
    return apiFailure(ctx, error);
  } finally {
    await client.close();
  }
}
