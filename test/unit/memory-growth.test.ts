import { fullCollections, judgeMemory, type MemorySample } from '../faults/memory-growth.js';

/** A sawtooth: climbs `climb` MB a sample from `floor`, dropping back every `period` samples; `drift` MB a sample underneath. */
function sawtooth(samples: number, floor: number, climb: number, period: number, drift = 0): MemorySample[] {
  return Array.from({ length: samples }, (_, i) => ({ atS: i * 10, mb: floor + (i % period) * climb + i * drift }));
}

const judgement = { warmUpS: 120, windowS: 120, endS: 600, limit: 0.1 };

describe('judging whether a process holds its memory', () => {
  it('does not take a sawtooth that returns to its floor for growth, even set against a trough', () => {
    const rss = sawtooth(61, 470, 12, 12);
    const heap = [130, 250, 370, 490].map((atS) => ({ atS, mb: 290 }));
    const verdict = judgeMemory(rss, heap, judgement);
    expect(verdict.rss.growth).toBeLessThanOrEqual(0.1);
    expect(verdict.liveHeap).toEqual({ first: 290, last: 290, growth: 0 });
    expect(verdict.withinLimit).toBe(true);
  });

  it('finds a leak under the sawtooth in RSS', () => {
    const rss = sawtooth(61, 470, 12, 12, 2.5); // 2.5 MB more every 10 s
    const verdict = judgeMemory(
      rss,
      [
        { atS: 130, mb: 290 },
        { atS: 590, mb: 291 },
      ],
      judgement,
    );
    expect(verdict.rss.growth).toBeGreaterThan(0.1);
    expect(verdict.withinLimit).toBe(false);
  });

  it('finds a leak in the live heap that RSS hides', () => {
    const rss = sawtooth(61, 470, 12, 12);
    const heap = [
      { atS: 130, mb: 290 },
      { atS: 200, mb: 300 },
      { atS: 500, mb: 330 },
      { atS: 590, mb: 340 },
    ];
    const verdict = judgeMemory(rss, heap, judgement);
    expect(verdict.liveHeap!.growth).toBeCloseTo(0.136, 3);
    expect(verdict.withinLimit).toBe(false);
  });

  it('cannot pass without a full collection in each window to judge the heap by', () => {
    const verdict = judgeMemory(sawtooth(61, 470, 0, 1), [{ atS: 130, mb: 290 }], judgement);
    expect(verdict.liveHeap).toBeUndefined();
    expect(verdict.withinLimit).toBe(false);
  });

  it("reads the live heap after each full collection of one process from V8's --trace-gc lines", () => {
    const log = [
      '{"level":"INFO","message":"gateway listening"}',
      '[41:0x1d713000]      120 ms: Scavenge 20.1 (30.2) -> 18.0 (31.0) MB, pooled: 0 MB, 1.2 / 0.0 ms  allocation failure;',
      '[41:0x1d713000]      236 ms: Mark-Compact 101.5 (166.1) -> 48.9 (179.4) MB, pooled: 0 MB, 24.51 / 0.00 ms  (average mu = 0.894) finalize incremental marking via stack guard; GC in old space requested',
      '[77:0x2a000000]      300 ms: Mark-Compact 90.0 (100.0) -> 60.0 (101.0) MB, pooled: 0 MB, 3.4 / 0.00 ms  testing',
      '[41:0x1d713000]     9120 ms: Mark-Compact (reduce) 140.2 (170.0) -> 52.5 (160.1) MB, pooled: 0 MB, 30.1 / 0.0 ms  (average mu = 0.9) memory reducer',
    ].join('\n');
    expect(fullCollections(log, 41)).toEqual([
      { liveMb: 48.9, committedMb: 179.4 },
      { liveMb: 52.5, committedMb: 160.1 },
    ]);
  });
});
