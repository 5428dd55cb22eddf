// The start of the two commands Claude Code runs on its own hot path, `hook claude` (before a costly
// tool call) and `statusline` (after every message), as files of their own: dist/spend-band-hook.js
// and dist/spend-band-statusline.js (esbuild.mjs FAST_ENTRIES). Each is one small bundle with no
// dispatcher, no second file to load, no zod or undici: the same command module `spend-band hook
// claude` / `spend-band statusline` runs, parsed against the same flag table, with the same exit codes
// and one-line errors. `hook install` and the demo point Claude Code at these files by absolute path.
import { writeSync } from 'node:fs';
import { commandHelp, hasFlag, parseCommandArgs } from './args';
import type { Command } from './cliContext';
import { CliError } from './cliError';
import { commandSpec } from './commandSpecs';
import { EXIT } from '../domain/exitCodes';

const PREFIX = 'spend-band: ';

/** Runs `command` as `spend-band <name> <words…> <argv…>` would; resolves to the exit code. */
export async function runFastEntry(
  name: string,
  words: readonly string[],
  command: Command,
  argv: readonly string[],
): Promise<number> {
  let controller: AbortController | undefined;
  const base = {
    env: process.env,
    stdout: fdWriter(1, () => process.stdout),
    stderr: fdWriter(2, () => process.stderr),
    now: () => new Date(),
    // made on first use: AbortController is loaded lazily by Node, and neither command asks for it
    get signal(): AbortSignal {
      return (controller ??= new AbortController()).signal;
    },
  };
  try {
    const spec = commandSpec(name);
    if (!spec) throw new Error(`no flag table for ${name}`);
    const args = parseCommandArgs(spec, [...words, ...argv]);
    if (hasFlag(args, 'help')) {
      base.stdout.write(commandHelp(spec));
      return EXIT.ok;
    }
    return await command({ ...base, args });
  } catch (error) {
    if (error instanceof CliError) {
      base.stderr.write(`${PREFIX}${error.message.replace(/^spend-band:\s*/, '')}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    base.stderr.write(`${PREFIX}internal error (a bug; please report it with this line): ${message}\n`);
    return EXIT.internal;
  }
}

/**
 * Output written straight to the file descriptor: process.stdout on a pipe is a net.Socket, and making
 * one loads net and streams (~5 ms here) for one line. A reader that went away (EPIPE) ends the process
 * with the code it has, as dist/cli.js does; a non-blocking descriptor that is full (EAGAIN) gets the
 * rest through the stream.
 */
function fdWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): { write(text: string): boolean } {
  return {
    write(text: string): boolean {
      let bytes = Buffer.from(text, 'utf8');
      while (bytes.length > 0) {
        try {
          bytes = bytes.subarray(writeSync(fd, bytes));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
          if (code !== 'EAGAIN') throw error;
          return stream().write(bytes);
        }
      }
      return true;
    },
  };
}

/** The process around it: the exit code is the command's. */
export function startFastEntry(name: string, words: readonly string[], command: Command): void {
  void runFastEntry(name, words, command, process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
