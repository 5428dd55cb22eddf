// Issue #20 findings 1, 3 and 4 as the person meets them in a real VS Code (code-server): hostile text from a
// real endpoint (the reference server on 127.0.0.1, written with `spend-band admin`) is read back from the
// workbench's DOM (the notification centre, the tree tooltips' hovers, the xterm
// buffer of the task terminal) through the host driver's UI bridge. Nothing here asks the extension what
// it did: only public commands are run, so the same tests run against an older build
// (`node test/host/runIntegration.mjs --extension <old tree> --grep "in the UI"`) and fail there.
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runAdmin } from './support/runAdmin';
import { hasTestEndpoint, testEndpoint } from './support/testEndpoint';
import { waitFor } from './support/waitFor';
import { hasWorkbenchUi, workbenchUi, type RenderedElement, type Terminals } from './support/workbenchUi';

const ESC = '\u001b';
/** Unique per run, so the rows and messages of this run are found among earlier ones. */
const MARK = `sbui${Date.now().toString(36)}`;
const SEND_SEQUENCE = 'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D';
/** Band labels are at most 100 characters (admin band set). */
const HOSTILE_LABEL = `${MARK} [Pay now](command:spendBand.signOut) ![p](https://evil.example/b.png) <img src=x>`;
/** Line rewrite, window title (OSC 0), OSC 8 link, OSC 52 clipboard, bidi override, C1 CSI. */
const TERMINAL_TRICKS = `Denied${ESC}[2K${ESC}[1GApproved ${ESC}]0;pwned${ESC}\\${ESC}]8;;https://evil.example${ESC}\\here${ESC}]8;;${ESC}\\ ${ESC}]52;c;ZWNobyBwd25lZA==\u0007\u202eko\u202c\u009b2J`;
const HOSTILE_NOTE = `${MARK}n [Pay now](${SEND_SEQUENCE}) ![img](https://evil.example/i.png) [docs](https://evil.example) <b>bold</b><img src=x onerror=alert(1)> ${TERMINAL_TRICKS} ${'very long '.repeat(60)}`;
const HOSTILE_NAME = `[Your lead](https://evil.example/lead)${ESC}[8m`;

/** Characters that act in a terminal or reorder text: none may reach what the person reads. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Links or images whose target came from the endpoint's text. */
function hostileLinks(element: RenderedElement): string[] {
  const found: string[] = [];
  for (const a of element.anchors) {
    const target = `${a.href ?? ''} ${a.dataHref ?? ''}`;
    if (/evil\.example|sendSequence|signOut|command:/i.test(target) || /Pay now|docs|Your lead/.test(a.text))
      found.push(`<a href="${a.href ?? ''}" data-href="${a.dataHref ?? ''}">${a.text}</a>`);
  }
  for (const src of element.images) found.push(`<img src="${src}">`);
  return found;
}

async function refresh(): Promise<void> {
  await vscode.commands.executeCommand('spendBand.refresh');
}

/**
 * Test-mode answers to the extension's own modals. VS Code refuses every modal dialog while extension
 * tests run ("DialogService: refused to show dialog in tests"), so the modals of finding 2 are seen in
 * test/e2e/securityCommands.e2e.mjs; here they only stand in the way of the setup. A build without
 * the command (older) shows no modal there, so a missing command is fine.
 */
async function answerModals(command: string, answer: string | null | undefined): Promise<void> {
  await Promise.resolve(vscode.commands.executeCommand(command, answer)).catch(() => {});
}

/** Connects the extension to the test server through the real command. */
async function connect(): Promise<void> {
  const { url, token } = testEndpoint();
  await answerModals('spendBand.connect.test.answer', 'Connect');
  await vscode.commands.executeCommand('spendBand.connectEndpoint', { url, token, source: 'endpoint' });
}

function tempDir(): string {
  const base = process.env.SPEND_BAND_TEST_TMP || tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'ui-'));
}

