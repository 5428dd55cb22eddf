// The editor UI against the reference server with demo data: the gauge for an ok, a warn and an
// exceeded band; switching class changes the gauge and records a session that reaches the server; the
// views show the demo's bands, seats and pending request.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { runAdmin } from './support/runAdmin';
import { connectToTestServer } from './support/spendBand';
import { waitFor } from './support/waitFor';

describe('editor: status bar, views, sessions', function () {
  this.timeout(120_000);
  let api: SpendBandTestHooks;

  before(async () => {
    api = await connectToTestServer();
  });

  function bandWithStatus(status: string) {
    const band = api.snapshot()?.document?.bands.find((b) => b.status === status && b.workflow !== 'all');
    assert.ok(
      band,
      `the demo data has no ${status} band: ${JSON.stringify(api.snapshot()?.document?.bands.map((b) => [b.workflow, b.status]))}`,
    );
    return band;
  }

  async function showClass(workflow: string): Promise<void> {
    await vscode.commands.executeCommand('spendBand.setWorkflow', workflow);
    await waitFor(() => api.currentWorkflow() === workflow, 10_000, `class ${workflow}`);
  }

  it('shows the gauge of an ok band without a background colour', async () => {
    const band = bandWithStatus('ok');
    await showClass(band.workflow);
    assert.match(api.statusBarText(), /^\d+% · \$[\d.,k]+\/\$[\d.,k]+ · \d+[dhm]( \$\(arrow-up\))?$/);
    assert.equal(api.statusBarBackground(), undefined);
  });

  it('turns the gauge to the warning colour for a warn band', async () => {
    const band = bandWithStatus('warn');
    await showClass(band.workflow);
    assert.equal(api.statusBarBackground(), 'warning');
    const percent = Number(/^(\d+)%/.exec(api.statusBarText())?.[1]);
    assert.ok(percent >= 70 && percent < 100, `warn band at ${percent}%`);
  });

  it('turns the gauge to the error colour for an exceeded band, showing more than 100 %', async () => {
    const band = bandWithStatus('exceeded');
    await showClass(band.workflow);
    assert.equal(api.statusBarBackground(), 'error');
    assert.ok(Number(/^(\d+)%/.exec(api.statusBarText())?.[1]) > 100, api.statusBarText());
  });

  it('records a session on a class switch, and the session reaches the server', async () => {
    const before = api.sessions().length;
    await showClass('research');
    await showClass('review');
    const sessions = api.sessions();
    assert.ok(sessions.length >= before + 1, 'a switch starts a new session');
    const closed = sessions.find((s) => s.workflow === 'research' && s.end !== null);
    assert.ok(closed, 'the research session ended when the class switched');
    const open = sessions[sessions.length - 1]!;
    assert.equal(open.workflow, 'review');
    assert.equal(open.end, null);
    const accepted = await api.flushSessions();
    assert.ok(accepted >= 2, `the server accepted ${accepted} session tags`);
    const listed = await runAdmin(['tag', 'list', '--developer', 'demo', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const ids = (JSON.parse(listed.stdout) as { id: string; workflow: string; ended_at: string | null }[]).map(
      (t) => t.id,
    );
    assert.ok(ids.includes(closed.id) && ids.includes(open.id), 'both sessions are on the server');
    assert.equal(await api.flushSessions(), 0, 'nothing is sent twice');
  });

  it('shows the whole bill, seats, every band and the pending request in the views', async () => {
    const doc = api.snapshot()!.document!;
    const bands = await api.inspect.treeItems('bands');
    assert.match(bands[0]!.label, /^Whole bill \$/);
    assert.ok(
      bands.some((i) => i.label === 'Seats' && /\/ month/.test(i.description)),
      'the seats row',
    );
    for (const band of doc.bands)
      assert.ok(
        bands.some((i) => i.id === `band:${band.id}`),
        `a row for band ${band.id}`,
      );
    const exceeded = bands.find((i) => i.contextValue?.startsWith('band:exceeded'));
    assert.ok(exceeded, 'the exceeded band is marked for menus');
    assert.ok(
      bands.some((i) => i.depth === 1 && /^Rule /.test(i.label)),
      'escalation rules under a band',
    );
    await waitFor(() => api.requests().some((r) => r.status === 'pending'), 30_000, 'the demo pending request');
    const requests = await api.inspect.treeItems('requests');
    assert.ok(
      requests.some((i) => /^pending/.test(i.description)),
      JSON.stringify(requests),
    );
    const sessions = await api.inspect.treeItems('sessions');
    assert.ok(
      sessions.some((i) => i.label === 'Today'),
      'the Today group',
    );
    assert.ok(
      sessions.some((i) => i.depth === 1 && i.label === 'Review'),
      'time per class today',
    );
  });
});
