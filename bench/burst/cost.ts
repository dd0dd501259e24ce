/**
 * From the burst's measured figures (calls per request by operation, handler
 * durations, log bytes): the cost of a million participant-sessions by
 * service at AWS's eu-central-1 prices (bench/prices-eu-central-1.json), and
 * on paper what 100,000 joins a minute at one site asks of AWS — Lambda
 * concurrency and its ramp, DynamoDB capacity and hot keys, KMS, API
 * Gateway — and which limit comes first.
 *
 * `npm run bench:cost` recomputes both from bench/results/burst.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { barChartSvg } from '../chart.js';

export interface RequestClass {
  readonly name: string;
  readonly requests: number;
  readonly perRequest: {
    readonly dynamodb: number;
    readonly dynamodbReads: number;
    readonly kms: number;
    readonly livekit: number;
    /** Calls per request by operation, e.g. { "dynamodb.BatchGetItem": 1 }. */
    readonly operations: Readonly<Record<string, number>>;
  };
  readonly handlerMs: { readonly mean: number; readonly p50: number; readonly p99: number };
  readonly ownWorkMs: { readonly mean: number };
}

export interface BurstFigures {
  readonly measuredAt: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly scale: {
    readonly meetings: number;
    readonly participantsPerMeeting: number;
    readonly joins: number;
    readonly windowS: number;
    readonly inFlightCap: number;
    readonly issue: { readonly meetings: number; readonly participants: number; readonly seconds: number };
    readonly atIssueScale: boolean;
  };
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly burst: {
    readonly tookS: number;
    readonly joinsPerSecondPeak: number;
    readonly sentLate: number;
    readonly statuses: Readonly<Record<string, number>>;
    readonly fiveXx: number;
    readonly placementRaces: number;
  };
  readonly latencyMs: {
    readonly firstJoin: { readonly p50: number; readonly p99: number; readonly max: number };
    readonly warmJoin: { readonly p50: number; readonly p99: number; readonly max: number };
  };
  readonly joins: { readonly first: RequestClass; readonly warm: RequestClass };
  readonly webhooks: {
    readonly sessions: number;
    readonly rooms: number;
    readonly failures: number;
    readonly events: readonly RequestClass[];
  };
  /** Key fetches (GET …/key) made for the sampled sessions. */
  readonly keyFetch?: RequestClass;
  /** Bytes the functions logged per request (access log and metrics), measured from the gateway's log. */
  readonly logBytesPerRequest?: number;
  /** Every join's client-side latency, for the histogram. */
  readonly latenciesMs?: { readonly firstJoin: readonly number[]; readonly warmJoin: readonly number[] };
  readonly perSecond: readonly { readonly s: number; readonly kind: string; readonly count: number; readonly p99: number }[];
}

interface Prices {
  readonly read: string;
  readonly lambda: { readonly requestsPerMillion: number; readonly arm64PerGbSecond: number };
  readonly apiGateway: { readonly httpApiRequestsPerMillion: number };
  readonly dynamodb: {
    readonly onDemandWriteRequestUnitsPerMillion: number;
    readonly onDemandReadRequestUnitsPerMillion: number;
  };
  readonly kms: { readonly requestsPer10000: number };
  readonly cloudwatchLogs: { readonly ingestionPerGb: number };
}

const PRICES = JSON.parse(readFileSync(fileURLToPath(new URL('../prices-eu-central-1.json', import.meta.url)), 'utf8')) as Prices;

/** Every route group's function: arm64, 512 MB (cdk/route-groups.ts). */
const MEMORY_GB = 0.5;
/** Lambda's own lines per invocation (START, END, REPORT in JSON): bytes, roughly. */
const PLATFORM_LOG_BYTES = 450;
/**
 * A call's round trip within the Region, for the duration Lambda bills: the
 * loopback stack on a shared two-core machine answers far slower under load
 * than DynamoDB, KMS or LiveKit do in AWS, so the billed duration is modelled
 * as the handler's measured own work plus these per call.
 */
const IN_REGION_MS = { dynamodb: 5, kms: 8, livekit: 20 };

/** The duration Lambda would bill for a request of the class, in ms. */
export function modelledMs(c: RequestClass): number {
  const p = c.perRequest;
  return c.ownWorkMs.mean + p.dynamodb * IN_REGION_MS.dynamodb + p.kms * IN_REGION_MS.kms + p.livekit * IN_REGION_MS.livekit;
}

/** When the gateway's log could not be measured. */
const DEFAULT_LOG_BYTES = 1500;

