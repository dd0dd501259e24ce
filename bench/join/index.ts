/**
 * npm run bench:join — a bounded load of concurrent participants joining one
 * meeting through the local stack (warm), as client apps would.
 *
 * Prints client-side latency percentiles and joins per second, and from the fra
 * gateway's access log the calls each join made to DynamoDB, KMS and LiveKit
 * (counted by client middleware) and the handler's own work (its time minus
 * the time it awaited those calls), compared with the cost of minting a bare
 * LiveKit token. Then the join's latency against its floor: a handler that
 * only reads the live state and mints the token (floor-handler.ts), bundled
 * and served as the join is, by a second gateway process on the same path
 * (floor.ts); the two loads run in alternating blocks, so that what else the
 * machine does falls on both alike. Writes bench/results/join.json and the
 * README table.
 *
 * Bounded: BENCH_JOIN_PARTICIPANTS (default 40) users, BENCH_JOIN_ROUNDS
 * (default 5) joins each, BENCH_JOIN_CONCURRENCY (default 8) at a time, as
 * many floor requests, in BENCH_JOIN_BLOCKS (default 5) alternating blocks.
 */
import { AccessToken, TrackSource } from 'livekit-server-sdk';
import { drawCharts } from '../charts.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { ROOT, RUN_DIR, STACK_FILE, type StackDescription } from '../../scripts/local-stack/layout.js';
import { ensureStack } from '../stack.js';
import { startFloorGateway } from './floor.js';
import { profileJoins } from './profile.js';

const PARTICIPANTS = Number(process.env.BENCH_JOIN_PARTICIPANTS ?? 40);
const ROUNDS = Number(process.env.BENCH_JOIN_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_JOIN_CONCURRENCY ?? 8);
const BLOCKS = Number(process.env.BENCH_JOIN_BLOCKS ?? 5);
/** The aim: a join's p50 at most this many times its floor's. */
const FLOOR_RATIO_TARGET = 1.25;
const say = (line: string) => process.stdout.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** The cost of minting one bare LiveKit join token, the yardstick of the target. */
async function bareTokenMs(): Promise<number> {
  const mint = () => {
    const token = new AccessToken('bench-key', 'bench-secret-of-thirty-two-chars-x', { identity: 'p_bench', ttl: 300 });
    token.addGrant({
      room: 'rm_bench',
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
      canPublishSources: [TrackSource.MICROPHONE],
    });
    return token.toJwt();
  };
  for (let i = 0; i < 200; i++) await mint();
  const runs = 2000;
  const began = performance.now();
  for (let i = 0; i < runs; i++) await mint();
  return (performance.now() - began) / runs;
}

interface AccessLine {
  requestId: string;
  routeKey: string;
  status: number;
  durationMs: number;
  calls?: { dynamodb: number; dynamodbReads: number; kms: number; livekit: number; ioMs: number };
}

interface Sample {
  ms: number;
  requestId: string;
}

/** Runs the requests `concurrency` at a time; their latencies and the wall time they took. */
async function load(requests: (() => Promise<Sample>)[], concurrency: number) {
  const queue = [...requests];
  const samples: Sample[] = [];
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) samples.push(await next());
    }),
  );
  return { samples, seconds: (performance.now() - began) / 1000 };
}

const spread = (sorted: number[]) => ({
  p50: round(percentile(sorted, 50)),
  p95: round(percentile(sorted, 95)),
  p99: round(percentile(sorted, 99)),
  max: round(sorted.at(-1)!),
});
const sortedMs = (samples: Sample[]) => samples.map((s) => s.ms).sort((a, b) => a - b);

if (process.argv.includes('--profile')) {
  const stopStack = await ensureStack();
  try {
    await profileJoins(JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription, PARTICIPANTS * ROUNDS * 5, CONCURRENCY);
  } finally {
    await stopStack();
  }
  process.exit(0);
}

