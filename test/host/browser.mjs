// Debian's Chromium driven by playwright-core (no browser download: this machine has no internet).
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH } from './ensureHost.mjs';
import { onCleanup } from './processes.mjs';

/**
 * Launches headless Chromium with a fresh profile in `profileDir` and returns { context, page, close() }.
 * The background-networking flags matter here: without them Chromium keeps dialing out of a closed network.
 */
export async function launchBrowser(profileDir, { viewport = { width: 1400, height: 850 }, headless = true } = {}) {
  mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless,
    viewport,
    // Playwright's own signal handlers would exit the process before our cleanups stop code-server and
    // the reference server; runCleanups() closes the browser instead.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  let closed = null;
  const close = () => (closed ??= context.close().catch(() => {}));
  onCleanup(close);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close };
}
