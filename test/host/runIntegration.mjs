// Runs the integration suite (out/test/integration, mocha) inside a real VS Code: code-server 4.139.1
// (VS Code 1.139.1, Node 24 extension host) in headless Chromium, against the reference server with
// demo data. Prints `ok`/`FAIL`/`skip` per test and last `N passed, N failed[, N skipped]`.
// Exit: 0 all passed; 1 a test failed, the extension host exited non-zero, no results, zero tests;
// 2 timeout (screenshot in .vscode-test/failure.png); 3 harness error.
//
//   node test/host/runIntegration.mjs [--grep PATTERN] [--timeout SECONDS] [--verbose] [--keep] [--extension DIR]
// --extension DIR loads the extension built in DIR (another work tree, e.g. an older commit) in place of
// this one; the tests are still this tree's. Tests read the workbench's DOM through test/host/uiBridge.mjs.
// (`npm run test:integration` builds first; pass options after `--`.)
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { codeServerDirs, startCodeServer, workbenchUrl, writeUserSettings } from './codeServer.mjs';
import { ensureHost } from './ensureHost.mjs';
import { distCli, integrationTestsDir, repoRoot } from './paths.mjs';
import { exitCleanlyOnSignals, runCleanups, wasSignalled } from './processes.mjs';
import { startReferenceServer } from './referenceServer.mjs';
import { startUiBridge } from './uiBridge.mjs';
import {
  keepLogsOnFailure,
  makeRunDir,
  makeWorkspace,
  requireBuilt,
  saveFailureScreenshot,
  stopwatch,
} from './runSupport.mjs';
import { formatResults } from './results.mjs';

const EXIT = { passed: 0, failed: 1, timeout: 2, harness: 3 };
/** Secrets of this run (the demo token travels in the payload URL), blanked out of any error we print. */
const secrets = [];
const redact = (text) => secrets.reduce((out, secret) => out.split(secret).join('<token>'), String(text));

const { values: options } = parseArgs({
  options: {
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.SPEND_BAND_HOST_TIMEOUT ?? '300' },
    verbose: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    extension: { type: 'string' },
  },
});

