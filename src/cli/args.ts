// A small argv parser: `--flag value`, `--flag=value`, repeatable flags, boolean flags, and `--` for
// the command that `spend-band run` starts.
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

const BOOLEAN_FLAGS = new Set(['json', 'help', 'offline', 'yes', 'demo', 'allow-insecure-http', 'version', 'quiet']);

export interface ParsedArgs {
  /** positional words before the first flag-less end, e.g. ['admin', 'token', 'issue'] */
  positionals: string[];
  flags: Map<string, string[]>;
  /** everything after `--` */
  rest: string[];
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      let value: string;
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (BOOLEAN_FLAGS.has(name)) value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next !== '--')) throw new CliError(`--${name} needs a value. Run with --help for usage.`, EXIT.usage);
        value = next;
        i++;
      }
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags, rest };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  return values?.[values.length - 1];
}

export function flagAll(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function hasFlag(args: ParsedArgs, name: string): boolean {
  const value = flag(args, name);
  return value !== undefined && value !== 'false';
}

export function requireFlag(args: ParsedArgs, name: string): string {
  const value = flag(args, name);
  if (value === undefined || value === '') throw new CliError(`--${name} is required. Run with --help for usage.`, EXIT.usage);
  return value;
}

/** Refuse flags the command does not know, so a typo is not silently ignored. */
export function assertKnownFlags(args: ParsedArgs, known: readonly string[]): void {
  const allowed = new Set([...known, 'json', 'help']);
  for (const name of args.flags.keys()) {
    if (!allowed.has(name)) throw new CliError(`unknown flag --${name}. Run with --help for usage.`, EXIT.usage);
  }
}
