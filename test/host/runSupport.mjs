// Small pieces every driver shares: a temp folder per run (removed at the end), log files, the test
// workspace, and what is kept when a run fails.
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureScreenshot, integrationTestsDir, repoRoot, workspaceFixture } from './paths.mjs';
import { onCleanup } from './processes.mjs';

/** "12.3 s" since the call. */
/**
 * The extension and the compiled integration suite must be built; if not, an error with `exitCode`
 * that says which command builds them (`script`: the npm script that builds and runs).
 */
export function requireBuilt(script, exitCode) {
  for (const [file, hint] of [
    [join(repoRoot, 'dist', 'extension.js'), 'node esbuild.mjs'],
    [join(integrationTestsDir, 'index.js'), 'node esbuild.mjs --tests'],
  ]) {
    if (!existsSync(file))
      throw Object.assign(new Error(`${file} is missing: run "${hint}" (or "npm run ${script}", which builds)`), {
        exitCode,
      });
  }
}

export function stopwatch() {
  const started = Date.now();
  return () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * A fresh temp folder for one run, removed at cleanup (registered first, so it runs after every
 * process in it has been stopped) unless keep. Short path on purpose: code-server puts a Unix socket in it.
 */
export function makeRunDir(label, { keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `sb-${label}-`));
  if (keep) process.stdout.write(`keeping the run folder ${dir}\n`);
  else onCleanup(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return {
    dir,
    /** An append-only log file in the run folder; close() resolves once it is flushed. */
    logStream(name) {
      const stream = createWriteStream(join(dir, name), { flags: 'a' });
      return {
        write: (text) => stream.write(text),
        close: () => new Promise((resolve) => stream.end(resolve)),
      };
    },
  };
}

/** The folder VS Code opens: a copy of test/fixtures/workspace/ when it exists, else a tiny one. */
export function makeWorkspace(runDir, name = 'workspace') {
  const folder = join(runDir, name);
  if (existsSync(workspaceFixture)) cpSync(workspaceFixture, folder, { recursive: true });
  else {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'README.md'), '# A workspace for Spend Band tests\n');
  }
  return folder;
}

/** Screenshot of the workbench as it was when a run failed, at .vscode-test/failure.png. */
export async function saveFailureScreenshot(page) {
  try {
    mkdirSync(join(repoRoot, '.vscode-test'), { recursive: true });
    await page.screenshot({ path: failureScreenshot, timeout: 15_000 });
    return failureScreenshot;
  } catch (error) {
    return `(none: ${error.message.split('\n')[0]})`;
  }
}

/**
 * Copies the logs of a failed run (ours, code-server's, the extension host's) to
 * .vscode-test/last-failure-<label>/, replacing the previous ones, and returns that folder.
 */
export function keepLogsOnFailure(runDir, label) {
  const target = join(repoRoot, '.vscode-test', `last-failure-${label}`);
  try {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(runDir)) {
      if (name.endsWith('.log') || name === 'results.json') cpSync(join(runDir, name), join(target, name));
    }
    for (const sub of ['code-server', 'code-server-vsix']) {
      const csLog = join(runDir, sub, 'code-server.log');
      if (existsSync(csLog)) cpSync(csLog, join(target, `${sub}.log`));
      const vscodeLogs = join(runDir, sub, 'user-data', 'logs');
      if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(target, `${sub}-vscode-logs`), { recursive: true });
    }
    return target;
  } catch {
    return null;
  }
}