/**
 * Request units per call, for the table's small items (every item < 1 KB):
 * a consistent read of an item 1 RRU, found or not; an eventually consistent
 * Query of a few small items 0.5 RRU (one 4 KB page); a write 1 WRU, a
 * transactional write 2 WRU per item. BatchGetItem reads three items in each
 * of its uses on the join path (meeting, live state, admission; the nodes'
 * statuses and the epoch's key), TransactWriteItems writes two (the pin and
 * the room's index).
 */
const UNITS: Readonly<Record<string, { rru?: number; wru?: number }>> = {
  GetItem: { rru: 1 },
  BatchGetItem: { rru: 3 },
  Query: { rru: 0.5 },
  Scan: { rru: 0.5 },
  TransactGetItems: { rru: 4 },
  PutItem: { wru: 1 },
  UpdateItem: { wru: 1 },
  DeleteItem: { wru: 1 },
  BatchWriteItem: { wru: 2 },
  TransactWriteItems: { wru: 4 },
};

function unitsOf(c: RequestClass): { rru: number; wru: number } {
  let rru = 0;
  let wru = 0;
  for (const [op, n] of Object.entries(c.perRequest.operations)) {
    if (!op.startsWith('dynamodb.')) continue;
    const units = UNITS[op.slice('dynamodb.'.length)] ?? { rru: 1 };
    rru += n * (units.rru ?? 0);
    wru += n * (units.wru ?? 0);
  }
  return { rru, wru };
}

/** What one request of a class costs, by service, in dollars. */
function requestCost(c: RequestClass, logBytes: number) {
  const { rru, wru } = unitsOf(c);
  const billedS = Math.ceil(modelledMs(c)) / 1000;
  return {
    apiGateway: PRICES.apiGateway.httpApiRequestsPerMillion / 1e6,
    lambda: PRICES.lambda.requestsPerMillion / 1e6 + billedS * MEMORY_GB * PRICES.lambda.arm64PerGbSecond,
    dynamodb:
      (rru * PRICES.dynamodb.onDemandReadRequestUnitsPerMillion + wru * PRICES.dynamodb.onDemandWriteRequestUnitsPerMillion) /
      1e6,
    kms: (c.perRequest.kms * PRICES.kms.requestsPer10000) / 1e4,
    logs: ((logBytes + PLATFORM_LOG_BYTES) / 1e9) * PRICES.cloudwatchLogs.ingestionPerGb,
  };
}
type Services = ReturnType<typeof requestCost>;
const SERVICES: (keyof Services)[] = ['apiGateway', 'lambda', 'dynamodb', 'kms', 'logs'];
const SERVICE_NAMES: Record<keyof Services, string> = {
  apiGateway: 'API Gateway (HTTP API)',
  lambda: 'Lambda (requests + GB-s, arm64 512 MB)',
  dynamodb: 'DynamoDB on-demand',
  kms: 'KMS requests',
  logs: 'CloudWatch Logs ingestion',
};

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const dollars = (n: number) => `$${n < 0.1 ? n.toFixed(3) : n.toFixed(2)}`;

/**
 * AWS's limits the paper model checks against (Service Quotas defaults;
 * several can be raised on request):
 * - Lambda: 1,000 concurrent executions per account and Region; each function
 *   scales by up to 1,000 more every 10 seconds.
 * - API Gateway: 10,000 requests per second per account and Region (burst 5,000).
 * - DynamoDB: a partition serves at most 3,000 RRU and 1,000 WRU per second; a
 *   new on-demand table serves up to 12,000 RRU and 4,000 WRU per second at once
 *   and twice its previous peak after that.
 * - KMS: symmetric cryptographic requests share one per-second quota per
 *   account and Region (10,000 assumed here for eu-central-1; see Service Quotas).
 */
const LIMITS = {
  lambdaConcurrency: 1000,
  lambdaRampPer10s: 1000,
  apiGatewayRps: 10_000,
  partitionRru: 3000,
  partitionWru: 1000,
  newTableRru: 12_000,
  newTableWru: 4000,
  kmsRps: 10_000,
};

