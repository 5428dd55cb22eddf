// `spend-band`: the same core as the extension, for the terminal, CI, git hooks and an agent's status
// line. The interface is ../shared/contract/cli.md. Each command lives in its own module.
import { flag, hasFlag, parseArgs } from './args';
import type { CliContext, Command } from './cliContext';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

interface CommandEntry {
  summary: string;
  usage: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  status: {
    summary: 'your bands: used, allocated, pace, resets',
    usage: 'spend-band status [--json] [--offline] [--source auto|endpoint|litellm|openrouter|local] [--endpoint URL] [--token-env NAME] [--config FILE] [--cache-dir DIR] [--timeout SECONDS] [--allow-insecure-http]',
    load: async () => (await import('./statusCommand')).statusCommand,
  },
  usage: {
    summary: 'your usage measured from local agent logs (Claude Code, Codex)',
    usage: 'spend-band usage [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--by day|month|model|workflow|agent] [--claude-dir DIR]... [--codex-dir DIR]... [--sessions FILE] [--timezone ZONE] [--prices FILE] [--cache-dir DIR] [--json]  (SPEND_BAND_SCAN_THREADS=N: N parser threads more for a large first scan, ~15 MiB each)',
    load: async () => (await import('./usageCommand')).usageCommand,
  },
  preflight: {
    summary: 'ask before a costly agent run (exit 0 allow, 10 warn, 11 needs approval, 12 deny)',
    usage: 'spend-band preflight --workflow CLASS (--estimate-usd N | --estimate-tokens N --model ID | --from-history AGENT) [--sessions FILE] [--claude-dir DIR]... [--codex-dir DIR]... [--prices FILE] [--run-id UUID] [--description TEXT] [--offline] [--json]',
    load: async () => (await import('./preflightCommand')).preflightCommand,
  },
  run: {
    summary: 'run a command after pre-flight; returns its exit code',
    usage: 'spend-band run [--workflow CLASS] [--estimate-usd N | --estimate-tokens N --model ID | --from-history AGENT] [--yes] [--wait-minutes N] [--cwd DIR] [--description TEXT] -- COMMAND [ARGS...]  (exit 127 when COMMAND cannot be started)',
    load: async () => (await import('./runCommand')).runCommand,
  },
  request: {
    summary: 'request a band increase tied to an outcome',
    usage: 'spend-band request --band ID (--delta-usd N | --new-usd N) --outcome KIND --justification TEXT [--scope current_period|next_period|until:YYYY-MM-DD] [--json]',
    load: async () => (await import('./requestCommand')).requestCommand,
  },
  requests: {
    summary: 'your increase and approval requests',
    usage: 'spend-band requests [--status pending|approved|denied|cancelled|expired] [--json]',
    load: async () => (await import('./requestsCommand')).requestsCommand,
  },
  report: {
    summary: 'the period: per band, class, model; outliers',
    usage: 'spend-band report [--period YYYY-MM] [--format text|md|json|csv]',
    load: async () => (await import('./reportCommand')).reportCommand,
  },
  server: {
    summary: 'run the reference Bands API v1 server',
    usage: 'spend-band server [--db FILE] [--host 127.0.0.1] [--port N] [--demo] [--json]',
    load: async () => (await import('./serverCommand')).serverCommand,
  },
  admin: {
    summary: 'administer the reference server database (developers, tokens, seats, bands, rules, usage, requests)',
    usage: 'spend-band admin <developer|token|seat|band|rule|usage|request> … --db FILE',
    load: async () => (await import('./adminCommand')).adminCommand,
  },
};

function helpText(): string {
  const lines = ['spend-band: your AI-coding spend against your budget band', '', 'Commands:'];
  for (const [name, entry] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', 'Every command takes --json and --help. Exit codes: 0 ok, 2 usage/config, 3 unreachable, 4 invalid answer, 5 unauthorized, 10/11/12 preflight warn/approval/deny.');
  return `${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[], base: Omit<CliContext, 'args'>): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    return reportError(base, error);
  }
  const name = args.positionals[0];
  if (!name || name === 'help' || (name === undefined && hasFlag(args, 'help'))) {
    base.stdout.write(helpText());
    return name ? EXIT.ok : hasFlag(args, 'help') ? EXIT.ok : EXIT.usage;
  }
  if (hasFlag(args, 'version') && !name) {
    base.stdout.write('spend-band\n');
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    base.stderr.write(`spend-band: unknown command "${name}". Run spend-band --help to see the commands.\n`);
    return EXIT.usage;
  }
  // `admin --help` prints the full list of admin commands itself.
  if (hasFlag(args, 'help') && name !== 'admin') {
    base.stdout.write(`${entry.usage}\n  ${entry.summary}\n`);
    return EXIT.ok;
  }
  try {
    const command = await entry.load();
    return await command({ ...base, args: { ...args, positionals: args.positionals.slice(1) } });
  } catch (error) {
    return reportError(base, error, flag(args, 'json') !== undefined);
  }
}

function reportError(ctx: Pick<CliContext, 'stderr'>, error: unknown, _json = false): number {
  if (isCliError(error)) {
    ctx.stderr.write(`spend-band: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`spend-band: internal error (a bug; please report it with this line): ${message}\n`);
  return EXIT.internal;
}

if (require.main === module) {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => new Date(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`spend-band: internal error (a bug): ${String(error)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

/**
 * A CliError from this bundle or from a command bundle loaded at run time (dist/usageCommand.js and the
 * others carry their own copy of the class, so `instanceof` alone would miss theirs).
 */
function isCliError(error: unknown): error is CliError {
  if (error instanceof CliError) return true;
  const e = error as { name?: unknown; message?: unknown; exitCode?: unknown } | null;
  return e !== null && typeof e === 'object' && e.name === 'CliError' && typeof e.exitCode === 'number' && typeof e.message === 'string';
}
