// Issue #15 in the editor: the agent's official figures (recorded by `spend-band statusline` in the
// agent-state file) appear in the gauge's tooltip beside our estimate, and "Install Claude Code Hook"
// is wired to the shared installer (here on a settings file that has the hooks already, so no dialog).
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { defaultCacheDir, officialFromStatusLine, recordOfficial } from '../../src/flows/agents/agentState';
import { fastEntryCommand, HOOK_ENTRY, installClaudeHooks } from '../../src/flows/agents/claudeHooks';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { connectToTestServer } from './support/spendBand';
import { waitFor } from './support/waitFor';

describe('editor: live usage (official figures, Claude Code hook)', function () {
  this.timeout(120_000);
  let api: SpendBandTestHooks;

  before(async () => {
    api = await connectToTestServer();
  });

  it("shows Claude Code's own rate limits and session cost in the gauge tooltip, labelled official", async () => {
    const official = officialFromStatusLine({
      session_id: `it-${Date.now()}`,
      model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet' },
      cost: { total_cost_usd: 2.75 },
      rate_limits: { five_hour: { used_percentage: 42, resets_at: Math.floor(Date.now() / 1000) + 3600 } },
    });
    recordOfficial(defaultCacheDir(process.env), official, new Date());
    await vscode.commands.executeCommand('spendBand.refresh');
    await waitFor(
      () => api.statusBarTooltip().includes('Claude Code (official'),
      10_000,
      `the official line in: ${api.statusBarTooltip()}`,
    );
    assert.match(api.statusBarTooltip(), /5-hour limit 42% used · last session \$2\.75 \(Sonnet\)/);
  });

  it('Install Claude Code Hook leaves a settings file that has the hooks unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spend-band-it-hook-'));
    try {
      const settingsPath = join(dir, 'settings.json');
      const extension = vscode.extensions.all.find((e) => e.id.toLowerCase().endsWith('spend-band'))!;
      // The command the extension installs: the hook's own entry in the extension (flows/agents/claudeHooks.ts).
      const command = fastEntryCommand('node', join(extension.extensionPath, 'dist', HOOK_ENTRY), 'hook');
      installClaudeHooks({ settingsPath, command, dryRun: false, now: new Date() });
      const before = readFileSync(settingsPath, 'utf8');
      const result = await vscode.commands.executeCommand('spendBand.installClaudeHook', settingsPath);
      assert.equal(result, 'unchanged');
      assert.equal(readFileSync(settingsPath, 'utf8'), before);
      assert.match(before, /"matcher": "Agent\|Task\|Workflow\|CronCreate\|ScheduleWakeup"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