export function costReport(figures: BurstFigures) {
  const P = figures.scale.participantsPerMeeting;
  const logBytes = figures.logBytesPerRequest ?? DEFAULT_LOG_BYTES;
  const event = (name: string) => figures.webhooks.events.find((e) => e.name === name);
  // Per participant-session: a join (one in P places the meeting), the key fetches, and every webhook about them.
  const perSession: { what: string; per: number; of?: RequestClass }[] = [
    { what: 'first join (1 per meeting)', per: 1 / P, of: figures.joins.first },
    { what: 'warm join', per: (P - 1) / P, of: figures.joins.warm },
    { what: 'key fetch (GET …/key)', per: 1, ...(figures.keyFetch && { of: figures.keyFetch }) },
    { what: 'webhook participant_joined', per: 1, ...(event('participant_joined') && { of: event('participant_joined')! }) },
    { what: 'webhook track_published (mic, camera)', per: 2, ...(event('track_published') && { of: event('track_published')! }) },
    {
      what: 'webhook track_unpublished (mic, camera)',
      per: 2,
      ...(event('track_unpublished') && { of: event('track_unpublished')! }),
    },
    { what: 'webhook participant_left', per: 1, ...(event('participant_left') && { of: event('participant_left')! }) },
    { what: 'webhook room_started (1 per meeting)', per: 1 / P, ...(event('room_started') && { of: event('room_started')! }) },
    { what: 'webhook room_finished (1 per meeting)', per: 1 / P, ...(event('room_finished') && { of: event('room_finished')! }) },
  ];
  const rows = perSession
    .filter((r) => r.of && r.of.requests > 0)
    .map((r) => {
      const c = requestCost(r.of!, logBytes);
      const perMillion = Object.fromEntries(SERVICES.map((s) => [s, c[s] * r.per * 1e6])) as Services;
      return {
        what: r.what,
        perSession: round(r.per, 2),
        dynamodbCalls: r.of!.perRequest.dynamodb,
        kmsCalls: r.of!.perRequest.kms,
        livekitCalls: r.of!.perRequest.livekit,
        handlerMsMean: r.of!.handlerMs.mean,
        modelledMs: round(modelledMs(r.of!), 1),
        perMillionSessions: Object.fromEntries(SERVICES.map((s) => [s, round(perMillion[s], 4)])) as Services,
        totalPerMillion: round(
          SERVICES.reduce((sum, s) => sum + perMillion[s], 0),
          4,
        ),
      };
    });
  const byService = Object.fromEntries(
    SERVICES.map((s) => [
      s,
      round(
        rows.reduce((sum, r) => sum + r.perMillionSessions[s], 0),
        4,
      ),
    ]),
  ) as Services;
  const total = round(
    SERVICES.reduce((sum, s) => sum + byService[s], 0),
    3,
  );
  const webhookShare = rows.filter((r) => r.what.startsWith('webhook')).reduce((sum, r) => sum + r.totalPerMillion, 0) / total;
  const cost = {
    pricesRead: PRICES.read,
    perMillionParticipantSessions: { total, byService, rows },
    webhookShare: round(webhookShare, 3),
    target: 2,
    withinTarget: total <= 2,
    assumptions: [
      `a meeting of ${P}: one first join and ${P - 1} warm joins; one key fetch per session; microphone and camera published once each`,
      `Lambda billed for the handler's own work as measured (mean) plus ${IN_REGION_MS.dynamodb} ms per DynamoDB call, ${IN_REGION_MS.kms} per KMS call and ${IN_REGION_MS.livekit} per LiveKit call, rounded up to 1 ms (init not included)`,
      `DynamoDB request units from the operations counted, for items under 1 KB (bench/burst/cost.ts UNITS)`,
      `${Math.round(logBytes)} bytes logged per request by the function, plus ${PLATFORM_LOG_BYTES} of Lambda's own lines`,
    ],
  };

  // --- on paper: 100,000 joins a minute at one site ----------------------------------------------------------------
  const joinsPerS = 100_000 / 60;
  const firstPerS = joinsPerS / P;
  const warmPerS = joinsPerS - firstPerS;
  // In the first minute, what arrives with the joins: each session's participant_joined and its two track_published.
  const hooksPerS = joinsPerS * 3 + firstPerS;
  const joined = event('participant_joined');
  const published = event('track_published');
  const hookMs = joined && published ? (modelledMs(joined) + 2 * modelledMs(published)) / 3 : 10;
  const concurrency = (perS: number, ms: number) => Math.ceil((perS * ms) / 1000);
  const first = figures.joins.first;
  const warm = figures.joins.warm;
  const joinConcurrency = concurrency(firstPerS, modelledMs(first)) + concurrency(warmPerS, modelledMs(warm));
  const hookConcurrency = concurrency(hooksPerS, hookMs);
  const u = (c: RequestClass | undefined) => (c ? unitsOf(c) : { rru: 0, wru: 0 });
  const joinedUnits = u(event('participant_joined'));
  const publishedUnits = u(event('track_published'));
  const rruPerS = firstPerS * u(first).rru + warmPerS * u(warm).rru + joinsPerS * (joinedUnits.rru + 2 * publishedUnits.rru);
  const wruPerS = firstPerS * u(first).wru + warmPerS * u(warm).wru + joinsPerS * (joinedUnits.wru + 2 * publishedUnits.wru);
  // One tenant's partition (pk = its tenant) holds its meetings, live states and admissions: a join reads three of its
  // items and a warm join writes one; if one tenant had every join of the minute, that partition would see this.
  const tenantRru = joinsPerS * 3;
  const tenantWru = warmPerS * 1 + firstPerS * 2;
  // A container keeps a meeting's media key after its first use; at this rate a warm join mostly lands on a container
  // that has not seen its meeting, which then unwraps the key (KMS Decrypt): the worst case is one per warm join.
  const kmsPerS = firstPerS * first.perRequest.kms + warmPerS * Math.max(warm.perRequest.kms, 1);
  const apiPerS = joinsPerS + hooksPerS;
  const checks = [
    { limit: 'API Gateway requests per second (account, Region)', need: apiPerS, quota: LIMITS.apiGatewayRps },
    { limit: 'DynamoDB RRU/s in one tenant partition (all joins one tenant)', need: tenantRru, quota: LIMITS.partitionRru },
    { limit: 'DynamoDB WRU/s in one tenant partition (all joins one tenant)', need: tenantWru, quota: LIMITS.partitionWru },
    { limit: 'KMS cryptographic requests per second (worst case: a Decrypt per warm join)', need: kmsPerS, quota: LIMITS.kmsRps },
    {
      limit: 'Lambda concurrent executions (joins + webhooks, modelled durations)',
      need: joinConcurrency + hookConcurrency,
      quota: LIMITS.lambdaConcurrency,
    },
    { limit: 'DynamoDB table RRU/s, a new on-demand table', need: rruPerS, quota: LIMITS.newTableRru },
    { limit: 'DynamoDB table WRU/s, a new on-demand table', need: wruPerS, quota: LIMITS.newTableWru },
  ].map((c) => ({ ...c, need: Math.round(c.need), share: round(c.need / c.quota, 2) }));
  const firstLimit = [...checks].sort((a, b) => b.share - a.share)[0]!;
  const paper = {
    joinsPerMinute: 100_000,
    joinsPerSecond: Math.round(joinsPerS),
    firstJoinsPerSecond: Math.round(firstPerS),
    webhooksPerSecondWithTheJoins: Math.round(hooksPerS),
    lambda: {
      joinConcurrency,
      webhookConcurrency: hookConcurrency,
      rampNote: `reaching ${joinConcurrency + hookConcurrency} concurrent executions takes one 10-second step of Lambda's scaling (1,000 per function per 10 s); the first request of each new container is a cold start (bench:coldstart: about 0.3 s)`,
    },
    dynamodb: {
      rruPerSecond: Math.round(rruPerS),
      wruPerSecond: Math.round(wruPerS),
      tenantPartitionRru: Math.round(tenantRru),
      tenantPartitionWru: Math.round(tenantWru),
    },
    kmsPerSecond: Math.round(kmsPerS),
    apiGatewayPerSecond: Math.round(apiPerS),
    checks,
    firstLimit: firstLimit.limit,
    limits: LIMITS,
  };

  const chart = () =>
    barChartSvg({
      title: `Cost per million participant-sessions, eu-central-1 prices of ${PRICES.read}: ${dollars(total)} (aim ≤ $2)`,
      unit: '$',
      bars: rows.map((r) => ({ label: r.what, value: r.totalPerMillion })),
    });

  const f = figures;
  const ops = (c: RequestClass) =>
    Object.entries(c.perRequest.operations)
      .map(([op, n]) => `${op.replace('dynamodb.', '')} ${n}`)
      .join(', ');
  const readme = [
    `| burst | ${f.scale.meetings} meetings × ${f.scale.participantsPerMeeting} participants = ${f.scale.joins} joins in ${f.scale.windowS} s${f.scale.atIssueScale ? " (the issue's scale)" : ` (the issue's: ${f.scale.issue.meetings} × ${f.scale.issue.participants} in ${f.scale.issue.seconds} s)`}; peak ${f.burst.joinsPerSecondPeak} joins/s; ${f.burst.sentLate} sent late (${f.scale.inFlightCap} in flight at most) |`,
    '| --- | --- |',
    `| first join p50 / p99 | ${f.latencyMs.firstJoin.p50} / ${f.latencyMs.firstJoin.p99} ms |`,
    `| warm join p50 / p99 | ${f.latencyMs.warmJoin.p50} / ${f.latencyMs.warmJoin.p99} ms |`,
    `| 5xx | ${f.burst.fiveXx} (statuses: ${Object.entries(f.burst.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(', ')}) |`,
    `| calls per first join: DynamoDB / KMS / LiveKit | ${first.perRequest.dynamodb} / ${first.perRequest.kms} / ${first.perRequest.livekit} (${ops(first)}) |`,
    `| calls per warm join: DynamoDB / KMS / LiveKit | ${warm.perRequest.dynamodb} / ${warm.perRequest.kms} / ${warm.perRequest.livekit} (${ops(warm)}) |`,
    `| placement races (a warm join that placed its meeting while the first was in flight) | ${f.burst.placementRaces} |`,
    `| cost per million participant-sessions (prices of ${PRICES.read}) | **${dollars(total)}**: ${SERVICES.map((s) => `${SERVICE_NAMES[s]} ${dollars(byService[s])}`).join('; ')}; webhooks ${Math.round(webhookShare * 100)} % of it |`,
    '',
    `Measured on ${f.machine.cpus} × ${f.machine.model}, Node ${f.machine.node}, load average ${f.loadAverage.before} before and ${f.loadAverage.after} after, ${f.measuredAt.slice(0, 10)}, with \`npm run bench:burst\`.`,
    '',
    '| per participant-session | per session | DynamoDB / KMS / LiveKit calls each | handler mean here / modelled in AWS | $ per million sessions |',
    '| --- | ---: | --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.perSession} | ${r.dynamodbCalls} / ${r.kmsCalls} / ${r.livekitCalls} | ${r.handlerMsMean} / ${r.modelledMs} ms | ${dollars(r.totalPerMillion)} |`,
    ),
    '',
    `| 100,000 joins a minute at one site (on paper, from the figures above) | needs | limit | share |`,
    '| --- | ---: | ---: | ---: |',
    ...checks.map((c) => `| ${c.limit} | ${c.need.toLocaleString('en')} | ${c.quota.toLocaleString('en')} | ${c.share} |`),
    '',
    `First limit reached: **${firstLimit.limit}** (${firstLimit.share} of it).`,
  ].join('\n');

  const summary = [
    `first join p50/p99 ${f.latencyMs.firstJoin.p50}/${f.latencyMs.firstJoin.p99} ms; warm join ${f.latencyMs.warmJoin.p50}/${f.latencyMs.warmJoin.p99} ms; 5xx ${f.burst.fiveXx}`,
    `per first join: DynamoDB ${first.perRequest.dynamodb}, KMS ${first.perRequest.kms}, LiveKit ${first.perRequest.livekit} (${ops(first)})`,
    `per warm join: DynamoDB ${warm.perRequest.dynamodb}, KMS ${warm.perRequest.kms}, LiveKit ${warm.perRequest.livekit} (${ops(warm)})`,
    `cost per million participant-sessions: ${dollars(total)} (${SERVICES.map((s) => `${s} ${dollars(byService[s])}`).join(', ')}); webhooks ${Math.round(webhookShare * 100)} %`,
    `100,000 joins/min: ${paper.joinsPerSecond} joins/s + ${paper.webhooksPerSecondWithTheJoins} webhooks/s; first limit: ${firstLimit.limit} (${firstLimit.share})`,
  ];
  return { cost, paper, chart, readme, summary };
}

/** Puts the figures into the README, between its burst markers. */
export function writeReadme(table: string): boolean {
  const path = fileURLToPath(new URL('../../README.md', import.meta.url));
  const readme = readFileSync(path, 'utf8');
  const marked = /<!-- burst:start -->[\s\S]*<!-- burst:end -->/;
  if (!marked.test(readme)) return false;
  writeFileSync(path, readme.replace(marked, `<!-- burst:start -->\n${table}\n<!-- burst:end -->`));
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL('../results/burst.json', import.meta.url));
  const figures = JSON.parse(readFileSync(path, 'utf8')) as BurstFigures;
  const report = costReport(figures);
  writeFileSync(path, `${JSON.stringify({ ...figures, paper: report.paper, cost: report.cost }, null, 2)}\n`);
  writeFileSync(fileURLToPath(new URL('../results/cost.svg', import.meta.url)), await report.chart());
  for (const line of report.summary) process.stdout.write(`${line}\n`);
  process.stdout.write('\n' + report.readme + '\n');
  if (writeReadme(report.readme)) process.stdout.write('wrote the figures into README.md\n');
}
