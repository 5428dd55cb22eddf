// `spend-band`: the same core as the extension, for the terminal, CI, git hooks and an agent's status
// line. The interface is docs/contract/cli.md. Each command lives in its own module; its flags
// are declared in commandSpecs.ts, parsed here (args.ts) and its --help is generated from them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  closest,
  commandHelp,
  hasFlag,
  parseArgs,
  parseCommandArgs,
  table,
  type CommandSpec,
  type ParsedArgs,
} from './args';
import type { CliContext, Command } from './cliContext';
import { ADMIN_SPECS, COMMAND_SPECS } from './commandSpecs';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

/** How each command is loaded: a separate bundle in dist/ (esbuild.mjs CLI_COMMANDS), read only when it runs. */
const LOADERS: Record<string, () => Promise<Command>> = {
  status: async () => (await import('./statusCommand')).statusCommand,
  usage: async () => (await import('./usageCommand')).usageCommand,
  preflight: async () => (await import('./preflightCommand')).preflightCommand,
  run: async () => (await import('./runCommand')).runCommand,
  request: async () => (await import('./requestCommand')).requestCommand,
  requests: async () => (await import('./requestsCommand')).requestsCommand,
  report: async () => (await import('./reportCommand')).reportCommand,
  server: async () => (await import('./serverCommand')).serverCommand,
  admin: async () => (await import('./adminCommand')).adminCommand,
  hook: async () => (await import('./hookCommand')).hookCommand,
  statusline: async () => (await import('./statuslineCommand')).statuslineCommand,
};

/** A command with a loader but no table yet is parsed loosely and checks its own flags. */
const SUMMARIES: Record<string, string> = {
  admin: 'administer the reference server database (developers, tokens, seats, bands, rules, usage, requests)',
};

const PREFIX = 'spend-band: ';

function commandNames(): string[] {
  return Object.keys(LOADERS);
}

function summaryOf(name: string): string {
  return COMMAND_SPECS.find((c) => c.name === name)?.summary ?? SUMMARIES[name] ?? '';
}

