import { spawn } from 'node:child_process';
import { testEndpoint } from './testEndpoint';

/** What an admin command did. */
export interface AdminResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `spend-band admin <args…> --db <the test server's db>` with the system Node that runs the driver
 * (SPEND_BAND_TEST_NODE): better-sqlite3 is built for it, not for the extension host's Node. Resolves
 * with the exit code and output; never throws on a non-zero exit, so tests assert on it.
 */
export function runAdmin(args: readonly string[], timeoutMs = 60_000): Promise<AdminResult> {
  const { db } = testEndpoint();
  const node = process.env.SPEND_BAND_TEST_NODE ?? '';
  const cli = process.env.SPEND_BAND_TEST_CLI ?? '';
  if (!node || !cli) {
    return Promise.reject(
      new Error('SPEND_BAND_TEST_NODE/SPEND_BAND_TEST_CLI are empty: run the suite through "npm run test:integration"'),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(node, [cli, 'admin', ...args, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`spend-band admin ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${node} ${cli}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
