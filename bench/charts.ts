/**
 * Draws the benchmark figures in bench/results/*.json as SVG charts beside
 * them (coldstart, coldstart-first-request, join, join-floor, web, faults,
 * burst, burst-latency, cost, soak). The benchmarks call it after writing their
 * figures; `npm run bench:charts` redraws from the files as they are.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { barChartSvg, histogramSvg, linesOverTimeSvg, overTimeSvg, timelineSvg } from './chart.js';
import { costReport, type BurstFigures } from './burst/cost.js';
import type { FirstRequestFigures } from './coldstart/report.js';

const results = (name: string) => fileURLToPath(new URL(`./results/${name}`, import.meta.url));

interface ColdstartFigures {
  readonly machine: string;
  readonly target: { readonly initMs: number };
  readonly handlers: readonly { readonly group: string; readonly initMs: number }[];
}

interface Spread {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

interface JoinFigures {
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly latencyMs: Spread;
  readonly joinsPerSecond: number;
  /** Absent from figures measured before the floor was. */
  readonly floor?: { readonly latencyMs: Spread };
  readonly joinToFloor?: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly p50OneAtATime: number;
    readonly target: number;
  };
}

interface FaultFigures {
  readonly machine: { readonly cpus: number };
  readonly scenarios: readonly {
    readonly name: string;
    readonly faultMs: { readonly from: number; readonly to: number };
    /** [start (s), latency (ms), status] per request; absent from runs before it was kept. */
    readonly timeline?: readonly (readonly [number, number, number])[];
  }[];
}

interface SoakFigures {
  readonly machine: { readonly cpus: number };
  readonly joinsPerSecond: number;
  readonly judgement: { readonly warmUpS: number };
  /** liveHeapMb is absent from runs before the live heap was read. */
  readonly samples: {
    readonly rssMb: readonly { readonly atS: number; readonly mb: number }[];
    readonly liveHeapMb?: readonly { readonly atS: number; readonly mb: number }[];
    readonly committedHeapMb?: readonly { readonly atS: number; readonly mb: number }[];
  };
}

interface WebFigures {
  readonly machine: string;
  readonly joins: Readonly<
    Record<string, { readonly p50Ms?: number; readonly timesMs: readonly number[]; readonly targetMs: number }>
  >;
}

