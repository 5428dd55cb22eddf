// What the person sees in the workbench, asked of the host driver, which holds the Playwright page
// (test/host/uiBridge.mjs). Answers come from the rendered DOM, not from the extension, so the tests
// that use them hold for any build of the extension (an older one included).

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
  terminals: () => ask<Terminals>('terminals'),
};
