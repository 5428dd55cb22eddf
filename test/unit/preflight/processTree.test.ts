// Stopping a guarded run stops what it started: with `group: true` (the task terminal) the child leads
// a process group and stop() reaches a grandchild that ignores nothing special; a child that ignores
// SIGTERM is killed after the grace period. Real processes, checked with signal 0.
import assert from 'node:assert/strict';
import { startProcess } from '../../../src/flows/preflight/processTree';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('preflightProcess: output, exit code and stopping the tree', function () {
  if (process.platform === 'win32') return;
  this.timeout(30_000);

  it('streams output and reports the exit code', async () => {
    let out = '';
    const child = await startProcess(
      process.execPath,
      ['-e', "process.stdout.write('a\\n'); process.stderr.write('b\\n'); process.exit(9)"],
      {
        stdio: 'pipe',
        group: true,
        onOutput: (text) => (out += text),
      },
    );
    const exit = await child.exited;
    assert.equal(exit.code, 9);
    assert.match(out, /a\n/);
    assert.match(out, /b\n/);
  });

  it('stop() ends the child and its grandchild', async () => {
    let out = '';
    const child = await startProcess('/bin/sh', ['-c', 'sleep 60 & echo "grandchild $!"; wait'], {
      stdio: 'pipe',
      group: true,
      onOutput: (t) => (out += t),
    });
    await until(() => /grandchild \d+/.test(out), 10_000, 'the grandchild pid');
    const grandchild = Number(/grandchild (\d+)/.exec(out)![1]);
    assert.equal(alive(grandchild), true);
    const exit = await child.stop(2_000);
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.code, 143);
    await until(() => !alive(grandchild), 5_000, 'the grandchild to be gone');
  });

  it('a child that ignores SIGTERM is killed after the grace period', async () => {
    let out = '';
    const child = await startProcess(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      {
        stdio: 'pipe',
        group: true,
        onOutput: (t) => (out += t),
      },
    );
    await until(() => out.includes('ready'), 10_000, 'the child to start');
    const started = Date.now();
    const exit = await child.stop(500);
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(Date.now() - started >= 400, 'killed before the grace period');
  });

  it('a program that does not exist is a StartError naming it', async () => {
    await assert.rejects(
      startProcess('/no/such/agent', [], { stdio: 'pipe', group: true }),
      /could not start \/no\/such\/agent \(not found/,
    );
  });
});
