// The operating system as the nginx sink sees it: spawn a master, run `nginx -t`, write and rename files. Kept behind
// one interface so the apply and supervision logic can be tested with a fake and no nginx.
import { execFile, spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Observable } from 'rxjs';

/** How a process ended: its exit code or signal, or why it could not be started. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
  readonly error?: string;
}

/** Receives what a spawned process reports: each output line, then (once) its exit. */
export interface ProcessListener {
  line(text: string): void;
  exit(status: ExitStatus): void;
}

/** A spawned process that leads its own process group (so its workers can be signalled after it died). */
export interface ProcessHandle {
  readonly pid: number | null;
  signal(signal: NodeJS.Signals): void;
  /** Signals the whole group; returns false when no process is left in it. Signal 0 only checks. */
  signalGroup(signal: NodeJS.Signals | 0): boolean;
}

/** A command that ran to its end: exit code (null when it did not run or was killed) and its output. */
export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
  readonly error: string | null;
}

/** Everything the nginx sink does to the machine. */
export interface NginxSystem {
  spawn(bin: string, args: readonly string[], listener: ProcessListener): ProcessHandle;
  run(bin: string, args: readonly string[], timeoutMs: number): Observable<CommandResult>;
  writeFile(path: string, text: string): void;
  rename(from: string, to: string): void;
}

// Lines a dying master wrote are usually still in the pipe when 'exit' arrives; its orphaned workers hold the pipe
// open, so 'close' may never come. Wait for the end of the output, but not longer than this.
const EXIT_LINGER_MS = 100;

/** Groups spawned and maybe still alive: killed if this process exits first, so no nginx outlives the controller. */
const groups = new Set<number>();
let exitHookInstalled = false;

/** Returns the real system: child processes (each nginx master in its own process group) and node:fs. */
export function nodeNginxSystem(): NginxSystem {
  return {
    spawn: spawnMaster,
    run: runCommand,
    writeFile: (path, text) => writeFileSync(path, text),
    rename: (from, to) => renameSync(from, to),
  };
}

function spawnMaster(bin: string, args: readonly string[], listener: ProcessListener): ProcessHandle {
  installExitHook();
  // detached: the master leads a new process group, which its workers inherit (docs/architecture.md 7: if the master is
  // killed they live on, holding the listen socket, until the group is signalled).
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? null;
  if (pid !== null) groups.add(pid);
  let ended = false;
  let outputEnded = false;
  const finish = (status: ExitStatus): void => {
    if (ended) return;
    ended = true;
    listener.exit(status);
  };
  child.stdout.on('error', () => undefined);
  child.stderr.on('error', () => undefined);
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (text) => listener.line(text));
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (text) => listener.line(text));
  child.stderr.on('end', () => (outputEnded = true));
  child.on('error', (error) => finish({ code: null, signal: null, error: error.message }));
  child.on('exit', (code, signal) => {
    const report = (): void => finish({ code, signal });
    if (outputEnded) return report();
    const timer = setTimeout(report, EXIT_LINGER_MS);
    child.stderr.once('end', () => {
      clearTimeout(timer);
      report();
    });
  });
  return {
    pid,
    signal: (signal) => {
      if (!ended) child.kill(signal);
    },
    signalGroup: (signal) => (pid === null ? false : signalGroup(pid, signal)),
  };
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: the group is empty, so its id may be reused; forget it.
    groups.delete(pgid);
    return false;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  });
}

function runCommand(bin: string, args: readonly string[], timeoutMs: number): Observable<CommandResult> {
  return new Observable<CommandResult>((subscriber) => {
    const child = execFile(
      bin,
      args,
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (error === null) {
          subscriber.next({ code: 0, output, error: null });
        } else {
          const code = typeof error.code === 'number' ? error.code : null;
          subscriber.next({ code, output, error: code === null ? error.message : null });
        }
        subscriber.complete();
      },
    );
    return () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
  });
}
