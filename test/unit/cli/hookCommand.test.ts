// `spend-band hook claude` and `hook install`, and `spend-band statusline`, run as the real bundles
// (build first) with hook JSON shaped as in the Claude Code hooks reference, against a real reference
// server on 127.0.0.1, a closed port, and a server that never answers. The hook and status line tests
// run twice: through the CLI (node dist/cli.js hook claude / statusline) and through their own entries
// (dist/spend-band-hook.js, dist/spend-band-statusline.js), which is what `hook install` installs.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { rememberBandsCacheDir } from '../../../src/flows/agents/agentState';
import { admin, startHarness, type Harness } from '../server/serverHarness';

const ROOT = resolve(__dirname, '../../../..');
const CLI = join(ROOT, 'dist/cli.js');
const HOOK = join(ROOT, 'dist/spend-band-hook.js');
const STATUSLINE = join(ROOT, 'dist/spend-band-statusline.js');

type Via = 'cli' | 'entries';

/** The process arguments for `spend-band ARGS…`: the CLI, or the hook's / status line's own entry. */
function argvFor(via: Via, args: string[]): string[] {
  if (via === 'entries' && args[0] === 'hook' && args[1] === 'claude') return [HOOK, ...args.slice(2)];
  if (via === 'entries' && args[0] === 'statusline') return [STATUSLINE, ...args.slice(1)];
  return [CLI, ...args];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runProcess(argv: string[], env: NodeJS.ProcessEnv, stdin: string): Promise<Run> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, argv, { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return fail(error);
      done({ code: child.exitCode, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin!.end(stdin);
  });
}

/** A PreToolUse input as the hooks reference shows it, for the Task tool that starts a sub-agent. */
function preToolUse(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    session_id: 'abc123',
    transcript_path: '/home/u/.claude/projects/p/abc123.jsonl',
    cwd: '/home/u/p',
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Task',
    tool_input: { description: 'Refactor the parser', prompt: 'Refactor src/parser', subagent_type: 'general-purpose' },
    tool_use_id: `toolu_${randomUUID()}`,
    ...overrides,
  });
}

function answer(r: Run): { decision?: string; reason?: string; systemMessage?: string } {
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  return {
    decision: json.hookSpecificOutput?.permissionDecision,
    reason: json.hookSpecificOutput?.permissionDecisionReason,
    systemMessage: json.systemMessage,
  };
}

