/**
 * The benchmark figures in bench/results/ (the README shows them) as
 * standalone SVG files, drawn by Vega-Lite and rendered headless by Vega in
 * Node: no browser, no canvas, nothing fetched. Each kind of figure the
 * benchmarks draw is one function here, taking the figures and returning the
 * SVG text.
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

const FONT = 'sans-serif';
const COLOURS = { bar: '#4f81bd', over: '#c0504d', ok: '#4f9d4f', unavailable: '#e69a28', error: '#c0392b', fault: '#f3d9d9' };

/** Renders a Vega-Lite specification to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}

const base = (title: string) =>
  ({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    background: '#ffffff',
    padding: 12,
    config: { font: FONT, view: { stroke: '#cccccc' }, axis: { labelFontSize: 11, titleFontSize: 11 } },
  }) as const;

export interface Bar {
  readonly label: string;
  readonly value: number;
}

export interface BarChart {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  /** A vertical rule, e.g. a target, drawn across the bars; bars beyond it are red. */
  readonly marker?: { readonly value: number; readonly label: string };
}

/** Horizontal bars, one per label in the order given, each with its value written beside it. */
export function barChartSvg(chart: BarChart): Promise<string> {
  const marker = chart.marker;
  const data = chart.bars.map((b) => ({
    label: b.label,
    value: b.value,
    text: chart.unit === '$' ? `$${b.value.toFixed(2)}` : `${b.value.toFixed(b.value < 10 ? 2 : 0)} ${chart.unit}`,
    over: marker !== undefined && b.value > marker.value,
  }));
  const max = Math.max(...chart.bars.map((b) => b.value), marker?.value ?? 0) * 1.18 || 1;
  const y = {
    field: 'label',
    type: 'nominal',
    sort: data.map((d) => d.label),
    title: null,
    axis: { labelLimit: 320 },
  } as const;
  const x = { field: 'value', type: 'quantitative', title: chart.unit, scale: { domain: [0, max] } } as const;
  return renderSvg({
    ...base(chart.title),
    width: 480,
    height: { step: 22 },
    layer: [
      {
        data: { values: data },
        mark: { type: 'bar' },
        encoding: {
          y,
          x,
          color: {
            field: 'over',
            type: 'nominal',
            scale: { domain: [false, true], range: [COLOURS.bar, COLOURS.over] },
            legend: null,
          },
        },
      },
      {
        data: { values: data },
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: { y, x, text: { field: 'text' } },
      },
      ...(marker
        ? [
            {
              data: { values: [{ value: marker.value, label: marker.label }] },
              mark: { type: 'rule', strokeDash: [4, 3], color: '#333333' },
              encoding: { x: { field: 'value', type: 'quantitative' } },
            } as const,
            {
              data: { values: [{ value: marker.value, label: marker.label }] },
              mark: { type: 'text', baseline: 'top', dy: 4, y: { expr: 'height' }, color: '#333333' },
              encoding: { x: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
            } as const,
          ]
        : []),
    ],
  } as TopLevelSpec);
}

/** One request on a timeline: when it started (seconds into its panel), how long it took, and its status. */
export interface TimelinePoint {
  readonly atS: number;
  readonly ms: number;
  readonly status: number;
}

export interface TimelinePanel {
  readonly label: string;
  /** Shaded: the time the fault lasted. */
  readonly fault: { readonly fromS: number; readonly toS: number };
  readonly points: readonly TimelinePoint[];
}

export interface Timeline {
  readonly title: string;
  readonly panels: readonly TimelinePanel[];
  /** A horizontal line, e.g. the latency a request must stay under, drawn across every panel. */
  readonly limitMs?: number;
}

const statusClass = (status: number) => (status < 300 ? '2xx' : status === 503 ? '503' : 'other');

/** Latency over time, one small panel per row: a dot per request coloured by status, the fault's time shaded. */
export function timelineSvg(timeline: Timeline): Promise<string> {
  const points = timeline.panels.flatMap((p) =>
    p.points.map((pt) => ({ panel: p.label, atS: pt.atS, ms: pt.ms, status: statusClass(pt.status) })),
  );
  const faults = timeline.panels.map((p) => ({ panel: p.label, fromS: p.fault.fromS, toS: p.fault.toS }));
  const limits = timeline.limitMs === undefined ? [] : timeline.panels.map((p) => ({ panel: p.label, ms: timeline.limitMs }));
  const values = [
    ...points.map((p) => ({ kind: 'point', ...p })),
    ...faults.map((f) => ({ kind: 'fault', ...f })),
    ...limits.map((l) => ({ kind: 'limit', ...l })),
  ];
  const x = { field: 'atS', type: 'quantitative', title: 'seconds into the scenario' } as const;
  return renderSvg({
    ...base(timeline.title),
    data: { values },
    facet: {
      row: {
        field: 'panel',
        type: 'nominal',
        sort: timeline.panels.map((p) => p.label),
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: 560,
      height: 70,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'fault'" }],
          mark: { type: 'rect', color: COLOURS.fault },
          encoding: { x: { field: 'fromS', type: 'quantitative' }, x2: { field: 'toS' } },
        },
        {
          transform: [{ filter: "datum.kind === 'limit'" }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#333333' },
          encoding: { y: { field: 'ms', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'circle', size: 10, opacity: 0.8 },
          encoding: {
            x,
            y: { field: 'ms', type: 'quantitative', title: 'ms' },
            color: {
              field: 'status',
              type: 'nominal',
              title: 'status',
              scale: { domain: ['2xx', '503', 'other'], range: [COLOURS.ok, COLOURS.unavailable, COLOURS.error] },
            },
          },
        },
      ],
    },
    resolve: { scale: { y: 'shared' } },
  } as TopLevelSpec);
}

export interface Histogram {
  readonly title: string;
  readonly unit: string;
  /** Values by series, e.g. { 'first join': [...], 'warm join': [...] }. */
  readonly series: Readonly<Record<string, readonly number[]>>;
  /** Bin width, in the values' unit. */
  readonly step: number;
}

/** Histograms of latencies, one panel per series (each with its own count axis), in one colour each. */
export function histogramSvg(histogram: Histogram): Promise<string> {
  const values = Object.entries(histogram.series).flatMap(([series, xs]) => xs.map((value) => ({ series, value })));
  return renderSvg({
    ...base(histogram.title),
    data: { values },
    facet: {
      row: {
        field: 'series',
        type: 'nominal',
        sort: Object.keys(histogram.series),
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: 560,
      height: 120,
      mark: { type: 'bar', binSpacing: 0 },
      encoding: {
        x: { field: 'value', type: 'quantitative', bin: { step: histogram.step }, title: histogram.unit },
        y: { aggregate: 'count', type: 'quantitative', title: 'requests' },
        color: { field: 'series', type: 'nominal', title: null, legend: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec);
}

export interface SeriesOverTime {
  readonly title: string;
  /** Per second of the run: how many of each kind, e.g. { s: 3, kind: 'first join', count: 12 }. */
  readonly points: readonly { readonly s: number; readonly kind: string; readonly count: number }[];
  readonly yTitle: string;
  /** A second panel below: a line per kind of a per-second figure, e.g. p99 latency. */
  readonly below?: {
    readonly yTitle: string;
    readonly points: readonly { readonly s: number; readonly kind: string; readonly value: number }[];
  };
}

/** Requests per second stacked by kind, with, below it, a per-second line such as latency. */
export function overTimeSvg(chart: SeriesOverTime): Promise<string> {
  const lastS = Math.max(0, ...chart.points.map((p) => p.s)) + 1;
  const x = {
    field: 's',
    type: 'quantitative' as const,
    title: 'seconds into the run',
    scale: { domain: [0, lastS] },
  };
  const colour = { field: 'kind', type: 'nominal', title: null } as const;
  const top = {
    width: 560,
    height: 160,
    data: { values: [...chart.points] },
    mark: { type: 'bar', binSpacing: 0 },
    encoding: { x, y: { field: 'count', type: 'quantitative', title: chart.yTitle, stack: 'zero' }, color: colour },
  } as const;
  if (!chart.below) return renderSvg({ ...base(chart.title), ...top } as TopLevelSpec);
  return renderSvg({
    ...base(chart.title),
    vconcat: [
      top,
      {
        width: 560,
        height: 120,
        data: { values: [...chart.below.points] },
        mark: { type: 'line', point: { size: 12 } },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: chart.below.yTitle }, color: colour },
      },
    ],
  } as TopLevelSpec);
}

export interface LinesOverTime {
  readonly title: string;
  readonly yTitle: string;
  /** A line per kind, e.g. { s: 30, kind: 'resident (RSS)', value: 512 }. */
  readonly points: readonly { readonly s: number; readonly kind: string; readonly value: number }[];
  /** Vertical rules at moments of the run, e.g. the end of a warm-up. */
  readonly marks?: readonly { readonly s: number; readonly label: string }[];
}

/** Figures sampled over a run, a line per kind, with the run's moments marked. */
export function linesOverTimeSvg(chart: LinesOverTime): Promise<string> {
  const lines = {
    mark: { type: 'line', point: { size: 10 } },
    encoding: {
      x: { field: 's', type: 'quantitative', title: 'seconds into the run' },
      y: { field: 'value', type: 'quantitative', title: chart.yTitle, scale: { zero: true } },
      color: { field: 'kind', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 400 } },
    },
  } as const;
  const marks = chart.marks ?? [];
  return renderSvg({
    ...base(chart.title),
    width: 560,
    height: 220,
    data: { values: [...chart.points] },
    layer: [
      lines,
      ...(marks.length === 0
        ? []
        : [
            {
              data: { values: [...marks] },
              mark: { type: 'rule', strokeDash: [4, 3], color: '#888888' },
              encoding: { x: { field: 's', type: 'quantitative' } },
            },
            {
              data: { values: [...marks] },
              mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'bottom', color: '#555555' },
              encoding: { x: { field: 's', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
            },
          ]),
    ],
  } as TopLevelSpec);
}
