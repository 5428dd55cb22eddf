// Where `spend-band preflight` and `run` get the bands and, for an endpoint, the client that asks it:
// the same flags, environment and cache as `spend-band status` (bandsSourceOptions + loadBands). A
// pre-flight must not be answered from stale data without saying so: when the source fails, the
// command stops with the source's exit code unless --offline asked for the cached bands on purpose.
import { exitCodeFor, isApiError } from '../api/apiError';
import type { BandsClient } from '../api/bandsClient';
import { clientForSource, loadBands, type SourceConfig } from '../api/bandsSource';
import type { BandsDocument } from '../domain/schemas';
import { hasFlag } from './args';
import { sourceFromCli } from './bandsSourceOptions';
import type { CliContext } from './cliContext';
import { CliError } from './cliError';
import { meteredLocalUsage } from './localMeter';
import { cacheDir } from './paths';

export interface PreflightSource {
  document: BandsDocument;
  /** for an endpoint (not in --offline mode); close() it when done */
  client: BandsClient | undefined;
  source: SourceConfig['kind'];
  stale: boolean;
  fetchedAt: string;
  /** set when the local source has no config file yet */
  localConfigMissing?: string;
}

export async function preflightSource(ctx: CliContext): Promise<PreflightSource> {
  const { source, localConfigMissing } = await sourceFromCli(ctx.args, ctx.env);
  const offline = hasFlag(ctx.args, 'offline');
  let loaded;
  try {
    const warn = (text: string) => ctx.stderr.write(`spend-band: ${text}\n`);
    loaded = await loadBands(source, {
      now: ctx.now(),
      signal: ctx.signal,
      cacheDir: cacheDir(ctx.args, ctx.env),
      offline,
      // Local bands: what this machine's agent logs say was used, as `status` counts it.
      ...(source.kind === 'local'
        ? { localUsage: () => meteredLocalUsage(ctx.args, ctx.env, source.config, ctx.now(), ctx.signal, warn) }
        : {}),
    });
  } catch (error) {
    if (isApiError(error)) throw new CliError(error.message, exitCodeFor(error));
    throw error;
  }
  if (loaded.error) {
    throw new CliError(
      `${loaded.error.message} No pre-flight without current bands: retry, or pass --offline to decide from the bands cached at ${loaded.fetchedAt}.`,
      exitCodeFor(loaded.error),
    );
  }
  const client = source.kind === 'endpoint' && !offline ? clientForSource(source) : undefined;
  return {
    document: loaded.document,
    client,
    source: source.kind,
    stale: loaded.stale,
    fetchedAt: loaded.fetchedAt,
    ...(localConfigMissing ? { localConfigMissing } : {}),
  };
}
