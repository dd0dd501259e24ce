/**
 * The local stack for the benchmarks that need one (bench:join, the first
 * requests of bench:coldstart): the running one, or one started for the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, STACK_FILE, type StackDescription } from '../scripts/local-stack/layout.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function healthy(stack: StackDescription): Promise<boolean> {
  try {
    return (await fetch(`${stack.sites.fra.apiUrl}/v1/health`, { signal: AbortSignal.timeout(3000) })).status === 200;
  } catch {
    return false;
  }
}

/** Reuses a running local stack, or starts one and returns how to stop it. */
export async function ensureStack(): Promise<() => Promise<void>> {
  if (existsSync(STACK_FILE) && (await healthy(JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription))) {
    say('using the running local stack');
    return async () => undefined;
  }
  say('starting the local stack (npm start) …');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/local-stack/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, failed) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready/m.test(output)) ready();
    });
    child.once('exit', (code) => failed(new Error(`the local stack exited (${code})`)));
  });
  child.stdout.resume();
  return async () => {
    child.removeAllListeners('exit');
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
}
