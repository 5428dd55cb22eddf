// Starting the command a pre-flight allowed, and stopping it with everything it started. An agent run
// spawns shells, language servers and test runners; killing only the top process would leave them
// spending. With `group: true` the child leads its own process group (POSIX) and a stop signals the
// whole group; on Windows `taskkill /T` ends the tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface StartOptions {
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** 'inherit': the child shares this terminal (the CLI); 'pipe': output comes through the callbacks */
  stdio: 'inherit' | 'pipe';
  /** own process group, so stop() reaches grandchildren (the extension's task terminal) */
  group: boolean;
  onOutput?: ((text: string, stream: 'stdout' | 'stderr') => void) | undefined;
}

export interface ProcessExit {
  /** the exit code, or 128 + signal number when a signal ended it (as shells report it) */
  code: number;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<ProcessExit>;
  closeInput(): void;
  /** SIGTERM to the tree, SIGKILL after `graceMs`; resolves when it is gone */
  stop(graceMs?: number): Promise<ProcessExit>;
}

export class StartError extends Error {}

/**
 * Spawns `command args` without a shell (arguments are passed as they are, never re-parsed). Rejects
 * with a StartError naming the command when it cannot be started (not found, not executable).
 */
export function startProcess(command: string, args: readonly string[], options: StartOptions): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: options.stdio === 'inherit' ? 'inherit' : ['pipe', 'pipe', 'pipe'],
        detached: options.group && process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (error) {
      reject(new StartError(`could not start ${command}: ${(error as Error).message}`));
      return;
    }
    const exited = new Promise<ProcessExit>((done) => {
      child.once('close', (code, signal) =>
        done({ code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), signal }),
      );
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === 'ENOENT'
          ? ' (not found: check the command and the PATH)'
          : error.code === 'EACCES'
            ? ' (not executable)'
            : '';
      reject(new StartError(`could not start ${command}${hint}: ${error.message}`));
    });
    child.once('spawn', () => {
      child.stdout?.setEncoding('utf8').on('data', (text: string) => options.onOutput?.(text, 'stdout'));
      child.stderr?.setEncoding('utf8').on('data', (text: string) => options.onOutput?.(text, 'stderr'));
      // a child that exits without reading its input must not crash us with EPIPE
      child.stdin?.on('error', () => undefined);
      let stopping: Promise<ProcessExit> | undefined;
      resolve({
        pid: child.pid,
        exited,
        closeInput: () => child.stdin?.end(),
        stop: (graceMs = 3_000) => {
          stopping ??= stopTree(child, options.group, exited, graceMs);
          return stopping;
        },
      });
    });
  });
}

async function stopTree(
  child: ChildProcess,
  group: boolean,
  exited: Promise<ProcessExit>,
  graceMs: number,
): Promise<ProcessExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  signalTree(child, group, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!killed) signalTree(child, group, 'SIGKILL');
  const exit = await exited;
  // the leader may be gone while members of its group still run: make sure they are gone too
  if (group) signalTree(child, group, 'SIGKILL');
  return exit;
}

function signalTree(child: ChildProcess, group: boolean, signal: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], {
        windowsHide: true,
        stdio: 'ignore',
      }).on('error', () => undefined);
    } else if (group) {
      process.kill(-pid, signal);
    } else {
      child.kill(signal);
    }
  } catch {
    // already gone (ESRCH)
  }
}
