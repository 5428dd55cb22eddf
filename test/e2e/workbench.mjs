// What a person sees in the VS Code workbench, as Playwright locators and actions (selectors checked on
// VS Code 1.139.1 in code-server). Checks in test/e2e/*.e2e.mjs use this instead of raw selectors, so a
// workbench change is fixed in one place.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** `publisher.name` of the extension: the prefix of its status-bar item DOM ids. */
export const EXTENSION_ID = 'spend-band.spend-band';

export class Workbench {
  /** @param {import('playwright-core').Page} page  @param {string} screenshotsDir */
  constructor(page, screenshotsDir) {
    this.page = page;
    this.screenshotsDir = screenshotsDir;
  }

  /** Waits until the workbench has rendered its status bar (the page is usable). */
  async ready(timeoutMs = 120_000) {
    await this.page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Waits (up to timeoutMs, without failing) until the workbench stops showing "Activating Extensions…", for clean screenshots. */
  async settled(timeoutMs = 15_000) {
    const busy = this.page
      .locator('#workbench\\.parts\\.statusbar .statusbar-item')
      .filter({ hasText: /Activating Extensions/ });
    await busy
      .first()
      .waitFor({ state: 'detached', timeout: timeoutMs })
      .catch(() => {});
  }

  /**
   * Waits (up to timeoutMs, without failing) until no CSS transition or animation runs in the workbench
   * or its webviews' frames (a toast fading in, a quick input sliding down), so a screenshot shows what
   * a person sees once things stop moving. Endless animations (progress bars, spinners) are not waited for.
   */
  async animationsSettled(timeoutMs = 5_000) {
    const running = () =>
      Promise.all(
        this.page
          .frames()
          .map((frame) =>
            frame
              .evaluate(
                () =>
                  document
                    .getAnimations()
                    .filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().endTime !== Infinity)
                    .length,
              )
              .catch(() => 0),
          ),
      ).then((counts) => counts.reduce((a, b) => a + b, 0));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await running()) > 0) await this.page.waitForTimeout(100);
    // one more frame, so the last animation step is painted
    await this.page.waitForTimeout(100);
  }

  /** The status-bar item an extension created with createStatusBarItem(id): DOM id `<publisher>.<name>.<id>`. */
  statusItem(id) {
    return this.page.locator(`[id="${EXTENSION_ID}.${id}"]`);
  }

  /** Visible text of a status-bar item ('' when absent); codicons render as icons, so they do not show here. */
  async statusText(id) {
    const item = this.statusItem(id);
    if ((await item.count()) === 0) return '';
    return (await item.innerText()).replace(/\s+/g, ' ').trim();
  }

  /** Polls fn until it returns a truthy value; fails with "timed out … waiting for <what>" and the last value seen. */
  async waitFor(fn, what, timeoutMs = 60_000, intervalMs = 250) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        last = await fn();
        if (last) return last;
      } catch (error) {
        last = `error: ${error.message.split('\n')[0]}`;
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs / 1000} s waiting for ${what} (last seen: ${JSON.stringify(last)})`,
        );
      await this.page.waitForTimeout(intervalMs);
    }
  }

  /** Hovers a status-bar item and returns the text of its tooltip hover. */
  async hoverStatusItem(id, timeoutMs = 20_000) {
    await this.statusItem(id).hover();
    const hover = this.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /\S/ }).last();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await hover.innerText()).trim();
  }

  /** Moves the mouse away and presses Escape, closing hovers, quick picks and menus. */
  async dismiss() {
    await this.page.mouse.move(700, 400);
    await this.page.keyboard.press('Escape');
  }

  /** Clicks the activity-bar entry whose accessible name matches `name` (a view container). */
  async openViewContainer(name, timeoutMs = 30_000) {
    const tab = this.page.locator('.part.activitybar').getByRole('tab', { name });
    await tab
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs })
      .catch(async () => {
        const names = await this.page
          .locator('.part.activitybar [role="tab"]')
          .evaluateAll((tabs) =>
            tabs.map(
              (t) =>
                t.getAttribute('aria-label') ||
                t.querySelector('[aria-label]')?.getAttribute('aria-label') ||
                t.textContent?.trim() ||
                '?',
            ),
          );
        throw new Error(
          `no activity-bar entry named ${name} after ${timeoutMs / 1000} s (is the view container contributed?); entries: ${JSON.stringify(names)}`,
        );
      });
    // A click on the already open container would close the side bar.
    if ((await tab.first().getAttribute('aria-selected')) !== 'true') await tab.first().click();
    await this.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Drags the side bar's edge so it is `width` px wide (long tree rows are cut off at the default width). */
  async widenSideBar(width = 520) {
    const box = await this.page.locator('#workbench\\.parts\\.sidebar').boundingBox();
    if (!box || box.width >= width) return;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width + 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 12 });
    await this.page.mouse.up();
    // Away from the sash, so its hover highlight fades before a screenshot.
    await this.page.mouse.move(box.x + width + 300, y);
    await this.page.waitForTimeout(600);
  }

  /** The side bar's title ("SPEND BAND: BANDS"…) as shown. */
  async sideBarTitle() {
    return (await this.page.locator('#workbench\\.parts\\.sidebar .composite.title').innerText())
      .replace(/\s+/g, ' ')
      .trim();
  }

  /** Text of every visible tree/list row in the side bar, top to bottom. */
  async sideBarRows() {
    return (await this.page.locator('#workbench\\.parts\\.sidebar .monaco-list-row').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
  }

  /** The titles of the views (sections) in the open side bar container. */
  async sideBarSections() {
    return (await this.page.locator('#workbench\\.parts\\.sidebar .pane-header h3.title').allInnerTexts()).map((t) =>
      t.trim(),
    );
  }

  /** Opens the command palette and runs the command whose label is exactly `label` ("Spend Band: Refresh"). */
  async runCommand(label, timeoutMs = 30_000) {
    await this.dismiss();
    await this.page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } });
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(`>${label}`);
    // The row whose label is exactly `label` (not "… Requests", not "similar commands").
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    const row = rows
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs }).catch(async () => {
      const offered = (await rows.allInnerTexts()).map((t) => t.split('\n')[0]);
      await this.page.keyboard.press('Escape');
      throw new Error(
        `the command palette offers no command "${label}" after ${timeoutMs / 1000} s (is it contributed?); it offers: ${JSON.stringify(offered)}`,
      );
    });
    await row.click();
    await this.page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: timeoutMs })
      .catch(() => {});
  }

  /** Messages of the notification toasts on screen (bottom right). */
  async toastMessages() {
    return (await this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).map((t) =>
      t.trim(),
    );
  }

  /** Messages in the notification centre (opened by this call; toasts move there when they hide). */
  async notificationCentreMessages() {
    const centre = this.page.locator('.notifications-center');
    if (!(await centre.isVisible())) await this.runCommand('Notifications: Show Notifications');
    await centre.waitFor({ state: 'visible', timeout: 15_000 });
    return (await centre.locator('.notification-list-item-message').allInnerTexts()).map((t) => t.trim());
  }

  /** Closes the notification centre if it is open. */
  async closeNotificationCentre() {
    const centre = this.page.locator('.notifications-center');
    if (!(await centre.isVisible())) return;
    // Escape hides it (notifications.hideList has no palette entry); the bell in the status bar toggles it.
    await centre.click({ position: { x: 10, y: 10 } }).catch(() => {});
    await this.page.keyboard.press('Escape');
    if (
      await centre.waitFor({ state: 'hidden', timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    await this.page.locator('[id="status.notifications"]').click();
    await centre.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Saves a screenshot of the whole window as <screenshotsDir>/<name>.png and returns its path. */
  async screenshot(name) {
    mkdirSync(this.screenshotsDir, { recursive: true });
    const path = join(this.screenshotsDir, `${name}.png`);
    await this.settled();
    await this.animationsSettled();
    await this.page.screenshot({ path });
    return path;
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