const stop = await ensureStack();
let stopFloor: () => Promise<void> = async () => undefined;
try {
  const stack = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription;
  const api = stack.sites.fra.apiUrl;
  const hostToken = await devToken({ user: 'bench-host', roles: ['host'] });
  const created = await fetch(`${api}/v1/meetings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hostToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Join benchmark',
      startsAt: new Date().toISOString(),
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
    }),
  });
  const meetingId = ((await created.json()) as { id: string }).id;
  const participantIds = new Map<string, string>();
  const join = async (token: string): Promise<Sample> => {
    const began = performance.now();
    const res = await fetch(`${api}/v1/meetings/${meetingId}/join`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as { status?: string; participantId?: string };
    if (res.status !== 200 || body.status !== 'admitted') throw new Error(`join failed: ${res.status}`);
    const ms = performance.now() - began;
    participantIds.set(token, body.participantId!);
    return { ms, requestId: res.headers.get('x-request-id') ?? '' };
  };

  say(`meeting ${meetingId}: the host's first join places it and creates its room`);
  await join(hostToken);
  const tokens = await Promise.all(Array.from({ length: PARTICIPANTS }, (_, i) => devToken({ user: `bench-${i}`, roles: [] })));
  say(`warming up: ${PARTICIPANTS} participants join once`);
  for (const token of tokens) await join(token);

  say('starting the floor: its handler bundled as a route group, behind a second gateway process');
  const floorGateway = await startFloorGateway(stack);
  stopFloor = floorGateway.stop;
  // The same request as the join's (path, headers), with what the join would derive from the token in the body.
  const floor = async (token: string): Promise<Sample> => {
    const began = performance.now();
    const res = await fetch(`${floorGateway.url}/v1/meetings/${meetingId}/join`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: stack.demoTenantId, participantId: participantIds.get(token) }),
    });
    const body = (await res.json()) as { status?: string; media?: { token?: string } };
    if (res.status !== 200 || body.status !== 'admitted' || !body.media?.token) throw new Error(`floor failed: ${res.status}`);
    return { ms: performance.now() - began, requestId: '' };
  };
  say(`warming up the floor: ${PARTICIPANTS} requests`);
  for (const token of tokens) await floor(token);

  const total = PARTICIPANTS * ROUNDS;
  const perBlock = Math.ceil(total / BLOCKS);
  say(`measuring: ${total} warm joins and ${total} floor requests, ${CONCURRENCY} at a time, in ${BLOCKS} alternating blocks`);
  const loadBefore = loadavg()[0]!;
  const samples: Sample[] = [];
  const floorSamples: Sample[] = [];
  let wallSeconds = 0;
  let floorSeconds = 0;
  for (let block = 0; block < BLOCKS; block++) {
    const count = Math.min(perBlock, total - block * perBlock);
    const ofBlock = Array.from({ length: count }, (_, i) => tokens[(block * perBlock + i) % PARTICIPANTS]!);
    // Which load goes first alternates too.
    const runs = [
      async () => {
        const ran = await load(
          ofBlock.map((t) => () => join(t)),
          CONCURRENCY,
        );
        samples.push(...ran.samples);
        wallSeconds += ran.seconds;
      },
      async () => {
        const ran = await load(
          ofBlock.map((t) => () => floor(t)),
          CONCURRENCY,
        );
        floorSamples.push(...ran.samples);
        floorSeconds += ran.seconds;
      },
    ];
    for (const run of block % 2 === 0 ? runs : runs.reverse()) await run();
  }

  // The handler's own work is timed one join at a time: under concurrency, the time between awaits also
  // holds other requests' work, which would be counted twice. The floor is timed one at a time beside it.
  say(`timing the handler's own work: ${PARTICIPANTS * 2} joins one at a time, and as many floor requests`);
  const sequential: Sample[] = [];
  const floorSequential: Sample[] = [];
  for (let i = 0; i < PARTICIPANTS * 2; i++) {
    sequential.push(await join(tokens[i % PARTICIPANTS]!));
    floorSequential.push(await floor(tokens[i % PARTICIPANTS]!));
  }
  const loadAfter = loadavg()[0]!;
  await stopFloor();

  // Each measured join's own access-log line, from the gateway that served it.
  const logged = readFileSync(resolve(RUN_DIR, 'logs/gateway-fra.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"routeKey":"POST /v1/meetings/{meetingId}/join"'))
    .map((line) => JSON.parse(line) as AccessLine)
    .filter((line) => line.calls);
  const linesOf = (of: { requestId: string }[]) => {
    const ids = new Set(of.map((s) => s.requestId));
    return logged.filter((line) => ids.has(line.requestId));
  };
  const lines = linesOf(samples);
  const latencies = sortedMs(samples);
  const floorLatencies = sortedMs(floorSamples);
  const ownWork = linesOf(sequential)
    .map((l) => l.durationMs - l.calls!.ioMs)
    .sort((a, b) => a - b);
  const tokenMs = await bareTokenMs();
  const perJoin = {
    dynamodbCalls: mean(lines.map((l) => l.calls!.dynamodb)),
    dynamodbReads: mean(lines.map((l) => l.calls!.dynamodbReads)),
    kmsCalls: mean(lines.map((l) => l.calls!.kms)),
    livekitCalls: mean(lines.map((l) => l.calls!.livekit)),
  };
  const ownWorkP50 = percentile(ownWork, 50);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    load: { participants: PARTICIPANTS, rounds: ROUNDS, concurrency: CONCURRENCY, joins: total, loggedJoins: lines.length },
    loadAverage: { before: round(loadBefore), after: round(loadAfter) },
    latencyMs: spread(latencies),
    joinsPerSecond: round(total / wallSeconds, 1),
    floor: {
      what: 'reads the live state and mints the token, bundled as a route group, behind a second gateway process on the same path',
      latencyMs: spread(floorLatencies),
      requestsPerSecond: round(total / floorSeconds, 1),
      oneAtATimeMs: spread(sortedMs(floorSequential)),
    },
    joinOneAtATimeMs: spread(sortedMs(sequential)),
    joinToFloor: {
      p50: round(percentile(latencies, 50) / percentile(floorLatencies, 50)),
      p95: round(percentile(latencies, 95) / percentile(floorLatencies, 95)),
      p99: round(percentile(latencies, 99) / percentile(floorLatencies, 99)),
      p50OneAtATime: round(percentile(sortedMs(sequential), 50) / percentile(sortedMs(floorSequential), 50)),
      target: FLOOR_RATIO_TARGET,
    },
    perJoin: Object.fromEntries(Object.entries(perJoin).map(([k, v]) => [k, round(v)])),
    handlerOwnWorkMs: { p50: round(ownWorkP50), p95: round(percentile(ownWork, 95)) },
    bareTokenMintMs: round(tokenMs, 3),
    targets: {
      joinP50Within125xFloor: percentile(latencies, 50) <= FLOOR_RATIO_TARGET * percentile(floorLatencies, 50),
      ownWorkWithin3xTokenMint: ownWorkP50 <= 3 * tokenMs,
      atMostOneDynamodbRead: perJoin.dynamodbReads <= 1,
      noKmsCall: perJoin.kmsCalls === 0,
    },
  };
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/join.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`drew ${(await drawCharts()).join(', ')}`);

  const table = [
    '| measure | value |',
    '| --- | --- |',
    `| load | ${total} warm joins by ${PARTICIPANTS} participants, ${CONCURRENCY} concurrent |`,
    `| latency p50 / p95 / p99 | ${results.latencyMs.p50} / ${results.latencyMs.p95} / ${results.latencyMs.p99} ms |`,
    `| joins per second | ${results.joinsPerSecond} |`,
    `| floor (live-state read + token mint, same gateway) p50 / p95 / p99 | ${results.floor.latencyMs.p50} / ${results.floor.latencyMs.p95} / ${results.floor.latencyMs.p99} ms, ${results.floor.requestsPerSecond} per second |`,
    `| join ÷ floor p50 / p95 / p99 | ${results.joinToFloor.p50} / ${results.joinToFloor.p95} / ${results.joinToFloor.p99} (target p50 ≤ ${FLOOR_RATIO_TARGET}) |`,
    `| one at a time: join p50 / floor p50 (ratio) | ${results.joinOneAtATimeMs.p50} / ${results.floor.oneAtATimeMs.p50} ms (${results.joinToFloor.p50OneAtATime}) |`,
    `| DynamoDB calls per join (reads) | ${results.perJoin.dynamodbCalls} (${results.perJoin.dynamodbReads}) |`,
    `| KMS calls per join | ${results.perJoin.kmsCalls} |`,
    `| LiveKit API calls per join | ${results.perJoin.livekitCalls} |`,
    `| handler's own work p50 / p95 (excluding awaited I/O, one join at a time) | ${results.handlerOwnWorkMs.p50} / ${results.handlerOwnWorkMs.p95} ms |`,
    `| minting a bare LiveKit token | ${results.bareTokenMintMs} ms (target: own work ≤ 3×, ${round(3 * tokenMs, 3)} ms) |`,
    `| targets met | join ÷ floor p50 ≤ ${FLOOR_RATIO_TARGET} ${results.targets.joinP50Within125xFloor ? 'yes' : 'no'}; own work ${results.targets.ownWorkWithin3xTokenMint ? 'yes' : 'no'}; ≤ 1 DynamoDB read ${results.targets.atMostOneDynamodbRead ? 'yes' : 'no'}; no KMS call ${results.targets.noKmsCall ? 'yes' : 'no'} |`,
  ].join('\n');
  say('');
  say(table);
  say('');
  const machineLine = `Measured on ${results.machine.cpus} × ${results.machine.model}, Node ${results.machine.node}, load average ${results.loadAverage.before} before and ${results.loadAverage.after} after`;
  say(`${machineLine}; wrote bench/results/join.json`);
  const readmePath = resolve(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const marked = /<!-- join:start -->[\s\S]*<!-- join:end -->/;
  if (marked.test(readme)) {
    writeFileSync(
      readmePath,
      readme.replace(marked, `<!-- join:start -->\n${table}\n\n${machineLine}, with \`npm run bench:join\`.\n<!-- join:end -->`),
    );
    say('wrote the table into README.md');
  }
} finally {
  await stopFloor();
  await stop();
}
