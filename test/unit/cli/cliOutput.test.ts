// What a person reads: lists with a header row and local times (not ISO), --limit, money in the
// currency's own digits, colour only on a terminal and never with NO_COLOR, "on track" never beside a
// forecast over 100 %, the gauge's days said as "left", band ids on request, --band by class. The
// real CLI in a child process against the reference server's demo team on 127.0.0.1.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { colourEnabled, moneyText, renderTable } from '../../../src/cli/output';
import { runCli, startTestServer, tempDir, type TestServer } from '../preflight/cliKit';

describe('cli output helpers', () => {
  it("money: Intl in the currency's digits; a tiny amount never reads as zero or as $0.004025", () => {
    assert.equal(moneyText({ currency: 'USD', amount_micros: 1_234_500_000 }), '$1,234.50');
    assert.equal(moneyText({ currency: 'USD', amount_micros: 4_025 }), '<$0.01');
    assert.equal(moneyText({ currency: 'USD', amount_micros: 5_000 }), '$0.01');
    assert.equal(moneyText({ currency: 'USD', amount_micros: -7_200_000 }), '-$7.20');
    assert.equal(moneyText({ currency: 'USD', amount_micros: 0 }), '$0.00');
    assert.equal(moneyText({ currency: 'JPY', amount_micros: 1_234_600_000 }), '¥1,235');
    assert.equal(moneyText({ currency: 'EUR', amount_micros: 420_000 }), '€0.42');
    // a code Intl has no symbol for keeps the code (with a no-break space)
    assert.match(moneyText({ currency: 'XBT', amount_micros: 1_500_000 }), /^XBT\s1\.50$/);
  });

  it('tables: a header row, right-aligned amounts, no trailing blanks', () => {
    const text = renderTable(
      [
        { id: 'a', amount: '$1.00' },
        { id: 'bbb', amount: '$10.00' },
      ],
      [
        { header: 'ID', value: (r) => r.id },
        { header: 'Amount', value: (r) => r.amount, align: 'right' },
      ],
    );
    assert.equal(text, 'ID   Amount\na     $1.00\nbbb  $10.00\n');
  });

  it('colour: on a terminal only; NO_COLOR and FORCE_COLOR=0 turn it off, FORCE_COLOR on', () => {
    assert.equal(colourEnabled({ write: () => 0, isTTY: true }, {}), true);
    assert.equal(colourEnabled({ write: () => 0, isTTY: false }, {}), false);
    assert.equal(colourEnabled({ write: () => 0, isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colourEnabled({ write: () => 0, isTTY: true }, { FORCE_COLOR: '0' }), false);
    assert.equal(colourEnabled({ write: () => 0, isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(colourEnabled({ write: () => 0, isTTY: true }, { TERM: 'dumb' }), false);
  });
});

describe('spend-band lists, status and request (real process, reference server)', function () {
  this.timeout(90_000);
  let tmp: { dir: string; cleanup(): void };
  let server: TestServer;
  let env: Record<string, string>;
  const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

  before(async () => {
    tmp = tempDir('spend-band-output-');
    server = await startTestServer(tmp.dir);
    env = {
      HOME: tmp.dir,
      TZ: 'America/New_York',
      SPEND_BAND_ENDPOINT: server.server.url,
      SPEND_BAND_TOKEN: server.server.demoToken!,
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
      CODEX_HOME: join(tmp.dir, 'no-codex'),
    };
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('request --band takes a class; a wrong one lists classes and ids (exit 2)', async () => {
    const ok = await runCli(
      [
        'request',
        '--band',
        'review',
        '--delta-usd',
        '20',
        '--outcome',
        'faster_review',
        '--justification',
        'release week: forty pull requests to review',
      ],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Request req_\S+ filed: b_review \+\$20\.00/);
    const bad = await runCli(
      [
        'request',
        '--band',
        'reveiw',
        '--delta-usd',
        '20',
        '--outcome',
        'faster_review',
        '--justification',
        'release week: forty pull requests to review',
      ],
      env,
    );
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(
      bad.stderr,
      /there is no band "reveiw"\. Did you mean review\? Name a class or a band id: .*review \(b_review\)/,
    );
  });

  it('requests: a header row, local times (not ISO), --limit', async () => {
    await runCli(['preflight', '--workflow', 'background_automation', '--estimate-usd', '6'], env);
    const all = await runCli(['requests'], env);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID +Status +Kind +Band +Amount +Updated +Note$/);
    assert.ok(lines.length >= 3, all.stdout);
    assert.doesNotMatch(all.stdout, ISO);
    assert.match(all.stdout, /run approval +b_background_automation +run ~\$6\.00 +[A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2}/);
    const one = await runCli(['requests', '--limit', '1'], env);
    assert.equal(one.stdout.trimEnd().split('\n').length, 2, one.stdout);
    assert.match(one.stderr, /showing the newest 1; pass a larger --limit/);
    const json = await runCli(['requests', '--limit', '1', '--json'], env);
    assert.equal(JSON.parse(json.stdout).data.length, 1);
    assert.equal((await runCli(['requests', '--limit', '0'], env)).code, 2);
  });

  it('admin lists: header rows, local times, --limit', async () => {
    const listed = await server.admin(['request', 'list', '--limit', '1']);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID +Status +Kind +Developer +Band +Amount +Filed$/);
    assert.equal(lines.length, 2);
    assert.doesNotMatch(listed.stdout, ISO);
    const developers = await server.admin(['developer', 'list']);
    assert.match(developers.stdout, /^ID +Role +Live tokens +Name\n/);
  });

  it('status: never "on track" beside a forecast over 100 %, days said as "left", ids on request', async () => {
    const r = await runCli(['status'], env);
    assert.equal(r.code, 0, r.stderr);
    const headlines = r.stdout.split('\n').filter((l) => / — /.test(l));
    assert.ok(headlines.length >= 5, r.stdout);
    for (const line of headlines) {
      assert.match(line, /· (\d+[dhm]|now) left$|· no reset$/, line);
      assert.doesNotMatch(line, /↑|\$\(arrow-up\)/);
    }
    // the demo's class bands forecast past their allocation early in the month: they are "over pace"
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
      bands: Array<{ id: string; workflow: string; status: string }>;
    };
    for (const band of json.bands) assert.match(band.id, /\S/);
    const forecastRows = r.stdout.split('\n\n').filter((block) => /Forecast +\S+ at period end \((\d+)%\)/.test(block));
    for (const block of forecastRows) {
      const percent = Number(/at period end \((\d+)%\)/.exec(block)![1]);
      if (percent > 100) assert.doesNotMatch(block.split('\n')[0]!, /on track/, block);
    }
    assert.doesNotMatch(r.stdout, /\bid b_/);
    const ids = await runCli(['status', '--ids'], env);
    for (const band of json.bands) assert.match(ids.stdout, new RegExp(`\\[${band.workflow}, id ${band.id}\\]`));
  });

  it('colour: none through a pipe or with NO_COLOR; FORCE_COLOR asks for it', async () => {
    const plain = await runCli(['requests'], env);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    const forced = await runCli(['requests'], { ...env, FORCE_COLOR: '1' });
    assert.match(forced.stdout, /\x1b\[1mID/);
    const refused = await runCli(['requests'], { ...env, FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.doesNotMatch(refused.stdout, /\x1b\[/);
  });
});
