// The status bar: the workflow class item and the gauge of its band, loaded from the reference server.
import * as assert from 'node:assert/strict';

export const order = 20;

const GAUGE = 'spendBand.gauge';
const WORKFLOW = 'spendBand.workflow';

export const checks = [
  {
    name: 'the status bar shows the workflow class and the gauge of its band',
    timeoutMs: 120_000,
    async run(wb) {
      let gauge;
      try {
        // Loading, "set up" and error states carry no figures; a gauge shows an amount or a percentage.
        gauge = await wb.waitFor(
          async () => {
            const text = await wb.statusText(GAUGE);
            return /\d/.test(text) ? text : false;
          },
          `status-bar item ${GAUGE} to show an amount from the reference server`,
          90_000,
        );
      } catch (error) {
        const tooltip =
          (await wb.statusItem(GAUGE).count()) > 0
            ? await wb.hoverStatusItem(GAUGE).catch(() => '(no tooltip)')
            : '(item absent)';
        throw new Error(`${error.message}; its tooltip says: ${tooltip}`);
      }
      const workflow = await wb.statusText(WORKFLOW);
      assert.ok(workflow.length > 0, `status-bar item ${WORKFLOW} is missing or empty`);
      await wb.settled();
      const tooltip = await wb.hoverStatusItem(GAUGE);
      assert.match(tooltip, /Spend Band/, 'the gauge tooltip does not say Spend Band');
      await wb.screenshot('statusbar');
      await wb.dismiss();
      return `gauge "${gauge}", class "${workflow}"`;
    },
  },
];