export function mainHelp(): string {
  const lines = [
    'spend-band: your AI-coding spend against the budget band your organization allocated',
    '',
    'Usage: spend-band COMMAND [flags]',
    '',
    'Commands:',
    ...table(commandNames().map((n) => [n, summaryOf(n)])),
    '',
    'Every command takes --json (one JSON document on stdout) and -h/--help (its flags, defaults and environment).',
    'spend-band --version prints the version.',
    '',
    'Exit codes:',
    ...table([
      ['0', 'done (preflight: allow)'],
      ['1', 'internal error (a bug)'],
      ['2', 'usage or configuration error'],
      ['3', 'source unreachable or timed out'],
      ['4', 'source answered with something invalid'],
      ['5', 'unauthorized or forbidden'],
      ['10/11/12', 'preflight: warn / needs approval / deny'],
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

function adminHelp(prefix: string): string {
  const specs = ADMIN_SPECS.filter((s) => s.name.startsWith(`${prefix} `));
  const lines = [
    'spend-band admin: administer the reference server database directly (--db FILE or SPEND_BAND_DB)',
    '',
    `Usage: ${prefix === 'admin' ? 'spend-band admin NOUN VERB' : `spend-band ${prefix} VERB`} [flags]`,
    '',
    'Commands:',
    ...table(specs.map((s) => [s.name.replace(/^admin /, ''), s.summary])),
    '',
    `Run spend-band ${prefix === 'admin' ? 'admin NOUN VERB' : `${prefix} VERB`} --help for the flags of one.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The package version: package.json beside dist/ (npm install) or in the extension's folder. */
export function cliVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'spend-band' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: look one folder up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

interface Resolved {
  load: () => Promise<Command>;
  args: ParsedArgs;
}

export async function main(argv: readonly string[], base: Omit<CliContext, 'args'>): Promise<number> {
  const first = argv[0];
  if (first === undefined) {
    base.stdout.write(mainHelp());
    base.stderr.write(`${PREFIX}no command given. Pick one of the commands above, e.g. spend-band status.\n`);
    return EXIT.usage;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    const topic = argv[1];
    if (first === 'help' && topic !== undefined) return main([...argv.slice(1), '--help'], base);
    base.stdout.write(mainHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    base.stdout.write(`spend-band ${cliVersion()}\n`);
    return EXIT.ok;
  }
  let resolved: Resolved | number;
  try {
    resolved = resolve(argv, base);
  } catch (error) {
    return reportError(base, error);
  }
  if (typeof resolved === 'number') return resolved;
  try {
    const command = await resolved.load();
    return await command({ ...base, args: resolved.args });
  } catch (error) {
    return reportError(base, error);
  }
}

/** The command named by argv and its parsed arguments; or the exit code when help was printed. */
function resolve(argv: readonly string[], base: Omit<CliContext, 'args'>): Resolved | number {
  const [name, ...rest] = argv as [string, ...string[]];
  if (name.startsWith('-')) {
    throw new CliError(
      `put the command first: spend-band COMMAND ${name} … (got the flag ${name} before any command). Run spend-band --help for the commands.`,
      EXIT.usage,
    );
  }
  const load = LOADERS[name];
  if (!load) {
    const near = closest(name, commandNames());
    throw new CliError(
      `there is no command "${name}".${near ? ` Did you mean spend-band ${near}?` : ''} Run spend-band --help for the commands.`,
      EXIT.usage,
    );
  }
  if (name === 'admin') return resolveAdmin(rest, load, base);
  const spec = COMMAND_SPECS.find((c) => c.name === name);
  if (!spec) {
    // a command without a table yet: the loose parser, the command checks its flags itself
    const args = parseArgs(rest);
    if (hasFlag(args, 'help')) {
      base.stdout.write(`spend-band ${name}: ${summaryOf(name)}\n`);
      return EXIT.ok;
    }
    return { load, args };
  }
  return parsed(spec, rest, load, base);
}

function parsed(
  spec: CommandSpec,
  argv: readonly string[],
  load: () => Promise<Command>,
  base: Omit<CliContext, 'args'>,
  keepWords: string[] = [],
): Resolved | number {
  const args = parseCommandArgs(spec, argv);
  if (hasFlag(args, 'help')) {
    base.stdout.write(commandHelp(spec));
    return EXIT.ok;
  }
  return { load, args: { ...args, positionals: [...keepWords, ...args.positionals] } };
}

function resolveAdmin(
  argv: readonly string[],
  load: () => Promise<Command>,
  base: Omit<CliContext, 'args'>,
): Resolved | number {
  const words: string[] = [];
  for (const word of argv.slice(0, 2)) {
    if (word.startsWith('-')) break;
    words.push(word);
  }
  const help = argv.includes('--help') || argv.includes('-h');
  const nouns = [...new Set(ADMIN_SPECS.map((s) => s.name.split(' ')[1]!))];
  if (words.length === 0) {
    if (help) {
      base.stdout.write(adminHelp('admin'));
      return EXIT.ok;
    }
    throw new CliError(
      `admin needs a NOUN VERB, e.g. spend-band admin developer list. Run spend-band admin --help for the list.`,
      EXIT.usage,
    );
  }
  const noun = words[0]!;
  // An admin action whose table is not written yet (being added by someone) is parsed loosely and
  // checked by adminCommand itself; a near miss of a known word is still a typo.
  const loose = (): Resolved => ({ load, args: parseArgs(argv) });
  // A command of one word (admin review) takes no verb.
  const single = ADMIN_SPECS.find((s) => s.name === `admin ${noun}`);
  if (single) return parsed(single, argv.slice(1), load, base, [noun]);
  if (!nouns.includes(noun)) {
    const near = closest(noun, nouns);
    if (!near) return loose();
    throw new CliError(
      `there is no admin command "${noun}".${near ? ` Did you mean spend-band admin ${near}?` : ''} Run spend-band admin --help for the list.`,
      EXIT.usage,
    );
  }
  const verbs = ADMIN_SPECS.filter((s) => s.name.startsWith(`admin ${noun} `)).map((s) => s.name.split(' ')[2]!);
  const verb = words[1];
  if (verb === undefined) {
    if (help) {
      base.stdout.write(adminHelp(`admin ${noun}`));
      return EXIT.ok;
    }
    throw new CliError(
      `admin ${noun} needs one of: ${verbs.join(', ')}. Run spend-band admin ${noun} --help for the list.`,
      EXIT.usage,
    );
  }
  const spec = ADMIN_SPECS.find((s) => s.name === `admin ${noun} ${verb}`);
  if (!spec) {
    const near = closest(verb, verbs);
    if (!near) return loose();
    throw new CliError(
      `there is no admin command "${noun} ${verb}".${near ? ` Did you mean spend-band admin ${noun} ${near}?` : ''} It takes: ${verbs.join(', ')}.`,
      EXIT.usage,
    );
  }
  return parsed(spec, argv.slice(2), load, base, [noun, verb]);
}

/** One line on stderr with one prefix, and the error's exit code. */
function reportError(ctx: Pick<CliContext, 'stderr'>, error: unknown): number {
  if (isCliError(error)) {
    ctx.stderr.write(`${PREFIX}${withoutPrefix(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`${PREFIX}internal error (a bug; please report it with this line): ${message}\n`);
  return EXIT.internal;
}

/** A message that already starts with the prefix keeps one. */
export function withoutPrefix(message: string): string {
  return message.replace(/^spend-band:\s*/, '');
}

if (require.main === module) {
  // `spend-band status | head`: a reader that went away is not a bug; end with the code we have
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
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
      process.stderr.write(`${PREFIX}internal error (a bug): ${String(error)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

/**
 * A CliError from this bundle or from one loaded at run time (dist/usageCommand.js, dist/server.js
 * carry their own copy of the class, so `instanceof` alone would miss theirs).
 */
function isCliError(error: unknown): error is CliError {
  if (error instanceof CliError) return true;
  const e = error as { name?: unknown; message?: unknown; exitCode?: unknown } | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    e.name === 'CliError' &&
    typeof e.exitCode === 'number' &&
    typeof e.message === 'string'
  );
}
