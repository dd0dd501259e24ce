import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the stack only if the global setup started it; a stack the developer runs is left alone. */
export default async function teardown(_globalConfig: unknown, projectConfig: { rootDir: string }): Promise<void> {
  const OWNED_STACK_PID_FILE = resolve(projectConfig.rootDir, '.tools/run/test-owned-stack.pid');
  if (!existsSync(OWNED_STACK_PID_FILE)) return;
  const pid = Number(readFileSync(OWNED_STACK_PID_FILE, 'utf8'));
  rmSync(OWNED_STACK_PID_FILE, { force: true });
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
  if (alive(pid)) process.kill(-pid, 'SIGKILL');
}
