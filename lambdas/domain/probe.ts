import type { DependencyStatus, DownReason } from './health.js';

/** Raised by a probe that reached its dependency and found it unfit (table missing, key disabled). */
export class ProbeFailure extends Error {
  constructor(readonly reason: DownReason) {
    super(reason);
    this.name = 'ProbeFailure';
  }
}

export type Probe = (signal: AbortSignal) => Promise<void>;

/** Runs a probe under a deadline and classifies the outcome; never throws. */
export async function runProbe(probe: Probe, timeoutMs: number, now: () => number = Date.now): Promise<DependencyStatus> {
  const began = now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([probe(controller.signal).then(() => 'up' as const), deadline]);
    if (outcome === 'timeout') return { status: 'down', latencyMs: now() - began, reason: 'timeout' };
    return { status: 'up', latencyMs: now() - began };
  } catch (error) {
    return { status: 'down', latencyMs: now() - began, reason: classify(error) };
  } finally {
    clearTimeout(timer);
  }
}

function classify(error: unknown): DownReason {
  if (error instanceof ProbeFailure) return error.reason;
  const text = `${(error as { name?: string })?.name ?? ''} ${(error as { code?: string })?.code ?? ''} ${
    (error as { message?: string })?.message ?? ''
  } ${String((error as { cause?: { code?: string } })?.cause?.code ?? '')}`;
  if (/abort|timeout/i.test(text)) return 'timeout';
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed|socket/i.test(text)) return 'unreachable';
  return 'error';
}
