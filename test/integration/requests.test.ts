// Requesting a band increase from the editor, against the reference server: the whole multi-step flow
// driven through the real quick input (including going back a step), approval and denial by the admin
// command showing up in the views and the gauge, and a dropped response that must not create a second
// request.
import * as assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import * as vscode from 'vscode';
import { bandLabel } from '../../src/domain/format';
import type { Request } from '../../src/domain/schemas';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { runAdmin } from './support/runAdmin';
import { back, choose, connectToTestServer, enter, waitForStep } from './support/spendBand';
import { testEndpoint } from './support/testEndpoint';
import { waitFor } from './support/waitFor';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function adminRequests(): Promise<Request[]> {
  const listed = await runAdmin(['request', 'list', '--developer', 'demo', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const value = JSON.parse(listed.stdout) as Request[] | { data: Request[] };
  return Array.isArray(value) ? value : value.data;
}

/** Drive the flow for `bandLabel` with `justification`; returns once the confirm step is accepted. */
async function fileRequest(
  api: SpendBandTestHooks,
  bandId: string,
  justification: string,
  amount = '25',
): Promise<boolean> {
  const band = api.snapshot()!.document!.bands.find((b) => b.id === bandId)!;
  const done = vscode.commands.executeCommand<boolean>('spendBand.requestIncrease', { bandId });
  const step1 = await waitForStep(api, 1);
  await choose(step1, new RegExp(`^${escapeRegExp(bandLabel(band))}$`));
  const step2 = await waitForStep(api, 2, step1);
  await choose(step2, /^Increase by/);
  const step3 = await waitForStep(api, 3, step2);
  assert.equal(await enter(step3, '0'), 'The amount must be more than 0', 'validation on the amount step');
  assert.equal(await enter(step3, amount), undefined);
  const step4 = await waitForStep(api, 4, step3);
  await choose(step4, /^This period/);
  const step5 = await waitForStep(api, 5, step4);
  await choose(step5, /^Faster code review/);
  const step6 = await waitForStep(api, 6, step5);
  assert.equal(await enter(step6, 'PR review turnaround (h)'), undefined);
  const step6b = await waitForStep(api, 6, step6);
  assert.equal(await enter(step6b, '30; 12; '), undefined);
  const step7 = await waitForStep(api, 7, step6b);
  assert.match((await enter(step7, 'too short')) ?? '', /at least 20/, 'validation on the justification');
  assert.equal(await enter(step7, justification), undefined);
  const confirm = await waitForStep(api, 7, step7);
  await choose(confirm, /Submit the request/);
  return done;
}

describe('requests: increase flow, approval, denial, idempotency', function () {
  this.timeout(180_000);
  let api: SpendBandTestHooks;
  let bandId: string;

  before(async () => {
    api = await connectToTestServer();
    const doc = api.snapshot()!.document!;
    assert.equal(doc.capabilities.increase_requests, true);
    bandId = doc.bands.find((b) => b.workflow === 'deep_coding')?.id ?? doc.bands[0]!.id;
  });

  it('goes back a step and keeps the earlier answer', async () => {
    const done = vscode.commands.executeCommand<boolean>('spendBand.requestIncrease', { bandId });
    const step1 = await waitForStep(api, 1);
    assert.ok('items' in step1 && step1.activeItems[0]?.label, 'the band is pre-selected');
    await choose(step1, new RegExp(`^${escapeRegExp(step1.activeItems[0]!.label)}$`));
    const step2 = await waitForStep(api, 2, step1);
    await choose(step2, /^Increase by/);
    const step3 = await waitForStep(api, 3, step2);
    await enter(step3, '35');
    const step4 = await waitForStep(api, 4, step3);
    await back();
    const again = await waitForStep(api, 3, step4);
    assert.equal((again as vscode.InputBox).value, '35', 'Back shows the amount entered before');
    again.hide();
    assert.equal(await done, false, 'closing the input cancels the flow');
  });

  it('files a request through the whole flow; the admin approval shows in the view and the gauge', async () => {
    const justification = `Payment migration needs long agent sessions (${Date.now()}).`;
    const allocatedBefore = api.snapshot()!.document!.bands.find((b) => b.id === bandId)!.allocated.amount_micros;
    assert.equal(await fileRequest(api, bandId, justification), true);
    const mine = (await adminRequests()).filter((r) => r.justification === justification);
    assert.equal(mine.length, 1, 'exactly one request on the server');
    const request = mine[0]!;
    assert.equal(request.status, 'pending');
    assert.deepEqual(
      (request.outcome as { kind: string; metric: string; baseline: number; target: number }).kind,
      'faster_review',
    );
    await waitFor(
      () => api.requests().some((r) => r.id === request.id && r.status === 'pending'),
      20_000,
      'the pending request in the view',
    );

    const approved = await runAdmin(['request', 'approve', request.id, '--note', 'Approved for the migration']);
    assert.equal(approved.code, 0, approved.stderr);
    await api.refresh();
    await waitFor(
      () => api.requests().find((r) => r.id === request.id)?.status === 'approved',
      30_000,
      'the approval in the view',
    );
    const rows = await api.inspect.treeItems('requests');
    assert.ok(
      rows.some(
        (r) =>
          r.id === `request:${request.id}` &&
          /^approved/.test(r.description) &&
          /Approved for the migration/.test(r.description),
      ),
      JSON.stringify(rows),
    );
    await waitFor(
      () => api.snapshot()!.document!.bands.find((b) => b.id === bandId)!.allocated.amount_micros > allocatedBefore,
      30_000,
      'the bigger allocation',
    );
    const band = api.snapshot()!.document!.bands.find((b) => b.id === bandId)!;
    assert.ok(band.temporary_increase, 'the band shows the temporary increase');
    await vscode.commands.executeCommand('spendBand.setWorkflow', band.workflow);
    await waitFor(
      () => api.statusBarText().includes(`/$${Math.round(band.allocated.amount_micros / 1e6)}`),
      10_000,
      `the gauge showing $${band.allocated.amount_micros / 1e6}: ${api.statusBarText()}`,
    );
  });

  it('shows the note of a denial', async () => {
    const justification = `Second try at the review budget for the audit (${Date.now()}).`;
    assert.equal(await fileRequest(api, bandId, justification, '15'), true);
    const request = (await adminRequests()).find((r) => r.justification === justification)!;
    const denied = await runAdmin(['request', 'deny', request.id, '--note', 'Use the research band for the audit']);
    assert.equal(denied.code, 0, denied.stderr);
    await api.refresh();
    await waitFor(
      () => api.requests().find((r) => r.id === request.id)?.status === 'denied',
      30_000,
      'the denial in the view',
    );
    const rows = await api.inspect.treeItems('requests');
    assert.ok(
      rows.some((r) => r.id === `request:${request.id}` && /Use the research band for the audit/.test(r.description)),
      JSON.stringify(rows),
    );
  });

  describe('a dropped response', () => {
    let proxy: Server;
    let proxyUrl: string;
    let dropped = 0;
    const sockets = new Set<Socket>();

    before(async () => {
      // A TCP relay to the reference server that, for the first POST /v1/me/requests, passes the request
      // on and then cuts the connection before any of the response comes back.
      const target = new URL(testEndpoint().url);
      proxy = createServer((client) => {
        sockets.add(client);
        const upstream = connect(Number(target.port), target.hostname);
        sockets.add(upstream);
        let dropThis = false;
        client.on('data', (chunk) => {
          if (dropped === 0 && chunk.toString('latin1').startsWith('POST /v1/me/requests ')) {
            dropped++;
            dropThis = true;
          }
          upstream.write(chunk);
        });
        upstream.on('data', (chunk) => {
          if (dropThis) {
            client.destroy();
            upstream.destroy();
          } else client.write(chunk);
        });
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const address = proxy.address();
      proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      await connectToTestServer(proxyUrl);
    });

    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      await connectToTestServer();
    });

    it('creates one request when the submission is retried after the response was lost', async () => {
      const justification = `Retry after a dropped connection must not duplicate (${Date.now()}).`;
      assert.equal(await fileRequest(api, bandId, justification, '10'), true);
      assert.equal(dropped, 1, 'the relay dropped the first response');
      // The request is either already sent again by the client's retry, or kept in the outbox and sent on refresh.
      await api.refresh();
      await waitFor(
        async () => (await adminRequests()).some((r) => r.justification === justification),
        30_000,
        'the request on the server',
      );
      await api.refresh();
      const mine = (await adminRequests()).filter((r) => r.justification === justification);
      assert.equal(mine.length, 1, `one request, not ${mine.length}`);
      await waitFor(
        () => api.requests().some((r) => r.justification === justification),
        20_000,
        'the request in the view',
      );
      assert.equal(api.requests().filter((r) => r.justification === justification).length, 1);
    });
  });
});
