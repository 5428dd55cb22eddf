// CLI flags and environment → the SourceConfig of src/api/bandsSource.ts (docs/contract/cli.md:
// --source, --endpoint, --token-env, --config, --allow-insecure-http, --timeout). The token is only ever
// read from an environment variable: a command-line value would show in `ps`.
import type { SourceConfig } from '../api/bandsSource';
import { flag, hasFlag, type ParsedArgs } from './args';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { readLocalBands, readLocalConfigFile } from './localConfigFile';
import { configPath } from './paths';

const KINDS = ['auto', 'endpoint', 'litellm', 'openrouter', 'local'] as const;
type RequestedKind = (typeof KINDS)[number];

export interface CliSource {
  source: SourceConfig;
  /** set when the local source has no config file yet: a hint for the person */
  localConfigMissing?: string;
  /** where the local bands were read from (the CLI's config file, or the editor's settings.json) */
  localOrigin?: string;
}

export async function sourceFromCli(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<CliSource> {
  const requested = (flag(args, 'source') ?? env.SPEND_BAND_SOURCE ?? 'auto') as RequestedKind;
  if (!KINDS.includes(requested)) {
    throw new CliError(
      `--source must be one of ${KINDS.join(', ')}, not "${requested}". Pick one and run again.`,
      EXIT.usage,
    );
  }
  const endpoint = flag(args, 'endpoint') ?? (env.SPEND_BAND_ENDPOINT?.trim() || undefined);
  const kind = requested === 'auto' ? (endpoint ? 'endpoint' : 'local') : requested;

  if (kind === 'local') {
    const path = configPath(args, env);
    const named = flag(args, 'config') !== undefined;
    // --config names one file; without it, the CLI's file or else the editor's settings (localConfigFile.ts)
    const { config, found, origin } = named
      ? { ...(await readLocalConfigFile(path)), origin: path }
      : await readLocalBands(path, env);
    // a file named on the command line that is not there is a mistake, not an empty budget
    if (!found && named) {
      throw new CliError(
        `the config file ${path} named by --config does not exist. Check the path, or drop --config to use ${configPath({ ...args, flags: new Map() }, env)}.`,
        EXIT.usage,
      );
    }
    return { source: { kind: 'local', config }, localOrigin: origin, ...(found ? {} : { localConfigMissing: path }) };
  }

  const tokenEnv = flag(args, 'token-env') ?? 'SPEND_BAND_TOKEN';
  const looksLikeToken =
    /^sbt_/i.test(tokenEnv) ||
    (tokenEnv.length >= 24 && /[a-z]/.test(tokenEnv) && /[A-Z]/.test(tokenEnv) && /\d/.test(tokenEnv));
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(tokenEnv) || looksLikeToken) {
    // most likely a token pasted where its variable's name goes: never repeat it
    throw new CliError(
      '--token-env takes the NAME of an environment variable (letters, digits, _), not the token itself; what was given is not repeated here. Export the token, e.g. SPEND_BAND_TOKEN=…, and pass --token-env SPEND_BAND_TOKEN.',
      EXIT.usage,
    );
  }
  const token = env[tokenEnv]?.trim() || undefined;
  if (flag(args, 'token-env') !== undefined && token === undefined) {
    throw new CliError(
      `the variable ${tokenEnv} named by --token-env is empty or not set. Export it with your token and run again.`,
      EXIT.usage,
    );
  }
  if (!token && kind !== 'endpoint') {
    const what = kind === 'litellm' ? 'your LiteLLM virtual key' : 'your OpenRouter API key';
    throw new CliError(
      `--source ${kind} needs a token: put ${what} in ${tokenEnv} (or name another variable with --token-env) and run again.`,
      EXIT.usage,
    );
  }
  const timeoutText = flag(args, 'timeout');
  let timeouts: { connectMs: number; headersMs: number; bodyMs: number; totalMs: number } | undefined;
  if (timeoutText !== undefined) {
    const seconds = Number(timeoutText);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new CliError(`--timeout takes a number of seconds such as 5, not "${timeoutText}".`, EXIT.usage);
    const ms = Math.round(seconds * 1000);
    // one figure a person can reason about: no phase, and no call with its retries, takes longer
    timeouts = { connectMs: ms, headersMs: ms, bodyMs: ms, totalMs: ms };
  }
  const common = {
    ...(token ? { token } : {}),
    ...(hasFlag(args, 'allow-insecure-http') ? { allowInsecureHttp: true } : {}),
    ...(timeouts ? { timeouts } : {}),
    env,
  };
  if (kind === 'openrouter') return { source: { kind, ...(endpoint ? { baseUrl: endpoint } : {}), ...common } };
  if (!endpoint) {
    throw new CliError(
      `--source ${kind} needs the URL of the ${kind === 'litellm' ? 'LiteLLM proxy' : 'budget endpoint'}: pass --endpoint URL or set SPEND_BAND_ENDPOINT.`,
      EXIT.usage,
    );
  }
  return { source: { kind, baseUrl: endpoint, ...common } };
}
