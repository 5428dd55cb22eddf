// A code-server with the packaged extension installed from its .vsix and connected to an endpoint the
// way a person's would be: the endpoint URL in settings and the token handed over once through a 0600
// file (SPEND_BAND_TOKEN_FILE) that the extension moves into SecretStorage and deletes. No smoke-test
// driver, so notifications show as toasts. Used by the e2e driver and by the demo.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerDirs, installExtension, startCodeServer, workbenchUrl, writeUserSettings } from './codeServer.mjs';
import { repoRoot } from './paths.mjs';

export const VSIX_PATH = join(repoRoot, 'dist', 'spend-band.vsix');

/** `npm run package` (production build + vsce); returns the .vsix path. */
export function packageExtension() {
  const result = spawnSync('npm', ['run', '--silent', 'package'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0 || !existsSync(VSIX_PATH)) {
    throw new Error(
      `"npm run package" failed (exit ${result.status ?? result.signal}); fix the build or vsce error below and run again:\n${result.stdout}\n${result.stderr}`.trimEnd(),
    );
  }
  return VSIX_PATH;
}

/** Writes the one-time token hand-off file, readable by this user only. */
export function writeTokenFile(dir, token) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'token');
  writeFileSync(file, token, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/**
 * Installs `vsix` into a fresh code-server under `root` and starts it. With `endpoint` ({url, token}),
 * configures and hands over the token; without, the extension starts unconnected.
 * Resolves to { codeServer, dirs, workspaceUrl(folder), tokenFile }.
 */
export async function startInstalledWorkbench(
  host,
  root,
  { vsix, endpoint, settings = {}, bindHost = '127.0.0.1', port = 0 },
) {
  const dirs = codeServerDirs(root);
  const installed = installExtension(host, dirs, vsix);
  if (!/successfully installed/i.test(installed)) {
    throw new Error(`code-server did not confirm the install of ${vsix}:\n${installed}`);
  }
  const endpointSettings = endpoint ? { 'spendBand.endpoint.url': endpoint.url } : {};
  writeUserSettings(dirs, { ...endpointSettings, ...settings });
  // The endpoint setting is machine-scoped (a workspace must not redirect the token); in code-server's
  // remote window machine settings come from <user-data>/Machine/settings.json, so write it there too.
  mkdirSync(join(dirs.userData, 'Machine'), { recursive: true });
  writeFileSync(join(dirs.userData, 'Machine', 'settings.json'), JSON.stringify(endpointSettings, null, 2) + '\n');
  const tokenFile = endpoint ? writeTokenFile(join(root, 'handoff'), endpoint.token) : undefined;
  const codeServer = await startCodeServer(host, dirs, {
    smokeTestDriver: false,
    bindHost,
    port,
    env: tokenFile ? { SPEND_BAND_TOKEN_FILE: tokenFile } : {},
  });
  return { codeServer, dirs, tokenFile, workspaceUrl: (folder) => workbenchUrl(codeServer.url, folder) };
}
