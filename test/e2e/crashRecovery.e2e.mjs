// Killing the extension host mid-session loses no session: switch the workflow class from the UI, kill -9
// the extension host before the session is uploaded, restart it, and find the session on the server,
// closed (recovered from the journal the extension wrote at once).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { distCli } from '../host/paths.mjs';

// Last: the "remote extension host terminated unexpectedly" notice it causes stays on screen a while,
// and would be in the screenshots of any check after it.
export const order = 100;

/** Extension-host processes (code-server's bootstrap-fork --type=extensionHost) started for this run. */
function extensionHostPids(runDir) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('extensionHost')) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(runDir)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function serverTags(server) {
  const out = execFileSync(
    process.execPath,
    [distCli, 'admin', 'tag', 'list', '--developer', server.developer ?? 'demo', '--db', server.db, '--json'],
    { encoding: 'utf8' },
  );
  const value = JSON.parse(out);
  return Array.isArray(value) ? value : value.data;
}

export const checks = [
  {
    name: 'killing the extension host mid-session loses no session',
    timeoutMs: 240_000,
    async run(wb, { server, runDir }) {
      assert.ok(server, 'this check needs the reference server');
      await wb.waitFor(async () => /\d/.test(await wb.statusText('spendBand.gauge')), 'the gauge with figures', 90_000);
      const before = extensionHostPids(runDir);
      assert.equal(before.length, 1, `expected one extension host for this run, found ${before.length}`);
      const switchedAt = Date.now();
      await wb.runCommand('Spend Band: Set Workflow Class…');
      const input = wb.page.locator('.quick-input-widget input');
      await input.fill('Research');
      await wb.page.keyboard.press('Enter');
      await wb.waitFor(
        async () => /Research/.test(await wb.statusText('spendBand.workflow')),
        'the class item to say Research',
        20_000,
        50,
      );
      // The journal line is written before the switch returns; the upload waits 2 s: kill before it.
      process.kill(before[0], 'SIGKILL');
      const killedAt = Date.now();
      const researchTags = () =>
        serverTags(server).filter((t) => t.workflow === 'research' && Date.parse(t.started_at) >= switchedAt - 1000);
      const uploadedBeforeKill = researchTags().length;

      await wb.waitFor(
        async () => extensionHostPids(runDir).every((pid) => pid !== before[0]),
        'the killed extension host to be gone',
        20_000,
      );
      // VS Code restarts a crashed remote extension host by itself; a person can also run the command.
      const restarted = () => extensionHostPids(runDir).some((pid) => pid !== before[0]);
      const automatic = await wb.waitFor(restarted, 'an automatic restart', 30_000).then(
        () => true,
        () => false,
      );
      if (!automatic) await wb.runCommand('Developer: Restart Extension Host');
      await wb.waitFor(restarted, 'a new extension host', 60_000);
      await wb.waitFor(
        async () => /\d/.test(await wb.statusText('spendBand.gauge')),
        'the gauge after the restart',
        90_000,
      );
      const tags = await wb.waitFor(
        () => {
          const found = researchTags().filter((t) => t.ended_at !== null);
          return found.length > 0 ? found : false;
        },
        'the research session on the server, closed',
        60_000,
        1000,
      );
      assert.ok(Date.parse(tags[0].ended_at) >= Date.parse(tags[0].started_at));
      // Whether or not the open session was uploaded before the kill (the upload waits 2 s), the server can
      // only hold it closed if the restarted extension recovered it from its journal.
      return `session ${tags[0].id} (${tags[0].started_at} → ${tags[0].ended_at}) recovered after kill -9 ${((killedAt - switchedAt) / 1000).toFixed(1)} s after the switch; ${uploadedBeforeKill} open copy on the server before the kill`;
    },
  },
];
