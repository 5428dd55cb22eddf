// The real `spend-band` bundle (dist/cli.js, built by `node esbuild.mjs`) run as a child process, for
// the tests that check what a person running the command sees.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository: the first folder up from this test's bundle that holds package.json. */
function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ROOT = repoRoot(__dirname);
export const DIST_CLI = join(ROOT, 'dist/cli.js');

export interface DistRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js ...args` with exactly `env` (nothing of this process's environment). */
export function runDistCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<DistRun> {
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      [DIST_CLI, ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return fail(error);
        done({ code: child.exitCode, stdout, stderr });
      },
    );
  });
}
