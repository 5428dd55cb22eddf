// What the person sees, for integration tests running inside the extension host: the host driver
// (runIntegration.mjs) holds the Playwright page of the workbench, so it serves a few questions about
// that page's DOM over HTTP on 127.0.0.1, and the tests ask them (test/integration/support/workbenchUi.ts).
// Every answer is read from the rendered DOM (notification centre, hovers, dialogs, the xterm buffer),
// never from the extension, so a test that uses it holds for any build of the extension.
//
// POST /<action> with a JSON body → 200 JSON answer, or 500 { error }. Actions: notifications,
// hoverRow { text }, terminals. (No modal dialogs: VS Code refuses them while extension tests run;
// test/e2e/securityCommands.e2e.mjs reads those.)
import { createServer } from 'node:http';
import { Workbench } from '../e2e/workbench.mjs';
import { onCleanup } from './processes.mjs';

const HOVER = '.monaco-hover, .workbench-hover';

/** Links, images and text of the elements `selector` matches (in page context). */
function describeIn(page, selector) {
  return page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => ({
      text: element.innerText,
      textContent: element.textContent ?? '',
      anchors: [...element.querySelectorAll('a')].map((a) => ({
        text: a.textContent ?? '',
        href: a.getAttribute('href'),
        dataHref: a.getAttribute('data-href'),
      })),
      images: [...element.querySelectorAll('img')].map((img) => img.getAttribute('src') ?? ''),
    })),
  );
}

/**
 * Tree lists render only the rows in view: scrolls the side bar's lists (down, then from the top again)
 * until `row` is rendered.
 */
async function scrollUntilShown(page, row, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const lists = page.locator('#workbench\\.parts\\.sidebar .monaco-list');
  for (let step = 0; ; step++) {
    if (await row.isVisible().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`no tree row matching ${row} after ${timeoutMs / 1000} s`);
    const count = await lists.count();
    for (let i = 0; i < count; i++) {
      const box = await lists.nth(i).boundingBox();
      if (!box || box.height < 10) continue;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, step % 12 === 11 ? -10_000 : 200);
    }
    await page.waitForTimeout(300);
  }
}

/** @param {import('playwright-core').Page} page */
function actions(page) {
  const wb = new Workbench(page, '');
  // one action at a time: they share the mouse, the keyboard and the command palette
  let queue = Promise.resolve();
  const serial = (fn) => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };
  return {
    /** Every message in the notification centre (opened for the read, then closed again). */
    notifications: () =>
      serial(async () => {
        await wb.notificationCentreMessages();
        const items = await describeIn(page, '.notifications-center .notification-list-item-message');
        await wb.closeNotificationCentre().catch(() => {});
        return items;
      }),

    /** Hovers the side-bar tree row whose text contains `text` (opening the Spend Band views) and reads its hover. */
    hoverRow: ({ text, timeoutMs = 30_000 }) =>
      serial(async () => {
        await wb.dismiss();
        await wb.openViewContainer(/Spend Band/);
        await wb.widenSideBar(700);
        const row = page.locator('#workbench\\.parts\\.sidebar .monaco-list-row').filter({ hasText: text }).first();
        await scrollUntilShown(page, row, timeoutMs).catch(async (error) => {
          const rows = await wb.sideBarRows().catch(() => []);
          throw new Error(`${error.message}; rows on screen: ${JSON.stringify(rows)}`);
        });
        await row.scrollIntoViewIfNeeded();
        const rowText = (await row.innerText()).replace(/\s+/g, ' ').trim();
        const hover = page.locator(HOVER).filter({ hasText: /\S/ }).last();
        // The tooltip of a tree item is resolved lazily and shows after the hover delay; move in again if it is slow.
        for (let attempt = 0; ; attempt++) {
          await page.mouse.move(5, 5);
          await row.locator('.label-name, .monaco-icon-label').first().hover();
          const shown = await hover.waitFor({ state: 'visible', timeout: 8_000 }).then(
            () => true,
            () => false,
          );
          if (shown) break;
          if (attempt >= 3) throw new Error(`no hover appeared over the row "${rowText}"`);
        }
        const [described] = await describeIn(page, `${HOVER} >> nth=-1`).catch(() => [undefined]);
        const html = await hover.innerHTML();
        await wb.dismiss();
        return { row: rowText, ...(described ?? { text: await hover.innerText(), anchors: [], images: [] }), html };
      }),

    /**
     * Every terminal xterm.js has rendered (wrapped rows joined into one line), with the title the
     * terminal tabs show and the page title: what a person reads in the Terminal panel.
     */
    terminals: () =>
      serial(async () => {
        const buffers = await page.evaluate(() =>
          [...document.querySelectorAll('.terminal-wrapper')]
            .map((element) => element.xterm)
            .filter(Boolean)
            .map((xterm) => {
              const buffer = xterm.buffer.active;
              const lines = [];
              for (let i = 0; i < buffer.length; i++) {
                const line = buffer.getLine(i);
                const text = line.translateToString(true);
                if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
                else lines.push(text);
              }
              while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
              return lines;
            }),
        );
        const titles = (
          await page.locator('.terminal-tabs-entry, .single-terminal-tab, .terminal-tab').allInnerTexts()
        ).map((t) => t.replace(/\s+/g, ' ').trim());
        return { buffers, titles, pageTitle: await page.title() };
      }),
  };
}

/**
 * Starts the bridge for `page` on 127.0.0.1 (a free port) and returns its base URL; it is closed by
 * the driver's cleanups.
 */
export async function startUiBridge(page) {
  const handlers = actions(page);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const name = (req.url ?? '/').slice(1);
      const handler = req.method === 'POST' ? handlers[name] : undefined;
      const reply = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (!handler) return reply(404, { error: `no UI action "${name}" (POST one of ${Object.keys(handlers)})` });
      try {
        reply(200, await handler(body ? JSON.parse(body) : {}));
      } catch (error) {
        // Playwright messages carry ANSI colours and a call log; the first lines say what failed.
        const message = String(error?.message ?? error)
          .replace(/\x1b\[[0-9;]*m/g, '')
          .split(/\n\s*Call log:/)[0];
        reply(500, { error: message });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${server.address().port}`;
}
