// `spend-band status`: the bands, as text or as the normalized BandsDocument (+ source, stale, fetched_at).
import { bandLabel, bandRows, gaugeText, statusWord, wholeBillText } from '../domain/format';
import { gaugeFor, wholeBill } from '../domain/gauge';
import { localBandsDocument } from '../domain/localConfig';
import type { BandsDocument } from '../domain/schemas';
import { assertKnownFlags, hasFlag } from './args';
import { printJson, type CliContext } from './cliContext';
import { EXIT } from './exitCodes';
import { readLocalConfigFile } from './localConfigFile';
import { configPath } from './paths';

export interface StatusResult {
  document: BandsDocument;
  source: string;
  stale: boolean;
  fetched_at: string;
  error?: { code: string; message: string };
  /** the exit code this result deserves (3/4/5 when the source failed) */
  exitCode: number;
  hint?: string;
}

const STATUS_FLAGS = ['offline', 'source', 'endpoint', 'token-env', 'config', 'cache-dir', 'allow-insecure-http', 'claude-dir', 'codex-dir'];

export async function statusCommand(ctx: CliContext): Promise<number> {
  assertKnownFlags(ctx.args, STATUS_FLAGS);
  const result = await loadStatus(ctx);
  if (hasFlag(ctx.args, 'json')) {
    printJson(ctx, {
      ...result.document,
      source: result.source,
      stale: result.stale,
      fetched_at: result.fetched_at,
      ...(result.error ? { error: result.error } : {}),
    });
  } else {
    ctx.stdout.write(renderStatusText(result, ctx.now()));
  }
  if (result.error) ctx.stderr.write(`spend-band: ${result.error.message}\n`);
  else if (result.hint) ctx.stderr.write(`spend-band: ${result.hint}\n`);
  return result.exitCode;
}

async function loadStatus(ctx: CliContext): Promise<StatusResult> {
  const path = configPath(ctx.args, ctx.env);
  const { config, found } = await readLocalConfigFile(path);
  const now = ctx.now();
  return {
    document: localBandsDocument(config, now),
    source: 'local',
    stale: false,
    fetched_at: now.toISOString(),
    exitCode: EXIT.ok,
    ...(found ? {} : { hint: `no bands configured: write ${path} (see the README) or pass --endpoint URL.` }),
  };
}

export function renderStatusText(result: StatusResult, now: Date): string {
  const doc = result.document;
  const lines: string[] = [];
  const head = `${doc.developer.display_name ?? doc.developer.id} · ${doc.role.label ?? doc.role.id} · source ${result.source}`;
  lines.push(result.stale ? `${head} · STALE (last good data from ${result.fetched_at})` : head);
  const currency = doc.bands[0]?.allocated.currency ?? doc.seats[0]?.cost.currency ?? 'USD';
  lines.push(wholeBillText(wholeBill(doc.seats, doc.bands, currency)));
  if (doc.bands.length === 0) lines.push('No bands.');
  for (const band of doc.bands) {
    const gauge = gaugeFor(band, now);
    lines.push('');
    lines.push(`${bandLabel(band)} [${band.workflow}] — ${statusWord(band.status)}: ${gaugeText(gauge, { mode: 'full', display: 'money' }).replace(' $(arrow-up)', ' ↑ forecast over')}`);
    for (const row of bandRows(band, gauge)) lines.push(`  ${row.label.padEnd(18)} ${row.value}`);
  }
  return `${lines.join('\n')}\n`;
}
