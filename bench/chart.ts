/**
 * Horizontal bar charts as small standalone SVG files, for the benchmark
 * figures in bench/results/ (the README shows them). Plain SVG text: no
 * plotting library, nothing fetched.
 */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

export interface BarChart {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  /** A vertical line, e.g. a target, drawn across the bars. */
  readonly marker?: { readonly value: number; readonly label: string };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChartSvg(chart: BarChart): string {
  const labelWidth = 150;
  const plotWidth = 480;
  const barHeight = 18;
  const gap = 6;
  const top = 40;
  const height = top + chart.bars.length * (barHeight + gap) + 30;
  const max = Math.max(...chart.bars.map((b) => b.value), chart.marker?.value ?? 0) * 1.1 || 1;
  const x = (value: number) => labelWidth + (value / max) * plotWidth;
  const over = (value: number) => chart.marker !== undefined && value > chart.marker.value;
  const rows = chart.bars.map((bar, i) => {
    const y = top + i * (barHeight + gap);
    return [
      `<text x="${labelWidth - 8}" y="${y + barHeight - 5}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${(x(bar.value) - labelWidth).toFixed(1)}" height="${barHeight}" fill="${over(bar.value) ? '#c0504d' : '#4f81bd'}"/>`,
      `<text x="${(x(bar.value) + 4).toFixed(1)}" y="${y + barHeight - 5}">${bar.value.toFixed(bar.value < 10 ? 2 : 0)} ${escape(chart.unit)}</text>`,
    ].join('');
  });
  const marker = chart.marker
    ? `<line x1="${x(chart.marker.value).toFixed(1)}" y1="${top - 6}" x2="${x(chart.marker.value).toFixed(1)}" y2="${height - 24}" stroke="#333" stroke-dasharray="4 3"/>` +
      `<text x="${x(chart.marker.value).toFixed(1)}" y="${height - 10}" text-anchor="middle">${escape(chart.marker.label)}</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold">${escape(chart.title)}</text>`,
    ...rows,
    marker,
    '</svg>',
    '',
  ].join('\n');
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

const statusColour = (status: number) => (status < 300 ? '#4f9d4f' : status === 503 ? '#e69a28' : '#c0392b');

/** Latency over time, one small panel per row: a dot per request coloured by status, the fault's time shaded. */
export function timelineSvg(timeline: Timeline): string {
  const left = 170;
  const width = 560;
  const panelHeight = 70;
  const gap = 14;
  const top = 46;
  const spanS = Math.max(1, ...timeline.panels.flatMap((p) => [p.fault.toS, ...p.points.map((pt) => pt.atS)]));
  const maxMs = Math.max(timeline.limitMs ?? 0, ...timeline.panels.flatMap((p) => p.points.map((pt) => pt.ms))) * 1.1 || 1;
  const x = (s: number) => left + (s / spanS) * width;
  const rows = timeline.panels.map((panel, i) => {
    const y0 = top + i * (panelHeight + gap);
    const y = (ms: number) => y0 + panelHeight - (ms / maxMs) * panelHeight;
    const parts = [
      `<text x="${left - 8}" y="${y0 + panelHeight / 2 + 4}" text-anchor="end">${escape(panel.label)}</text>`,
      `<rect x="${left}" y="${y0}" width="${width}" height="${panelHeight}" fill="#f7f7f7" stroke="#ccc"/>`,
      `<rect x="${x(panel.fault.fromS).toFixed(1)}" y="${y0}" width="${(x(panel.fault.toS) - x(panel.fault.fromS)).toFixed(1)}" height="${panelHeight}" fill="#f3d9d9"/>`,
    ];
    if (timeline.limitMs !== undefined)
      parts.push(
        `<line x1="${left}" x2="${left + width}" y1="${y(timeline.limitMs).toFixed(1)}" y2="${y(timeline.limitMs).toFixed(1)}" stroke="#333" stroke-dasharray="4 3"/>`,
      );
    for (const pt of panel.points)
      parts.push(`<circle cx="${x(pt.atS).toFixed(1)}" cy="${y(pt.ms).toFixed(1)}" r="2" fill="${statusColour(pt.status)}"/>`);
    return parts.join('');
  });
  const height = top + timeline.panels.length * (panelHeight + gap) + 40;
  const legend = [
    ['#4f9d4f', '2xx'],
    ['#e69a28', '503'],
    ['#c0392b', 'other'],
    ['#f3d9d9', 'fault'],
  ]
    .map(
      ([colour, label], i) =>
        `<rect x="${left + i * 90}" y="${height - 26}" width="10" height="10" fill="${colour}"/><text x="${left + i * 90 + 14}" y="${height - 17}">${label}</text>`,
    )
    .join('');
  const axis = `<text x="${left + width}" y="${height - 17}" text-anchor="end">${spanS.toFixed(0)} s; height ${Math.round(maxMs)} ms${timeline.limitMs !== undefined ? `, dashed ${timeline.limitMs} ms` : ''}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 30}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="24" font-size="14" font-weight="bold">${escape(timeline.title)}</text>`,
    ...rows,
    legend,
    axis,
    '</svg>',
    '',
  ].join('\n');
}
