// Installs the VS Code host the integration, e2e and demo drivers run in: code-server (a real VS Code
// with a Node extension host) and the Node 24 it needs, into .vscode-test/code-server/ on first use,
// like @vscode/test-electron's .vscode-test. Not a devDependency on purpose: code-server's postinstall
// refuses Node 20 without FORCE_NODE_VERSION and compiles native modules for minutes, and `npm ci`
// must stay fast and must pass on Node 20.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureSqlite } from './ensureSqlite.mjs';
import { repoRoot } from './paths.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const HOST_NODE_VERSION = '24.21.0';
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Debian packages: Chromium to drive the workbench, what node-gyp needs for code-server's native modules, tinyproxy and openssl for the client's proxy and TLS unit tests, and clang and lld to check claudeLine.wasm against its source. */
export const APT_PACKAGES = [
  'chromium',
  'build-essential',
  'python3',
  'pkg-config',
  'libkrb5-dev',
  'tinyproxy',
  'openssl',
  'clang',
  'lld',
];

export const hostDir = join(repoRoot, '.vscode-test', 'code-server');
const markerFile = join(hostDir, 'install-complete.json');
const lockDir = join(repoRoot, '.vscode-test', 'code-server.installing');
const installLog = join(repoRoot, '.vscode-test', 'code-server-install.log');

