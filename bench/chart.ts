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
