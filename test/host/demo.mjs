// `npm run demo`: the product in one command. Builds and packages the extension, starts the reference
// server with demo data on loopback (database in .demo/), starts a VS Code (code-server) with the
// packaged extension installed and connected to that server, prints where to open it, and keeps
// running until Ctrl-C; then it stops everything it started. Each run starts from fresh demo data.
//
//   npm run demo [-- --port N] [--no-package]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureHost } from './ensureHost.mjs';
import { VSIX_PATH, packageExtension, startInstalledWorkbench } from './installedWorkbench.mjs';
import { liveUsageLines } from './liveUsageLines.mjs';
import { distCli, repoRoot } from './paths.mjs';
import { runCleanups } from './processes.mjs';
import { startReferenceServer } from './referenceServer.mjs';
import { makeWorkspace } from './runSupport.mjs';

const { values: options } = parseArgs({
  options: {
    // 0: the kernel picks a free port; give one to forward it from another machine (ssh -L).
    port: { type: 'string', default: process.env.SPEND_BAND_DEMO_PORT ?? '0' },
    'no-package': { type: 'boolean', default: false },
  },
});

const demoDir = join(repoRoot, '.demo');
const say = (line) => process.stdout.write(`${line}\n`);

function cli(args) {
  return spawnSync(process.execPath, [distCli, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
}

/** The pending requests in the demo database, to print a ready-to-paste approve command. */
function pendingRequestIds(db) {
  const result = cli(['admin', 'request', 'list', '--status', 'pending', '--json', '--db', db]);
  if (result.status !== 0) return [];
  try {
    const parsed = JSON.parse(result.stdout);
    const list = Array.isArray(parsed) ? parsed : (parsed.data ?? parsed.requests ?? []);
    return list.map((r) => r.id).filter(Boolean);
  } catch {
    return [];
  }
}

async function main() {
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping the demo (VS Code, reference server)…`);
    void runCleanups().then(() => {
      say('stopped. The demo database and logs stay in .demo/ until the next "npm run demo".');
      process.exit(0);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));

  const host = await ensureHost();
  if (!options['no-package']) {
    say('building and packaging the extension (npm run package)…');
    packageExtension();
  } else if (!existsSync(VSIX_PATH)) {
    throw new Error(`${VSIX_PATH} does not exist: run without --no-package`);
  }
  if (!existsSync(distCli)) throw new Error(`${distCli} is missing: run "npm run build"`);

  // Fresh demo data each run: the seed is meant for an empty database.
  rmSync(demoDir, { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });
  const db = join(demoDir, 'bands.db');
  const server = await startReferenceServer({ db, logFile: join(demoDir, 'server.log'), warn: say });
  if (!server) say('the demo runs without a server: the extension will show that it is not set up');

  const workspace = makeWorkspace(demoDir, 'workspace');
  const port = Number(options.port);
  const workbench = await startInstalledWorkbench(host, join(demoDir, 'code-server'), {
    vsix: VSIX_PATH,
    endpoint: server ?? undefined,
    port,
  });
  const url = workbench.workspaceUrl(workspace);
  const dbArg = relative(process.cwd(), db) || db;
  const cliArg = relative(process.cwd(), distCli) || distCli;
  say('');
  say('Spend Band demo is running.');
  say(`  Open VS Code:      ${url}`);
  say(
    `                     (bound to 127.0.0.1; from another machine: ssh -L ${workbench.codeServer.port}:127.0.0.1:${workbench.codeServer.port} <this host>)`,
  );
  if (server) {
    say(`  Reference server:  ${server.url}  (developer "${server.developer}")`);
    // The demo token is a throw-away credential of a throw-away database, printed so a person can
    // try the CLI against the same server; real tokens are never printed.
    say(`  Demo token:        ${server.token}`);
    say(`  CLI status:        SPEND_BAND_TOKEN=${server.token} node ${cliArg} status --endpoint ${server.url}`);
    for (const line of liveUsageLines(server.url, server.token)) say(line);
    const pending = pendingRequestIds(db);
    say(`  Requests:          node ${cliArg} admin request list --db ${dbArg}`);
    say(`  Approve one:       node ${cliArg} admin request approve ${pending[0] ?? '<ID>'} --db ${dbArg}`);
    // The budget owner's side: the demo team of 12 (idle seats, a drifting class, two outliers).
    say(
      `  Team review:       node ${cliArg} admin review --period month --db ${dbArg}   (--format html > review.html for the page)`,
    );
  }
  say(`  Logs:              ${relative(process.cwd(), demoDir) || demoDir}/ (server.log, code-server/code-server.log)`);
  say('Press Ctrl-C to stop.');

  // Stay up until a signal, or until code-server or the server dies on its own.
  const exits = [workbench.codeServer.exited.then((e) => `code-server exited (code ${e.code ?? e.signal})`)];
  if (server) exits.push(server.exited.then((e) => `the reference server exited (code ${e.code ?? e.signal})`));
  const reason = await Promise.race(exits);
  if (!stopping) {
    say(`${reason}; see the logs in ${demoDir}. Stopping the rest.`);
    await runCleanups();
    process.exit(1);
  }
}

main().catch(async (error) => {
  process.stderr.write(`demo: ${error?.message ?? error}\n`);
  await runCleanups();
  process.exit(1);
});
