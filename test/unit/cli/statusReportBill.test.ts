// Review finding 10: on December 4th `status` said "Seats $49.00 + usage $222.20" and `report` "usage
// $220.70": the weekly background band began on Monday November 30th, and status counted the bands
// (each over its own period) while the report counted the calendar month. One rule now: the whole bill
// counts usage as the bands do; the report says so when its tables count another window. The real CLI
// process, its clock set to that Friday by a preload (the CLI has no clock flag), against the reference
// server on 127.0.0.1 seeded for the same instant.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../src/server/main';
import { buildCli, tempDir, type CliRun } from '../preflight/cliKit';

const NOW = '2026-12-04T16:05:00Z';

/** `new Date()` and `Date.now()` at NOW (advancing with the process's own time) in the child process. */
const FIXED_CLOCK = `
const shift = Date.parse(${JSON.stringify(NOW)}) - Date.now();
const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + shift); else super(...args); }
  static now() { return RealDate.now() + shift; }
}
globalThis.Date = ShiftedDate;
`;

describe('status and report: one whole bill for a weekly band that began last month (real CLI)', function () {
  this.timeout(120_000);
  let tmp: { dir: string; cleanup(): void };
  let server: RunningServer;
  let env: Record<string, string>;
  let preload: string;

  before(async () => {
    tmp = tempDir('spend-band-bill-');
    preload = join(tmp.dir, 'clock.cjs');
    writeFileSync(preload, FIXED_CLOCK);
    const shift = Date.parse(NOW) - Date.now();
    server = await startServer({
      dbPath: join(tmp.dir, 'server.db'),
      port: 0,
      demo: true,
      now: () => new Date(Date.now() + shift),
      log: () => undefined,
    });
    env = {
      HOME: tmp.dir,
      SPEND_BAND_ENDPOINT: server.url,
      SPEND_BAND_TOKEN: server.demoToken!,
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

  async function cli(args: string[]): Promise<CliRun> {
    const path = await buildCli();
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--require', preload, path, ...args], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  const billOf = (text: string, what: string) => {
    const bill = /Seats (\$[\d,.]+) \+ usage (\$[\d,.]+) = (\$[\d,.]+)/.exec(text);
    assert.ok(bill, `${what} prints no whole bill:\n${text}`);
    return bill.slice(1, 4);
  };

  it('the same seats + usage = total in both, and the report says which window its tables count', async () => {
    const status = await cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    const report = await cli(['report']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /December 2026/);

    // the case of the finding: the weekly band's period began in November
    const json = JSON.parse((await cli(['status', '--json'])).stdout);
    const weekly = json.bands.find((b: { workflow: string }) => b.workflow === 'background_automation');
    assert.equal(weekly.period.start.slice(0, 10), '2026-11-30');

    assert.deepEqual(billOf(report.stdout, 'report'), billOf(status.stdout, 'status'));
    assert.match(
      report.stdout.replace(/\s+/g, ' '),
      /The whole bill counts usage as your bands and spend-band status do, each over its current period: Background automation since 2026-11-30/,
    );

    const reportJson = JSON.parse((await cli(['report', '--format', 'json'])).stdout);
    const byClass = reportJson.by_workflow.reduce(
      (a: number, r: { spend: { amount: string } }) => a + Number(r.spend.amount),
      0,
    );
    assert.ok(
      Number(reportJson.bill.usage.amount) > byClass,
      `the bill (${reportJson.bill.usage.amount}) counts Nov 30 too, the December tables (${byClass}) do not`,
    );
  });
});