async function main() {
  const clock = stopwatch();
  const say = (line) => process.stdout.write(`[${clock()}] ${line}\n`);
  requireBuilt('test:integration', EXIT.harness);

  const host = await ensureHost();
  const run = makeRunDir('it', { keep: options.keep });

  const server = await startReferenceServer({
    db: join(run.dir, 'server', 'bands.db'),
    logFile: join(run.dir, 'server.log'),
    warn: (line) => say(line),
  });
  if (server) {
    secrets.push(server.token);
    say(`reference server ${server.url} (developer ${server.developer})`);
  }

  const workspace = makeWorkspace(run.dir);
  const dirs = codeServerDirs(join(run.dir, 'code-server'));
  writeUserSettings(dirs);
  const codeServer = await startCodeServer(host, dirs, { smokeTestDriver: true });
  say(`code-server ${codeServer.url}`);

  const browser = await launchBrowser(join(run.dir, 'chrome'));
  const page = browser.page;
  const uiBridge = await startUiBridge(page);

  const resultsFile = join(run.dir, 'results.json');
  const testTmp = join(run.dir, 'test-tmp');
  mkdirSync(testTmp, { recursive: true });
  const extensionEnvironment = {
    SPEND_BAND_RESULTS_FILE: resultsFile,
    SPEND_BAND_TEST_ENDPOINT: server?.url ?? '',
    SPEND_BAND_TEST_TOKEN: server?.token ?? '',
    SPEND_BAND_TEST_DB: server?.db ?? '',
    SPEND_BAND_TEST_NODE: process.execPath,
    SPEND_BAND_TEST_CLI: distCli,
    SPEND_BAND_TEST_TMP: testTmp,
    // the CLI's cache folder as the extension sees it (agent-state.json), kept inside the run
    SPEND_BAND_CACHE: join(testTmp, 'cache'),
    SPEND_BAND_TEST_GREP: options.grep ?? '',
    SPEND_BAND_TEST_UI: uiBridge,
    SPEND_BAND_FORCE_FAIL: process.env.SPEND_BAND_FORCE_FAIL ?? '',
  };
  const authority = new URL(codeServer.url).host;
  const extensionRoot = options.extension ? resolve(options.extension) : repoRoot;
  if (options.extension) say(`extension under test: ${extensionRoot}`);
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionRoot}`],
    ['extensionTestsPath', `vscode-remote://${authority}${integrationTestsDir}`],
    ['extensionEnvironment', JSON.stringify(extensionEnvironment)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
    ['disableExtensions', 'true'],
  ];

  const hostOutput = run.logStream('exthost-output.log');
  const browserConsole = run.logStream('browser-console.log');
  page.on('console', (message) => browserConsole.write(`${message.type()} ${message.text()}\n`));
  page.on('pageerror', (error) => browserConsole.write(`pageerror ${error.stack ?? error.message}\n`));
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  // Both must exist before the workbench loads: it looks them up when the extension host exits.
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const line = formatLogArgs(args);
    hostOutput.write(`${line}\n`);
    if (options.verbose) process.stdout.write(`  | ${line}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish({ exitCode: code }));
  page.on('crash', () => finish({ crashed: 'the workbench page crashed' }));
  void codeServer.exited.then((exit) => finish({ crashed: `code-server exited (code ${exit.code ?? exit.signal})` }));

  say('opening the workbench; the extension host runs the suite');
  await page.goto(workbenchUrl(codeServer.url, workspace, payload));
  const timeoutMs = Number(options.timeout) * 1000;
  let timer;
  const outcome = await Promise.race([
    finished,
    new Promise((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs))),
  ]);
  clearTimeout(timer);

  let exitCode;
  const lines = [];
  if (outcome.timedOut) {
    const shot = await saveFailureScreenshot(page);
    lines.push(
      `FAIL the suite did not finish within ${options.timeout} s (raise it with --timeout SECONDS); screenshot: ${shot}`,
    );
    exitCode = EXIT.timeout;
  }
  await hostOutput.close();
  await browserConsole.close();
  const results = readResults(resultsFile);
  const formatted = formatResults(results);
  lines.unshift(...formatted.lines);
  if (exitCode === undefined) {
    if (outcome.crashed) {
      lines.push(`FAIL ${outcome.crashed} before the suite finished`);
      exitCode = EXIT.failed;
    } else if (outcome.exitCode !== 0) {
      // A failed test already explains itself; say more only when the results do not.
      if (!results || results.failed === 0)
        lines.push(
          `FAIL the extension host reported exit code ${outcome.exitCode} (run() rejected, a test failed or the test index did not load)`,
        );
      exitCode = EXIT.failed;
    } else exitCode = EXIT.passed;
    if (!results) {
      lines.push(`FAIL no results file was written (${resultsFile}): the test index did not run to the end`);
      exitCode = EXIT.failed;
    } else if (results.passed + results.failed === 0) {
      lines.push('FAIL zero tests ran (check --grep and that out/test/integration has *.test.js files)');
      exitCode = EXIT.failed;
    } else if (results.failed > 0) exitCode = EXIT.failed;
  }
  if (exitCode !== EXIT.passed && (!results || options.verbose === false)) {
    const tail = readTail(join(run.dir, 'exthost-output.log'), 40);
    if (tail && !results) lines.push('--- last lines the extension host printed ---', tail, '---');
  }
  if (exitCode !== EXIT.passed) {
    const kept = keepLogsOnFailure(run.dir, 'integration');
    if (kept) lines.push(`logs of this run: ${kept}`);
  }
  for (const line of lines) process.stdout.write(`${line}\n`);
  say(`finished in ${clock()}; stopping everything this run started`);
  await runCleanups();
  // The closing line, last of all, in the format CI reads.
  process.stdout.write(`${formatted.summary}\n`);
  return exitCode;
}

function formatLogArgs(args) {
  if (!Array.isArray(args)) return String(args);
  const [format, ...rest] = args;
  if (typeof format !== 'string') return args.map(String).join(' ');
  // console-style '%s%c…' arguments from the extension host; %c carries CSS and is dropped.
  let index = 0;
  const text = format.replace(/%[sdifoOc%]/g, (token) => {
    if (token === '%%') return '%';
    const value = rest[index++];
    if (token === '%c') return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
  return [text, ...rest.slice(index).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))]
    .join(' ')
    .replace(/^\s*INFO\s?/, '');
}

function readResults(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function readTail(file, count) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

exitCleanlyOnSignals(130);
main().then(
  (code) => process.exit(code),
  async (error) => {
    if (wasSignalled()) return; // the signal handler is stopping everything and exits
    // Playwright errors carry a call log with the whole URL (and so the payload); the first lines suffice.
    const message = redact(error?.stack ?? error)
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split(/\n\s*Call log:/)[0];
    process.stderr.write(`harness error: ${message}\n`);
    await runCleanups();
    process.exit(error?.exitCode ?? EXIT.harness);
  },
);
