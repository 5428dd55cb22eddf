// A command run from the command palette, as a person would: F1, "Spend Band: Refresh", Enter.
import * as assert from 'node:assert/strict';

export const order = 40;

export const checks = [
  {
    name: '"Spend Band: Refresh" runs from the command palette',
    timeoutMs: 120_000,
    async run(wb) {
      const errorsBefore = (await wb.toastMessages()).filter((m) => /^Spend Band:.*(could not|failed|error)/i.test(m));
      await wb.runCommand('Spend Band: Refresh');
      // After a refresh the gauge shows figures again and its tooltip says the data is fresh.
      const gauge = await wb.waitFor(
        async () => {
          const text = await wb.statusText('spendBand.gauge');
          return /\d/.test(text) ? text : false;
        },
        'the gauge to show an amount after the refresh',
        60_000,
      );
      const tooltip = await wb.waitFor(
        async () => {
          const text = await wb.hoverStatusItem('spendBand.gauge');
          await wb.dismiss();
          return /updated just now/.test(text) ? text : false;
        },
        'the gauge tooltip to say "updated just now"',
        30_000,
        1000,
      );
      const errorsAfter = (await wb.toastMessages()).filter((m) => /^Spend Band:.*(could not|failed|error)/i.test(m));
      assert.deepEqual(errorsAfter, errorsBefore, 'the refresh showed an error notification');
      return `gauge "${gauge}"; ${
        tooltip
          .split('\n')
          .find((l) => /updated/.test(l))
          ?.trim() ?? ''
      }`;
    },
  },
];
