// Issue #20 finding 2 as a person meets it: a command that starts a program or re-points the endpoint,
// invoked with arguments from outside the extension's own UI, asks in a modal first and does nothing
// until the person says yes. The arguments come from a keybinding in the person's keybindings.json
// (one of the outside routes, with command links and other extensions). This runs in the e2e driver,
// not in the integration suite: VS Code refuses every modal dialog while extension tests run.
// Against an older build: `node test/host/runE2e.mjs --vsix <old .vsix> --grep "finding 2"`.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const order = 90;

const RUN_KEY = 'ctrl+alt+shift+f7';
const CONNECT_KEY = 'ctrl+alt+shift+f8';
const PRESS = { [RUN_KEY]: 'Control+Alt+Shift+F7', [CONNECT_KEY]: 'Control+Alt+Shift+F8' };

const EVIL_URL = 'http://127.0.0.1:9/evil';

/** Where the run started by the keybinding would leave its mark, and the arguments that write it. */
function runTarget(runDir) {
  const dir = join(runDir, 'outside-run');
  const marker = join(dir, 'ran');
  return { dir, marker, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`] };
}

/** The person's keybindings.json, written before code-server starts (runE2e.mjs). */
export function keybindings(runDir) {
  const { dir, args } = runTarget(runDir);
  mkdirSync(dir, { recursive: true });
  return [
    {
      key: RUN_KEY,
      command: 'spendBand.runWithPreflight',
      args: { command: process.execPath, args, cwd: dir, workflow: 'light_assist', estimate: { usd: 0 } },
    },
    {
      key: CONNECT_KEY,
      command: 'spendBand.connectEndpoint',
      args: { url: EVIL_URL, token: 'evil-token-0123456789', source: 'endpoint' },
    },
  ];
}

function userSettings(runDir) {
  const read = (...parts) => {
    try {
      return readFileSync(join(runDir, 'code-server-vsix', 'user-data', ...parts), 'utf8');
    } catch {
      return '';
    }
  };
  return read('User', 'settings.json') + read('Machine', 'settings.json');
}

async function dialog(wb) {
  const box = wb.page.locator('.monaco-dialog-box');
  if (!(await box.isVisible().catch(() => false))) return null;
  return {
    message: (
      await box
        .locator('.dialog-message-text')
        .innerText()
        .catch(() => '')
    ).trim(),
    detail: (
      await box
        .locator('.dialog-message-detail')
        .innerText()
        .catch(() => '')
    ).trim(),
    buttons: (await box.locator('.dialog-buttons .monaco-button').allInnerTexts()).map((t) => t.trim()),
  };
}

/**
 * Presses `key` until a modal shows or `happened()` says the command acted without one (the workbench may
 * still be settling). Returns { dialog, acted }.
 */
async function pressUntilAsked(wb, key, happened) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await wb.dismiss();
    await wb.page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } });
    await wb.page.keyboard.press(PRESS[key]);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const shown = await dialog(wb);
      if (shown) return { dialog: shown, acted: happened() };
      if (happened()) return { dialog: null, acted: true };
      await wb.page.waitForTimeout(200);
    }
  }
  return { dialog: null, acted: happened() };
}

async function cancel(wb) {
  const box = wb.page.locator('.monaco-dialog-box');
  await box.locator('.dialog-buttons .monaco-button').filter({ hasText: 'Cancel' }).first().click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}

export const checks = [
  {
    name: 'finding 2: runWithPreflight from a keybinding with arguments asks in a modal and runs nothing when cancelled',
    timeoutMs: 120_000,
    async run(wb, { runDir }) {
      await wb.waitFor(async () => /\d/.test(await wb.statusText('spendBand.gauge')), 'the gauge with figures', 90_000);
      const { marker, args } = runTarget(runDir);
      const { dialog: shown, acted } = await pressUntilAsked(wb, RUN_KEY, () => existsSync(marker));
      assert.equal(acted, false, 'the program ran without asking (the marker file was written)');
      assert.ok(shown, 'no modal dialog appeared after the keybinding ran the command');
      await wb.screenshot('security-run-confirm');
      await wb.page.waitForTimeout(1_000);
      assert.equal(existsSync(marker), false, 'the program ran while the modal was open');
      assert.match(shown.message, /start this program/i);
      assert.ok(shown.detail.includes(JSON.stringify(process.execPath)), shown.detail);
      assert.ok(shown.detail.includes(JSON.stringify(args[1])), `the exact arguments: ${shown.detail}`);
      assert.match(shown.detail, /^Arguments: /m, `one item a line in the modal: ${shown.detail}`);
      await cancel(wb);
      await wb.page.waitForTimeout(2_000);
      assert.equal(existsSync(marker), false, 'the program ran after Cancel');
      return `${shown.message} [${shown.buttons.join(' | ')}]`;
    },
  },
  {
    name: 'finding 2: connectEndpoint from a keybinding with a URL and token asks in a modal and changes nothing when cancelled',
    timeoutMs: 120_000,
    async run(wb, { runDir }) {
      const evil = EVIL_URL;
      const before = userSettings(runDir);
      const { dialog: shown, acted } = await pressUntilAsked(wb, CONNECT_KEY, () =>
        userSettings(runDir).includes(evil),
      );
      assert.equal(acted, false, 'the endpoint was re-pointed without asking');
      assert.ok(shown, 'no modal dialog appeared after the keybinding ran the command');
      assert.match(shown.message, /127\.0\.0\.1:9/);
      assert.equal(userSettings(runDir), before, 'a setting changed while the modal was open');
      await cancel(wb);
      await wb.page.waitForTimeout(2_000);
      assert.equal(userSettings(runDir), before, 'a setting changed after Cancel');
      assert.match(
        await wb.statusText('spendBand.gauge'),
        /\d/,
        'the gauge still shows the figures of the test server',
      );
      return shown.message;
    },
  },
];
