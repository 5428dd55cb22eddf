// `spend-band status`: the bands, as text or as the normalized BandsDocument (+ source, stale, fetched_at),
// from whichever source the flags and environment name (src/api/bandsSource.ts). When the source fails,
// the last good bands are still printed (marked stale) and the exit code says what failed.
import { exitCodeFor, isApiError } from '../api/apiError';
import { loadBands } from '../api/bandsSource';
import type { UnbudgetedSpend } from '../api/unbudgetedSpend';
import {
  bandLabel,
  bandRows,
  formatMicros,
  percentText,
  shortDate,
  statusWord,
  timeLeftText,
  wholeBillText,
} from '../domain/format';
import { gaugeFor, wholeBill } from '../domain/gauge';
import { bandProvenance, provenanceText } from '../domain/provenance';
import type { BandsDocument } from '../domain/schemas';
import { hasFlag } from './args';
import { sourceFromCli } from './bandsSourceOptions';
import { printJson, type CliContext } from './cliContext';
import { EXIT } from '../domain/exitCodes';
import { meteredLocalUsage, type MeteredLocalUsage } from './localMeter';
import { cacheDir } from './paths';
import { localTime, moneyText, painter } from './output';
import { terminalText } from '../domain/untrustedText';

/** Names, labels, values and error details come from the endpoint: plain text only (#20 finding 4). */
function t(text: string, max = 200): string {
  return terminalText(text, max);
}

export interface StatusResult {
  document: BandsDocument;
  source: string;
  stale: boolean;
  fetched_at: string;
  error?: { code: string; message: string };
  /** the exit code this result deserves (3/4/5 when the source failed) */
  exitCode: number;
  hint?: string;
  /** spend on budget layers without a limit (shown, never turned into a band) */
  unbudgeted?: UnbudgetedSpend[];
  /** local bands: the metered usage they were counted from (untagged spend, session files, where the bands came from) */
  local?: { untaggedMicros: number; sessionFiles: string[]; bandsFrom: string | undefined };
}

export async function statusCommand(ctx: CliContext): Promise<number> {
  const json = hasFlag(ctx.args, 'json');
  const { source, localConfigMissing, localOrigin } = await sourceFromCli(ctx.args, ctx.env);
  const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
  let metered: MeteredLocalUsage | undefined;
  let result: StatusResult;
  try {
    const loaded = await loadBands(source, {
      now: ctx.now(),
      signal: ctx.signal,
      cacheDir: cacheDir(ctx.args, ctx.env),
      offline: hasFlag(ctx.args, 'offline'),
      // Local bands count this machine's agent logs, classed by the extension's session journal.
      ...(source.kind === 'local'
        ? {
            localUsage: async () =>
              (metered = await meteredLocalUsage(ctx.args, ctx.env, source.config, ctx.now(), ctx.signal, warn)),
          }
        : {}),
    });
    result = {
      document: loaded.document,
      source: loaded.source,
      stale: loaded.stale,
      fetched_at: loaded.fetchedAt,
      exitCode: loaded.error ? exitCodeFor(loaded.error) : EXIT.ok,
      ...(loaded.error ? { error: { code: loaded.error.kind, message: loaded.error.message } } : {}),
      ...(loaded.unbudgeted.length > 0 ? { unbudgeted: loaded.unbudgeted } : {}),
      ...(localConfigMissing
        ? {
            hint: `no bands configured: write ${localConfigMissing}, or set spendBand.local.bands in the editor (see the README), or pass --endpoint URL.`,
          }
        : {}),
      ...(metered
        ? {
            local: {
              untaggedMicros: metered.untaggedMicros,
              sessionFiles: metered.sessionFiles,
              bandsFrom: localConfigMissing ? undefined : localOrigin,
            },
          }
        : {}),
    };
  } catch (error) {
    if (!isApiError(error)) throw error;
    // nothing cached to fall back on: the error is the whole answer
    if (json)
      printJson(ctx, { source: source.kind, stale: false, error: { code: error.kind, message: error.message } });
    ctx.stderr.write(`spend-band: ${t(error.message, 2000)}\n`);
    return exitCodeFor(error);
  }
  if (json) {
    printJson(ctx, {
      ...result.document,
      // Each band's `used` with where it comes from (domain/provenance.ts).
      bands: result.document.bands.map((band) => ({ ...band, used_provenance: bandProvenance(band) })),
      source: result.source,
      stale: result.stale,
      fetched_at: result.fetched_at,
      ...(result.unbudgeted ? { unbudgeted: result.unbudgeted } : {}),
      ...(result.local
        ? {
            untagged: {
              currency: result.document.bands[0]?.allocated.currency ?? 'USD',
              amount_micros: result.local.untaggedMicros,
            },
            bands_from: result.local.bandsFrom ?? null,
            session_files: result.local.sessionFiles,
          }
        : {}),
      ...(result.error ? { error: result.error } : {}),
    });
  } else {
    ctx.stdout.write(
      renderStatusText(result, ctx.now(), { ids: hasFlag(ctx.args, 'ids'), paint: painter(ctx.stdout, ctx.env) }),
    );
  }
  if (result.error)
    ctx.stderr.write(
      `spend-band: ${t(result.error.message, 2000)} Showing the last good bands, fetched ${localTime(result.fetched_at, ctx.now())}.\n`,
    );
  else if (result.hint) ctx.stderr.write(`spend-band: ${result.hint}\n`);
  return result.exitCode;
}