describe('security in the UI: endpoint text is data (#20, workbench DOM)', function () {
  this.timeout(240_000);

  before(async function () {
    if (!hasWorkbenchUi() || !hasTestEndpoint()) this.skip();
    await connect();
    const set = await runAdmin([
      'band',
      'set',
      '--developer',
      'demo',
      '--workflow',
      'security_ui',
      '--allocated-usd',
      '50',
      '--label',
      HOSTILE_LABEL,
    ]);
    assert.equal(set.code, 0, set.stderr);
    await refresh();
  });

  it('finding 3: the Bands view tooltip shows a hostile band label as text, with no link or image', async () => {
    const hover = await waitFor(
      async () => {
        await refresh();
        return workbenchUi.hoverRow(MARK);
      },
      90_000,
      `the Bands view row of the band labelled "${HOSTILE_LABEL}"`,
      2_000,
    );
    assert.match(hover.text, /Pay now/, `the label is shown in the tooltip: ${hover.text}`);
    assert.deepEqual(hostileLinks(hover), [], `links or images from the band label in the tooltip: ${hover.html}`);
  });

  it("findings 1 and 3: an approver's note and name reach the notification centre and the Requests tooltip as text", async () => {
    const { url, token } = testEndpoint();
    const filed = await fetch(`${url}/v1/me/requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        band_id: 'b_security_ui',
        requested: { delta: { currency: 'USD', amount_micros: 5_000_000 } },
        scope: 'current_period',
        justification: `${MARK}j probe: ${HOSTILE_NOTE} ${'x'.repeat(900)}`.slice(0, 2000),
        outcome: { kind: 'other', metric: `[m](https://evil.example/m) ![i](https://evil.example/m.png)` },
      }),
    });
    const filedText = await filed.text();
    assert.equal(filed.status, 201, filedText);
    const request = JSON.parse(filedText) as { id: string };
    const denied = await runAdmin(['request', 'deny', request.id, '--note', HOSTILE_NOTE, '--by', HOSTILE_NAME]);
    assert.equal(denied.code, 0, denied.stderr);

    const message = await waitFor(
      async () => {
        await refresh();
        return (await workbenchUi.notifications()).find((m) => m.textContent.includes(`${MARK}n`));
      },
      90_000,
      `the notification of the decision (its note starts "${MARK}n")`,
      3_000,
    );
    const hover = await waitFor(
      () => workbenchUi.hoverRow(`${MARK}n`),
      60_000,
      `the Requests view row of the denied request (its note starts "${MARK}n")`,
      2_000,
    );
    // Both surfaces are read before any assertion, so a failure shows what each of them rendered.
    assert.match(message.text, /Pay now/, 'the note is shown in the notification');
    assert.match(hover.text, /Pay now/, `the note is shown in the tooltip: ${hover.text}`);
    const controls = (text: string) => (CONTROLS.test(text) ? [JSON.stringify(text.match(CONTROLS)![0])] : []);
    assert.deepEqual(
      {
        notification: [...hostileLinks(message), ...controls(message.textContent)],
        requestsTooltip: [...hostileLinks(hover), ...controls(hover.textContent)],
      },
      { notification: [], requestsTooltip: [] },
      `links, images or control characters from the endpoint. Notification: ${message.text}\nTooltip: ${hover.html}`,
    );
  });

  it("finding 1: a hostile endpoint's error detail in the connect warning is text, not a link", async () => {
    // A server that refuses every token with a problem detail carrying a command link and a web link.
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: `${MARK}c [Fix it](${SEND_SEQUENCE}) or [renew](https://evil.example/renew)`,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // The confirmation modal is finding 2's (test/e2e/securityCommands.e2e.mjs); answered here.
      await answerModals('spendBand.connect.test.answer', 'Connect');
      const connecting = Promise.resolve(
        vscode.commands.executeCommand('spendBand.connectEndpoint', {
          url,
          token: 'refused-token-0123456789',
          source: 'endpoint',
        }),
      );
      connecting.catch(() => {});
      const message = await waitFor(
        async () => (await workbenchUi.notifications()).find((m) => m.textContent.includes(`${MARK}c`)),
        60_000,
        `the warning that ${url} refused the token`,
        2_000,
      );
      assert.match(message.text, /Fix it/, 'the detail is shown');
      assert.deepEqual(hostileLinks(message), [], `links from the endpoint in the notification: ${message.text}`);
      // The flow goes on to ask for a token: dismiss it; nothing is stored.
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await connecting;
      assert.equal(vscode.workspace.getConfiguration('spendBand').get<string>('endpoint.url'), testEndpoint().url);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      server.close();
    }
  });

  it("finding 4: the task terminal shows a hostile rule message, band label and approver's note inert", async () => {
    const workflow = 'security_tty';
    const label = `${MARK}t ${TERMINAL_TRICKS}`.slice(0, 100);
    const band = await runAdmin([
      'band',
      'set',
      '--developer',
      'demo',
      '--workflow',
      workflow,
      '--allocated-usd',
      '50',
      '--label',
      label,
    ]);
    assert.equal(band.code, 0, band.stderr);
    const rule = await runAdmin([
      'rule',
      'add',
      '--developer',
      'demo',
      '--workflow',
      workflow,
      '--action',
      'needs_approval',
      '--estimate-at-least-usd',
      '1',
      '--message',
      `${MARK}r ${TERMINAL_TRICKS}`,
    ]);
    assert.equal(rule.code, 0, rule.stderr);
    await refresh();
    await vscode.workspace
      .getConfiguration('spendBand')
      .update('preflight.approvalPollSeconds', 1, vscode.ConfigurationTarget.Global);

    const dir = tempDir();
    // As "Run Agent with Pre-flight…" would; the outside-call modal is finding 2's, answered here.
    await answerModals('spendBand.preflight.test.outsideAnswer', 'Run');
    const run = Promise.resolve(
      vscode.commands.executeCommand<{ exitCode?: number } | undefined>('spendBand.runWithPreflight', {
        command: process.execPath,
        args: ['-e', '0'],
        cwd: dir,
        workflow,
        estimate: { usd: 5 },
      }),
    );
    run.catch(() => {});
    // The run waits for approval; its request is the newest pending one of this class.
    const requestId = await waitFor(
      async () => {
        const listed = await runAdmin(['request', 'list', '--status', 'pending', '--developer', 'demo', '--json']);
        const parsed = JSON.parse(listed.stdout) as
          | { data: { id: string; kind?: string; band_id?: string; workflow?: string }[] }
          | { id: string; kind?: string; band_id?: string; workflow?: string }[];
        const list = Array.isArray(parsed) ? parsed : parsed.data;
        return list.find((r) => JSON.stringify(r).includes(workflow))?.id;
      },
      90_000,
      'the run-approval request the task filed',
      1_000,
    );
    const denied = await runAdmin([
      'request',
      'deny',
      requestId,
      '--note',
      `${MARK}n ${TERMINAL_TRICKS}`,
      '--by',
      `Eve${ESC}[8m`,
    ]);
    assert.equal(denied.code, 0, denied.stderr);
    const result = await run;
    assert.equal(result?.exitCode, 11, `the run ends as not approved: ${JSON.stringify(result)}`);

    // The run has ended: its terminal holds every line it wrote (the request id is on several of them,
    // unless a sequence erased them: then the newest terminal is the run's).
    const findRun = (t: Terminals) => {
      const lines = t.buffers.find((b) => b.some((l) => l.includes(requestId)));
      return lines && lines.some((l) => /was not started|Nothing was started/.test(l)) ? { ...t, lines } : undefined;
    };
    const terminals = await waitFor(
      async () => findRun(await workbenchUi.terminals()),
      20_000,
      "the run's terminal",
      500,
    ).catch(async () => {
      const t = await workbenchUi.terminals();
      return { ...t, lines: t.buffers[t.buffers.length - 1] ?? [] };
    });
    const { lines } = terminals;
    const screen = lines.join('\n');
    // Each hostile string stays on its own line, whole: nothing erased the line or moved the cursor back.
    const reason = lines.find((l) => l.includes(`${MARK}r`));
    assert.ok(reason, `the rule message is shown (the terminal reads):\n${screen}`);
    assert.match(reason, /^Needs approval: .*DeniedApproved/, `the decision line was rewritten:\n${screen}`);
    const bandLine = lines.find((l) => l.includes(`${MARK}t`));
    assert.ok(bandLine, `the band label is shown:\n${screen}`);
    assert.match(bandLine, /^Band: .*DeniedApproved/, `the band line was rewritten:\n${screen}`);
    const refused = lines.find((l) => l.includes(`${MARK}n`));
    assert.ok(refused, `the approver's note is shown:\n${screen}`);
    assert.match(
      refused,
      new RegExp(`^Request ${requestId} was denied by Eve — "${MARK}n DeniedApproved`),
      `the denial line was rewritten:\n${screen}`,
    );
    assert.ok(!lines.some((l) => /^Approved/.test(l)), `a line now reads "Approved…":\n${screen}`);
    assert.doesNotMatch(screen, CONTROLS, 'control characters in the rendered rows');
    assert.ok(
      !terminals.titles.some((t) => /pwned/.test(t)),
      `a terminal was retitled: ${JSON.stringify(terminals.titles)}`,
    );
    assert.doesNotMatch(terminals.pageTitle, /pwned/);
  });

  after(async () => {
    await answerModals('spendBand.preflight.test.outsideAnswer', undefined);
    await vscode.workspace
      .getConfiguration('spendBand')
      .update('preflight.approvalPollSeconds', undefined, vscode.ConfigurationTarget.Global);
  });
});
