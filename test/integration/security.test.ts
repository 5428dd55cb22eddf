// Issue #20 findings 1-3 in a real VS Code (code-server) against the reference server: endpoint text
// with Markdown links, command links, remote images and HTML reaches the person's notifications and
// tree tooltips as text, never as a link or an image; runWithPreflight called with arguments from
// outside the extension asks first and starts nothing when declined. What is asserted is what the
// extension hands VS Code to render (the test API reads it back).
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TEST_COMMANDS, type ShownPrompt } from '../../src/vscode/preflightFeature';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { runAdmin } from './support/runAdmin';
import { connectToTestServer } from './support/spendBand';
import { testEndpoint } from './support/testEndpoint';
import { waitFor } from './support/waitFor';

const COMMAND_LINK =
  '[Approve now](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D)';
const HOSTILE = `${COMMAND_LINK} ![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)> [docs](https://evil.example)`;
/** Band labels are at most 100 characters (admin band set). */
const HOSTILE_LABEL = '[Approve now](command:spendBand.signOut) ![p](https://evil.example/p.png) <img src=x>';
// The pattern VS Code uses for links in notification messages (vs/base/common/linkedText.ts).
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;

/** Markdown that would render a link, an image or HTML: `](`, `![`, `<tag` not preceded by a backslash, or a bare URL. */
function renderableMarkdown(text: string): RegExpMatchArray | null {
  return text.match(/(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)<[a-z]|https?:\/\//i);
}

describe('security: endpoint text is data (#20)', function () {
  this.timeout(180_000);
  let api: SpendBandTestHooks;

  before(async () => {
    api = await connectToTestServer();
  });

  it('a band label with links and images is escaped in the Bands view tooltip (finding 3)', async () => {
    const set = await runAdmin([
      'band',
      'set',
      '--developer',
      'demo',
      '--workflow',
      'security_probe',
      '--allocated-usd',
      '10',
      '--label',
      HOSTILE_LABEL,
    ]);
    assert.equal(set.code, 0, set.stderr);
    await api.refresh();
    await waitFor(
      () => api.snapshot()?.document?.bands.some((b) => b.workflow === 'security_probe') ?? false,
      30_000,
      'the new band',
    );
    const rows = await api.inspect.treeItems('bands');
    const row = rows.find((r) => r.id === 'band:b_security_probe');
    assert.ok(row, JSON.stringify(rows.map((r) => r.id)));
    assert.equal(row.markdownTooltip, true);
    assert.match(row.tooltip, /Approve now/, 'the label is shown');
    assert.equal(renderableMarkdown(row.tooltip), null, `renderable Markdown in the tooltip: ${row.tooltip}`);
    assert.doesNotMatch(api.statusBarTooltip(), /(?<!\\)\]\(command:workbench/, 'the gauge tooltip stays escaped');
  });

  it("an approver's note and name are plain text in the notification and the Requests view tooltip (findings 1, 3)", async () => {
    const { url, token } = testEndpoint();
    const bandId = api.snapshot()!.document!.bands.find((b) => b.workflow === 'deep_coding')!.id;
    const filed = await fetch(`${url}/v1/me/requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        band_id: bandId,
        requested: { delta: { currency: 'USD', amount_micros: 5_000_000 } },
        scope: 'current_period',
        justification: `A probe for the security test: ${HOSTILE}`,
        outcome: { kind: 'other', metric: HOSTILE.slice(0, 100) },
      }),
    });
    const filedText = await filed.text();
    assert.equal(filed.status, 201, filedText);
    const request = JSON.parse(filedText) as { id: string };
    await api.refresh();
    await waitFor(
      () => api.requests().some((r) => r.id === request.id && r.status === 'pending'),
      30_000,
      'the pending request in the view',
    );
    const denied = await runAdmin([
      'request',
      'deny',
      request.id,
      '--note',
      HOSTILE,
      '--by',
      '[Your lead](https://evil.example)',
    ]);
    assert.equal(denied.code, 0, denied.stderr);
    await api.refresh();
    await waitFor(
      () => api.requests().find((r) => r.id === request.id)?.status === 'denied',
      30_000,
      'the denial in the view',
    );

    const message = await waitFor(
      () => api.inspect.notifications().find((m) => m.includes('Approve now')),
      30_000,
      'the notification of the decision',
    );
    assert.doesNotMatch(message, NOTIFICATION_LINK, `a link VS Code would render and run: ${message}`);

    const rows = await api.inspect.treeItems('requests');
    const row = rows.find((r) => r.id === `request:${request.id}`);
    assert.ok(row, JSON.stringify(rows.map((r) => r.id)));
    assert.equal(row.markdownTooltip, true);
    assert.match(row.tooltip, /Approve now/);
    assert.equal(renderableMarkdown(row.tooltip), null, `renderable Markdown in the tooltip: ${row.tooltip}`);
  });

  it('runWithPreflight with arguments shows exactly what would run and starts nothing when declined (finding 2)', async () => {
    const base = process.env.SPEND_BAND_TEST_TMP || tmpdir();
    mkdirSync(base, { recursive: true });
    const dir = mkdtempSync(join(base, 'outside-'));
    const marker = join(dir, 'ran');
    const args = ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`];
    await vscode.commands.executeCommand(TEST_COMMANDS.outsideShown); // forget the modals earlier suites answered
    await vscode.commands.executeCommand(TEST_COMMANDS.outsideAnswer, null);
    try {
      const result = await vscode.commands.executeCommand('spendBand.runWithPreflight', {
        command: process.execPath,
        args,
        cwd: dir,
        estimate: { usd: 0 },
      });
      assert.equal(result, undefined);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(existsSync(marker), false, 'the program ran without the person saying yes');
      const shown = await vscode.commands.executeCommand<ShownPrompt[]>(TEST_COMMANDS.outsideShown);
      assert.equal(shown.length, 1);
      assert.ok(shown[0]!.detail.includes(`Program: ${JSON.stringify(process.execPath)}`), shown[0]!.detail);
      assert.ok(
        shown[0]!.detail.includes(`Arguments: ${args.map((a) => JSON.stringify(a)).join(' ')}`),
        shown[0]!.detail,
      );
      assert.deepEqual(shown[0]!.buttons, ['Run']);
    } finally {
      await vscode.commands.executeCommand(TEST_COMMANDS.outsideAnswer, 'Run');
    }
  });
});
