// Local bands in the terminal count what the agent logs say was spent, as the editor does: the bands
// from the editor's user settings (JSON with comments), the classes from the extension's session
// journal in VS Code's global storage, untagged spend shown apart. The real bundle in a child process,
// on real files in a temp dir.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_CLI as CLI, runDistCli as run } from '../distCli';

/** A Claude Code assistant line; Sonnet 4.5 at $3 in / $15 out per million. */
function line(id: string, at: Date, input: number, output: number): string {
  return JSON.stringify({
    cwd: '/home/dev/project',
    sessionId: 'agent-session-1',
    version: '2.1.3',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output },
    },
    requestId: `req-${id}`,
    type: 'assistant',
    timestamp: at.toISOString(),
  });
}

describe('cli: local bands count the metered usage (status, preflight)', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let claude: string;

  beforeEach(function () {
    if (!existsSync(CLI)) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'spend-band-metering-'));
    claude = join(dir, 'claude');
    const user = join(dir, 'vscode', 'User');
    mkdirSync(join(user, 'globalStorage', 'spend-band.spend-band'), { recursive: true });
    // The editor's settings, as VS Code writes them after a person edits them: comments, trailing commas.
    writeFileSync(
      join(user, 'settings.json'),
      `{
  // Spend Band, local mode
  "editor.fontSize": 14,
  "spendBand.local.timezone": "UTC",
  "spendBand.local.bands": [
    { "workflow": "review", "allocated_usd": 10 },
    { "workflow": "deep_coding", "allocated_usd": 20, }, /* the big one */
  ],
}
`,
    );
    // Usage within this month: one request in a review session, one outside any session.
    const now = Date.now();
    const reviewStart = new Date(now - 3 * 3_600_000);
    const inReview = new Date(now - 2 * 3_600_000);
    const untagged = new Date(now - 30 * 60_000);
    const thisMonth = (d: Date) => d.getUTCMonth() === new Date(now).getUTCMonth();
    if (!thisMonth(reviewStart) || !thisMonth(untagged)) this.skip(); // the first hours of a month
    writeFileSync(
      join(user, 'globalStorage', 'spend-band.spend-band', 'sessions.jsonl'),
      `${JSON.stringify({ id: '0193a0a0-0000-7000-8000-00000000000a', workflow: 'review', start: reviewStart.toISOString(), end: new Date(now - 3_600_000).toISOString() })}\n`,
    );
    mkdirSync(join(claude, 'projects', 'p'), { recursive: true });
    writeFileSync(
      join(claude, 'projects', 'p', 'a.jsonl'),
      `${line('m1', inReview, 200_000, 0)}\n${line('m2', untagged, 0, 100_000)}\n`,
    );
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      SPEND_BAND_CACHE: join(dir, 'cache'),
      SPEND_BAND_VSCODE_USER_DIR: user,
    };
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('status: the bands from the editor settings, used counted from the logs by the session journal, untagged shown', async () => {
    const r = await run(['status', '--json', '--claude-dir', claude], env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const used = Object.fromEntries(
      doc.bands.map((b: { workflow: string; used: { amount_micros: number } }) => [b.workflow, b.used.amount_micros]),
    );
    assert.deepEqual(used, { review: 600_000, deep_coding: 0 });
    assert.deepEqual(doc.untagged, { currency: 'USD', amount_micros: 1_500_000 });
    assert.match(doc.bands_from, /settings\.json$/);
    assert.deepEqual(
      doc.bands.map((b: { used_provenance: { provenance: string; estimated: boolean } }) => [
        b.used_provenance.provenance,
        b.used_provenance.estimated,
      ]),
      [
        ['metered', true],
        ['metered', true],
      ],
    );
    const text = await run(['status', '--claude-dir', claude], env);
    assert.match(text.stdout, /Untagged: \$1\.50 metered/);
    assert.match(text.stdout, /Used is +metered from the agent logs on this machine \(estimated at list prices\)/);
  });

  it('preflight: the remaining headroom is after the metered usage', async () => {
    const r = await run(
      ['preflight', '--workflow', 'review', '--estimate-usd', '8', '--json', '--claude-dir', claude],
      env,
    );
    const out = JSON.parse(r.stdout);
    // $10 allocated, $0.60 used by the logs: an $8 run leaves $1.40 (it would leave $2.00 on an empty band).
    assert.deepEqual(out.projected.used_after, { currency: 'USD', amount_micros: 8_600_000 }, r.stdout);
    assert.equal(out.projected.remaining_after.amount_micros, 1_400_000);
  });

  it('a log folder given explicitly that does not exist exits 2 and says so', async () => {
    const r = await run(['status', '--claude-dir', join(dir, 'nope')], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /folder .*nope given by --claude-dir does not exist/);
    const u = await run(['usage', '--codex-dir', join(dir, 'nope')], env);
    assert.equal(u.code, 2);
  });
});
