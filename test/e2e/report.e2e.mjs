// The spend report as a person sees it: "Spend Band: Open Report" from the command palette draws one
// chart per band in a webview, in the dark theme and again in a light theme (screenshots report-dark
// and report-light for the README). Runs late (order 90): it switches the colour theme and back.
import * as assert from 'node:assert/strict';

export const order = 90;

/** The report webview's document: VS Code nests it as iframe.webview → iframe#active-frame. */
function reportFrame(wb) {
  return wb.page.locator('iframe.webview').last().contentFrame().locator('iframe#active-frame').contentFrame();
}

async function setTheme(wb, name) {
  await wb.runCommand('Preferences: Color Theme');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(name);
  const row = wb.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await wb.page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 30_000 })
    .catch(() => {});
}

async function waitForCharts(wb, themeClass) {
  const frame = reportFrame(wb);
  return wb.waitFor(
    async () => {
      const bodyClass = (await frame.locator('body').getAttribute('class', { timeout: 2_000 })) ?? '';
      if (!bodyClass.includes(themeClass)) return false;
      const charts = await frame.locator('svg.sb-chart').count();
      const lines = await frame.locator('polyline.sb-spend').count();
      const title = (await frame.locator('h1').innerText({ timeout: 2_000 })).trim();
      return charts > 0 && lines === charts ? { charts, title, bodyClass } : false;
    },
    `the report webview to draw its charts in a ${themeClass} theme`,
    90_000,
    500,
  );
}

export const checks = [
  {
    name: 'the spend report draws a chart per band, in a dark and a light theme',
    timeoutMs: 300_000,
    async run(wb) {
      // the extension has loaded and has bands once the gauge shows an amount
      await wb.waitFor(
        async () => /\d/.test(await wb.statusText('spendBand.gauge')),
        'the Spend Band gauge to show an amount',
        120_000,
      );
      await wb.runCommand('Spend Band: Open Report');
      const first = await waitForCharts(wb, 'vscode-');
      assert.match(first.title, /^Spend report — /);
      const firstIsDark = /vscode-dark/.test(first.bodyClass);
      const stroke = await reportFrame(wb)
        .locator('polyline.sb-spend')
        .first()
        .evaluate((el) => getComputedStyle(el).stroke);
      assert.ok(stroke && stroke !== 'none', `the spend line has no theme colour (stroke ${stroke})`);
      const bandTitles = await reportFrame(wb).locator('article.sb-band h3').allInnerTexts();
      await wb.screenshot(firstIsDark ? 'report-dark' : 'report-light');
      try {
        await setTheme(wb, firstIsDark ? 'Light Modern' : 'Dark Modern');
        const second = await waitForCharts(wb, firstIsDark ? 'vscode-light' : 'vscode-dark');
        const secondStroke = await reportFrame(wb)
          .locator('polyline.sb-spend')
          .first()
          .evaluate((el) => getComputedStyle(el).stroke);
        assert.notEqual(secondStroke, stroke, 'the spend line keeps the first theme’s colour after the theme changed');
        await wb.screenshot(firstIsDark ? 'report-light' : 'report-dark');
        return `${second.charts} charts (${bandTitles.map((t) => t.split('\n')[0]).join(', ')}); screenshots report-dark and report-light`;
      } finally {
        await setTheme(wb, firstIsDark ? 'Dark Modern' : 'Light Modern').catch(() => {});
      }
    },
  },
];
