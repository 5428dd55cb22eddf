// The usage meter a CLI command reads this machine's agent logs with: the log folders from
// --claude-dir / --codex-dir (else the agents' own defaults), the incremental index in the cache
// folder, the user's price file, and one scan on this thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultClaudeDirs, defaultCodexDirs, usageIndexPath } from '../usage/scan/logFiles';
import { UsageMeter } from '../usage/usageMeter';
import { flag, flagAll, type ParsedArgs } from './args';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { cacheDir, configPath } from './paths';

export interface LocalMeter {
  meter: UsageMeter;
  claude: string[];
  codex: string[];
  pricesPath: string;
}

/** The user's price file: --prices, else SPEND_BAND_PRICES, else prices.json beside the config file. */
export function pricesPath(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return flag(args, 'prices') ?? env.SPEND_BAND_PRICES ?? join(dirname(configPath(args, env)), 'prices.json');
}

/**
 * Parser threads besides the scanning one. None unless SPEND_BAND_SCAN_THREADS asks: each is a V8
 * isolate of its own (10-20 MiB while it parses), and one scan thread keeps the CLI's peak memory
 * under 100 MB whatever the size of the logs. More threads make a first scan of a large history
 * faster on a machine with the cores to spare.
 */
export function scanThreads(env: NodeJS.ProcessEnv): number {
  const text = env.SPEND_BAND_SCAN_THREADS?.trim();
  if (!text) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`SPEND_BAND_SCAN_THREADS must be a whole number of parser threads (0 or more), not "${text}".`, EXIT.usage);
  return Math.min(n, Math.max(0, availableParallelism() - 1));
}

/** `streamRequests`: for a command that only adds the usage up (see UsageMeterOptions). */
export function localMeter(args: ParsedArgs, env: NodeJS.ProcessEnv, options: { streamRequests?: boolean } = {}): LocalMeter {
  const claudeFlags = flagAll(args, 'claude-dir');
  const codexFlags = flagAll(args, 'codex-dir');
  const claude = claudeFlags.length > 0 ? claudeFlags : defaultClaudeDirs(env);
  const codex = codexFlags.length > 0 ? codexFlags : defaultCodexDirs(env);
  const prices = pricesPath(args, env);
  const workerScript = join(__dirname, 'scanWorker.js');
  const meter = new UsageMeter({
    claudeDirs: claude,
    codexDirs: codex,
    statePath: usageIndexPath(cacheDir(args, env), claude, codex),
    pricesOverridePath: prices,
    workerScript: existsSync(workerScript) ? workerScript : undefined,
    scanInThisThread: true,
    maxHelpers: scanThreads(env),
    streamRequests: options.streamRequests,
  });
  return { meter, claude, codex, pricesPath: prices };
}
