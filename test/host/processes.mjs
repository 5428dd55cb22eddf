// Child processes the drivers start, and the promise that every one of them is stopped: each is spawned
// as the leader of its own process group, so stopping it also stops what it started (code-server's
// extension host, Chromium's renderers). Cleanups run in reverse order on normal exit, errors and
// Ctrl-C/SIGTERM.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const cleanups = [];
let cleaningUp = null;
let signalled = false;

/** True once Ctrl-C/SIGTERM started the shutdown: errors from then on are the shutdown, not failures. */
export function wasSignalled() {
  return signalled;
}

/** Registers fn to run at shutdown (last registered runs first). Returns a function that unregisters it. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const index = cleanups.indexOf(fn);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

/** Runs every registered cleanup once, newest first; errors are printed, not thrown. */
export function runCleanups() {
  cleaningUp ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup: ${error?.message ?? error}\n`);
      }
    }
  })();
  return cleaningUp;
}

/**
 * Makes Ctrl-C and SIGTERM stop everything this driver started, then exit with `code`.
 * Call once at the start of a driver.
 */
export function exitCleanlyOnSignals(code = 130) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      signalled = true;
      process.stderr.write(`\n${signal}: stopping everything this run started…\n`);
      void runCleanups().finally(() => process.exit(code));
    });
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** SIGTERM to the whole process group, SIGKILL after graceMs if anything in it is still alive. */
export async function stopGroup(pid, graceMs = 5000) {
  if (!pid || !groupAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await sleep(100);
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone between the check and the kill.
  }
  // Give the kernel a moment to reap, so a caller deleting temp dirs next does not race the group.
  for (let i = 0; i < 20 && groupAlive(pid); i++) await sleep(100);
}

/**
 * Spawns `command args` in its own process group with stdout/stderr appended to logFile, and registers
 * its stop as a cleanup. `onLine(line, stream)` sees each output line (for readiness checks).
 * Returns { child, pid, exited: Promise<{code, signal}>, stop() }.
 */
export function startGroup(command, args, { cwd, env, logFile, onLine, graceMs = 5000 } = {}) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  for (const [name, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ]) {
    let pending = '';
    stream.on('data', (chunk) => {
      log?.write(chunk);
      if (!onLine) return;
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) onLine(line, name);
    });
  }
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
  });
  // Closes the log after the output streams end, not at 'exit', so the last lines are kept.
  child.on('close', () => log?.end());
  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      await stopGroup(child.pid, graceMs);
      unregister();
    })();
    return stopped;
  };
  const unregister = onCleanup(stop);
  return { child, pid: child.pid, exited, stop };
}
