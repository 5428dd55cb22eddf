// The usage meter a CLI command reads this machine's agent logs with: the log folders from
// --claude-dir / --codex-dir (else the agents' own defaults), the incremental index in the cache
// folder, the user's price file, and one scan on this thread.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultClaudeDirs, defaultCodexDirs, usageIndexPath } from '../usage/scan/logFiles';
import { defaultHelpers } from '../usage/scan/readFiles';
import { UsageMeter } from '../usage/usageMeter';
import { flag, flagAll, type ParsedArgs } from './args';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';
import { extensionJournals } from './editorPaths';
import { cacheDir, configPath } from './paths';
import { isSupportedInterval, periodContaining, systemTimeZone } from '../domain/period';
import type { LocalConfig, LocalUsage } from '../domain/localConfig';
import type { WorkflowSession } from '../domain/session';
import { UNTAGGED } from '../domain/workflowClasses';
import { usedByWorkflow } from '../usage/usageRows';
import type { UsageSnapshot } from '../usage/usageSnapshot';

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
 * Parser threads besides the scanning one. By default `defaultHelpers()` (none on two cores, one on
 * four) when the machine is idle enough to give them their cores (1-minute load average ≤ cores −
 * 1.5). On two cores a thread made the scan slower even on an idle machine: V8 compiles the parser
 * again for each isolate (~0.7 s of CPU for 200 MB), and the second core is where the scanning
 * thread's own compiles run (200 MB: 0.82-0.97 s with one thread against 0.65-0.70 s without,
 * src/usage/README.md). SPEND_BAND_SCAN_THREADS=N asks for N whatever the load (0 for none). Each is a
 * V8 isolate of its own (10-20 MiB while it parses): one keeps the CLI's peak memory under 100 MB.
 */
export function scanThreads(env: NodeJS.ProcessEnv, load = loadavg()[0]!): number {
  const text = env.SPEND_BAND_SCAN_THREADS?.trim();
  if (!text) return load <= availableParallelism() - 1.5 ? defaultHelpers() : 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError(
      `SPEND_BAND_SCAN_THREADS must be a whole number of parser threads (0 or more), not "${text}".`,
      EXIT.usage,
    );
  return Math.min(n, Math.max(0, availableParallelism() - 1));
}

/** A log folder named on the command line that is not there is a mistake (a typo would read as $0 spent): exit 2. */
function assertFoldersExist(flagName: string, dirs: readonly string[], agent: string): void {
  for (const dir of dirs) {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // missing: said below
    }
    if (!isDir)
      throw new CliError(
        `the ${agent} folder ${dir} given by --${flagName} does not exist or is not a folder. Check the path (it is the folder that holds ${agent === 'Codex' ? 'sessions/' : 'projects/'}), or drop --${flagName} to use the default.`,
        EXIT.usage,
      );
  }
}

/** `streamRequests`: for a command that only adds the usage up (see UsageMeterOptions). */
export function localMeter(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  options: { streamRequests?: boolean } = {},
): LocalMeter {
  const claudeFlags = flagAll(args, 'claude-dir');
  const codexFlags = flagAll(args, 'codex-dir');
  assertFoldersExist('claude-dir', claudeFlags, 'Claude Code');
  assertFoldersExist('codex-dir', codexFlags, 'Codex');
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

/** WorkflowSession records, one JSON object a line; a later line with the same id replaces an earlier one. */
export function readSessionsFile(path: string, warn: (text: string) => void): WorkflowSession[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read the sessions file ${path}: ${(error as Error).message}. Check the path given by --sessions.`,
      EXIT.usage,
    );
  }
  const byId = new Map<string, WorkflowSession>();
  const bad: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const s = JSON.parse(line) as Partial<WorkflowSession>;
      if (
        typeof s.id !== 'string' ||
        typeof s.workflow !== 'string' ||
        typeof s.start !== 'string' ||
        !Number.isFinite(Date.parse(s.start))
      )
        throw new Error('shape');
      if (s.end !== null && (typeof s.end !== 'string' || !Number.isFinite(Date.parse(s.end))))
        throw new Error('shape');
      byId.delete(s.id);
      byId.set(s.id, s as WorkflowSession);
    } catch {
      bad.push(i + 1);
    }
  });
  if (bad.length > 0) {
    warn(
      `skipped ${bad.length} unreadable line(s) of ${path} (line ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}); each line must be a session {"id","workflow","start","end"}.`,
    );
  }
  return [...byId.values()];
}

/**
 * The tagged sessions: --sessions FILE, else the extension's session journal in VS Code's global
 * storage (`<VS Code user folder>/globalStorage/spend-band.spend-band/sessions.jsonl`, every editor
 * that has one), so the CLI classes usage as the editor does.
 */
export function taggedSessions(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  warn: (text: string) => void,
): { sessions: WorkflowSession[]; from: string[] } {
  const named = flag(args, 'sessions');
  const files = named ? [named] : extensionJournals(env);
  const byId = new Map<string, WorkflowSession>();
  for (const file of files) for (const s of readSessionsFile(file, warn)) byId.set(s.id, s);
  return { sessions: [...byId.values()], from: files };
}

export interface MeteredLocalUsage extends LocalUsage {
  /** priced spend no tagged session covers, in the longest band period (micros) */
  untaggedMicros: number;
  /** where the classes came from (session files read) */
  sessionFiles: string[];
}

/** Metered usage per local band in its current period, as the extension computes it (same rule, same journal). */
export function localUsageFor(
  config: LocalConfig,
  snapshot: UsageSnapshot,
  sessions: readonly WorkflowSession[],
  now: Date,
): { usage: LocalUsage; untaggedMicros: number } {
  const zone = config.timezone ?? systemTimeZone();
  const used = new Map<string, number>();
  let untaggedMicros = 0;
  for (const band of config.bands ?? []) {
    const interval = band.period ?? 'P1M';
    if (!isSupportedInterval(interval)) continue;
    const period = periodContaining(interval, now, zone);
    const byClass = usedByWorkflow(snapshot, sessions, new Date(period.start), new Date(period.end));
    used.set(
      band.workflow,
      band.workflow === 'all' ? [...byClass.values()].reduce((a, b) => a + b, 0) : (byClass.get(band.workflow) ?? 0),
    );
    untaggedMicros = Math.max(untaggedMicros, byClass.get(UNTAGGED) ?? 0);
  }
  return { usage: { usedByWorkflow: used, asOf: new Date(snapshot.asOf), provider: 'local_logs' }, untaggedMicros };
}

/** Scan the logs once and count them against the local bands. */
export async function meteredLocalUsage(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  config: LocalConfig,
  now: Date,
  signal: AbortSignal,
  warn: (text: string) => void,
): Promise<MeteredLocalUsage> {
  const { sessions, from } = taggedSessions(args, env, warn);
  const { meter } = localMeter(args, env, { streamRequests: true });
  try {
    const snapshot = await meter.refresh({ signal });
    if (snapshot.stats.indexError) warn(snapshot.stats.indexError);
    const { usage, untaggedMicros } = localUsageFor(config, snapshot, sessions, now);
    return { ...usage, untaggedMicros, sessionFiles: from };
  } finally {
    await meter.dispose();
  }
}
