import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  /** The running process; a restartable one's is replaced when it is restarted. */
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Restarted when it exits unexpectedly, rather than taking the stack down. */
  readonly restartable: boolean;
  /**
   * Started again when it exits with code 0 by itself, even when not
   * restartable: a LiveKit node that finished its graceful shutdown (a drain)
   * is replaced, as an Auto Scaling group replaces an instance.
   */
  readonly replaceAfterCleanExit: boolean;
  readonly restarts: number;
}

interface Spawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly options: { cwd?: string; env?: NodeJS.ProcessEnv };
}

/** A restartable process that exits more often than this in a minute is taken as broken: the stack stops. */
const MAX_RESTARTS_PER_MINUTE = 10;

/**
 * Starts and stops the stack's child processes. Each child leads its own
 * process group so that stopping it also stops anything it started. A child
 * started as restartable is started again with the same command when it
 * exits unexpectedly (after `restartDelayMs`), so that a fault test can kill
 * a dependency and see it come back; any other unexpected exit is reported to
 * `onUnexpectedExit`, which stops the stack.
 */
export class ProcessGroup {
  private readonly processes: {
    name: string;
    child: ChildProcess;
    logFile: string;
    restartable: boolean;
    replaceAfterCleanExit: boolean;
    restarts: number;
  }[] = [];
  private readonly restartTimes = new Map<string, number[]>();
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (proc: ManagedProcess, code: number | null) => void,
    private readonly restartPolicy: { delayMs: number; onRestart: (proc: ManagedProcess) => void } = {
      delayMs: 0,
      onRestart: () => undefined,
    },
  ) {}

  start(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; restartable?: boolean; replaceAfterCleanExit?: boolean } = {},
  ): ManagedProcess {
    const logFile = resolve(this.logDir, `${name}.log`);
    const { restartable = false, replaceAfterCleanExit = false, ...spawnOptions } = options;
    const proc = { name, child: undefined as unknown as ChildProcess, logFile, restartable, replaceAfterCleanExit, restarts: 0 };
    this.processes.push(proc);
    this.spawnInto(proc, { command, args, options: spawnOptions }, 'w');
    return proc;
  }

  private spawnInto(proc: (typeof this.processes)[number], how: Spawn, logFlags: 'w' | 'a'): void {
    const log = createWriteStream(proc.logFile, { flags: logFlags });
    const child = spawn(how.command, how.args, {
      cwd: how.options.cwd,
      env: how.options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    proc.child = child;
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      const replaced = proc.replaceAfterCleanExit && code === 0;
      if (!(proc.restartable || replaced) || !this.mayRestart(proc.name)) {
        this.onUnexpectedExit(proc, code);
        return;
      }
      log.write(`\n[local stack] ${proc.name} exited (${signal ?? code}); restarting in ${this.restartPolicy.delayMs} ms\n`);
      setTimeout(() => {
        if (this.stopping) return;
        proc.restarts++;
        this.spawnInto(proc, how, 'a');
        this.restartPolicy.onRestart(proc);
      }, this.restartPolicy.delayMs).unref();
    });
  }

  private mayRestart(name: string): boolean {
    const now = Date.now();
    const recent = (this.restartTimes.get(name) ?? []).filter((at) => at > now - 60_000);
    recent.push(now);
    this.restartTimes.set(name, recent);
    return recent.length <= MAX_RESTARTS_PER_MINUTE;
  }

  /** Each process by name: its pid, whether it is restarted when it exits, and how often it was. */
  described(): Record<string, { pid: number; restartable: boolean; restarts: number }> {
    return Object.fromEntries(
      this.processes.map((p) => [p.name, { pid: p.child.pid ?? -1, restartable: p.restartable, restarts: p.restarts }]),
    );
  }

  pids(): Record<string, number> {
    return Object.fromEntries(this.processes.map((p) => [p.name, p.child.pid ?? -1]));
  }

  /** SIGTERM to every group, then SIGKILL to whatever is still there after the grace period. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const alive = this.processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    const exited = alive.map((p) => new Promise<void>((done) => p.child.once('exit', () => done())));
    for (const p of alive) signalGroup(p.child, 'SIGTERM');
    const timer = new Promise<'late'>((done) => setTimeout(() => done('late'), graceMs).unref());
    if ((await Promise.race([Promise.all(exited), timer])) === 'late') {
      for (const p of alive) signalGroup(p.child, 'SIGKILL');
      await Promise.race([Promise.all(exited), new Promise((done) => setTimeout(done, 1000).unref())]);
    }
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function portIsOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Polls until check() holds, or throws after timeoutMs naming what was awaited. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, intervalMs));
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}