for (const via of ['cli', 'entries'] as const)
  describe(`cli: hook claude, hook install, statusline (${via === 'cli' ? 'node dist/cli.js' : 'their own entries'})`, function () {
    this.timeout(120_000);
    let h: Harness;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const run = (args: string[], runEnv: NodeJS.ProcessEnv, stdin: string) =>
      runProcess(argvFor(via, args), runEnv, stdin);

    before(() => {
      for (const file of [CLI, HOOK, STATUSLINE])
        if (!existsSync(file)) throw new Error(`${file} is missing: run "node esbuild.mjs" before these tests.`);
    });
    beforeEach(async () => {
      h = await startHarness({ nowMs: Date.now() });
      dir = mkdtempSync(join(tmpdir(), 'spend-band-hook-'));
      env = {
        PATH: process.env.PATH,
        HOME: dir,
        SPEND_BAND_ENDPOINT: h.url,
        SPEND_BAND_TOKEN: h.token,
        SPEND_BAND_CACHE: join(dir, 'cache'),
      };
    });
    afterEach(async () => {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('allows a sub-agent within the band, with the numbers', async () => {
      const a = answer(await run(['hook', 'claude', '--estimate-usd', '0.5'], env, preToolUse()));
      assert.equal(a.decision, 'allow');
      assert.match(a.reason!, /\$0\.50 estimated/);
      assert.match(a.reason!, /would be left after this run/);
    });

    it('asks (warn) with the numbers when a rule warns', async () => {
      const added = await admin(
        h.dbPath,
        [
          'rule',
          'add',
          '--developer',
          'demo',
          '--workflow',
          'background_automation',
          '--action',
          'warn',
          '--estimate-at-least-usd',
          '1',
          '--id',
          'warn_test',
        ],
        Date.now(),
      );
      assert.equal(added.code, 0, added.stderr);
      const a = answer(await run(['hook', 'claude', '--estimate-usd', '2'], env, preToolUse()));
      assert.equal(a.decision, 'ask');
      assert.match(a.reason!, /\$2\.00 estimated/);
    });

    it('needs approval: deny with the request id in a session, defer under -p, and the resumed call passes once approved', async () => {
      const input = preToolUse();
      const interactive = answer(await run(['hook', 'claude', '--estimate-usd', '8'], env, input));
      assert.equal(interactive.decision, 'deny');
      const requestId = /Approval request (\S+) is filed/.exec(interactive.reason!)?.[1];
      assert.ok(requestId, interactive.reason);

      const headless = answer(
        await run(['hook', 'claude', '--estimate-usd', '8'], { ...env, SPEND_BAND_HOOK_NONINTERACTIVE: '1' }, input),
      );
      assert.equal(headless.decision, 'defer');
      assert.match(headless.reason!, new RegExp(requestId!));
      assert.match(headless.systemMessage!, /waits for approval/);

      const approved = await admin(h.dbPath, ['request', 'approve', requestId!, '--by', 'lead'], Date.now());
      assert.equal(approved.code, 0, approved.stderr);
      const resumed = answer(
        await run(['hook', 'claude', '--estimate-usd', '8'], { ...env, SPEND_BAND_HOOK_NONINTERACTIVE: '1' }, input),
      );
      assert.equal(resumed.decision, 'allow', resumed.reason);
    });

    it('denies with the reason and a cheaper path', async () => {
      const a = answer(
        await run(
          ['hook', 'claude', '--estimate-usd', '25'],
          env,
          preToolUse({ tool_input: { description: 'x', prompt: 'y', model: 'opus' } }),
        ),
      );
      assert.equal(a.decision, 'deny');
      assert.match(a.reason!, /\$20 or more are not allowed/);
      assert.match(a.reason!, /Cheaper: run this sub-agent with model "sonnet" or "haiku"/);
    });

    it('fails open with a visible message when the endpoint is down', async () => {
      const r = await run(
        ['hook', 'claude', '--estimate-usd', '25'],
        { ...env, SPEND_BAND_ENDPOINT: 'http://127.0.0.1:1' },
        preToolUse(),
      );
      const a = answer(r);
      assert.equal(a.decision, undefined, "no decision: the agent's own permission rules apply");
      assert.match(a.systemMessage!, /not checked \(the endpoint is unreachable\)/);
    });

    it('checks the same tool call asked again with another estimate (no 422 fail-open)', async () => {
      const input = preToolUse();
      const first = answer(await run(['hook', 'claude', '--estimate-usd', '1'], env, input));
      assert.equal(first.decision, 'allow', first.reason);
      // The history estimate moves between asks; the endpoint would refuse the first id with a new body.
      const again = answer(await run(['hook', 'claude', '--estimate-usd', '30'], env, input));
      assert.equal(again.systemMessage, undefined, 'checked, not let through');
      assert.equal(again.decision, 'deny');
      assert.match(again.reason!, /\$20 or more are not allowed/);
      // The same -p prompt twice in a session (no tool_use_id), the second time with a larger estimate.
      const prompt = JSON.stringify({
        session_id: 's2',
        transcript_path: '/t',
        cwd: '/c',
        permission_mode: 'default',
        hook_event_name: 'UserPromptSubmit',
        prompt: 'continue',
      });
      assert.deepEqual(
        JSON.parse((await run(['hook', 'claude', '--estimate-usd', '1', '--non-interactive'], env, prompt)).stdout),
        {},
      );
      const repeated = JSON.parse(
        (await run(['hook', 'claude', '--estimate-usd', '30', '--non-interactive'], env, prompt)).stdout,
      );
      assert.equal(repeated.decision, 'block');
      assert.match(repeated.reason, /not allowed/);
    });

    it('does not let a run through when the endpoint refuses the question (4xx), only when it fails (5xx)', async () => {
      const refused = answer(
        await run(
          ['hook', 'claude', '--estimate-usd', '1'],
          { ...env, SPEND_BAND_TOKEN: 'sbt_not_a_real_token_0000000000000000' },
          preToolUse(),
        ),
      );
      assert.equal(refused.decision, 'ask');
      assert.match(refused.reason!, /could not check this run \(the endpoint refused the token \(401\)/);

      // An endpoint that answers each pre-flight with the status the test sets.
      let status = 422;
      const other: Server = createServer((_req, res) =>
        res
          .writeHead(status, { 'content-type': 'application/problem+json' })
          .end(JSON.stringify({ code: status < 500 ? 'validation_failed' : 'api_error', detail: 'the test says no' })),
      );
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
        const invalid = answer(
          await run(['hook', 'claude', '--estimate-usd', '1'], { ...env, SPEND_BAND_ENDPOINT: url }, preToolUse()),
        );
        assert.equal(invalid.decision, 'ask');
        assert.match(invalid.reason!, /the endpoint answered 422 validation_failed: the test says no/);
        const headless = JSON.parse(
          (
            await run(
              ['hook', 'claude', '--estimate-usd', '1', '--non-interactive'],
              { ...env, SPEND_BAND_ENDPOINT: url },
              JSON.stringify({ session_id: 's', hook_event_name: 'UserPromptSubmit', prompt: 'p' }),
            )
          ).stdout,
        );
        assert.equal(headless.decision, 'block');
        status = 503;
        const open = answer(
          await run(['hook', 'claude', '--estimate-usd', '1'], { ...env, SPEND_BAND_ENDPOINT: url }, preToolUse()),
        );
        assert.equal(open.decision, undefined);
        assert.match(open.systemMessage!, /not checked \(the endpoint answered 503\)/);
      } finally {
        await new Promise((r) => other.close(r));
      }
    });

    it('answers within its budget when the endpoint is slow', async () => {
      const held: Array<() => void> = [];
      const slow: Server = createServer((_req, res) => held.push(() => res.end()));
      await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
        const r = await run(
          ['hook', 'claude', '--estimate-usd', '25', '--timeout-ms', '300'],
          { ...env, SPEND_BAND_ENDPOINT: url },
          preToolUse(),
        );
        const a = answer(r);
        assert.match(a.systemMessage!, /did not answer within 300 ms/);
        // The installed hook's own timeout is 10 s; the answer comes far inside it.
        assert.ok(r.ms < 10_000, `${r.ms} ms`);
      } finally {
        for (const release of held) release();
        slow.closeAllConnections();
        await new Promise((r) => slow.close(r));
      }
    });

    it('checks a -p prompt (UserPromptSubmit) and lets interactive prompts through untouched', async () => {
      const prompt = JSON.stringify({
        session_id: 's',
        transcript_path: '/t',
        cwd: '/c',
        permission_mode: 'default',
        hook_event_name: 'UserPromptSubmit',
        prompt: 'Refactor everything',
      });
      const interactive = await run(['hook', 'claude', '--estimate-usd', '25'], env, prompt);
      assert.deepEqual(JSON.parse(interactive.stdout), {});
      const headless = await run(['hook', 'claude', '--estimate-usd', '25', '--non-interactive'], env, prompt);
      const json = JSON.parse(headless.stdout);
      assert.equal(json.decision, 'block');
      assert.match(json.reason, /not allowed/);
    });

    if (via === 'cli')
      it("install adds both hooks beside the user's own, keeps a backup, is idempotent, and --dry-run writes nothing", async () => {
        const settingsPath = join(dir, 'settings.json');
        const mine = {
          model: 'sonnet',
          hooks: {
            PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/check-bash' }] }],
            Stop: [{ hooks: [{ type: 'command', command: 'notify' }] }],
          },
        };
        writeFileSync(settingsPath, JSON.stringify(mine, null, 2));
        const dry = await run(['hook', 'install', '--settings', settingsPath, '--dry-run'], env, '');
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /Would write/);
        assert.deepEqual(JSON.parse(readFileSync(settingsPath, 'utf8')), mine);

        const first = await run(['hook', 'install', '--settings', settingsPath], env, '');
        assert.equal(first.code, 0, first.stderr);
        const written = JSON.parse(readFileSync(settingsPath, 'utf8'));
        assert.equal(written.model, 'sonnet');
        assert.deepEqual(written.hooks.Stop, mine.hooks.Stop);
        assert.deepEqual(written.hooks.PreToolUse[0], mine.hooks.PreToolUse[0]);
        const ours = written.hooks.PreToolUse[1];
        assert.equal(ours.matcher, 'Agent|Task|Workflow|CronCreate|ScheduleWakeup');
        // the hook's own entry beside the CLI, by absolute path (see the tests of the installed command below)
        assert.match(
          ours.hooks[0].command,
          /^SPEND_BAND_EXTRA_CA_CERTS="\$NODE_EXTRA_CA_CERTS" NODE_EXTRA_CA_CERTS= \/\S+ \/\S+\/dist\/spend-band-hook\.js$/,
        );
        assert.equal(written.hooks.UserPromptSubmit.length, 1);
        const backups = readdirSync(dir).filter((n) => n.startsWith('settings.json.spend-band-backup-'));
        assert.equal(backups.length, 1);
        assert.deepEqual(JSON.parse(readFileSync(join(dir, backups[0]!), 'utf8')), mine);

        const second = await run(['hook', 'install', '--settings', settingsPath], env, '');
        assert.match(second.stdout, /already in place/);
        assert.deepEqual(JSON.parse(readFileSync(settingsPath, 'utf8')), written);
        assert.equal(readdirSync(dir).filter((n) => n.startsWith('settings.json.spend-band-backup-')).length, 1);
      });

    if (via === 'cli')
      it('install refuses a settings file that is not JSON and changes nothing', async () => {
        const settingsPath = join(dir, 'settings.json');
        writeFileSync(settingsPath, '{ "hooks": ');
        const r = await run(['hook', 'install', '--settings', settingsPath], env, '');
        assert.equal(r.code, 2);
        assert.match(r.stderr, /not valid JSON/);
        assert.equal(readFileSync(settingsPath, 'utf8'), '{ "hooks": ');
      });

    it("statusline prints the band and the agent's official numbers from the cache, records them, and decides the hook's history estimate", async () => {
      // `spend-band status` fills the cache the status line reads (no network on the status line itself).
      const status = await run(['status', '--json'], env, '');
      assert.equal(status.code, 0, status.stderr);
      const line = await run(
        ['statusline', '--workflow', 'review'],
        { ...env, SPEND_BAND_ENDPOINT: 'http://127.0.0.1:1' },
        JSON.stringify({
          session_id: 'sess-official',
          transcript_path: '/t',
          model: { id: 'claude-opus-4-1', display_name: 'Opus' },
          cost: { total_cost_usd: 3.5, total_duration_ms: 1000 },
          rate_limits: {
            five_hour: { used_percentage: 31.4, resets_at: Math.floor(Date.now() / 1000) + 3600 },
            seven_day: { used_percentage: 3, resets_at: Math.floor(Date.now() / 1000) + 86400 },
          },
        }),
      );
      assert.equal(line.code, 0, line.stderr);
      assert.match(
        line.stdout,
        /^Review \d+% · \$[\d.,]+\/\$[\d.,]+ · \d+[dhm] left │ Claude official: \$3\.50 session · 5h 31% · 7d 3%\n$/,
      );
      const state = JSON.parse(readFileSync(join(dir, 'cache', 'agent-state.json'), 'utf8'));
      assert.equal(state.sessions['sess-official'].costMicros, 3_500_000);
      assert.equal(state.rateLimits.five_hour.usedPercent, 31.4);

      // The hook's estimate from history is that official session cost.
      const a = answer(await run(['hook', 'claude'], env, preToolUse()));
      assert.match(a.reason!, /\$3\.50 estimated \(median of your last 1 Claude Code session, official costs\)/);

      // Without an endpoint the hook decides from the cached bands.
      const local = answer(
        await run(['hook', 'claude', '--estimate-usd', '25'], { ...env, SPEND_BAND_ENDPOINT: '' }, preToolUse()),
      );
      assert.equal(local.decision, 'deny');
      assert.match(local.reason!, /\$20 or more/);
    });

    it('statusline counts time left as status and the gauge do (3 days 2 hours is 4d, not 3d)', async () => {
      const status = await run(['status', '--json'], env, '');
      assert.equal(status.code, 0, status.stderr);
      const cache = join(dir, 'cache');
      const file = readdirSync(cache).find((n) => /^bands-[0-9a-f]{24}\.json$/.test(n))!;
      const cached = JSON.parse(readFileSync(join(cache, file), 'utf8'));
      const review = cached.document.bands.find((b: { workflow: string }) => b.workflow === 'review');
      review.period.end = new Date(Date.now() + 3 * 86_400_000 + 2 * 3_600_000).toISOString();
      writeFileSync(join(cache, file), JSON.stringify(cached));
      const line = await run(['statusline', '--workflow', 'review'], env, '{}');
      assert.match(line.stdout, /^Review \d+% · \S+ · 4d left\n$/);
    });

    if (via === 'cli')
      it('the demo prints a statusLine command that works from the project folder Claude Code runs it in', async () => {
        const status = await run(['status', '--json'], env, '');
        assert.equal(status.code, 0, status.stderr);
        const modulePath = pathToFileURL(join(ROOT, 'test/host/liveUsageLines.mjs')).href;
        const { liveUsageLines } = (await import(modulePath)) as {
          liveUsageLines: (url: string, token: string) => string[];
        };
        const lines = liveUsageLines(h.url, 'sbt_demo');
        const setting = lines.find((l) => l.includes('"statusLine"'))!;
        const command = JSON.parse(/"command": ("[^"]*")/.exec(setting)![1]!) as string;
        const project = mkdtempSync(join(tmpdir(), 'spend-band-project-'));
        try {
          const out = await new Promise<string>((done, fail) => {
            const child = execFile(
              '/bin/sh',
              ['-c', command],
              { cwd: project, env, timeout: 60_000 },
              (error, stdout, stderr) => (error ? fail(new Error(`${command}: ${stderr}`)) : done(stdout)),
            );
            child.stdin!.end('{}');
          });
          assert.match(out, /\d+% · \$/);
        } finally {
          rmSync(project, { recursive: true, force: true });
        }
        // The hook line says Claude Code itself needs the endpoint and token in its environment.
        assert.ok(
          lines.some(
            (l) => l.includes(`SPEND_BAND_ENDPOINT=${h.url} SPEND_BAND_TOKEN=`) && /before running claude/.test(l),
          ),
          lines.join('\n'),
        );
      });

    it('statusline also finds the bands the extension cached in its own folder, once the extension named it', async () => {
      const extensionCache = join(dir, 'extension-storage', 'cache');
      // The extension's snapshot loader writes the same cache files (api/bandsCache.ts) into its storage.
      const status = await run(['status', '--json', '--cache-dir', extensionCache], env, '');
      assert.equal(status.code, 0, status.stderr);
      const before = await run(['statusline', '--workflow', 'review'], env, '{}');
      assert.match(before.stdout, /no bands cached yet/);
      rememberBandsCacheDir(join(dir, 'cache'), extensionCache, new Date());
      const after = await run(['statusline', '--workflow', 'review'], env, '{}');
      assert.match(after.stdout, /^Review \d+% · /);
    });
  });

/** Runs a command line as Claude Code does (a shell, in the project's folder), with the JSON on stdin. */
function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, stdin: string): Promise<Run> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = execFile('/bin/sh', ['-c', command], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return fail(error);
      done({ code: child.exitCode, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin!.end(stdin);
  });
}

