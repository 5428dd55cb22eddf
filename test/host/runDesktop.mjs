// The same integration suite in desktop VS Code (Electron), through @vscode/test-electron: for a
// machine with internet and a display, where test-electron can download VS Code into .vscode-test/.
// The reference server, the test index, the environment and the printed results are the same as in
// test/host/runIntegration.mjs; only the host differs.
//
//   node test/host/runDesktop.mjs [--grep PATTERN] [--vscode-version stable|1.96.0|…] [--keep]
// (`npm run test:desktop` builds first; pass options after `--`. On Linux without a display, run it
// under `xvfb-run -a`.)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { QUIET_SETTINGS } from './codeServer.mjs';
import { distCli, integrationTestsDir, repoRoot } from './paths.mjs';
import { exitCleanlyOnSignals, runCleanups, wasSignalled } from './processes.mjs';
import { startReferenceServer } from './referenceServer.mjs';
import { formatResults } from './results.mjs';
import { makeRunDir, makeWorkspace, requireBuilt, stopwatch } from './runSupport.mjs';

const EXIT = { passed: 0, failed: 1, harness: 3 };

const { values: options } = parseArgs({
  options: {
    grep: { type: 'string' },
    'vscode-version': { type: 'string', default: process.env.SPEND_BAND_VSCODE_VERSION ?? 'stable' },
    keep: { type: 'boolean', default: false },
  },
});

async function main() {
  const clock = stopwatch();
  const say = (line) => process.stdout.write(`[${clock()}] ${line}\n`);
  requireBuilt('test:desktop', EXIT.harness);
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw Object.assign(
      new Error(
        'no display: desktop VS Code needs one. Run "xvfb-run -a npm run test:desktop", or use "npm run test:integration" (code-server in headless Chromium)',
      ),
      { exitCode: EXIT.harness },
    );
  }

  const run = makeRunDir('desktop', { keep: options.keep });
  const server = await startReferenceServer({
    db: join(run.dir, 'server', 'bands.db'),
    logFile: join(run.dir, 'server.log'),
    warn: (line) => say(line),
  });
  if (server) say(`reference server ${server.url} (developer ${server.developer})`);
  const workspace = makeWorkspace(run.dir);
  const userData = join(run.dir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2) + '\n');
  const resultsFile = join(run.dir, 'results.json');
  mkdirSync(join(run.dir, 'test-tmp'), { recursive: true });

  say(`starting VS Code ${options['vscode-version']} (test-electron downloads it into .vscode-test/ on first use)`);
  let hostExit = 0;
  try {
    hostExit = await runTests({
      version: options['vscode-version'],
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: integrationTestsDir,
      // The same variables the code-server driver passes through the payload's extensionEnvironment.
      extensionTestsEnv: {
        SPEND_BAND_RESULTS_FILE: resultsFile,
        SPEND_BAND_TEST_ENDPOINT: server?.url ?? '',
        SPEND_BAND_TEST_TOKEN: server?.token ?? '',
        SPEND_BAND_TEST_DB: server?.db ?? '',
        SPEND_BAND_TEST_NODE: process.execPath,
        SPEND_BAND_TEST_CLI: distCli,
        SPEND_BAND_TEST_TMP: join(run.dir, 'test-tmp'),
        SPEND_BAND_TEST_GREP: options.grep ?? '',
        SPEND_BAND_FORCE_FAIL: process.env.SPEND_BAND_FORCE_FAIL ?? '',
        // A token or endpoint from the person's shell must not reach the extension under test.
        SPEND_BAND_TOKEN: '',
        SPEND_BAND_ENDPOINT: '',
        SPEND_BAND_TOKEN_FILE: '',
      },
      launchArgs: [
        workspace,
        '--disable-extensions',
        `--user-data-dir=${userData}`,
        `--extensions-dir=${join(run.dir, 'extensions')}`,
      ],
    });
  } catch (error) {
    // TestRunFailedError: VS Code exited non-zero (a failed test, a crash); other errors: download/launch.
    if (typeof error?.code === 'number' || error?.signal) hostExit = error.code ?? 1;
    else
      throw Object.assign(new Error(`could not run desktop VS Code: ${error?.message ?? error}`), {
        exitCode: EXIT.harness,
      });
  }

  let results = null;
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    // Reported below.
  }
  const formatted = formatResults(results);
  const lines = [...formatted.lines];
  let exitCode = EXIT.passed;
  if (hostExit !== 0) {
    if (!results || results.failed === 0)
      lines.push(`FAIL VS Code exited with code ${hostExit} (run() rejected, a test failed, or the host crashed)`);
    exitCode = EXIT.failed;
  }
  if (!results) {
    lines.push(`FAIL no results file was written (${resultsFile}): the test index did not run to the end`);
    exitCode = EXIT.failed;
  } else if (results.passed + results.failed === 0) {
    lines.push('FAIL zero tests ran (check --grep and that out/test/integration has *.test.js files)');
    exitCode = EXIT.failed;
  } else if (results.failed > 0) exitCode = EXIT.failed;
  for (const line of lines) process.stdout.write(`${line}\n`);
  say(`finished in ${clock()}; stopping everything this run started`);
  await runCleanups();
  process.stdout.write(`${formatted.summary}\n`);
  return exitCode;
}

exitCleanlyOnSignals(130);
main().then(
  (code) => process.exit(code),
  async (error) => {
    if (wasSignalled()) return; // the signal handler is stopping everything and exits
    process.stderr.write(`harness error: ${error?.message ?? error}\n`);
    await runCleanups();
    process.exit(error?.exitCode ?? EXIT.harness);
  },
);
