// Typed access to the extension's API and helpers to drive its real UI (quick inputs, commands) from
// integration tests, against the reference server the driver started.
import * as vscode from 'vscode';
import type { SpendBandTestHooks } from '../../../src/vscode/services';
import { testHooks } from './extensionApi';
import { testEndpoint } from './testEndpoint';
import { waitFor } from './waitFor';

/** The extension's test hooks (the public API plus what the tests read; ExtensionMode.Test only). */
export async function spendBand(): Promise<SpendBandTestHooks> {
  const api = (await testHooks()) as unknown as SpendBandTestHooks | undefined;
  if (!api || typeof api.whenReady !== 'function')
    throw new Error('the extension gave no test hooks (spendBand.test.hooks): is it running in ExtensionMode.Test?');
  return api;
}

/** Connect the extension to the test's reference server (URL + token through the real command). */
export async function connectToTestServer(
  url = testEndpoint().url,
  token = testEndpoint().token,
): Promise<SpendBandTestHooks> {
  const api = await spendBand();
  // Called with arguments, the command asks first (a modal); in Test mode a queued answer clicks it.
  await vscode.commands.executeCommand('spendBand.connect.test.answer', 'Connect');
  await vscode.commands.executeCommand('spendBand.connectEndpoint', { url, token, source: 'endpoint' });
  await waitFor(
    () => api.snapshot()?.document !== undefined && api.snapshot()?.source === 'endpoint' && !api.snapshot()?.stale,
    60_000,
    'bands from the reference server',
  );
  await api.refresh();
  return api;
}

type Input = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;

function isPick(input: Input): input is vscode.QuickPick<vscode.QuickPickItem> {
  return 'items' in input;
}

/** Wait for the flow to show step `step` (a new widget, enabled), and return it. */
export async function waitForStep(api: SpendBandTestHooks, step: number, previous?: Input): Promise<Input> {
  let found: Input | undefined;
  await waitFor(
    () => {
      const input = api.inspect.quickInput();
      if (input && input !== previous && input.step === step && input.enabled !== false && !input.busy) {
        found = input;
        return true;
      }
      return false;
    },
    20_000,
    `quick input step ${step}`,
  );
  return found!;
}

async function accept(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/** Choose the item whose label matches, in the quick pick on screen, and accept it. */
export async function choose(input: Input, label: RegExp): Promise<void> {
  if (!isPick(input)) throw new Error(`step ${input.step} is an input box, not a pick (wanted ${label})`);
  const item = input.items.find((i) => label.test(i.label));
  if (!item) throw new Error(`no item ${label} in step ${input.step}: ${input.items.map((i) => i.label).join(' | ')}`);
  input.activeItems = [item];
  await accept();
}

/** Type `value` into the input box on screen and accept; returns the validation message shown, if any. */
export async function enter(input: Input, value: string): Promise<string | undefined> {
  if (isPick(input)) throw new Error(`step ${input.step} is a pick, not an input box`);
  input.value = value;
  await accept();
  await new Promise((r) => setTimeout(r, 300));
  const message = input.validationMessage;
  return typeof message === 'string' ? message : message?.message;
}

export async function back(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.quickInputBack');
}
