/**
 * npm run test:soak — a gateway serving joins at a steady rate holds its
 * memory. On a stack of its own (like the fault runner: port offset
 * MEETPLANE_FAULTS_PORT_OFFSET, default 9000), SOAK_RATE first joins a
 * second (default 10, each of a meeting of its own, so each creates a room)
 * for SOAK_MINUTES (default 10). Every 10 s it reads the fra gateway's
 * resident memory from /proc and, from the gateway's log (its stack runs with
 * V8's `--trace-gc`), the live heap after each full collection since the last
 * sample. After a warm-up of a fifth of the run, neither may grow by more than
 * 10 % from the first window of a fifth to the last (./memory-growth.ts says
 * how a sawtooth is read). Writes bench/results/soak.json and draws soak.svg (bench/charts.ts); exits
 * non-zero when memory grew more, or when a join failed.
 */
process.env.MEETPLANE_PORT_OFFSET = process.env.MEETPLANE_FAULTS_PORT_OFFSET ?? '9000';
process.env.MEETPLANE_RUN_DIR = '.tools/run-faults';
// Every process of this run's own stack reports its collections to its log (./trace-gc.mjs); the gateway's are read.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${new URL('./trace-gc.mjs', import.meta.url).href}`.trim();

const { readFileSync, writeFileSync, mkdirSync, statSync, openSync, readSync, closeSync } = await import('node:fs');
const { cpus, loadavg } = await import('node:os');
const { resolve } = await import('node:path');
const { ROOT, RUN_DIR } = await import('../../scripts/local-stack/layout.js');
const { TestIdentityProvider } = await import('../support/idp.js');
const { createTenant, stack, startStack, stopStack } = await import('./own-stack.js');
const { call } = await import('./load.js');
const { judgeMemory, fullCollections } = await import('./memory-growth.js');
const { drawCharts } = await import('../../bench/charts.js');

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 10);
const GROWTH_LIMIT = 0.1;
const SAMPLE_MS = 10_000;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** What a log file gained since the last read. */
function logTail(file: string): () => string {
  let offset = statSync(file).size;
  return () => {
    const size = statSync(file).size;
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    return buffer.toString('utf8');
  };
}

const child = await startStack(1000);
const idp = await TestIdentityProvider.start();
let passed = false;
try {
  const tenant = await createTenant('fra', idp);
  const gatewayPid = stack().processes!['gateway-fra']!.pid;
  const gatewayLog = logTail(resolve(RUN_DIR, 'logs/gateway-fra.log'));
  const statuses: Record<string, number> = {};
  const rss: { atS: number; mb: number }[] = [];
  const liveHeap: { atS: number; mb: number }[] = [];
  const committedHeap: { atS: number; mb: number }[] = [];
  const began = Date.now();
  const endsAt = began + MINUTES * 60_000;
  const load = { before: loadavg()[0]!, peak: 0 };
  say(`==> soak: ${RATE} first joins a second for ${MINUTES} min against fra (gateway pid ${gatewayPid})`);

  const sample = () => {
    const atS = Math.round((Date.now() - began) / 1000);
    rss.push({ atS, mb: round1(rssMb(gatewayPid)) });
    for (const { liveMb, committedMb } of fullCollections(gatewayLog(), gatewayPid)) {
      liveHeap.push({ atS, mb: liveMb });
      committedHeap.push({ atS, mb: committedMb });
    }
    load.peak = Math.max(load.peak, loadavg()[0]!);
    const heap =
      liveHeap.at(-1)?.atS === atS
        ? `, live heap ${liveHeap.at(-1)!.mb} MB of ${committedHeap.at(-1)!.mb} MB committed after a full collection`
        : '';
    say(`    ${atS} s: RSS ${rss.at(-1)!.mb} MB${heap}, joins ${JSON.stringify(statuses)}`);
  };

  // Meetings are made a little ahead of the joins, by the same gateway: that is part of the load too.
  const joins: Promise<void>[] = [];
  let next = Date.now();
  let lastSample = 0;
  while (Date.now() < endsAt) {
    joins.push(
      (async () => {
        const created = await call(tenant, 'POST', '/v1/meetings', {
          title: 'soak',
          startsAt: new Date(Date.now() + 60_000).toISOString(),
          durationMinutes: 30,
          timeZone: 'Europe/Berlin',
        });
        const id = (created.body as { id?: string } | undefined)?.id;
        const joined = id ? await call(tenant, 'POST', `/v1/meetings/${id}/join`, {}) : created;
        statuses[joined.status] = (statuses[joined.status] ?? 0) + 1;
      })(),
    );
    if (joins.length > 200) await Promise.all(joins.splice(0, 100));
    if (Date.now() - lastSample >= SAMPLE_MS) {
      lastSample = Date.now();
      sample();
    }
    next += 1000 / RATE;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(joins);
  sample();

  const endS = rss.at(-1)!.atS;
  const warmUpS = (MINUTES * 60) / 5;
  const verdict = judgeMemory(rss, liveHeap, { warmUpS, windowS: warmUpS, endS, limit: GROWTH_LIMIT });
  const failedJoins = Object.entries(statuses)
    .filter(([status]) => status !== '200')
    .reduce((n, [, count]) => n + count, 0);
  passed = verdict.withinLimit && failedJoins === 0;
  const figures = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    loadAverage: { before: round1(load.before), peak: round1(load.peak) },
    minutes: MINUTES,
    joinsPerSecond: RATE,
    statuses,
    judgement: { warmUpS, windowS: warmUpS, limit: GROWTH_LIMIT },
    verdict,
    // The heap V8 holds from the system after each full collection: RSS less this is memory outside the JavaScript heap.
    samples: { rssMb: rss, liveHeapMb: liveHeap, committedHeapMb: committedHeap },
    passed,
  };
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/soak.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await drawCharts(); // soak.svg, with the other figures
  const heap = verdict.liveHeap
    ? `live heap ${verdict.liveHeap.first} → ${verdict.liveHeap.last} MB (${(verdict.liveHeap.growth * 100).toFixed(1)} %)`
    : 'no full collection in the first or the last window';
  say(
    `soak: RSS level ${verdict.rss.first} → ${verdict.rss.last} MB (${(verdict.rss.growth * 100).toFixed(1)} %), ${heap}, ` +
      `limit ${GROWTH_LIMIT * 100} %; joins ${JSON.stringify(statuses)} — ${passed ? 'passed' : 'FAILED'}`,
  );
} finally {
  await idp.stop();
  await stopStack(child);
}
process.exit(passed ? 0 : 1);
