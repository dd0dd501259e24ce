import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { RoomServiceClient } from 'livekit-server-sdk';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { SiteId } from '../../config/sites.js';
import { timelineSvg } from '../../bench/chart.js';
import { problemStatuses } from '../../lambdas/api/openapi.js';
import { OPERATIONS } from '../../lambdas/api/operations.js';
import { ROOT, SITE_PORTS } from '../../scripts/local-stack/layout.js';
import { portIsOpen } from '../../scripts/local-stack/processes.js';
import { TestIdentityProvider } from '../support/idp.js';
import { checkScenario, type Check } from './checks.js';
import { createTenant, stack, startStack, stopStack, type Tenant } from './own-stack.js';
import { LoadRun, summarise, type Phase, type Sample } from './load.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** How long each phase lasts, and the fault. Bounded: ten scenarios of about twenty seconds each. */
const BEFORE_MS = 3000;
const PAUSE_MS = 6000;
const AFTER_MS = 5000;
/** The stack starts a killed dependency again after this (MEETPLANE_RESTART_DELAY_MS). */
const RESTART_DELAY_MS = 2000;
/** A DynamoDB read answered within this is prompt. */
const PROMPT_READ_MS = 250;
const LIVEKIT_PROBE_ROUNDS = 3;
/** Unmeasured load before the first scenario: a freshly started stack's emulators and bundles are cold. */
const WARM_UP_MS = 6000;
/** Requests per second of load on the site under test. */
const RATE = Number(process.env.FAULTS_RATE ?? 6);

type Target = 'dynamodb' | `kms-${SiteId}` | `livekit-${SiteId}`;
type Fault = 'pause' | 'kill';

/** The processes of a target: a site's LiveKit is every node of its cluster (`livekit-fra-1`, `-2`). */
function processesOf(target: Target): string[] {
  if (!target.startsWith('livekit-')) return [target];
  const site = target.split('-')[1] as SiteId;
  return stack().sites[site].clusters.flatMap((c) => c.nodes.map((n) => n.name));
}

/** The process groups of a target's components, as the stack last wrote them (joined, to compare). */
function pidOf(target: Target): string {
  return processesOf(target)
    .map((name) => {
      const pid = stack().processes?.[name]?.pid;
      if (!pid || pid <= 0) throw new Error(`the stack names no process for ${name}`);
      return pid;
    })
    .join(',');
}

function signal(target: Target, sig: NodeJS.Signals, pids = pidOf(target)): void {
  // Each component leads its own process group (scripts/local-stack/processes.ts): signal all of it.
  for (const pid of pids.split(',')) process.kill(-Number(pid), sig);
}

/** Whether the component answers again: for DynamoDB prompt table reads, for KMS its port, for LiveKit rooms made through each node. */
async function answers(target: Target): Promise<boolean> {
  if (target === 'dynamodb') {
    // DynamoDB Local's port opens well before its JVM serves a call, and its first reads of a table after a start
    // take seconds while it loads and compiles: it is back when reads of the site's table are answered promptly
    // twice in a row, as the service's would be.
    const client = new DynamoDBClient({
      region: stack().sites.fra.region,
      endpoint: stack().dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 500, requestTimeout: PROMPT_READ_MS, throwOnRequestTimeout: true },
    });
    try {
      for (let i = 0; i < 2; i++) {
        await client.send(
          new GetItemCommand({
            TableName: stack().sites.fra.env.MEETPLANE_TABLE,
            Key: { pk: { S: 'probe' }, sk: { S: 'probe' } },
          }),
        );
      }
      return true;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  }
  const site = target.split('-')[1] as SiteId;
  if (target.startsWith('kms-')) return portIsOpen(SITE_PORTS[site].kms);
  // A restarted cluster's nodes answer HTTP before they serve, and the killed nodes stay in the cluster's Redis,
  // selectable, until their last load report is a few seconds old: room creation can still be routed to a node that
  // is gone. The cluster is back when rooms of new names can be created and removed through each of its nodes, three
  // rounds in a row (with a random node selector, a dead node still selectable is hit in one of them almost surely).
  const { apiKey, apiSecret } = stack().sites[site].livekit;
  for (let round = 0; round < LIVEKIT_PROBE_ROUNDS; round++) {
    if (round > 0) await sleep(300);
    const up = await Promise.all(
      SITE_PORTS[site].livekitNodes.map(async (node) => {
        const rooms = new RoomServiceClient(`http://127.0.0.1:${node.http}`, apiKey, apiSecret, { requestTimeout: 1 });
        const name = `faults-probe-${node.http}-${randomUUID().slice(0, 8)}`;
        try {
          await rooms.createRoom({ name, emptyTimeout: 1 });
          await rooms.deleteRoom(name);
          return true;
        } catch {
          return false;
        }
      }),
    );
    if (!up.every(Boolean)) return false;
  }
  return true;
}

