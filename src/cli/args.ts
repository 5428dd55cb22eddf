// The CLI's argument framework: every command declares its flags in a table (name, type, value
// placeholder, default, environment variable, description) and its positional words; node:util
// parseArgs splits argv into tokens and this module checks them against the table, so help text,
// unknown-flag suggestions and the refusal of stray words all come from the same declaration.
import { parseArgs as tokenize } from 'node:util';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** the placeholder in help: `--until YYYY-MM-DD` */
  value?: string;
  /** may be given more than once (all values are kept) */
  multiple?: boolean;
  /** a one-letter alias, without the dash */
  short?: string;
  /** what applies when the flag is not given (documentation: the command resolves it) */
  default?: string;
  /** the environment variable read when the flag is not given */
  env?: string;
  description: string;
  /** accepted values; anything else is refused before the command runs */
  choices?: readonly string[];
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export interface CommandSpec {
  /** the words that name it: `status`, `admin request approve` */
  name: string;
  summary: string;
  /** paragraphs shown under the usage line */
  details?: readonly string[];
  positionals?: readonly PositionalSpec[];
  /** takes `-- COMMAND [ARGS...]` */
  rest?: { name: string; description: string; required?: boolean };
  flags: readonly FlagSpec[];
  /** environment variables that are not the fallback of a flag */
  env?: ReadonlyArray<{ name: string; description: string }>;
  examples?: readonly string[];
  /** extra lines of the exit-code section */
  exitCodes?: ReadonlyArray<{ code: string; meaning: string }>;
}

export interface ParsedArgs {
  /** positional words, e.g. ['developer', 'add'] for admin; the command's own words are not included */
  positionals: string[];
  flags: Map<string, string[]>;
  /** everything after `--` */
  rest: string[];
}

/** Flags every command takes. */
export const JSON_FLAG: FlagSpec = {
  name: 'json',
  type: 'boolean',
  description: 'print one JSON document on stdout and nothing else there',
};
export const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show this help' };

function allFlags(spec: CommandSpec): FlagSpec[] {
  const own = spec.flags;
  const extra = [JSON_FLAG, HELP_FLAG].filter((g) => !own.some((f) => f.name === g.name));
  return [...own, ...extra];
}

/**
 * Parse `argv` (the words after the command's name) against `spec`. Unknown flags, a flag without its
 * value, a value for a switch, a value outside `choices` and stray positional words are usage errors
 * (exit 2), each naming the fix; an unknown flag close to a known one is suggested.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags = allFlags(spec);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const f of flags) options[f.name] = { type: f.type, ...(f.short ? { short: f.short } : {}) };
  const split = argv.indexOf('--');
  const before = split === -1 ? [...argv] : argv.slice(0, split);
  const rest = split === -1 ? [] : argv.slice(split + 1);
  const { tokens } = tokenize({ args: before, options, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedArgs = { positionals: [], flags: new Map(), rest };
  const command = `spend-band ${spec.name}`;
  const name = spec.name;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      parsed.positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const known = flags.find((f) => f.name === token.name);
    if (!known) throw unknownFlag(token.rawName, flags, name);
    let value: string;
    if (known.type === 'boolean') {
      if (token.value !== undefined)
        throw new CliError(
          `${token.rawName} is a switch and takes no value (got "${token.value}"). Drop "=${token.value}".`,
          EXIT.usage,
        );
      value = 'true';
    } else {
      // parseArgs takes the next word as the value even when it is another flag: `--until --json`
      const looksLikeFlag = token.value !== undefined && !token.inlineValue && /^--?[A-Za-z]/.test(token.value);
      if (token.value === undefined || looksLikeFlag) {
        throw new CliError(
          `--${known.name} needs a value: --${known.name} ${known.choices ? known.choices.join('|') : (known.value ?? 'VALUE')}. Run ${command} --help for usage.`,
          EXIT.usage,
        );
      }
      value = token.value;
      if (known.choices && !known.choices.includes(value)) {
        const near = closest(value, known.choices);
        throw new CliError(
          `--${known.name} must be one of ${known.choices.join(', ')}, not "${value}".${near ? ` Did you mean ${near}?` : ''}`,
          EXIT.usage,
        );
      }
    }
    parsed.flags.set(known.name, [...(known.multiple ? (parsed.flags.get(known.name) ?? []) : []), value]);
  }
  if (hasFlag(parsed, 'help')) return parsed;
  const allowed = spec.positionals ?? [];
  if (parsed.positionals.length > allowed.length) {
    const stray = parsed.positionals[allowed.length]!;
    const hint = spec.rest ? ` To pass words to ${spec.rest.name}, put them after --.` : '';
    throw new CliError(`${name} takes no word "${stray}" here.${hint} Run ${command} --help for usage.`, EXIT.usage);
  }
  const missing = allowed.slice(parsed.positionals.length).find((p) => p.required);
  if (missing)
    throw new CliError(
      `${name} needs ${missing.name}: ${missing.description}. Run ${command} --help for usage.`,
      EXIT.usage,
    );
  if (rest.length > 0 && !spec.rest)
    throw new CliError(`${name} takes nothing after --. Run ${command} --help for usage.`, EXIT.usage);
  if (spec.rest?.required && rest.length === 0)
    throw new CliError(
      `${name} needs ${spec.rest.name} after --, e.g. ${spec.examples?.[0] ?? `${command} -- ${spec.rest.name}`}.`,
      EXIT.usage,
    );
  return parsed;
}

function unknownFlag(raw: string, flags: readonly FlagSpec[], command: string): CliError {
  // `command` is the spec's name ("usage", "admin band set"): the message gets the one prefix later
  const name = raw.replace(/^-+/, '');
  if (name === 'token' && flags.some((f) => f.name === 'token-env')) {
    // not "did you mean --token-env": that invites pasting the token there (and into the error line)
    return new CliError(
      'a token is never taken on the command line (it would show in ps and in logs): export SPEND_BAND_TOKEN=… and run again, or name another variable with --token-env NAME.',
      EXIT.usage,
    );
  }
  const near = closest(
    name,
    flags.map((f) => f.name),
  );
  const suggestion = near ? ` Did you mean --${near}?` : '';
  return new CliError(
    `unknown flag ${raw} for ${command}.${suggestion} Run spend-band ${command} --help for its flags.`,
    EXIT.usage,
  );
}

/** The candidate nearest to `word` by edit distance, when near enough to be a typo; or one it begins. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (best !== undefined && bestDistance <= allowance) return best;
  if (word.length >= 3) return candidates.find((c) => c.startsWith(word));
  return undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`stauts` → `status`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The help of one command, generated from its table. */
