// Connecting a source, through the real quick input and the real command, against the reference server:
// Back on every step keeps the answers, a token the server refuses is shown and never stored, and a
// command called with arguments (as a link could) changes nothing until the person confirms a modal
// that says what will happen.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ShownConfirm } from '../../src/vscode/connectCommands';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { back, choose, connectToTestServer, enter, waitForStep } from './support/spendBand';
import { testEndpoint } from './support/testEndpoint';
import { waitFor } from './support/waitFor';

const ANSWER = 'spendBand.connect.test.answer';
const SHOWN = 'spendBand.connect.test.shown';

function endpointUrl(): string {
  return vscode.workspace.getConfiguration('spendBand').get<string>('endpoint.url') ?? '';
}

/** The same reference server under another origin, so a token stored (or not) for it is told apart. */
function otherOrigin(url: string): string {
  const u = new URL(url);
  u.hostname = 'localhost';
  return u.toString().replace(/\/+$/, '');
}

/** Type into the token box and accept; waits for the server's answer (the box busy, then a message or gone). */
async function enterChecked(
  api: SpendBandTestHooks,
  input: vscode.InputBox,
  value: string,
): Promise<string | undefined> {
  input.value = value;
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  let message: string | undefined;
  await waitFor(
    () => {
      if (input.busy) return false;
      const shown = input.validationMessage;
      message = typeof shown === 'string' ? shown : shown?.message;
      return message !== undefined || api.inspect.quickInput() !== input;
    },
    30_000,
    'the token check to finish',
  );
  return message;
}

/** Points the URL setting at `url` for `action`, then puts it back. */
async function withUrl<T>(url: string, action: () => Promise<T>): Promise<T> {
  const before = endpointUrl();
  await vscode.workspace.getConfiguration().update('spendBand.endpoint.url', url, vscode.ConfigurationTarget.Global);
  await waitFor(() => endpointUrl() === url, 10_000, 'the URL setting');
  try {
    return await action();
  } finally {
    await vscode.workspace
      .getConfiguration()
      .update('spendBand.endpoint.url', before, vscode.ConfigurationTarget.Global);
  }
}

/** With no token stored for the configured origin, a refresh says so. */
async function bandsErrorFor(api: SpendBandTestHooks, url: string): Promise<string | undefined> {
  return withUrl(url, async () => {
    await api.refresh();
    return api.snapshot()?.error?.message;
  });
}

describe('connect: Back, the token checked before it is kept, arguments confirmed', function () {
  this.timeout(180_000);
  let api: SpendBandTestHooks;
  let server: { url: string; token: string };
  let other: string;

  before(async () => {
    server = testEndpoint();
    other = otherOrigin(server.url);
    api = await connectToTestServer();
    await vscode.commands.executeCommand(SHOWN);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await connectToTestServer();
  });

  it('goes Back with the answers kept, shows a refused token and stores nothing, then connects with the right one', async () => {
    const connected = endpointUrl();
    const done = vscode.commands.executeCommand<boolean>('spendBand.connectEndpoint');
    const step1 = await waitForStep(api, 1);
    assert.equal(step1.totalSteps, 3);
    await choose(step1, /Bands API v1/);
    const step2 = await waitForStep(api, 2, step1);
    assert.equal(step2.buttons.length, 1, 'step 2 has a Back button');
    assert.equal(await enter(step2, other), undefined);
    const step3 = (await waitForStep(api, 3, step2)) as vscode.InputBox;
    assert.equal(step3.password, true, 'the token is typed into a password box');
    assert.equal(step3.buttons.length, 1, 'step 3 has a Back button');
    await back();
    const step2again = (await waitForStep(api, 2, step3)) as vscode.InputBox;
    assert.equal(step2again.value, other, 'Back shows the URL typed before');
    await back();
    const step1again = (await waitForStep(api, 1, step2again)) as vscode.QuickPick<vscode.QuickPickItem>;
    assert.match(step1again.activeItems[0]?.label ?? '', /Bands API v1/, 'Back shows the source picked before');
    await choose(step1again, /Bands API v1/);
    const step2third = await waitForStep(api, 2, step1again);
    assert.equal(await enter(step2third, other), undefined);
    const tokenBox = (await waitForStep(api, 3, step2third)) as vscode.InputBox;

    const refused = await enterChecked(api, tokenBox, 'not-the-demo-token-1234');
    assert.match(refused ?? '', /401|rejected/, `the box shows the server's refusal: ${refused}`);
    assert.equal(api.inspect.quickInput(), tokenBox, 'the token box stays open');
    assert.equal(endpointUrl(), connected, 'no setting changed while the token is refused');

    assert.equal(await enterChecked(api, tokenBox, server.token), undefined);
    assert.equal(await done, true);
    assert.equal(endpointUrl(), other);
    await waitFor(
      () => api.snapshot()?.source === 'endpoint' && api.snapshot()?.document !== undefined && !api.snapshot()?.stale,
      30_000,
      'bands from the new origin',
    );
  });

  it('asks before acting on arguments: Cancel changes nothing, a refused token is not stored, Connect connects', async () => {
    await withUrl(other, async () => vscode.commands.executeCommand('spendBand.signOut')); // forget the first test's token
    await connectToTestServer();
    await vscode.commands.executeCommand(SHOWN);
    const connected = endpointUrl();
    assert.match(
      (await bandsErrorFor(api, other)) ?? '',
      /No token is stored/,
      'no token for the other origin to begin with',
    );

    await vscode.commands.executeCommand(ANSWER, null);
    assert.equal(
      await vscode.commands.executeCommand('spendBand.connectEndpoint', {
        url: other,
        token: server.token,
        source: 'endpoint',
      }),
      false,
    );
    const [asked] = (await vscode.commands.executeCommand<ShownConfirm[]>(SHOWN)) ?? [];
    assert.ok(asked, 'a modal was shown');
    assert.match(asked.message, new RegExp(new URL(other).origin.replace(/[.:/]/g, '\\$&')));
    assert.match(asked.detail, /spendBand\.endpoint\.url/);
    assert.match(asked.detail, /secret storage/);
    assert.ok(
      !asked.detail.includes(server.token) && !asked.message.includes(server.token),
      'the modal never shows the token',
    );
    assert.equal(endpointUrl(), connected, 'Cancel changed no setting');

    // Confirmed, but the server refuses the token: nothing stored, and the flow lets the person type one.
    await vscode.commands.executeCommand(ANSWER, 'Connect');
    const refusedRun = vscode.commands.executeCommand<boolean>('spendBand.connectEndpoint', {
      url: other,
      token: 'not-the-demo-token-1234',
    });
    const urlStep = (await waitForStep(api, 1)) as vscode.InputBox;
    assert.equal(urlStep.value, other, 'the flow opens at the URL the command gave');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await refusedRun, false);
    assert.equal(endpointUrl(), connected);
    assert.match((await bandsErrorFor(api, other)) ?? '', /No token is stored/, 'the refused token was not stored');

    await vscode.commands.executeCommand(ANSWER, 'Connect');
    assert.equal(
      await vscode.commands.executeCommand('spendBand.connectEndpoint', {
        url: other,
        token: server.token,
        source: 'endpoint',
      }),
      true,
    );
    assert.equal(endpointUrl(), other);
  });
});