// --- scenarios ------------------------------------------------------------------------------------------
export interface ScenarioResult {
  readonly name: string;
  readonly target: Target;
  readonly fault: Fault;
  /** Milliseconds from the scenario's start: when the fault began and when the dependency answered again. */
  readonly faultFromMs: number;
  readonly faultToMs: number;
  readonly samples: readonly Sample[];
  readonly checks: readonly Check[];
}

async function runScenario(tenant: Tenant, target: Target, fault: Fault, day: number): Promise<ScenarioResult> {
  const name = `${target} ${fault === 'pause' ? `paused ${PAUSE_MS / 1000} s` : 'killed, restarted'}`;
  say(`==> ${name} (load on ${tenant.site})`);
  const load = await LoadRun.prepare(tenant, day, RATE);
  const began = performance.now();
  load.start(began);
  load.phase = 'before';
  await sleep(BEFORE_MS);
  load.phase = 'during';
  const faultFrom = performance.now() - began;
  if (fault === 'pause') {
    const pid = pidOf(target);
    signal(target, 'SIGSTOP', pid);
    try {
      await sleep(PAUSE_MS);
    } finally {
      signal(target, 'SIGCONT', pid);
    }
  } else {
    const pid = pidOf(target);
    signal(target, 'SIGKILL', pid);
    // The stack starts it again after its delay; it is back when it answers (one judgement: asking twice could
    // hear two answers, the second from a dead node still routed to).
    const deadline = Date.now() + 60_000;
    let back = false;
    while (!back && Date.now() < deadline) {
      back = pidOf(target) !== pid && (await answers(target));
      if (!back) await sleep(100);
    }
    if (!back) throw new Error(`${target} did not come back after it was killed`);
  }
  const faultTo = performance.now() - began;
  load.phase = 'after';
  await sleep(AFTER_MS);
  const samples = await load.stop();
  const checks = await checkScenario(load, samples, { faultToMs: faultTo, documented: documentedStatuses() });
  return { name, target, fault, faultFromMs: faultFrom, faultToMs: faultTo, samples, checks };
}

/** Statuses each route of the load documents: its success and its problems (lambdas/api/openapi.ts). */
function documentedStatuses(): Record<string, readonly number[]> {
  const routes = ['POST /v1/meetings', 'PATCH /v1/meetings/{meetingId}', 'POST /v1/meetings/{meetingId}/join'] as const;
  return Object.fromEntries(
    routes.map((route) => [route, [OPERATIONS[route].success.status, ...problemStatuses(OPERATIONS[route])]]),
  );
}

// --- report ---------------------------------------------------------------------------------------------
const pad = (text: string | number, width: number) => String(text).padEnd(width);

function printScenario(result: ScenarioResult): void {
  for (const phase of ['before', 'during', 'after'] as Phase[]) {
    const s = summarise(result.samples.filter((sample) => sample.phase === phase));
    const statuses = Object.entries(s.statuses)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    say(
      `    ${pad(phase, 7)} ${pad(`${s.count} requests`, 13)} p50 ${pad(`${s.p50Ms} ms`, 9)} p99 ${pad(`${s.p99Ms} ms`, 9)} ${statuses}`,
    );
  }
  for (const check of result.checks)
    say(`    ${check.passed ? 'ok  ' : 'FAIL'} ${check.name}${check.detail ? `: ${check.detail}` : ''}`);
}

