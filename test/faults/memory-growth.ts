/**
 * Does a process hold its memory? Judged from two series sampled over a run:
 * its resident memory (RSS) and its live JavaScript heap, the size V8 reports
 * after each full (mark-compact) collection.
 *
 * RSS under a garbage collector is a sawtooth: it climbs while garbage piles
 * up and drops when V8 compacts and returns pages. Set against the trough
 * just after a collection, any later sample looks like growth. So the level of
 * RSS in a window is the top of its sawtooth (the highest sample), and growth
 * is the level of the last window over the level of the first, both after the
 * warm-up. A leak raises every later top; garbage that is collected does not.
 *
 * The live heap is what survives a full collection: retained objects only, the
 * plainest sign of a leak in JavaScript. Its growth is the mean of the
 * collections in the last window over the mean of those in the first.
 */
export interface MemorySample {
  readonly atS: number;
  readonly mb: number;
}

export interface MemoryVerdict {
  /** What the first and last windows after the warm-up held, and the growth between them (0.05 = 5 %). */
  readonly rss: WindowGrowth;
  /** Undefined when fewer than one full collection fell in each window: nothing to judge the heap by. */
  readonly liveHeap?: WindowGrowth;
  readonly withinLimit: boolean;
}

export interface WindowGrowth {
  readonly first: number;
  readonly last: number;
  readonly growth: number;
}

export interface MemoryJudgement {
  readonly warmUpS: number;
  /** The length of the first and of the last window. */
  readonly windowS: number;
  readonly endS: number;
  /** The most growth allowed, e.g. 0.1. */
  readonly limit: number;
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

function growthOf(first: number, last: number): WindowGrowth {
  return { first: round(first, 1), last: round(last, 1), growth: first > 0 ? round((last - first) / first, 3) : 0 };
}

const inWindow = (samples: readonly MemorySample[], fromS: number, toS: number) =>
  samples.filter((s) => s.atS >= fromS && s.atS <= toS).map((s) => s.mb);

export function judgeMemory(
  rss: readonly MemorySample[],
  liveHeap: readonly MemorySample[],
  judgement: MemoryJudgement,
): MemoryVerdict {
  const { warmUpS, windowS, endS, limit } = judgement;
  const firstWindow = [warmUpS, warmUpS + windowS] as const;
  const lastWindow = [endS - windowS, endS] as const;

  const rssFirst = inWindow(rss, ...firstWindow);
  const rssLast = inWindow(rss, ...lastWindow);
  if (rssFirst.length === 0 || rssLast.length === 0) throw new Error('no RSS sample in the first or the last window');
  const rssGrowth = growthOf(Math.max(...rssFirst), Math.max(...rssLast));

  const heapFirst = inWindow(liveHeap, ...firstWindow);
  const heapLast = inWindow(liveHeap, ...lastWindow);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const heapGrowth = heapFirst.length > 0 && heapLast.length > 0 ? growthOf(mean(heapFirst), mean(heapLast)) : undefined;

  return {
    rss: rssGrowth,
    ...(heapGrowth && { liveHeap: heapGrowth }),
    withinLimit: rssGrowth.growth <= limit && heapGrowth !== undefined && heapGrowth.growth <= limit,
  };
}

/** What V8 reports of one full collection: the heap it kept live, and the heap it holds from the system. */
export interface FullCollection {
  readonly liveMb: number;
  readonly committedMb: number;
}

/**
 * Each full collection in `--trace-gc` output, e.g.
 * `[123:0x5f] 236 ms: Mark-Compact 101.5 (166.1) -> 48.9 (179.4) MB, …` gives a live heap of 48.9 MB in
 * 179.4 MB committed. Only lines of the given process count (a log may hold a restarted one's too).
 */
export function fullCollections(traceGcText: string, pid: number): FullCollection[] {
  const collections: FullCollection[] = [];
  for (const match of traceGcText.matchAll(/^\[(\d+):[^\]]*\][^\n]*?Mark-Compact[^\n]*?-> ([\d.]+) \(([\d.]+)\)/gm)) {
    if (Number(match[1]) === pid) collections.push({ liveMb: Number(match[2]), committedMb: Number(match[3]) });
  }
  return collections;
}
