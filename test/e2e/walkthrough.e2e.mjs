// The first-run walkthrough of the installed extension, opened as a person would (F1, "Welcome: Open
// Walkthrough...", "Get Started with Spend Band"): its four steps show, and the last step's button
// gives the command line of the CLI inside the extension, which then runs.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

export const order = 15;

const STEPS = ['Choose a source', 'Pick a workflow class', 'Try a guarded run', 'Use the CLI'];

export const checks = [
  {
    name: 'the walkthrough opens from "Welcome: Open Walkthrough..." with its four steps, and its CLI step gives a working command line',
    timeoutMs: 150_000,
    async run(wb) {
      const page = wb.page;
      await wb.runCommand('Welcome: Open Walkthrough...');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('Spend Band');
      const row = page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ hasText: 'Get Started with Spend Band' })
        .first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click();
      const container = page.locator('.gettingStartedContainer');
      await container.getByText('Get Started with Spend Band').first().waitFor({ state: 'visible', timeout: 30_000 });
      for (const title of STEPS)
        await container.getByText(title, { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });

      await container.getByText('Use the CLI', { exact: true }).first().click();
      const button = container.getByRole('button', { name: 'Copy CLI Command Line' });
      await button.waitFor({ state: 'visible', timeout: 15_000 });
      // The step's page (media/walkthrough/cli.md) renders in a webview frame beside the steps.
      await wb.waitFor(
        async () => {
          for (const frame of page.frames()) {
            const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
            if (text.includes('The CLI, for terminals, CI and git hooks')) return true;
          }
          return false;
        },
        "the CLI step's page (media/walkthrough/cli.md) to render",
        30_000,
        500,
      );
      // Threshold notifications of the demo data would cover the page in the screenshot.
      await wb.runCommand('Notifications: Clear All Notifications');
      await page.waitForTimeout(800); // the page and the cleared toasts finish their fade
      await wb.screenshot('walkthrough');
      await button.click();
      const message = await wb.waitFor(
        async () => (await wb.toastMessages()).find((m) => /dist\/cli\.js/.test(m)) ?? false,
        'the message with the CLI command line',
        30_000,
      );
      const line = /"(node '[^']+')"/.exec(message)?.[1];
      assert.ok(line, `the message gives a node command line: ${message}`);
      // The extension runs on this machine (code-server), so the copied line runs here as a person's shell would.
      const help = execFileSync('sh', ['-c', `${line} --help`], { encoding: 'utf8', timeout: 30_000 });
      assert.match(help, /spend-band/, 'the CLI inside the installed extension prints its help');
      await wb.runCommand('View: Close All Editors'); // the checks after this one see the workbench as before
      return `${STEPS.length} steps; ${line}`;
    },
  },
];