/** What a finished install provides. Paths are absolute. */
function hostPaths() {
  return {
    hostDir,
    nodeBin: join(hostDir, 'node_modules', '.bin', 'node'),
    entryJs: join(hostDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromiumPath: CHROMIUM_PATH,
  };
}

function log(line) {
  process.stdout.write(`[host] ${line}\n`);
}

function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function missingAptPackages() {
  return APT_PACKAGES.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

function ensureAptPackages() {
  // Machines without dpkg (not Debian) must bring these themselves; say so instead of guessing.
  if (spawnSync('dpkg-query', ['--version']).error) {
    log(
      `dpkg-query not found: make sure these are installed yourself: ${APT_PACKAGES.join(' ')} (Chromium at ${CHROMIUM_PATH})`,
    );
    return;
  }
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(', ')}. Install them as root, then run this again:\n  sudo sh -c '${command}'`,
    );
  }
  log(`installing missing Debian packages: ${command}`);
  const started = Date.now();
  for (const args of [['update'], ['install', '-y', ...missing]]) {
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) {
      throw new Error(
        `apt-get ${args.join(' ')} failed (exit ${result.status}); fix the apt error above and run: ${command}`,
      );
    }
  }
  log(`Debian packages installed in ${formatSeconds(Date.now() - started)}`);
}

function installComplete() {
  try {
    const marker = JSON.parse(readFileSync(markerFile, 'utf8'));
    const paths = hostPaths();
    return (
      marker.codeServer === CODE_SERVER_VERSION &&
      marker.node === HOST_NODE_VERSION &&
      existsSync(paths.entryJs) &&
      existsSync(paths.nodeBin)
    );
  } catch {
    return false;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Serializes installs between drivers started at the same time in one work tree (mkdir is atomic). */
async function withInstallLock(fn) {
  mkdirSync(join(repoRoot, '.vscode-test'), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        // The owner has made the folder but not yet written its pid; give it a moment.
      }
      const age = Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if ((Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) || (!Number.isInteger(owner) && age > 30_000)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        log(`another process (pid ${owner}) is installing the VS Code host; waiting for it`);
        announced = true;
      }
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

const STEP_LINE =
  /^(CXX|CC|SOLINK_MODULE|LINK|ACTION)\(target\)|^added \d+|^> |^npm (warn|error)|^gyp (info|ERR!) (it worked|ok|build)|postinstall/;

function runNpmInstall() {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(installLog);
    const started = Date.now();
    const args = [
      'install',
      '--prefix',
      hostDir,
      '--no-audit',
      '--no-fund',
      '--foreground-scripts',
      `code-server@${CODE_SERVER_VERSION}`,
      `node@${HOST_NODE_VERSION}`,
    ];
    log(`npm ${args.join(' ')}  (FORCE_NODE_VERSION=20; full output in ${installLog})`);
    // code-server's postinstall reads the Node major from npm's user agent and refuses 20 unless forced;
    // every native module it builds is N-API, so building under 20 and running under 24 is fine.
    const child = spawn('npm', args, {
      cwd: hostDir,
      env: { ...process.env, FORCE_NODE_VERSION: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastLine = '';
    const onData = (chunk) => {
      out.write(chunk);
      // Show a step ("CXX(target) …spdlog…", "added 142 packages"), not compiler-warning debris.
      const steps = chunk
        .toString()
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => STEP_LINE.test(l));
      if (steps.length > 0) lastLine = steps[steps.length - 1];
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const ticker = setInterval(() => {
      log(`  still installing (${formatSeconds(Date.now() - started)}): ${lastLine.slice(0, 100)}`);
    }, 15_000);
    const stopOnSignal = () => child.kill('SIGTERM');
    process.once('SIGINT', stopOnSignal);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`could not start npm (${error.message}); make sure npm is on PATH`));
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      process.removeListener('SIGINT', stopOnSignal);
      out.end();
      if (code === 0) resolve(Date.now() - started);
      else {
        let tail = '';
        try {
          tail = readFileSync(installLog, 'utf8').split('\n').slice(-30).join('\n');
        } catch {
          // No log to show; the message below still says where to look.
        }
        reject(
          new Error(
            `installing code-server failed (npm exit ${code ?? signal}). Last lines of ${installLog}:\n${tail}\n` +
              `Fix the cause (network to the npm registry, Debian packages ${APT_PACKAGES.join(' ')}), then run the command again; ` +
              `a failed install is started over from scratch.`,
          ),
        );
      }
    });
  });
}

/**
 * Makes sure the Debian packages, a SQLite binding for the reference server and the VS Code host are
 * installed, installing what is missing.
 * Returns absolute paths: { hostDir, nodeBin (Node 24), entryJs (code-server's entry), chromiumPath }.
 */
export async function ensureHost() {
  ensureAptPackages();
  // The reference server the drivers start runs on this Node: it needs a SQLite binding (built once
  // on Node < 22.13; see ensureSqlite.mjs).
  await ensureSqlite();
  if (installComplete()) return hostPaths();
  return withInstallLock(async () => {
    // Another driver may have finished while we waited for the lock.
    if (installComplete()) return hostPaths();
    // A half-finished install (no marker) may lack lib/vscode's modules, and npm would not rerun the
    // postinstall for a package it considers present, so start over.
    rmSync(hostDir, { recursive: true, force: true });
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(
      join(hostDir, 'package.json'),
      JSON.stringify(
        {
          name: 'spend-band-vscode-host',
          private: true,
          description:
            'The VS Code host (code-server) for Spend Band integration and e2e tests; installed by test/host/ensureHost.mjs',
          // Approves the install scripts these packages need, so a stricter npm does not refuse them.
          allowScripts: { 'code-server': true, node: true, argon2: true },
        },
        null,
        2,
      ) + '\n',
    );
    log(
      `installing the VS Code host (code-server ${CODE_SERVER_VERSION} = VS Code ${CODE_SERVER_VERSION.replace(/^4\./, '1.')}, Node ${HOST_NODE_VERSION}) into ${hostDir}`,
    );
    log('first use only: this takes about 2-3 minutes on 2 cores (native modules are compiled)');
    const took = await runNpmInstall();
    const paths = hostPaths();
    for (const file of [paths.entryJs, paths.nodeBin]) {
      if (!existsSync(file))
        throw new Error(
          `npm finished but ${file} is missing; delete ${hostDir} and run again, and check ${installLog}`,
        );
    }
    const version = spawnSync(paths.nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version !== `v${HOST_NODE_VERSION}`) {
      throw new Error(
        `${paths.nodeBin} reports ${version || 'nothing'}, expected v${HOST_NODE_VERSION}; delete ${hostDir} and run again`,
      );
    }
    // Written last: its presence means the install finished.
    writeFileSync(
      markerFile,
      JSON.stringify(
        { codeServer: CODE_SERVER_VERSION, node: HOST_NODE_VERSION, installedMs: took, at: new Date().toISOString() },
        null,
        2,
      ) + '\n',
    );
    log(`VS Code host installed in ${formatSeconds(took)}`);
    return paths;
  });
}

// `node test/host/ensureHost.mjs` installs the host on its own (used by .ci/run to time it separately).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureHost().then(
    (paths) => log(`ready: ${paths.entryJs}`),
    (error) => {
      process.stderr.write(`[host] ${error.message}\n`);
      process.exit(3);
    },
  );
}