/** The headline of a band: never "on track" beside a forecast over 100 %, and the time left said as such. */
export function bandHeadline(
  band: BandsDocument['bands'][number],
  gauge: ReturnType<typeof gaugeFor>,
  ids: boolean,
  paint: Paint = (_s, t) => t,
): string {
  const plain = statusWord(band.status, gauge);
  const overPace = plain !== statusWord(band.status);
  const word =
    band.status === 'exceeded' || band.status === 'critical'
      ? paint('red', plain)
      : band.status === 'warn' || overPace
        ? paint('yellow', plain)
        : paint('green', plain);
  const amounts = `${moneyText({ amount_micros: gauge.usedMicros, currency: gauge.currency })} of ${moneyText({ amount_micros: gauge.allocatedMicros, currency: gauge.currency })}`;
  const left = gauge.resets ? `${timeLeftText(gauge.msLeft)} left` : 'no reset';
  const tag = ids ? `[${t(band.workflow)}, id ${t(band.id)}]` : `[${t(band.workflow)}]`;
  return `${paint('bold', t(bandLabel(band)))} ${tag} — ${word}: ${percentText(gauge.percentUsed)} · ${amounts} · ${left}`;
}

type Paint = ReturnType<typeof painter>;

export function renderStatusText(
  result: StatusResult,
  now: Date,
  options: { ids?: boolean; paint?: Paint } = {},
): string {
  const doc = result.document;
  const lines: string[] = [];
  const head = `${t(doc.developer.display_name ?? doc.developer.id)} · ${t(doc.role.label ?? doc.role.id)} · source ${result.source}`;
  lines.push(result.stale ? `${head} · STALE (last good data from ${localTime(result.fetched_at, now)})` : head);
  const currency = doc.bands[0]?.allocated.currency ?? doc.seats[0]?.cost.currency ?? 'USD';
  lines.push(t(wholeBillText(wholeBill(doc.seats, doc.bands, currency)), 1000));
  if (doc.bands.length === 0) lines.push('No bands.');
  for (const band of doc.bands) {
    const gauge = gaugeFor(band, now);
    lines.push('');
    lines.push(bandHeadline(band, gauge, options.ids === true, options.paint));
    for (const row of bandRows(band, gauge)) lines.push(`  ${t(row.label).padEnd(18)} ${t(row.value, 500)}`);
    lines.push(`  ${'Used is'.padEnd(18)} ${provenanceText(bandProvenance(band))}`);
  }
  for (const spend of result.unbudgeted ?? []) {
    const span = spend.period
      ? ` ${shortDate(new Date(spend.period.start), spend.period.timezone)}–${shortDate(new Date(Date.parse(spend.period.end) - 1), spend.period.timezone)}`
      : ' in all';
    lines.push('');
    lines.push(
      `${t(spend.label)}: ${formatMicros(spend.used.amount_micros, spend.used.currency, 'exact')} spent${span}`,
    );
  }
  if (result.local) {
    lines.push('');
    lines.push(
      `Untagged: ${formatMicros(result.local.untaggedMicros, currency, 'exact')} metered from this machine's agent logs in no tagged session (not in any class band).`,
    );
    lines.push(
      result.local.sessionFiles.length > 0
        ? `Classes from ${result.local.sessionFiles.join(', ')}.`
        : "No session journal found: all usage is untagged (pass --sessions FILE, the extension's sessions.jsonl).",
    );
    if (result.local.bandsFrom) lines.push(`Bands from ${result.local.bandsFrom}.`);
  }
  return `${lines.join('\n')}\n`;
}
