// Starts code-server (VS Code 1.139.1 with a Node 24 extension host) on loopback with throw-away
// user data, extensions, config and HOME, so nothing of the person's own VS Code or agent logs leaks in.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGroup } from './processes.mjs';

/** Settings that keep the workbench quiet and offline (no welcome page, no update or gallery checks). */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

/** The folders of one code-server instance under `root` (all created). */
export function codeServerDirs(root) {
  const dirs = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    agent: join(root, 'agent'),
    home: join(root, 'home'),
    xdgData: join(root, 'xdg-data'),
    xdgConfig: join(root, 'xdg-config'),
    xdgCache: join(root, 'xdg-cache'),
    config: join(root, 'config.yaml'),
    log: join(root, 'code-server.log'),
  };
  for (const key of ['userData', 'extensions', 'agent', 'home', 'xdgData', 'xdgConfig', 'xdgCache']) {
    mkdirSync(dirs[key], { recursive: true });
  }
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  return dirs;
}

/**
 * The environment code-server (and so the extension host) runs with: the caller's, minus anything of
 * Spend Band's or the agents' that would make a test depend on this machine, plus `extra`.
 */
export function codeServerEnv(dirs, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(SPEND_BAND_|CLAUDE_|CODEX_|VSCODE_|ELECTRON_)/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: dirs.home,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_CACHE_HOME: dirs.xdgCache,
    VSCODE_AGENT_FOLDER: dirs.agent,
    ...extra,
  };
}

/** Writes <user-data>/User/settings.json: the quiet defaults plus `settings`. */
export function writeUserSettings(dirs, settings = {}) {
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2) + '\n',
  );
}

/** `code-server --install-extension VSIX` into dirs.extensions (offline; about a second). */
export function installExtension(host, dirs, vsix) {
  const result = spawnSync(
    host.nodeBin,
    [
      host.entryJs,
      '--extensions-dir',
      dirs.extensions,
      '--user-data-dir',
      dirs.userData,
      '--config',
      dirs.config,
      '--install-extension',
      vsix,
      '--force',
    ],
    {
      env: codeServerEnv(dirs),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `code-server --install-extension ${vsix} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return `${result.stdout}${result.stderr}`.trim();
}

/**
 * Starts code-server on 127.0.0.1 (port 0: the kernel picks one) and waits for /healthz.
 * smokeTestDriver: needed for the ?payload= test route (it also suppresses notification toasts).
 * Resolves to { url, port, pid, stop(), exited }.
 */
export async function startCodeServer(
  host,
  dirs,
  { smokeTestDriver, env = {}, timeoutMs = 60_000, bindHost = '127.0.0.1', port = 0 },
) {
  writeFileSync(dirs.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const args = [
    host.entryJs,
    '--bind-addr',
    `${bindHost}:${port}`,
    '--auth',
    'none',
    '--config',
    dirs.config,
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--log',
    'info',
  ];
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  let resolveUrl;
  const listening = new Promise((resolve) => (resolveUrl = resolve));
  const server = startGroup(host.nodeBin, args, {
    env: codeServerEnv(dirs, env),
    logFile: dirs.log,
    onLine(line) {
      // "[...] HTTP server listening on http://127.0.0.1:43567/"
      const match = /HTTP server listening on (http:\/\/[^\s]+?)\/?\s*$/.exec(line);
      if (match) resolveUrl(match[1]);
    },
  });
  let timer;
  const outcome = await Promise.race([
    listening.then((url) => ({ url })),
    server.exited.then((exit) => ({ exit })),
    new Promise((resolve) => (timer = setTimeout(() => resolve({ timeout: true }), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!outcome.url) {
    await server.stop();
    const why = outcome.timeout
      ? `did not report a listening address within ${timeoutMs / 1000} s`
      : `exited (code ${outcome.exit.code ?? outcome.exit.signal})`;
    throw new Error(`code-server ${why}; see ${dirs.log}`);
  }
  const url = outcome.url.replace('://0.0.0.0:', '://127.0.0.1:');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // Not accepting connections yet.
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server at ${url} never answered /healthz; see ${dirs.log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, port: Number(new URL(url).port), pid: server.pid, stop: server.stop, exited: server.exited };
}

/** The workbench URL for a folder, with an optional test payload ([key, value] string pairs). */
export function workbenchUrl(baseUrl, folder, payload) {
  const params = new URLSearchParams({ folder });
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${baseUrl}/?${params.toString()}`;
}
