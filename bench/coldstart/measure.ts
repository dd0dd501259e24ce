import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * What runs in each fresh process: import the bundle (load, parse, evaluate,
 * i.e. everything Lambda does before the first invocation) and report the time.
 */
const PROBE = `
const started = performance.now();
await import(process.env.COLDSTART_BUNDLE_URL);
process.stdout.write(JSON.stringify({ initMs: performance.now() - started }));
`;

export interface Measurement {
  readonly bytes: number;
  readonly initMs: number;
  readonly processMs: number;
  readonly runs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** What a script run in a fresh process printed, and how it ended. */
export interface FreshRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

/**
 * Runs `script` in a fresh Node process that imports the bundle `file` with
 * only the function's own environment (plus PATH): nothing from this shell.
 * Asynchronous, so that this process can serve the bundle's calls meanwhile.
 */
export function runFresh(script: string, file: string, environment: Readonly<Record<string, string>>): Promise<FreshRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...environment, COLDSTART_BUNDLE_URL: pathToFileURL(file).href },
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

/** Imports the bundle in a fresh process and reports its init time. */
async function probe(file: string, environment: Readonly<Record<string, string>>): Promise<{ initMs: number; wallMs: number }> {
  const run = await runFresh(PROBE, file, environment);
  if (run.code !== 0) throw new Error(`initialising ${file} failed:\n${run.stderr}`);
  return { initMs: (JSON.parse(run.stdout) as { initMs: number }).initMs, wallMs: run.wallMs };
}

export async function measureBundle(
  file: string,
  environment: Readonly<Record<string, string>>,
  runs: number,
): Promise<Measurement> {
  const init: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const { initMs, wallMs } = await probe(file, environment);
    init.push(initMs);
    wall.push(wallMs);
  }
  return { bytes: statSync(file).size, initMs: median(init), processMs: median(wall), runs };
}
