/**
 * npm run bench:join — a bounded load of concurrent participants joining one
 * meeting through the local stack (warm), as client apps would.
 *
 * Prints client-side latency percentiles and joins per second, and from the fra
 * gateway's access log the calls each join made to DynamoDB, KMS and LiveKit
 * (counted by client middleware) and the handler's own work (its time minus
 * the time it awaited those calls), compared with the cost of minting a bare
 * LiveKit token. Writes bench/results/join.json and the README table.
 *
 * Bounded: BENCH_JOIN_PARTICIPANTS (default 40) users, BENCH_JOIN_ROUNDS
 * (default 5) joins each, BENCH_JOIN_CONCURRENCY (default 8) at a time.
 */
import { AccessToken, TrackSource } from 'livekit-server-sdk';
import { spawn } from 'node:child_process';
import { drawCharts } from '../charts.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { ROOT, RUN_DIR, STACK_FILE, type StackDescription } from '../../scripts/local-stack/layout.js';

const PARTICIPANTS = Number(process.env.BENCH_JOIN_PARTICIPANTS ?? 40);
const ROUNDS = Number(process.env.BENCH_JOIN_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_JOIN_CONCURRENCY ?? 8);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function healthy(stack: StackDescription): Promise<boolean> {
  try {
    return (await fetch(`${stack.sites.fra.apiUrl}/v1/health`, { signal: AbortSignal.timeout(3000) })).status === 200;
  } catch {
    return false;
  }
}

/** Reuses a running local stack, or starts one and returns how to stop it. */
async function ensureStack(): Promise<() => Promise<void>> {
  if (existsSync(STACK_FILE) && (await healthy(JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription))) {
    say('using the running local stack');
    return async () => undefined;
  }
  say('starting the local stack (npm start) …');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/local-stack/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, failed) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready/m.test(output)) ready();
    });
    child.once('exit', (code) => failed(new Error(`the local stack exited (${code})`)));
  });
  child.stdout.resume();
  return async () => {
    child.removeAllListeners('exit');
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
}

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

const stop = await ensureStack();
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
  const join = async (token: string) => {
    const began = performance.now();
    const res = await fetch(`${api}/v1/meetings/${meetingId}/join`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as { status?: string };
    if (res.status !== 200 || body.status !== 'admitted') throw new Error(`join failed: ${res.status}`);
    return { ms: performance.now() - began, requestId: res.headers.get('x-request-id') ?? '' };
  };

  say(`meeting ${meetingId}: the host's first join places it and creates its room`);
  await join(hostToken);
  const tokens = await Promise.all(Array.from({ length: PARTICIPANTS }, (_, i) => devToken({ user: `bench-${i}`, roles: [] })));
  say(`warming up: ${PARTICIPANTS} participants join once`);
  for (const token of tokens) await join(token);

  const total = PARTICIPANTS * ROUNDS;
  say(`measuring: ${total} warm joins, ${CONCURRENCY} at a time`);
  const queue = Array.from({ length: total }, (_, i) => tokens[i % PARTICIPANTS]!);
  const samples: { ms: number; requestId: string }[] = [];
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let token = queue.shift(); token; token = queue.shift()) samples.push(await join(token));
    }),
  );
  const wallSeconds = (performance.now() - began) / 1000;

  // The handler's own work is timed one join at a time: under concurrency, the time between awaits also
  // holds other requests' work, which would be counted twice.
  say(`timing the handler's own work: ${PARTICIPANTS * 2} joins one at a time`);
  const sequential: { ms: number; requestId: string }[] = [];
  for (let i = 0; i < PARTICIPANTS * 2; i++) sequential.push(await join(tokens[i % PARTICIPANTS]!));

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
  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
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
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1)!),
    },
    joinsPerSecond: round(total / wallSeconds, 1),
    perJoin: Object.fromEntries(Object.entries(perJoin).map(([k, v]) => [k, round(v)])),
    handlerOwnWorkMs: { p50: round(ownWorkP50), p95: round(percentile(ownWork, 95)) },
    bareTokenMintMs: round(tokenMs, 3),
    targets: {
      ownWorkWithin3xTokenMint: ownWorkP50 <= 3 * tokenMs,
      atMostOneDynamodbRead: perJoin.dynamodbReads <= 1,
      noKmsCall: perJoin.kmsCalls === 0,
    },
  };
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/join.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`drew ${drawCharts().join(', ')}`);

  const table = [
    '| measure | value |',
    '| --- | --- |',
    `| load | ${total} warm joins by ${PARTICIPANTS} participants, ${CONCURRENCY} concurrent |`,
    `| latency p50 / p95 / p99 | ${results.latencyMs.p50} / ${results.latencyMs.p95} / ${results.latencyMs.p99} ms |`,
    `| joins per second | ${results.joinsPerSecond} |`,
    `| DynamoDB calls per join (reads) | ${results.perJoin.dynamodbCalls} (${results.perJoin.dynamodbReads}) |`,
    `| KMS calls per join | ${results.perJoin.kmsCalls} |`,
    `| LiveKit API calls per join | ${results.perJoin.livekitCalls} |`,
    `| handler's own work p50 / p95 (excluding awaited I/O, one join at a time) | ${results.handlerOwnWorkMs.p50} / ${results.handlerOwnWorkMs.p95} ms |`,
    `| minting a bare LiveKit token | ${results.bareTokenMintMs} ms (target: own work ≤ 3×, ${round(3 * tokenMs, 3)} ms) |`,
    `| targets met | own work ${results.targets.ownWorkWithin3xTokenMint ? 'yes' : 'no'}; ≤ 1 DynamoDB read ${results.targets.atMostOneDynamodbRead ? 'yes' : 'no'}; no KMS call ${results.targets.noKmsCall ? 'yes' : 'no'} |`,
  ].join('\n');
  say('');
  say(table);
  say('');
  say(
    `Measured on ${results.machine.cpus} × ${results.machine.model}, Node ${results.machine.node}; wrote bench/results/join.json`,
  );
  const readmePath = resolve(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const marked = /<!-- join:start -->[\s\S]*<!-- join:end -->/;
  if (marked.test(readme)) {
    writeFileSync(
      readmePath,
      readme.replace(
        marked,
        `<!-- join:start -->\n${table}\n\nMeasured on ${results.machine.cpus} × ${results.machine.model}, Node ${results.machine.node}, with \`npm run bench:join\`.\n<!-- join:end -->`,
      ),
    );
    say('wrote the table into README.md');
  }
} finally {
  await stop();
}