export function commandHelp(spec: CommandSpec, width = 100): string {
  const flags = allFlags(spec);
  const usage = [`spend-band ${spec.name}`];
  for (const p of spec.positionals ?? []) usage.push(p.required ? p.name : `[${p.name}]`);
  if (flags.length > 2) usage.push('[flags]');
  if (spec.rest) usage.push(spec.rest.required ? `-- ${spec.rest.name}` : `[-- ${spec.rest.name}]`);
  const out = [`spend-band ${spec.name}: ${spec.summary}`, '', `Usage: ${usage.join(' ')}`];
  for (const paragraph of spec.details ?? []) out.push('', ...wrap(paragraph, width));
  const entries: Array<[string, string]> = [];
  for (const p of spec.positionals ?? []) entries.push([p.name, p.description]);
  if (spec.rest) entries.push([`-- ${spec.rest.name}`, spec.rest.description]);
  if (entries.length > 0) out.push('', 'Arguments:', ...table(entries, width));
  const flagRows: Array<[string, string]> = flags.map((f) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.type === 'string' ? ` ${f.choices ? f.choices.join('|') : (f.value ?? 'VALUE')}` : ''}`;
    const notes: string[] = [];
    if (f.multiple) notes.push('repeatable');
    if (f.env) notes.push(`env ${f.env}`);
    if (f.default !== undefined) notes.push(`default ${f.default}`);
    return [left, `${f.description}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}`];
  });
  out.push('', 'Flags:', ...table(flagRows, width));
  if (spec.env && spec.env.length > 0)
    out.push(
      '',
      'Environment:',
      ...table(
        spec.env.map((e) => [e.name, e.description]),
        width,
      ),
    );
  if (spec.examples && spec.examples.length > 0) out.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  if (spec.exitCodes && spec.exitCodes.length > 0)
    out.push(
      '',
      'Exit codes:',
      ...table(
        spec.exitCodes.map((e) => [e.code, e.meaning]),
        width,
      ),
    );
  return `${out.join('\n')}\n`;
}

/** Two columns: the left one as wide as needed up to 30, the right one wrapped under itself. */
export function table(rows: ReadonlyArray<readonly [string, string]>, width = 100): string[] {
  const left = Math.min(30, Math.max(...rows.map(([l]) => l.length)));
  const out: string[] = [];
  for (const [l, r] of rows) {
    const body = wrap(r, Math.max(30, width - left - 4));
    if (l.length > left) {
      out.push(`  ${l}`);
      for (const line of body) out.push(`  ${' '.repeat(left)}  ${line}`);
    } else {
      body.forEach((line, i) => out.push(`  ${(i === 0 ? l : '').padEnd(left)}  ${line}`));
    }
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/**
 * A loose parse without a table: `--flag value`, `--flag=value`, repeatable flags, the switches below,
 * and `--`. For code that builds arguments itself (tests run admin commands in-process with it); a
 * command reached through `spend-band` is parsed with its table instead.
 */
const LOOSE_SWITCHES = new Set([
  'json',
  'help',
  'offline',
  'yes',
  'demo',
  'allow-insecure-http',
  'version',
  'quiet',
  'dry-run',
  'ids',
]);

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
      else if (LOOSE_SWITCHES.has(name)) value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next !== '--'))
          throw new CliError(`--${name} needs a value. Run with --help for usage.`, EXIT.usage);
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
  if (value === undefined || value === '')
    throw new CliError(`--${name} is required. Run with --help for usage.`, EXIT.usage);
  return value;
}

/** Refuse flags the command does not know (for arguments that did not come through a table). */
export function assertKnownFlags(args: ParsedArgs, known: readonly string[]): void {
  const allowed = [...known, 'json', 'help'];
  for (const name of args.flags.keys()) {
    if (!allowed.includes(name)) {
      const near = closest(name, allowed);
      throw new CliError(
        `unknown flag --${name}.${near ? ` Did you mean --${near}?` : ''} Run with --help for usage.`,
        EXIT.usage,
      );
    }
  }
}
