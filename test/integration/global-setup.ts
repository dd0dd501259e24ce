import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

// Jest loads global setup outside its module system, so this file imports nothing of the project's.
interface StackDescription {
  readonly sites: Record<string, { readonly apiUrl: string }>;
}

async function healthy(stack: StackDescription): Promise<boolean> {
  try {
    for (const site of Object.values(stack.sites)) {
      if ((await fetch(`${site.apiUrl}/v1/health`, { signal: AbortSignal.timeout(3000) })).status !== 200) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Reuses a running local stack when one answers healthy; otherwise starts one and remembers to stop it. */
export default async function setup(_globalConfig: unknown, projectConfig: { rootDir: string }): Promise<void> {
  const ROOT = projectConfig.rootDir;
  const STACK_FILE = resolve(ROOT, '.tools/run/stack.json');
  const OWNED_STACK_PID_FILE = resolve(ROOT, '.tools/run/test-owned-stack.pid');
  if (existsSync(STACK_FILE) && (await healthy(JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription))) {
    process.stdout.write('\nintegration: reusing the running local stack\n');
    return;
  }
  process.stdout.write('\nintegration: starting the local stack…\n');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/local-stack/main.ts')], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(() => {
      // Stopped as a whole (it leads its own process group), or its components would outlive it holding their ports.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      failed(new Error(`local stack not ready after 180 s:\n${output}`));
    }, 180_000);
    child.stdout.on('data', () => {
      if (/^ready/m.test(output)) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      failed(new Error(`local stack exited with ${code}:\n${output}`));
    });
  });
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  child.removeAllListeners('exit');
  child.unref();
  writeFileSync(OWNED_STACK_PID_FILE, String(child.pid));
  process.stdout.write('integration: local stack ready\n');
}