describe('cli: the hook command that hook install writes', function () {
  this.timeout(120_000);
  let h: Harness;
  let dir: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let command: string;

  beforeEach(async () => {
    h = await startHarness({ nowMs: Date.now() });
    dir = mkdtempSync(join(tmpdir(), 'spend-band-hook-installed-'));
    project = join(dir, 'project');
    mkdirSync(project);
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      SPEND_BAND_ENDPOINT: h.url,
      SPEND_BAND_TOKEN: h.token,
      SPEND_BAND_CACHE: join(dir, 'cache'),
    };
    const settingsPath = join(dir, 'settings.json');
    const installed = await runProcess([CLI, 'hook', 'install', '--settings', settingsPath], env, '');
    assert.equal(installed.code, 0, installed.stderr);
    command = JSON.parse(readFileSync(settingsPath, 'utf8')).hooks.PreToolUse[0].hooks[0].command;
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the project folder, with NODE_EXTRA_CA_CERTS set or not', async () => {
    for (const extra of [{}, { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }]) {
      const r = await runShell(`${command} --estimate-usd 0.5`, project, { ...env, ...extra }, preToolUse());
      const a = answer(r);
      assert.equal(a.decision, 'allow', r.stderr);
      assert.match(a.reason!, /decided by the endpoint\. \$0\.50 estimated/);
    }
  });

  it('trusts the certificate NODE_EXTRA_CA_CERTS names for an https endpoint, as node would', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    // An endpoint over TLS with a certificate only that file vouches for; it warns on every pre-flight
    // (the reference server on the plain port would allow this one).
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          decision: 'warn',
          reason: 'close to the limit (the TLS endpoint)',
          band_id: null,
          projected: null,
          reservation: null,
          approval: null,
        }),
      ),
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const trusted = answer(
        await runShell(
          `${command} --estimate-usd 0.5`,
          project,
          { ...env, SPEND_BAND_ENDPOINT: url, NODE_EXTRA_CA_CERTS: cert },
          preToolUse(),
        ),
      );
      assert.equal(trusted.decision, 'ask');
      assert.match(trusted.reason!, /the TLS endpoint/);
      // Without the file the certificate is not trusted: not checked, as with any unreachable endpoint.
      const untrusted = answer(
        await runShell(`${command} --estimate-usd 0.5`, project, { ...env, SPEND_BAND_ENDPOINT: url }, preToolUse()),
      );
      assert.equal(untrusted.decision, undefined);
      assert.match(untrusted.systemMessage!, /not checked/);
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });

  it('replaces the hook an earlier version installed (node dist/cli.js hook claude) instead of adding one', async () => {
    const settingsPath = join(dir, 'old-settings.json');
    const old = `${process.execPath} ${CLI} hook claude`;
    writeFileSync(
      settingsPath,
      JSON.stringify({
        hooks: {
          PreToolUse: [
            {
              matcher: 'Agent|Task|Workflow|CronCreate|ScheduleWakeup',
              hooks: [{ type: 'command', command: old, timeout: 10 }],
            },
          ],
          UserPromptSubmit: [{ hooks: [{ type: 'command', command: old, timeout: 10 }] }],
        },
      }),
    );
    const r = await runProcess([CLI, 'hook', 'install', '--settings', settingsPath], env, '');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /updated the PreToolUse hook, updated the UserPromptSubmit hook/);
    const written = JSON.parse(readFileSync(settingsPath, 'utf8'));
    for (const event of ['PreToolUse', 'UserPromptSubmit']) {
      assert.equal(written.hooks[event].length, 1);
      assert.deepEqual(
        written.hooks[event][0].hooks.map((x: { command: string }) => x.command),
        [command],
      );
    }
  });
});