async function writeResults(results: readonly ScenarioResult[], startedAt: string): Promise<void> {
  const dir = resolve(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const figures = {
    startedAt,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    load: {
      requestsPerSecond: RATE,
      mix: ['create', 'update', 'join'],
      phasesMs: { before: BEFORE_MS, pause: PAUSE_MS, after: AFTER_MS },
    },
    scenarios: results.map((r) => ({
      name: r.name,
      target: r.target,
      fault: r.fault,
      faultMs: { from: Math.round(r.faultFromMs), to: Math.round(r.faultToMs) },
      phases: Object.fromEntries(
        (['before', 'during', 'after'] as Phase[]).map((phase) => [phase, summarise(r.samples.filter((s) => s.phase === phase))]),
      ),
      checks: r.checks,
      // Every request of the scenario as [start (s), latency (ms), status], for redrawing the figure (bench/charts.ts).
      timeline: r.samples.map((s) => [Math.round(s.startMs / 10) / 100, Math.round(s.ms), s.status]),
    })),
    passed: results.every((r) => r.checks.every((c) => c.passed)),
  };
  writeFileSync(resolve(dir, 'faults.json'), `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(
    resolve(dir, 'faults.svg'),
    await timelineSvg({
      title: `Latency of creates, updates and joins through dependency faults (${cpus().length} cores)`,
      limitMs: 3000,
      panels: results.map((r) => ({
        label: r.name,
        fault: { fromS: r.faultFromMs / 1000, toS: r.faultToMs / 1000 },
        points: r.samples.map((s) => ({ atS: s.startMs / 1000, ms: s.ms, status: s.status })),
      })),
    }),
  );
  say('wrote bench/results/faults.json and bench/results/faults.svg');

  // The README's table, between its markers, when a run covered every scenario.
  if (results.length < 10) return;
  const cell = (r: ScenarioResult, phase: Phase) => {
    const s = summarise(r.samples.filter((sample) => sample.phase === phase));
    const statuses = Object.entries(s.statuses)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    return `${statuses}; ${s.p50Ms} / ${s.p99Ms} ms`;
  };
  const table = [
    '| fault | before | during | after | checks |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${cell(r, 'before')} | ${cell(r, 'during')} | ${cell(r, 'after')} | ${
          r.checks.every((c) => c.passed)
            ? 'all passed'
            : `failed: ${r.checks
                .filter((c) => !c.passed)
                .map((c) => c.name)
                .join('; ')}`
        } |`,
    ),
  ].join('\n');
  const readmePath = resolve(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const marked = /<!-- faults:start -->[\s\S]*<!-- faults:end -->/;
  if (marked.test(readme)) {
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`;
    writeFileSync(
      readmePath,
      readme.replace(
        marked,
        `<!-- faults:start -->\n${table}\n\nStatus counts; p50 / p99 latency. Measured on ${machine}, ${RATE} requests a second, with \`npm run test:faults\`.\n<!-- faults:end -->`,
      ),
    );
    say('wrote the table into README.md');
  }
}

// --- main -----------------------------------------------------------------------------------------------
const startedAt = new Date().toISOString();
const child = await startStack(RESTART_DELAY_MS);
// One identity provider per tenant: an issuer belongs to one tenant.
const idps = { fra: await TestIdentityProvider.start(), ams: await TestIdentityProvider.start() };
const results: ScenarioResult[] = [];
let failed = false;
try {
  const tenants = { fra: await createTenant('fra', idps.fra), ams: await createTenant('ams', idps.ams) };
  const only = process.env.FAULTS_ONLY?.split(',').filter(Boolean);
  const targets: Target[] = ['dynamodb', 'kms-fra', 'kms-ams', 'livekit-fra', 'livekit-ams'];
  let day = 1;
  say(`==> warming the stack up: ${WARM_UP_MS / 1000} s of the same load on each site, not measured`);
  for (const site of ['fra', 'ams'] as SiteId[]) {
    const warmUp = await LoadRun.prepare(tenants[site], day++, RATE);
    warmUp.start(performance.now());
    await sleep(WARM_UP_MS);
    await warmUp.stop();
  }
  for (const target of targets) {
    for (const fault of ['pause', 'kill'] as Fault[]) {
      if (only && !only.some((o) => `${target}:${fault}`.startsWith(o))) continue;
      const site: SiteId = target === 'dynamodb' ? 'fra' : (target.split('-')[1] as SiteId);
      const result = await runScenario(tenants[site], target, fault, day++);
      printScenario(result);
      results.push(result);
    }
  }
} catch (error) {
  failed = true;
  process.stderr.write(`the fault run broke off: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await Promise.all([idps.fra.stop(), idps.ams.stop()]);
  await stopStack(child);
}
if (results.length > 0) await writeResults(results, startedAt);
const failures = results.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => `${r.name}: ${c.name}`));
say('');
say(
  failed
    ? `faults: the run broke off after ${results.length} scenarios`
    : failures.length === 0
      ? `faults: ${results.length} scenarios, every check passed`
      : `faults: ${failures.length} check(s) failed`,
);
for (const failure of failures) say(`  - ${failure}`);
process.exit(failures.length === 0 && !failed ? 0 : 1);
