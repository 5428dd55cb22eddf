// What the person sees in the workbench, asked of the host driver, which holds the Playwright page
// (test/host/uiBridge.mjs). Answers come from the rendered DOM, not from the extension, so the tests
// that use them hold for any build of the extension (an older one included).
import * as vscode from 'vscode';

/** One rendered element: its text, and the links and images inside it. */
export interface RenderedElement {
  text: string;
  textContent: string;
  anchors: { text: string; href: string | null; dataHref: string | null }[];
  images: string[];
}

export interface Hover extends RenderedElement {
  /** the tree row's text */
  row: string;
  html: string;
}

export interface Dialog {
  message: string;
  detail: string;
  buttons: string[];
}

export interface Terminals {
  /** each terminal's rows as xterm.js rendered them (wrapped rows joined) */
  buffers: string[][];
  /** the titles the terminal tabs show */
  titles: string[];
  pageTitle: string;
}

/** True when the driver serves the workbench's DOM (code-server via runIntegration.mjs). */
export function hasWorkbenchUi(): boolean {
  return Boolean(process.env.SPEND_BAND_TEST_UI);
}

async function ask<T>(action: string, body: object = {}): Promise<T> {
  const base = process.env.SPEND_BAND_TEST_UI;
  if (!base) throw new Error('no workbench UI bridge (SPEND_BAND_TEST_UI): run the suite through runIntegration.mjs');
  const response = await fetch(`${base}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`workbench UI "${action}": ${answer.error ?? response.status}`);
  return answer;
}

export const workbenchUi = {
  /** Every message in the notification centre. */
  notifications: () => ask<RenderedElement[]>('notifications'),
  /** Hovers the Spend Band tree row whose text contains `text` and returns its tooltip as rendered. */
  hoverRow: (text: string) => ask<Hover>('hoverRow', { text }),
  /** The modal dialog on screen, or null. */
  dialog: () => ask<Dialog | null>('dialog'),
  clickDialog: (button: string) => ask<boolean>('clickDialog', { button }),
  terminals: () => ask<Terminals>('terminals'),
};

/**
 * Runs a command and, if a modal dialog appears before it settles, hands it to `onDialog` (which
 * clicks a button). Resolves with the command's result and the dialogs seen.
 */
export async function runCommandThroughDialogs<T>(
  command: string,
  args: unknown,
  onDialog: (dialog: Dialog) => Promise<void>,
): Promise<{ result: T; dialogs: Dialog[] }> {
  const dialogs: Dialog[] = [];
  let settled = false;
  const running = Promise.resolve(vscode.commands.executeCommand<T>(command, args)).finally(() => (settled = true));
  running.catch(() => {});
  while (!settled) {
    const dialog = await workbenchUi.dialog();
    if (dialog) {
      dialogs.push(dialog);
      await onDialog(dialog);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { result: await running, dialogs };
}
