// The "Spend Band" view container in the activity bar and the rows of its tree.
import * as assert from 'node:assert/strict';

export const order = 30;

export const checks = [
  {
    name: 'the Spend Band view container lists the bands from the reference server',
    timeoutMs: 120_000,
    async run(wb) {
      await wb.openViewContainer(/Spend Band/);
      const title = await wb.sideBarTitle();
      assert.match(title, /spend band/i, `the side bar title is "${title}"`);
      const rows = await wb.waitFor(async () => {
        const texts = (await wb.sideBarRows()).filter(Boolean);
        // A band row carries an amount or a percentage; welcome text and "loading" do not.
        return texts.some((t) => /\d/.test(t)) ? texts : false;
      }, 'a tree row with an amount in the Spend Band side bar', 60_000);
      await wb.screenshot('sidebar');
      return `${rows.length} rows: ${rows.slice(0, 4).join(' | ')}`;
    },
  },
];
