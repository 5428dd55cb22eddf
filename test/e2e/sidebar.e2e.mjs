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
      const rows = await wb.waitFor(
        async () => {
          const texts = (await wb.sideBarRows()).filter(Boolean);
          // A band row shows used / allocated ("Light assist $16 / $40 · 40%"); welcome text and "loading" do not.
          return texts.some((t) => /\$[\d.,]+ ?\/ ?\$[\d.,]+/.test(t)) ? texts : false;
        },
        'a band row (used / allocated) in the Spend Band side bar',
        60_000,
      );
      const sections = await wb.sideBarSections();
      assert.ok(
        sections.some((t) => /bands/i.test(t)),
        `the Spend Band container has no Bands view; its views: ${JSON.stringify(sections)}`,
      );
      await wb.settled();
      await wb.widenSideBar(540);
      await wb.screenshot('sidebar');
      return `views ${sections.join(', ')}; ${rows.length} rows, e.g. ${rows
        .filter((t) => /\$/.test(t))
        .slice(0, 3)
        .join(' | ')}`;
    },
  },
];
