// The standard test index that both hosts call: VS Code's extension host (code-server via
// test/host/runIntegration.mjs, or desktop VS Code via @vscode/test-electron) loads this file as
// `extensionTestsPath` and awaits run(). It runs every out/test/integration/**/*.test.js with mocha,
// prints the spec report (the host forwards console output), and writes a JSON results file the
// driver reads, because that is the one channel that survives every host.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { takeMetrics } from './support/metrics';

/** One test's outcome, as written to SPEND_BAND_RESULTS_FILE. */
export interface TestResult {
  fullTitle: string;
  file: string | undefined;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number | undefined;
  error?: { message: string; stack: string | undefined };
}

/** The whole results file. */
export interface TestResults {
  host: { appName: string; version: string; uiKind: string; remoteName: string | undefined };
  startedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  pending: number;
  tests: TestResult[];
  metrics: Record<string, number>;
}

function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTestFiles(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

async function hostInfo(): Promise<TestResults['host']> {
  // Loaded lazily so that a broken `vscode` module shows up as a test failure report, not a crash here.
  const vscode = await import('vscode');
  return {
    appName: vscode.env.appName,
    version: vscode.version,
    uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
    remoteName: vscode.env.remoteName,
  };
}

function errorOf(error: unknown): TestResult['error'] {
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error), stack: undefined };
}

export async function run(): Promise<void> {
  const startedAt = new Date();
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    // Generous: the extension host shares 2 cores with the workbench renderer and the reference server.
    timeout: Number(process.env.SPEND_BAND_TEST_TIMEOUT_MS ?? 60_000),
    slow: 5_000,
  });
  const grep = process.env.SPEND_BAND_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of findTestFiles(__dirname)) mocha.addFile(file);

  const tests: TestResult[] = [];
  const record = (test: Mocha.Runnable, state: TestResult['state'], error?: unknown): void => {
    tests.push({
      fullTitle: test.fullTitle(),
      file: test.file,
      state,
      durationMs: test.duration,
      ...(error === undefined ? {} : { error: errorOf(error) }),
    });
  };

  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((count) => resolve(count));
      runner.on('pass', (test) => record(test, 'passed'));
      // Also fires for failed hooks ("before all" …), which then count as one failure each.
      runner.on('fail', (test, error) => record(test, 'failed', error));
      runner.on('pending', (test) => record(test, 'pending'));
    } catch (error) {
      reject(error);
    }
  });

  const results: TestResults = {
    host: await hostInfo(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    pending: tests.filter((t) => t.state === 'pending').length,
    tests,
    metrics: takeMetrics(),
  };
  const resultsFile = process.env.SPEND_BAND_RESULTS_FILE;
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
  if (results.passed === 0)
    throw new Error('no integration test ran: check out/test/integration and SPEND_BAND_TEST_GREP');
}
