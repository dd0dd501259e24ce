import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/**
 * Starts and stops the stack's child processes. Each child leads its own
 * process group so that stopping it also stops anything it started.
 */
export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (proc: ManagedProcess, code: number | null) => void,
  ) {}

  start(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ): ManagedProcess {
    const logFile = resolve(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'w' });
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const proc = { name, child, logFile };
    child.on('exit', (code) => {
      if (!this.stopping) this.onUnexpectedExit(proc, code);
    });
    this.processes.push(proc);
    return proc;
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
