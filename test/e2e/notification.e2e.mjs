// The extension tells the person when a band crosses a threshold: the demo data has bands past their
// warning threshold, so a "Spend Band: …" notification appears after the first refresh.
import * as assert from 'node:assert/strict';

export const order = 10;

export const checks = [
  {
    name: 'a threshold notification appears as a toast',
    timeoutMs: 120_000,
    async run(wb) {
      const toasts = await wb.waitFor(
        async () => {
          const messages = (await wb.toastMessages()).filter((m) => m.startsWith('Spend Band:'));
          return messages.length > 0 ? messages : false;
        },
        'a notification toast starting with "Spend Band:" (the demo data should cross a threshold)',
        90_000,
      );
      assert.match(toasts[0], /\d/, 'the notification names no amount');
      await wb.screenshot('notification');
      // Move the toasts into the notification centre so later screenshots show the UI, not toasts.
      const inCentre = await wb.notificationCentreMessages();
      assert.ok(
        inCentre.some((m) => m.startsWith('Spend Band:')),
        `the notification centre has no Spend Band message: ${JSON.stringify(inCentre)}`,
      );
      await wb.closeNotificationCentre();
      return toasts[0];
    },
  },
];