/** Redraws every chart whose figures exist; returns the files written. */
export async function drawCharts(): Promise<string[]> {
  const written: string[] = [];
  if (existsSync(results('coldstart.json'))) {
    const cold = JSON.parse(readFileSync(results('coldstart.json'), 'utf8')) as ColdstartFigures;
    writeFileSync(
      results('coldstart.svg'),
      await barChartSvg({
        title: `Cold start: init per route group, median (${cold.machine})`,
        unit: 'ms',
        bars: cold.handlers.map((h) => ({ label: h.group, value: h.initMs })),
        marker: { value: cold.target.initMs, label: `target ${cold.target.initMs} ms` },
      }),
    );
    written.push('bench/results/coldstart.svg');
  }
  if (existsSync(results('coldstart-first-request.json'))) {
    const first = JSON.parse(readFileSync(results('coldstart-first-request.json'), 'utf8')) as FirstRequestFigures;
    writeFileSync(
      results('coldstart-first-request.svg'),
      await barChartSvg({
        title: `A cold function's first join, median of ${first.runs} (${first.machine})`,
        unit: 'ms',
        bars: [
          { label: 'init', value: first.initMs.p50 },
          { label: 'first request', value: first.firstRequestMs.p50 },
          { label: 'init + first request', value: first.initAndFirstRequestMs.p50 },
        ],
        marker: { value: first.targetMs, label: `target ${first.targetMs} ms` },
      }),
    );
    written.push('bench/results/coldstart-first-request.svg');
  }
  if (existsSync(results('join.json'))) {
    const join = JSON.parse(readFileSync(results('join.json'), 'utf8')) as JoinFigures;
    const { p50, p95, p99, max } = join.latencyMs;
    const floor = join.floor?.latencyMs;
    const ratio = join.joinToFloor;
    writeFileSync(
      results('join.svg'),
      await barChartSvg({
        title: `Warm joins: client-side latency, ${join.joinsPerSecond} joins/s${ratio ? `, ${ratio.p50} × the floor at p50` : ''} (${join.machine.cpus} × ${join.machine.model}, Node ${join.machine.node})`,
        unit: 'ms',
        bars: floor
          ? [
              { label: 'join p50', value: p50 },
              { label: 'floor p50', value: floor.p50 },
              { label: 'join p95', value: p95 },
              { label: 'floor p95', value: floor.p95 },
              { label: 'join p99', value: p99 },
              { label: 'floor p99', value: floor.p99 },
            ]
          : [
              { label: 'p50', value: p50 },
              { label: 'p95', value: p95 },
              { label: 'p99', value: p99 },
              { label: 'max', value: max },
            ],
      }),
    );
    written.push('bench/results/join.svg');
    if (ratio) {
      writeFileSync(
        results('join-floor.svg'),
        await barChartSvg({
          title: `Join latency ÷ floor latency (live-state read + token mint through the same gateway)`,
          unit: '×',
          bars: [
            { label: 'p50', value: ratio.p50 },
            { label: 'p95', value: ratio.p95 },
            { label: 'p99', value: ratio.p99 },
            { label: 'p50, one at a time', value: ratio.p50OneAtATime },
          ],
          marker: { value: ratio.target, label: `aim: p50 ≤ ${ratio.target}×` },
        }),
      );
      written.push('bench/results/join-floor.svg');
    }
  }
  if (existsSync(results('web.json'))) {
    const web = JSON.parse(readFileSync(results('web.json'), 'utf8')) as WebFigures;
    const standard = web.joins.standard?.targetMs ?? 1500;
    writeFileSync(
      results('web.svg'),
      await barChartSvg({
        title: `Web client: click on Join → first remote frame, p50 over ${Math.max(...Object.values(web.joins).map((j) => j.timesMs.length))} (${web.machine})`,
        unit: 'ms',
        bars: Object.entries(web.joins)
          .filter(([, j]) => j.p50Ms !== undefined)
          .map(([mode, j]) => ({ label: `${mode} (target ${j.targetMs})`, value: j.p50Ms! })),
        marker: { value: standard, label: `standard target ${standard} ms` },
      }),
    );
    written.push('bench/results/web.svg');
  }
  if (existsSync(results('burst.json'))) {
    const burst = JSON.parse(readFileSync(results('burst.json'), 'utf8')) as BurstFigures;
    const { meetings, participantsPerMeeting, windowS } = burst.scale;
    writeFileSync(
      results('burst.svg'),
      await overTimeSvg({
        title: `Top-of-hour burst: ${meetings} meetings × ${participantsPerMeeting} joins in ${windowS} s, ${burst.burst.fiveXx} × 5xx (${burst.machine.cpus} cores, load ${burst.loadAverage.before})`,
        yTitle: 'joins sent per second',
        points: burst.perSecond.map(({ s, kind, count }) => ({ s, kind, count })),
        below: { yTitle: 'p99 latency (ms)', points: burst.perSecond.map(({ s, kind, p99 }) => ({ s, kind, value: p99 })) },
      }),
    );
    written.push('bench/results/burst.svg');
    if (burst.latenciesMs) {
      writeFileSync(
        results('burst-latency.svg'),
        await histogramSvg({
          title: `Join latency in the burst (client side): ${burst.latenciesMs.firstJoin.length} first joins, ${burst.latenciesMs.warmJoin.length} warm joins`,
          unit: 'ms',
          step: 50,
          series: { 'first join': burst.latenciesMs.firstJoin, 'warm join': burst.latenciesMs.warmJoin },
        }),
      );
      written.push('bench/results/burst-latency.svg');
    }
    writeFileSync(results('cost.svg'), await costReport(burst).chart());
    written.push('bench/results/cost.svg');
  }
  if (existsSync(results('soak.json'))) {
    const soak = JSON.parse(readFileSync(results('soak.json'), 'utf8')) as SoakFigures;
    if (soak.samples.liveHeapMb) {
      writeFileSync(
        results('soak.svg'),
        await linesOverTimeSvg({
          title: `Soak: the fra gateway's memory at ${soak.joinsPerSecond} first joins a second (${soak.machine.cpus} cores)`,
          yTitle: 'MB',
          points: [
            ...soak.samples.rssMb.map(({ atS, mb }) => ({ s: atS, kind: 'resident (RSS)', value: mb })),
            ...soak.samples.liveHeapMb.map(({ atS, mb }) => ({ s: atS, kind: 'live heap after a full collection', value: mb })),
            ...(soak.samples.committedHeapMb ?? []).map(({ atS, mb }) => ({ s: atS, kind: 'heap committed by V8', value: mb })),
          ],
          marks: [{ s: soak.judgement.warmUpS, label: 'end of warm-up' }],
        }),
      );
      written.push('bench/results/soak.svg');
    }
  }
  if (existsSync(results('faults.json'))) {
    const faults = JSON.parse(readFileSync(results('faults.json'), 'utf8')) as FaultFigures;
    if (faults.scenarios.every((s) => s.timeline)) {
      writeFileSync(
        results('faults.svg'),
        await timelineSvg({
          title: `Latency of creates, updates and joins through dependency faults (${faults.machine.cpus} cores)`,
          limitMs: 3000,
          panels: faults.scenarios.map((s) => ({
            label: s.name,
            fault: { fromS: s.faultMs.from / 1000, toS: s.faultMs.to / 1000 },
            points: s.timeline!.map(([atS, ms, status]) => ({ atS, ms, status })),
          })),
        }),
      );
      written.push('bench/results/faults.svg');
    }
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of await drawCharts()) process.stdout.write(`wrote ${file}\n`);
}
