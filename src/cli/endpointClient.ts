// A BandsClient for the commands that talk to a Bands API v1 endpoint itself (request, requests,
// preflight, run): the same flags and environment as `status`, but only the endpoint source can answer.
import type { BandsClient } from '../api/bandsClient';
import { clientForSource } from '../api/bandsSource';
import type { ParsedArgs } from './args';
import { sourceFromCli } from './bandsSourceOptions';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

/** The client, or a CliError (exit 2) naming what to set when no endpoint is configured. */
export async function endpointClient(args: ParsedArgs, env: NodeJS.ProcessEnv, what: string): Promise<BandsClient> {
  const { source } = await sourceFromCli(args, env);
  if (source.kind !== 'endpoint') {
    throw new CliError(
      `the ${what} command needs a Bands API v1 endpoint: pass --endpoint URL (or set SPEND_BAND_ENDPOINT) and put your token in SPEND_BAND_TOKEN.`,
      EXIT.usage,
    );
  }
  if (!source.token)
    throw new CliError(
      `the ${what} command needs your token: export it in SPEND_BAND_TOKEN (or name another variable with --token-env).`,
      EXIT.usage,
    );
  return clientForSource({ ...source, userAgent: source.userAgent ?? 'spend-band-cli' });
}
