// `spend-band request`: file a band-increase request tied to an outcome with the endpoint. The
// Idempotency-Key is derived from the request's content and the day, so re-running the same command
// after a dropped connection does not file a second request.
import { createHash } from 'node:crypto';
import { validateJustification, parseAmount, validateUntilDate } from '../domain/increaseRequest';
import type { IncreaseRequestCreate } from '../domain/schemas';
import { closest, flag, hasFlag, requireFlag } from './args';
import { printJson, type CliContext } from './cliContext';
import { endpointClient } from './endpointClient';
import { moneyText } from './output';
import type { BandsClient } from '../api/bandsClient';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { apiFailure } from './requestsCommand';

export async function requestCommand(ctx: CliContext): Promise<number> {
  const bandText = requireFlag(ctx.args, 'band');
  const delta = flag(ctx.args, 'delta-usd');
  const newUsd = flag(ctx.args, 'new-usd');
  if ((delta === undefined) === (newUsd === undefined))
    throw new CliError('give exactly one of --delta-usd N or --new-usd N.', EXIT.usage);
  const amount = parseAmount((delta ?? newUsd)!);
  if ('error' in amount)
    throw new CliError(`${delta !== undefined ? '--delta-usd' : '--new-usd'}: ${amount.error}.`, EXIT.usage);
  const justification = requireFlag(ctx.args, 'justification');
  const why = validateJustification(justification);
  if (why) throw new CliError(`--justification: ${why}.`, EXIT.usage);
  const scopeText = flag(ctx.args, 'scope') ?? 'current_period';
  let scope: IncreaseRequestCreate['scope'];
  let until: string | undefined;
  if (scopeText === 'current_period' || scopeText === 'next_period') scope = scopeText;
  else if (scopeText.startsWith('until:')) {
    scope = 'until_date';
    until = scopeText.slice(6);
    const bad = validateUntilDate(until, ctx.now());
    if (bad) throw new CliError(`--scope until:${until}: ${bad}.`, EXIT.usage);
  } else throw new CliError('--scope must be current_period, next_period or until:YYYY-MM-DD.', EXIT.usage);
  const outcomeKind = requireFlag(ctx.args, 'outcome');
  const number = (name: string) => {
    const v = flag(ctx.args, name);
    if (v === undefined) return undefined;
    if (!Number.isFinite(Number(v))) throw new CliError(`--${name} takes a number, not "${v}".`, EXIT.usage);
    return Number(v);
  };
  const baseline = number('baseline');
  const target = number('target');
  const reviewAt = flag(ctx.args, 'review-at');
  const client = await endpointClient(ctx.args, ctx.env, 'request');
  let bandId: string;
  try {
    bandId = await bandIdOf(client, bandText, ctx.signal);
  } catch (error) {
    await client.close();
    if (error instanceof CliError) throw error;
    return apiFailure(ctx, error);
  }
  const body: IncreaseRequestCreate = {
    band_id: bandId,
    requested:
      delta !== undefined
        ? { delta: { currency: 'USD', amount_micros: amount.micros } }
        : { new_allocated: { currency: 'USD', amount_micros: amount.micros } },
    scope,
    ...(until ? { until } : {}),
    justification: justification.trim(),
    outcome: {
      kind: outcomeKind,
      ...(flag(ctx.args, 'metric') ? { metric: flag(ctx.args, 'metric')! } : {}),
      ...(baseline !== undefined ? { baseline } : {}),
      ...(target !== undefined ? { target } : {}),
      ...(reviewAt ? { review_at: reviewAt } : {}),
    },
  };
  const key = `cli-${createHash('sha256').update(JSON.stringify(body)).update(ctx.now().toISOString().slice(0, 10)).digest('hex')}`;
  try {
    const { request } = await client.createRequest(body, key, { signal: ctx.signal });
    if (hasFlag(ctx.args, 'json')) printJson(ctx, request);
    else {
      const money = `${delta !== undefined ? '+' : '→ '}${moneyText({ currency: 'USD', amount_micros: amount.micros })}`;
      ctx.stdout.write(
        `Request ${request.id} filed: ${bandId} ${money}, ${scope}${until ? ` ${until}` : ''} — ${request.status}.\nFollow it with: spend-band requests --status pending\n`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    return apiFailure(ctx, error);
  } finally {
    await client.close();
  }
}

/** --band takes a band id or a workflow class (`deep_coding`): the ids are the endpoint's, classes are what people know. */
async function bandIdOf(client: BandsClient, text: string, signal: AbortSignal): Promise<string> {
  const answer = await client.getBands({ signal });
  if ('notModified' in answer) return text;
  const bands = answer.document.bands;
  if (bands.some((b) => b.id === text)) return text;
  const byClass = bands.find((b) => b.workflow === text);
  if (byClass) return byClass.id;
  const choices = bands.map((b) => `${b.workflow} (${b.id})`).join(', ');
  const near = closest(text, [...bands.map((b) => b.workflow), ...bands.map((b) => b.id)]);
  throw new CliError(
    `there is no band "${text}".${near ? ` Did you mean ${near}?` : ''} Name a class or a band id: ${choices || 'you have no bands'}.`,
    EXIT.usage,
  );
}
