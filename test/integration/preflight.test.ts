// Pre-flight in a real VS Code against the reference server. Rules for a class of our own
// (it_preflight: deny ≥ $30, needs approval ≥ $20, warn ≥ $10, else allow) produce each decision; the
// guarded task runs a real process (a Node one-liner writing a marker file) or does not.
// What is real: the command, the spendBand task (CustomExecution + pseudoterminal), the endpoint's
// decisions, the approval request and its approval by the admin command, the process and its exit
// code, the session tagging. What is not: the warn modal and the prompt input box are answered
// through an internal test command (registered only in ExtensionMode.Test) that stands in for the click;
// the modal's text is recorded and checked.
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Request } from '../../src/domain/schemas';
import type { RunResult } from '../../src/vscode/agentTaskTerminal';
import { TEST_COMMANDS, type ShownPrompt } from '../../src/vscode/preflightFeature';
import type { SpendBandTestHooks } from '../../src/vscode/services';
import { runAdmin } from './support/runAdmin';
import { connectToTestServer } from './support/spendBand';
import { waitFor } from './support/waitFor';

const CLASS = 'it_preflight';

async function adminRequests(): Promise<Request[]> {
  const listed = await runAdmin(['request', 'list', '--developer', 'demo', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const value = JSON.parse(listed.stdout) as Request[] | { data: Request[] };
  return Array.isArray(value) ? value : value.data;
}

/** The pending run_approval request for a run of `usd` dollars in our class. */
async function pendingApproval(usd: number): Promise<Request> {
  return waitFor(
    async () =>
      (await adminRequests()).find(
        (r) =>
          r.kind === 'run_approval' &&
          r.status === 'pending' &&
          r.preflight?.workflow === CLASS &&
          r.preflight.estimate.cost.amount_micros === usd * 1_000_000,
      ),
    60_000,
    `a pending approval request for a $${usd} ${CLASS} run`,
  );
}

function run(args: Record<string, unknown>): Thenable<RunResult> {
  return vscode.commands.executeCommand<RunResult>('spendBand.runWithPreflight', args);
}

describe('preflight: the spendBand task against the reference server', function () {
  this.timeout(180_000);
  let api: SpendBandTestHooks;
  let dir: string;
  let previousWorkflow: string;

  /** A run of `usd` in our class whose command writes `marker` and exits with `code`. */
  function markerRun(usd: number, marker: string, code = 0): Record<string, unknown> {
    return {
      command: process.execPath,
      args: [
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.SPEND_BAND_WORKFLOW || '?'); process.exit(${code})`,
      ],
      cwd: dir,
      workflow: CLASS,
      estimate: { usd },
      name: `it ${usd}`,
    };
  }

  before(async () => {
    api = await connectToTestServer();
    // These runs come through the command with arguments: answer its "start this program?" modal (#20).
    await vscode.commands.executeCommand(TEST_COMMANDS.outsideAnswer, 'Run');
    const base = process.env.SPEND_BAND_TEST_TMP || tmpdir();
    mkdirSync(base, { recursive: true });
    dir = mkdtempSync(join(base, 'preflight-'));
    for (const [action, atLeast] of [
      ['deny', '30'],
      ['needs_approval', '20'],
      ['warn', '10'],
    ] as const) {
      const added = await runAdmin([
        'rule',
        'add',
        '--developer',
        'demo',
        '--workflow',
        CLASS,
        '--action',
        action,
        '--estimate-at-least-usd',
        atLeast,
      ]);
      assert.equal(added.code, 0, added.stderr);
    }
    await api.refresh();
    previousWorkflow = api.currentWorkflow();
    // drop anything recorded by earlier suites
    await vscode.commands.executeCommand(TEST_COMMANDS.shown);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('allow: the process runs tagged with the class, its exit code is the task’s, the class is restored', async () => {
    const marker = join(dir, 'allow');
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type === 'spendBand' && e.execution.task.name === 'it 1') {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    const result = await run(markerRun(1, marker, 3));
    assert.equal(result.decision, 'allow', result.reason);
    assert.equal(result.started, true);
    assert.equal(result.exitCode, 3);
    assert.equal(readFileSync(marker, 'utf8'), CLASS, 'the process did not run with its class');
    const taskExit = await Promise.race([
      ended,
      new Promise<string>((r) => setTimeout(() => r('no onDidEndTaskProcess'), 10_000)),
    ]);
    assert.equal(taskExit, 3, 'the task’s exit code');
    const tagged = api.sessions().find((s) => s.workflow === CLASS && s.origin === 'task');
    assert.ok(tagged, 'no session was tagged with the run’s class');
    assert.equal(api.currentWorkflow(), previousWorkflow, 'the previous class was not restored');
  });

  it('warn: the modal shows the estimate and what would be left; Run Anyway starts it, Cancel does not', async () => {
    const ran = join(dir, 'warn-run');
    await vscode.commands.executeCommand(TEST_COMMANDS.answer, ['Run Anyway']);
    const first = await run(markerRun(12, ran));
    assert.equal(first.decision, 'warn', first.reason);
    assert.equal(first.started, true);
    assert.equal(existsSync(ran), true);
    const shown = await vscode.commands.executeCommand<ShownPrompt[]>(TEST_COMMANDS.shown);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.equal(shown[0]!.kind, 'confirm');
    assert.deepEqual(shown[0]!.buttons, ['Run Anyway', 'Request Increase']);
    assert.match(shown[0]!.detail, /Estimate: \$12\.00, as given\./);

    const skipped = join(dir, 'warn-cancel');
    await vscode.commands.executeCommand(TEST_COMMANDS.answer, [null]);
    const second = await run(markerRun(12, skipped));
    assert.equal(second.decision, 'warn');
    assert.equal(second.started, false);
    assert.equal(second.exitCode, 10);
    assert.equal(existsSync(skipped), false, 'a cancelled warn started the process');
    await vscode.commands.executeCommand(TEST_COMMANDS.shown);

    // with a band (the demo review band is at 85 %: its role rule warns below 20 % left), the modal says
    // what is left now and what would be left after the run
    const review = api.snapshot()!.document!.bands.find((b) => b.workflow === 'review')!;
    await vscode.commands.executeCommand(TEST_COMMANDS.answer, [null]);
    const third = await run({ ...markerRun(0.5, join(dir, 'warn-review')), workflow: 'review', name: 'it review' });
    assert.equal(third.decision, 'warn', third.reason);
    assert.equal(third.started, false);
    const [modal] = await vscode.commands.executeCommand<ShownPrompt[]>(TEST_COMMANDS.shown);
    assert.match(
      modal!.detail,
      new RegExp(
        `\\$[\\d.]+ left of \\$${review.allocated.amount_micros / 1_000_000}\\.00 in .+ now; \\$[\\d.]+ would be left after this run \\(\\d+(\\.\\d)?% used\\)`,
      ),
      modal!.detail,
    );
  });

  it('deny: the process never starts, exit 12', async () => {
    const marker = join(dir, 'deny');
    const result = await run(markerRun(31, marker));
    assert.equal(result.decision, 'deny');
    assert.equal(result.started, false);
    assert.equal(result.exitCode, 12);
    assert.equal(existsSync(marker), false);
  });

  it('needs approval: the request is filed, the task waits, and starts once the admin approves', async () => {
    const marker = join(dir, 'approved');
    const pending = run(markerRun(21, marker, 0));
    const request = await pendingApproval(21);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(existsSync(marker), false, 'started before the approval');
    const approved = await runAdmin(['request', 'approve', request.id, '--note', 'ok for the test']);
    assert.equal(approved.code, 0, approved.stderr);
    const result = await pending;
    assert.equal(result.decision, 'allow', result.reason);
    assert.equal(result.started, true);
    assert.equal(result.exitCode, 0);
    assert.equal(existsSync(marker), true);
  });

  it('needs approval: terminating the waiting task withdraws the request and starts nothing', async () => {
    const marker = join(dir, 'withdrawn');
    const pending = run(markerRun(22, marker, 0));
    const request = await pendingApproval(22);
    const execution = await waitFor(
      () => vscode.tasks.taskExecutions.find((e) => e.task.name === 'it 22'),
      20_000,
      'the waiting task',
    );
    execution.terminate();
    const result = await pending;
    assert.equal(result.started, false);
    assert.equal(result.exitCode, 130);
    assert.equal(existsSync(marker), false);
    await waitFor(
      async () => (await adminRequests()).find((r) => r.id === request.id)?.status === 'cancelled',
      30_000,
      'the request to be cancelled',
    );
  });

  it('asks for the prompt of an agent run and passes it on (a stand-in `claude` on the PATH)', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const fake = join(bin, 'claude');
    const argsFile = join(dir, 'claude-args.json');
    writeFileSync(
      fake,
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    chmodSync(fake, 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath ?? ''}`;
    try {
      const provided = await vscode.tasks.fetchTasks({ type: 'spendBand' });
      const claudeTask = provided.find((t) => t.definition.command === 'claude');
      assert.ok(claudeTask, `the provider offers no claude task: ${provided.map((t) => t.name).join(', ')}`);
      assert.deepEqual(claudeTask.definition.args, ['-p']);
      assert.equal(claudeTask.definition.workflow, 'background_automation');

      await vscode.commands.executeCommand(TEST_COMMANDS.answer, ['fix the flaky test']);
      const result = await run({
        command: fake,
        args: ['-p'],
        cwd: dir,
        workflow: CLASS,
        estimate: { usd: 2 },
        name: 'it claude',
      });
      assert.equal(result.exitCode, 0, result.reason);
      assert.deepEqual(JSON.parse(readFileSync(argsFile, 'utf8')), ['-p', 'fix the flaky test']);
      const shown = await vscode.commands.executeCommand<ShownPrompt[]>(TEST_COMMANDS.shown);
      assert.equal(shown[0]?.kind, 'input');
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('checkRun() on the exported API answers like the task', async () => {
    assert.equal((await api.checkRun({ workflow: CLASS, costUsd: 1 })).decision, 'allow');
    assert.equal((await api.checkRun({ workflow: CLASS, costUsd: 15 })).decision, 'warn');
    assert.equal((await api.checkRun({ workflow: CLASS, costUsd: 35 })).decision, 'deny');
  });

  it('the Language Model Tools answer with the remaining band and a decision', async function () {
    const lm = (vscode as { lm?: typeof vscode.lm }).lm;
    if (!lm?.tools?.some((t) => t.name === 'spendBand_remainingBand')) {
      // a VS Code without the Language Model API (or one that hides contributed tools) has nothing to ask
      this.skip();
    }
    const token = new vscode.CancellationTokenSource().token;
    const remaining = await lm.invokeTool(
      'spendBand_remainingBand',
      { input: { workflow: 'review' }, toolInvocationToken: undefined },
      token,
    );
    const text = remaining.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /review: status (warn|critical|exceeded)/);
  });

  it('a terminal command that starts an agent while its band is at warn gets a warning (shell integration)', async function () {
    const reviewBand = api.snapshot()!.document!.bands.find((b) => b.workflow === 'review');
    assert.ok(reviewBand && reviewBand.status !== 'ok', `the demo review band is ${reviewBand?.status}`);
    await vscode.commands.executeCommand('spendBand.setWorkflow', 'review');
    const terminal = vscode.window.createTerminal({ name: 'it-agent', shellPath: '/bin/bash', cwd: dir });
    try {
      const integration = await new Promise<vscode.TerminalShellIntegration | undefined>((resolve) => {
        if (terminal.shellIntegration) return resolve(terminal.shellIntegration);
        const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
          if (e.terminal === terminal) {
            sub.dispose();
            resolve(e.shellIntegration);
          }
        });
        setTimeout(() => resolve(undefined), 20_000);
      });
      if (!integration) this.skip(); // this host's bash got no shell integration: nothing reports the command
      integration.executeCommand('claude --version');
      const warnings = await waitFor(
        async () => {
          const seen = await vscode.commands.executeCommand<{ commandLine: string; bandId: string; message: string }[]>(
            TEST_COMMANDS.terminalWarnings,
          );
          return seen.find((w) => w.commandLine.includes('claude --version'));
        },
        30_000,
        'the terminal warning',
      );
      assert.equal(warnings.bandId, reviewBand.id);
      assert.match(warnings.message, /It was not stopped/);
    } finally {
      terminal.dispose();
      await vscode.commands.executeCommand('spendBand.setWorkflow', previousWorkflow);
    }
  });
});
