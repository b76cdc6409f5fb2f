/**
 * Child processes of the realtime bench and what /proc says about them. Every child is started
 * through `sh -c 'ulimit -n <hard>; exec node …'` (exec keeps the pid, so RSS and CPU read from
 * /proc/<pid> are the node process's own) and registered, so that `stopAll()` ends each one by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

const children = new Set<Child>();

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) when the process has ended. */
  readonly exited: Promise<number | string>;
  /** Lines the child printed on stdout (when its stdout is not logged to the file only). */
  onLine(listener: (line: string) => void): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly env?: Record<string, string>;
  /** Adds an IPC channel (fd 3 in the child) for `process.send` / `on('message')`. */
  readonly ipc?: boolean;
  /** stdout and stderr are appended here; the tail is printed when something goes wrong. */
  readonly logFile: string;
  /** Also parse stdout into lines for `onLine` (it is still copied to the log file). */
  readonly lines?: boolean;
}

/** The hard limit on open files: children raise their soft limit to it. */
export function hardFileLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const row = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const hard = row?.split(/\s{2,}/)[2];
  return hard === undefined || hard === 'unlimited' ? 1_048_576 : Number(hard);
}

export function softFileLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const row = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = row?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? 1_048_576 : Number(soft);
}

/** Starts `node <args>` (the same Node binary as this process) with the file limit raised. */
export function spawnNode(name: string, args: readonly string[], options: SpawnOptions): Child {
  const log = fs.openSync(options.logFile, 'a');
  const stdio: ('ignore' | 'pipe' | 'ipc' | number)[] = ['ignore', options.lines ? 'pipe' : log, log];
  if (options.ipc) stdio.push('ipc');
  const script = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const child = spawn('/bin/sh', ['-c', script, 'sh', process.execPath, '--disable-warning=ExperimentalWarning', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio,
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const listeners: ((line: string) => void)[] = [];
  if (options.lines && child.stdout) {
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      fs.appendFileSync(options.logFile, chunk);
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        for (const listener of listeners) listener(line);
      }
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(handle);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const handle: Child = {
    name,
    process: child,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    onLine: (listener) => void listeners.push(listener),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  children.add(handle);
  return handle;
}

/** Ends every child still running, each by its pid. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop(3_000)));
}

/** Last resort on exit: no time for grace. */
export function killAllNow(): void {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in KiB (VmRSS), or null when it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in clock ticks (see `clockTicks`). */
export function cpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** USER_HZ; 100 on every Linux this runs on (the ABI fixes it for /proc). */
export const clockTicks = 100;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits for `check` to resolve true, polling every `everyMs`, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
