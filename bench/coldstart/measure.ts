import { spawnSync } from 'node:child_process';
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

export function measureBundle(file: string, environment: Readonly<Record<string, string>>, runs: number): Measurement {
  const init: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
      // Only the function's own environment (plus PATH): no credentials, no endpoints, nothing from this shell.
      env: { PATH: process.env.PATH ?? '', ...environment, COLDSTART_BUNDLE_URL: pathToFileURL(file).href },
      encoding: 'utf8',
      timeout: 30_000,
    });
    wall.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`initialising ${file} failed:\n${child.stderr}`);
    init.push((JSON.parse(child.stdout) as { initMs: number }).initMs);
  }
  return { bytes: statSync(file).size, initMs: median(init), processMs: median(wall), runs };
}
