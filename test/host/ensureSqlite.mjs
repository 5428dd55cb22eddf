// Makes sure the reference server has a SQLite binding on this Node. Node 22.13 and later have the
// built-in node:sqlite: nothing to do. On older Node (20 here) the server falls back to better-sqlite3,
// whose install script (a prebuilt download, else ~90 s of compiling) `npm ci` skips on purpose
// (package.json allowScripts: "better-sqlite3": false), so that where the built-in exists nothing is
// compiled. This runs that script once, here, only where it is needed. Called by ensureHost() (npm test,
// npm run demo, .ci/run) and by `npm run test:unit`; `node test/host/ensureSqlite.mjs` on its own.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.mjs';

const require = createRequire(join(repoRoot, 'package.json'));

function log(line) {
  process.stdout.write(`[sqlite] ${line}\n`);
}

export function hasNodeSqlite() {
  try {
    require('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

/** '' when better-sqlite3 opens a database on this Node, else why not. */
function betterSqliteProblem() {
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return '';
  } catch (error) {
    return String(error.message).split('\n')[0];
  }
}

function runInstallScript(dir) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // better-sqlite3's own install script ("prebuild-install || node-gyp rebuild --release"): npm puts
    // its bundled node-gyp and the tree's .bin folders on PATH. Output is kept for an error only.
    const child = spawn('npm', ['run', 'install', '--no-update-notifier'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(
      () => log(`  still building better-sqlite3 (${Math.round((Date.now() - started) / 1000)} s)`),
      15_000,
    );
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`could not start npm (${error.message}); make sure npm is on PATH`));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve(Date.now() - started);
      else
        reject(
          new Error(
            `building better-sqlite3 failed (npm exit ${code}). Last lines:\n${output.split('\n').slice(-25).join('\n')}\n` +
              `It needs a C++ compiler, make and python3 (Debian: build-essential python3), or network to download a prebuilt binary. ` +
              `Fix that and run: node test/host/ensureSqlite.mjs — or use Node 22.13 or later, which has node:sqlite built in.`,
          ),
        );
    });
  });
}

/** Resolves when this Node has a SQLite binding for the reference server (building better-sqlite3 if it must). */
export async function ensureSqlite() {
  if (hasNodeSqlite()) return 'node:sqlite';
  const problem = betterSqliteProblem();
  if (problem === '') return 'better-sqlite3';
  let dir;
  try {
    dir = dirname(require.resolve('better-sqlite3/package.json'));
  } catch {
    throw new Error(`better-sqlite3 is not installed in ${repoRoot}: run npm ci first`);
  }
  log(
    `Node ${process.version} has no built-in node:sqlite (22.13 and later have it), so the reference server uses better-sqlite3, ` +
      `whose native module npm ci does not build (${problem}). Building it once now: a prebuilt download, or about 90 s of compiling on 2 cores.`,
  );
  const took = await runInstallScript(dir);
  const after = betterSqliteProblem();
  if (after !== '') throw new Error(`better-sqlite3 was built but still does not load: ${after}`);
  log(`better-sqlite3 built in ${(took / 1000).toFixed(1)} s`);
  return 'better-sqlite3';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureSqlite().then(
    (binding) => log(`the reference server uses ${binding} on Node ${process.version}`),
    (error) => {
      process.stderr.write(`[sqlite] ${error.message}\n`);
      process.exit(3);
    },
  );
}
