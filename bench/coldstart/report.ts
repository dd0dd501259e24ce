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

const START = '<!-- coldstart:start -->';
const END = '<!-- coldstart:end -->';

/** Replaces what lies between the markers; returns false when the file has no markers. */
export function writeBetweenMarkers(file: string, content: string): boolean {
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start) return false;
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${content}\n${text.slice(end)}`);
  return true;
}
