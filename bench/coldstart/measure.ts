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

/** Runs the probe in a fresh process; asynchronously, so that this process can serve the bundle's calls meanwhile. */
function probe(file: string, environment: Readonly<Record<string, string>>): Promise<{ initMs: number; wallMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE], {
    // Only the function's own environment (plus PATH): nothing from this shell.
    env: { PATH: process.env.PATH ?? '', ...environment, COLDSTART_BUNDLE_URL: pathToFileURL(file).href },
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) reject(new Error(`initialising ${file} failed:\n${stderr}`));
      else resolve({ initMs: (JSON.parse(stdout) as { initMs: number }).initMs, wallMs });
    });
  });
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
