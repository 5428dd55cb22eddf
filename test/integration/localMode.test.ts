// The embedded default, with no endpoint: bands from the user's settings, usage measured from a real
// Claude Code log on disk, attributed to the tagged session that was active, shown in the gauge; a
// self-set increase recorded in the local ledger raises the band and is labelled as such.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadPricing } from '../../src/usage/prices/prices';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { spendBand } from './support/spendBand';
import { waitFor } from './support/waitFor';

function assistantLine(at: Date, requestId: string, input: number, output: number): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    cwd: '/home/dev/shop-api',
    sessionId: '0b6c1a2e-8a4f-4f3e-9a51-3c2d1e0f9a8b',
    type: 'assistant',
    message: {
      id: `msg_${requestId}`,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'done' }],
      usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
    requestId: `req_${requestId}`,
    uuid: `uuid-${requestId}`,
    timestamp: at.toISOString(),
  });
}

describe('local mode: settings bands + usage from agent logs', function () {
  this.timeout(120_000);
  let api: SpendBandTestHooks;
  let dir: string;
  const config = () => vscode.workspace.getConfiguration();

  before(async () => {
    api = await spendBand();
    dir = mkdtempSync(join(tmpdir(), 'sb-local-'));
    mkdirSync(join(dir, 'claude', 'projects', 'shop-api'), { recursive: true });
    mkdirSync(join(dir, 'codex'), { recursive: true });
    await vscode.commands.executeCommand('spendBand.setWorkflow', 'research');
    await waitFor(() => api.currentWorkflow() === 'research', 10_000, 'class research');
    // A minute of usage belongs to the session that covers most of it (src/domain/attribution.ts): after a
    // switch late in a minute, that minute is still the previous class's. Write the usage in a minute that
    // research owns: the one of the switch when it came early, else the next one.
    const switchedAtSecond = (Date.now() % 60_000) / 1000;
    if (switchedAtSecond > 20) await new Promise((r) => setTimeout(r, 61_000 - (Date.now() % 60_000)));
    // Usage inside the open research session: 1M input + 100k output tokens of Sonnet 4.5.
    appendFileSync(
      join(dir, 'claude', 'projects', 'shop-api', 'session.jsonl'),
      `${assistantLine(new Date(), 'a1', 1_000_000, 100_000)}\n`,
    );
    await config().update('spendBand.usage.claudeDirs', [join(dir, 'claude')], vscode.ConfigurationTarget.Global);
    await config().update('spendBand.usage.codexDirs', [join(dir, 'codex')], vscode.ConfigurationTarget.Global);
    await config().update(
      'spendBand.local.bands',
      [
        { workflow: 'research', allocated_usd: 10 },
        { workflow: 'review', allocated_usd: 40 },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await config().update('spendBand.source', 'local', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const key of [
      'spendBand.usage.claudeDirs',
      'spendBand.usage.codexDirs',
      'spendBand.local.bands',
      'spendBand.source',
    ]) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('meters the log against the band of the session that was active, exactly', async () => {
    const expected = loadPricing().costMicros('claude-sonnet-4-5-20250929', 1_000_000, 100_000, 0, 0)!;
    assert.ok(expected > 0, 'Sonnet 4.5 is priced');
    await waitFor(
      async () => {
        await api.refresh();
        const band = api.snapshot()?.document?.bands.find((b) => b.workflow === 'research');
        return api.snapshot()?.source === 'local' && band?.used.amount_micros === expected;
      },
      60_000,
      `research band used = ${expected} micros (now ${JSON.stringify(api.snapshot()?.document?.bands.map((b) => [b.workflow, b.used.amount_micros]))})`,
    );
    const review = api.snapshot()!.document!.bands.find((b) => b.workflow === 'review')!;
    assert.equal(review.used.amount_micros, 0, 'nothing attributed to a class that was not active');
    assert.match(api.statusBarText(), new RegExp(`^${Math.floor((expected / 10_000_000) * 100)}% · \\$`));
  });

  it('counts appended usage incrementally', async () => {
    const before = api.snapshot()!.document!.bands.find((b) => b.workflow === 'research')!.used.amount_micros;
    appendFileSync(
      join(dir, 'claude', 'projects', 'shop-api', 'session.jsonl'),
      `${assistantLine(new Date(), 'a2', 10_000, 1_000)}\n`,
    );
    const added = loadPricing().costMicros('claude-sonnet-4-5-20250929', 10_000, 1_000, 0, 0)!;
    await waitFor(
      async () => {
        await api.refresh();
        return (
          api.snapshot()!.document!.bands.find((b) => b.workflow === 'research')!.used.amount_micros === before + added
        );
      },
      60_000,
      'the appended request counted once',
    );
  });
});
