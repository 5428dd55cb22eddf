// The team review's static HTML page in a real browser (Debian's Chromium through playwright-core),
// served by the reference server over the demo team: what a budget owner sees — the totals, the two
// SVG charts, the outliers and the drifting class marked — in the light and dark schemes and as
// printed, with no request leaving for anything but the page itself. Screenshots go to
// out/test/screens/ (look at them; CI keeps them as artifacts).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { admin, startHarness, type Harness } from './serverHarness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENS = resolve(__dirname, '../../screens');

describe('reference server: the team review page in Chromium', function () {
  this.timeout(120_000);
  let h: Harness;
  let browser: Browser;
  let token: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    h = await startHarness({ demoTeam: true, nowMs: Date.parse('2026-12-03T10:00:00Z') });
    token = (await admin(h.dbPath, ['token', 'issue', '--developer', 'demo', '--scopes', 'team:review'])).stdout.trim();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    mkdirSync(SCREENS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows the review with its charts, outliers and drift, loads nothing else, and prints', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        colorScheme: scheme,
        viewport: { width: 1200, height: 900 },
        extraHTTPHeaders: { authorization: `Bearer ${token}` },
      });
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const response = await page.goto(`${h.url}/v1/team/review.html?period=month`);
      assert.equal(response?.status(), 200);
      assert.deepEqual(
        requested,
        [`${h.url}/v1/team/review.html?period=month`],
        'no other request: no CDN, no script, no font',
      );
      assert.match(await page.title(), /^Team review: default, month 2026-11-01 – 2026-11-30$/);
      assert.equal(await page.locator('svg.sb-bars').count(), 2);
      const outliers = await page.locator('h2:has-text("Outliers") + p + table tbody tr').allInnerTexts();
      assert.equal(outliers.length, 2, outliers.join('\n'));
      assert.match(outliers.join('\n'), /Omar Haddad[\s\S]*deep_coding/);
      assert.match(outliers.join('\n'), /Zoe Martin[\s\S]*research/);
      assert.match(await page.locator('body').innerText(), /background_automation[^\n]*\n?[^\n]*drifting/);
      assert.match(
        await page.locator('h2:has-text("Idle") + p + table').innerText(),
        /Ivan Petrov[\s\S]*idle[\s\S]*Rosa Silva[\s\S]*barely used/,
      );
      const background = await page
        .locator('body')
        .evaluate(
          (body) =>
            (
              body.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
            ).getComputedStyle(body).backgroundColor,
        );
      assert.equal(background, scheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
      await page.screenshot({ path: join(SCREENS, `team-review-${scheme}.png`), fullPage: true });
      if (scheme === 'light') {
        await page.emulateMedia({ media: 'print' });
        const pdf = await page.pdf({ format: 'A4' });
        assert.ok(pdf.length > 10_000, 'a printable page');
        await page.screenshot({ path: join(SCREENS, 'team-review-print.png'), fullPage: false });
      }
      await context.close();
    }
  });
});
