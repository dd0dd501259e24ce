/**
 * npm run test:soak — a gateway serving joins at a steady rate holds its
 * memory. On a stack of its own (like the fault runner: port offset
 * MEETPLANE_FAULTS_PORT_OFFSET, default 9000), SOAK_RATE first joins a
 * second (default 10, each of a meeting of its own, so each creates a room)
 * for SOAK_MINUTES (default 10). The fra gateway's resident memory is read
 * from /proc every 10 s; after a warm-up of a fifth of the run it may grow by
 * at most 10 %. Writes bench/results/soak.json; exits non-zero when it grew
 * more, or when a join failed.
 */
process.env.MEETPLANE_PORT_OFFSET = process.env.MEETPLANE_FAULTS_PORT_OFFSET ?? '9000';
process.env.MEETPLANE_RUN_DIR = '.tools/run-faults';

const { readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
const { cpus } = await import('node:os');
const { resolve } = await import('node:path');
const { ROOT } = await import('../../scripts/local-stack/layout.js');
const { TestIdentityProvider } = await import('../support/idp.js');
const { createTenant, stack, startStack, stopStack } = await import('./own-stack.js');
const { call } = await import('./load.js');

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 10);
const GROWTH_LIMIT = 0.1;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

const child = await startStack(1000);
const idp = await TestIdentityProvider.start();
let passed = false;
try {
  const tenant = await createTenant('fra', idp);
  const gatewayPid = stack().processes!['gateway-fra']!.pid;
  const statuses: Record<string, number> = {};
  const samples: { atS: number; rssMb: number }[] = [];
  const began = Date.now();
  const endsAt = began + MINUTES * 60_000;
  say(`==> soak: ${RATE} first joins a second for ${MINUTES} min against fra (gateway pid ${gatewayPid})`);

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
    if (Date.now() - lastSample >= 10_000) {
      lastSample = Date.now();
      samples.push({ atS: Math.round((lastSample - began) / 1000), rssMb: Math.round(rssMb(gatewayPid) * 10) / 10 });
      say(`    ${samples.at(-1)!.atS} s: RSS ${samples.at(-1)!.rssMb} MB, joins ${JSON.stringify(statuses)}`);
    }
    next += 1000 / RATE;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(joins);
  samples.push({ atS: Math.round((Date.now() - began) / 1000), rssMb: Math.round(rssMb(gatewayPid) * 10) / 10 });

  const warmUpS = (MINUTES * 60) / 5;
  const afterWarmUp = samples.filter((s) => s.atS >= warmUpS);
  const baseline = afterWarmUp[0]?.rssMb ?? 0;
  const peak = Math.max(...afterWarmUp.map((s) => s.rssMb));
  const growth = baseline > 0 ? (peak - baseline) / baseline : 0;
  const failedJoins = Object.entries(statuses)
    .filter(([status]) => status !== '200')
    .reduce((n, [, count]) => n + count, 0);
  passed = growth <= GROWTH_LIMIT && failedJoins === 0;
  const figures = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    minutes: MINUTES,
    joinsPerSecond: RATE,
    statuses,
    rssMb: { afterWarmUp: baseline, peak, final: samples.at(-1)!.rssMb, growth: Math.round(growth * 1000) / 1000 },
    samples,
    passed,
  };
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/soak.json'), `${JSON.stringify(figures, null, 2)}\n`);
  say(
    `soak: RSS ${baseline} MB after warm-up, peak ${peak} MB (${(growth * 100).toFixed(1)} %, limit ${GROWTH_LIMIT * 100} %); ` +
      `joins ${JSON.stringify(statuses)} — ${passed ? 'passed' : 'FAILED'}`,
  );
} finally {
  await idp.stop();
  await stopStack(child);
}
process.exit(passed ? 0 : 1);
