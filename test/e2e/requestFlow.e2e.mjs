// Requesting a band increase as a person would: the multi-step input from the command palette, then
// the admin approves on the reference server and the view shows the approved request.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { distCli } from '../host/paths.mjs';

export const order = 60;

function admin(server, ...args) {
  return execFileSync(process.execPath, [distCli, 'admin', ...args, '--db', server.db], { encoding: 'utf8' });
}

/** Waits until the quick input shows step `n` of `total` (its title bar reads "… n/total"). */
async function step(wb, n, total = 7) {
  const widget = wb.page.locator('.quick-input-widget');
  await wb.waitFor(
    async () => {
      if (!(await widget.isVisible())) return false;
      const title = await widget
        .locator('.quick-input-titlebar')
        .innerText()
        .catch(() => '');
      return title.includes(`${n}/${total}`);
    },
    `step ${n}/${total} of the request flow`,
    20_000,
    100,
  );
  await wb.page.waitForTimeout(150);
}

async function answer(wb, text) {
  const input = wb.page.locator('.quick-input-widget input');
  if (text !== undefined) await input.fill(text);
  await wb.page.keyboard.press('Enter');
}

export const checks = [
  {
    name: 'a band increase is requested through the multi-step input and its approval shows in the view',
    timeoutMs: 240_000,
    async run(wb, { server }) {
      assert.ok(server, 'this check needs the reference server');
      await wb.waitFor(async () => /\d/.test(await wb.statusText('spendBand.gauge')), 'the gauge with figures', 90_000);
      const justification = `Payment migration: long agent sessions this week (e2e ${Date.now()}).`;
      await wb.runCommand('Spend Band: Request Band Increase…');
      await step(wb, 1);
      await answer(wb, 'Deep coding');
      await step(wb, 2);
      await answer(wb);
      await step(wb, 3);
      await answer(wb, '40');
      await step(wb, 4);
      await answer(wb);
      await step(wb, 5);
      await answer(wb);
      await step(wb, 6);
      await answer(wb, 'PR review turnaround (h)');
      await step(wb, 6);
      await answer(wb, '30; 12; ');
      await step(wb, 7);
      await wb.page.locator('.quick-input-widget input').fill(justification);
      await wb.page.waitForTimeout(300);
      await answer(wb);
      await wb.waitFor(
        async () =>
          /confirm/.test(
            await wb.page
              .locator('.quick-input-widget .quick-input-titlebar')
              .innerText()
              .catch(() => ''),
          ),
        'the confirm step',
        20_000,
      );
      await wb.page.waitForTimeout(300);
      await wb.screenshot('request-flow');
      await answer(wb);

      const filed = await wb.waitFor(
        () => {
          const list = JSON.parse(
            admin(server, 'request', 'list', '--developer', server.developer ?? 'demo', '--json'),
          );
          return (list.data ?? list).find((r) => r.justification === justification) ?? false;
        },
        'the request on the server',
        30_000,
        500,
      );
      assert.equal(filed.status, 'pending');
      admin(server, 'request', 'approve', filed.id, '--note', 'Approved for the payment migration', '--by', 'Lee Lead');
      await wb.runCommand('Spend Band: Refresh');
      await wb.openViewContainer('Spend Band');
      await wb.widenSideBar();
      const row = await wb.waitFor(
        async () => {
          const rows = await wb.sideBarRows();
          return rows.find((r) => /approved/.test(r) && /Approved for the payment migration/.test(r)) ?? false;
        },
        'the approved request in the Requests view',
        60_000,
        1000,
      );
      await wb.settled();
      await wb.screenshot('request-approved');
      await wb.dismiss();
      return `request ${filed.id}: ${row}`;
    },
  },
];
