import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measurement } from './measure.js';

/** Cold-start time is what users feel: the target is on initialisation only; sizes are reported, not capped. */
export const TARGET = { initMs: 150 } as const;

export interface Row extends Measurement {
  readonly group: string;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

export function markdownTable(rows: readonly Row[], machine: string): string {
  const lines = [
    `| handler | bundle | init (median of ${rows[0]?.runs ?? 0}) | whole process | within target |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((row) => {
      const ok = row.initMs <= TARGET.initMs;
      return `| ${row.group} | ${kb(row.bytes)} | ${ms(row.initMs)} | ${ms(row.processMs)} | ${ok ? 'yes' : 'no'} |`;
    }),
    '',
    `Target: at most ${ms(TARGET.initMs)} of initialisation per handler (sizes are reported, not capped). Measured on ${machine}; ` +
      '"init" is importing the bundle in a fresh Node process (what Lambda does before the first request), ' +
      '"whole process" adds starting Node itself. Regenerate with `npm run bench:coldstart`.',
  ];
  return lines.join('\n');
}

/** Replaces what lies between the markers `<!-- <name>:start -->` and `<!-- <name>:end -->`; false when the file has none. */
export function writeBetweenMarkers(file: string, content: string, name = 'coldstart'): boolean {
  const START = `<!-- ${name}:start -->`;
  const END = `<!-- ${name}:end -->`;
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start) return false;
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${content}\n${text.slice(end)}`);
  return true;
}

export interface Spread {
  readonly p50: number;
  readonly min: number;
  readonly max: number;
}

export interface FirstRequestFigures {
  readonly measuredAt: string;
  readonly machine: string;
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly route: string;
  readonly group: string;
  readonly runs: number;
  readonly targetMs: number;
  readonly nodeStartMs: Spread;
  readonly initMs: Spread;
  readonly firstRequestMs: Spread;
  /** Per run, init plus the first request: what the target is on. */
  readonly initAndFirstRequestMs: Spread;
  readonly processMs: Spread;
  readonly callsPerFirstRequest: { readonly dynamodb: number; readonly kms: number; readonly livekit: number };
}

export function firstRequestTable(f: FirstRequestFigures): string {
  const row = (what: string, s: Spread) => `| ${what} | ${ms(s.p50)} | ${ms(s.min)} – ${ms(s.max)} |`;
  const met = f.initAndFirstRequestMs.p50 <= f.targetMs;
  return [
    `| cold \`${f.route}\` (${f.group} bundle), ${f.runs} fresh processes | median | range |`,
    '| --- | ---: | ---: |',
    row("Node's own start", f.nodeStartMs),
    row('init: importing the bundle', f.initMs),
    row('first request: the handler until it answers', f.firstRequestMs),
    row(`**init + first request** (target ≤ ${f.targetMs} ms: ${met ? 'met' : 'not met'})`, f.initAndFirstRequestMs),
    row('whole process, start to answer', f.processMs),
    '',
    `Calls the first request made: DynamoDB ${f.callsPerFirstRequest.dynamodb}, KMS ${f.callsPerFirstRequest.kms}, LiveKit ` +
      `${f.callsPerFirstRequest.livekit}, plus the JWKS fetch from the dev identity provider. Measured on ${f.machine}, load ` +
      `average ${f.loadAverage.before} before and ${f.loadAverage.after} after. Regenerate with \`npm run bench:coldstart\` ` +
      '(`-- --first-request` for this table alone).',
  ].join('\n');
}
