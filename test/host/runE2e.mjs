// End-to-end: what a person sees. Packages the extension (`npm run package`), installs the .vsix into
// code-server, starts the reference server with demo data, hands the demo token over the way a person's
// setup would, opens a workspace in headless Chromium and runs the checks in test/e2e/*.e2e.mjs
// (ordered by their `order` export). Writes screenshots to media/screenshots/ for the README.
// Prints `ok`/`FAIL` per check and last `N passed, N failed`. Exit: 0 all passed; 1 a check failed;
// 3 harness error (build, package, install, start).
//
//   node test/host/runE2e.mjs [--grep PATTERN] [--vsix FILE] [--screenshots DIR] [--keep]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Workbench } from '../e2e/workbench.mjs';
import { launchBrowser } from './browser.mjs';
import { ensureHost } from './ensureHost.mjs';
import { packageExtension, startInstalledWorkbench } from './installedWorkbench.mjs';
import { repoRoot, screenshotsDir } from './paths.mjs';
import { exitCleanlyOnSignals, runCleanups, wasSignalled } from './processes.mjs';
import { startReferenceServer } from './referenceServer.mjs';
import { keepLogsOnFailure, makeRunDir, makeWorkspace, stopwatch } from './runSupport.mjs';

const EXIT = { passed: 0, failed: 1, harness: 3 };
const e2eDir = join(repoRoot, 'test', 'e2e');

const { values: options } = parseArgs({
  options: {
    grep: { type: 'string' },
    vsix: { type: 'string' },
    screenshots: { type: 'string', default: screenshotsDir },
    keep: { type: 'boolean', default: false },
  },
});

/** Every check of test/e2e/*.e2e.mjs, ordered by the file's `order` (then file name), filtered by --grep. */
async function loadChecks() {
  const files = readdirSync(e2eDir)
    .filter((name) => name.endsWith('.e2e.mjs'))
    .sort();
  const modules = [];
  for (const file of files) {
    const module = await import(pathToFileURL(join(e2eDir, file)).href);
    if (!Array.isArray(module.checks)) throw new Error(`test/e2e/${file} exports no "checks" array`);
    modules.push({ file, order: module.order ?? 100, checks: module.checks, keybindings: module.keybindings });
  }
  modules.sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
  const grep = options.grep ? new RegExp(options.grep) : null;
  const checks = modules
    .flatMap((m) => m.checks.map((check) => ({ ...check, file: m.file })))
    .filter((c) => !grep || grep.test(c.name));
  // A module may export keybindings(runDir) → the person's keybindings.json entries, written before
  // code-server starts (a file written later is not picked up reliably).
  checks.keybindings = (runDir) => modules.flatMap((m) => (m.keybindings ? m.keybindings(runDir) : []));
  return checks;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  const clock = stopwatch();
  const say = (line) => process.stdout.write(`[${clock()}] ${line}\n`);
  const checks = await loadChecks();
  if (checks.length === 0)
    throw Object.assign(new Error(`no e2e check matches${options.grep ? ` --grep ${options.grep}` : ''}`), {
      exitCode: EXIT.failed,
    });

  const host = await ensureHost();
  let vsix = options.vsix;
  if (!vsix) {
    say('packaging the extension (npm run package)');
    vsix = packageExtension();
  }
  say(`extension package ${vsix}`);

  const run = makeRunDir('e2e', { keep: options.keep });
  const server = await startReferenceServer({
    db: join(run.dir, 'server', 'bands.db'),
    logFile: join(run.dir, 'server.log'),
    warn: (line) => say(line),
  });
  if (server) say(`reference server ${server.url} (developer ${server.developer})`);
  else say('no reference server in this build: checks that need figures will fail');
  const workspace = makeWorkspace(run.dir);
  const keybindings = checks.keybindings(run.dir);
  if (keybindings.length > 0) {
    mkdirSync(join(run.dir, 'code-server-vsix', 'user-data', 'User'), { recursive: true });
    writeFileSync(
      join(run.dir, 'code-server-vsix', 'user-data', 'User', 'keybindings.json'),
      JSON.stringify(keybindings, null, 2),
    );
  }
  const workbench = await startInstalledWorkbench(host, join(run.dir, 'code-server-vsix'), {
    vsix,
    endpoint: server ?? undefined,
  });
  say(`code-server ${workbench.codeServer.url} with the packaged extension installed`);

  const browser = await launchBrowser(join(run.dir, 'chrome'));
  const browserConsole = run.logStream('browser-console.log');
  browser.page.on('console', (message) => browserConsole.write(`${message.type()} ${message.text()}\n`));
  browser.page.on('pageerror', (error) => browserConsole.write(`pageerror ${error.stack ?? error.message}\n`));
  await browser.page.goto(workbench.workspaceUrl(workspace));
  const wb = new Workbench(browser.page, options.screenshots);
  await wb.ready();
  say('workbench loaded');

  let passed = 0;
  let failed = 0;
  for (const check of checks) {
    const started = Date.now();
    try {
      const detail = await withTimeout(
        Promise.resolve(check.run(wb, { server, workspace, runDir: run.dir })),
        check.timeoutMs ?? 120_000,
        `check "${check.name}"`,
      );
      passed++;
      process.stdout.write(`ok   ${check.name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}\n`);
    } catch (error) {
      failed++;
      const shot = join(repoRoot, '.vscode-test', `e2e-failure-${check.file.replace(/\.e2e\.mjs$/, '')}.png`);
      await browser.page.screenshot({ path: shot, timeout: 15_000 }).catch(() => {});
      process.stdout.write(`FAIL ${check.name} (${Date.now() - started} ms)\n`);
      // Playwright messages carry ANSI colours and a call log; the first lines say what failed.
      const message = String(error?.message ?? error)
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .filter(Boolean)
        .slice(0, 6);
      process.stdout.write(`       ${message.join('\n       ')}\n       screenshot: ${shot}\n`);
      await wb.dismiss().catch(() => {});
    }
  }
  await browserConsole.close();
  if (failed > 0) {
    const kept = keepLogsOnFailure(run.dir, 'e2e');
    if (kept) process.stdout.write(`logs of this run: ${kept}\n`);
  } else {
    say(`screenshots in ${options.screenshots}`);
  }
  say(`finished in ${clock()}; stopping everything this run started`);
  await runCleanups();
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT.failed : EXIT.passed;
}

exitCleanlyOnSignals(130);
main().then(
  (code) => process.exit(code),
  async (error) => {
    if (wasSignalled()) return; // the signal handler is stopping everything and exits
    process.stderr.write(`e2e harness error: ${error?.message ?? error}\n`);
    await runCleanups();
    process.exit(error?.exitCode ?? EXIT.harness);
  },
);
