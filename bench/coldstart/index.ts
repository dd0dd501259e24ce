import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { siteTableName, DIRECTORY_TABLE_NAME } from '../../config/tables.js';
import { deployedEnvironment } from '../../cdk/runtime-env.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { analyseBundle } from './analyse.js';
import { drawCharts } from '../charts.js';
import { bundleThroughCdk } from '../../cdk/handler-bundles.js';
import { measureBundle } from './measure.js';
import {
  firstRequestTable,
  markdownTable,
  TARGET,
  writeBetweenMarkers,
  type FirstRequestFigures,
  type Row,
  type Spread,
} from './report.js';
import { FIRST_REQUEST_ROUTE, FIRST_REQUEST_TARGET_MS, measureFirstRequests } from './first-request.js';
import { ensureStack } from '../stack.js';
import { STACK_FILE, type StackDescription } from '../../scripts/local-stack/layout.js';
import { startSecretsStandIn } from './secrets-stand-in.js';

const RUNS = 7;
/** Cold starts whose first request is timed: bounded, a few seconds each. */
const FIRST_REQUEST_RUNS = Number(process.env.BENCH_COLDSTART_FIRST_RUNS ?? 12);
const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const out = (text: string) => process.stdout.write(`${text}\n`);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;

/*
 * `npm run bench:coldstart -- --analyse`: what takes the bytes of each
 * bundle, by package (esbuild's metafile, in memory), instead of timing.
 */
if (process.argv.includes('--analyse')) {
  const makeups = [];
  for (const group of ROUTE_GROUPS) {
    const makeup = await analyseBundle(group.name, group.entry);
    makeups.push(makeup);
    out(`${group.name}: ${(makeup.bytes / 1024).toFixed(0)} KB`);
    for (const { name, bytes } of makeup.packages.slice(0, 12)) out(`  ${(bytes / 1024).toFixed(1).padStart(7)} KB  ${name}`);
  }
  mkdirSync(root('bench/results'), { recursive: true });
  writeFileSync(root('bench/results/coldstart-packages.json'), `${JSON.stringify(makeups, null, 2)}\n`);
  out('\nWrote bench/results/coldstart-packages.json.');
  process.exit(0);
}

/** Each route group's bundle size and init time, in fresh processes with a deployed function's environment. */
async function measureInit(): Promise<void> {
  const LIVEKIT_SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:meetplane-fra-livekit-AbCdEf';
  const secrets = await startSecretsStandIn(
    LIVEKIT_SECRET_ARN,
    JSON.stringify({ apiKey: 'meetplane-fra', apiSecret: 'coldstart-benchmark-secret-not-a-real-one-0000' }),
  );

  /**
   * The environment a deployed fra function parses at start-up, built by the
   * same function the CDK uses, with plausible stand-ins for what CloudFormation
   * resolves at deploy time. AWS_REGION is what the Lambda runtime sets.
   */
  const environment = {
    ...deployedEnvironment({
      site: 'fra',
      tableName: siteTableName('fra'),
      directoryTableName: DIRECTORY_TABLE_NAME,
      siteKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/00000000-0000-4000-8000-000000000000',
      auditSigningKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/00000000-0000-4000-8000-000000000001',
      apiUrls: { fra: 'https://api.fra.meetplane.example', ams: 'https://api.ams.meetplane.example' },
      cluster: { id: 'fra-a', site: 'fra', url: 'wss://livekit.fra.meetplane.example', secretName: 'meetplane/fra/livekit-api' },
      livekitApiKey: 'meetplane-fra',
      livekitSecretArn: LIVEKIT_SECRET_ARN,
      // Measured with the site's own cluster only: the stand-in serves one secret.
      otherClusters: [],
      web: { url: 'https://app.meetplane.example', origins: ['https://app.meetplane.example'] },
    }),
    AWS_REGION: 'eu-central-1',
    AWS_LAMBDA_FUNCTION_NAME: 'meetplane-coldstart',
    // What Lambda adds; Secrets Manager calls go to the stand-in.
    ...secrets.environment,
  };

  out('Bundling every route group through the CDK app…');
  const rows: Row[] = [];
  for (const { group, file } of bundleThroughCdk('fra')) {
    out(`  measuring ${group} (${RUNS} fresh processes)`);
    rows.push({ group, ...(await measureBundle(file, environment, RUNS)) });
  }
  await secrets.close();

  const table = markdownTable(rows, machine);
  mkdirSync(root('bench/results'), { recursive: true });
  writeFileSync(
    root('bench/results/coldstart.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, runs: RUNS, target: TARGET, handlers: rows }, null, 2)}\n`,
  );
  out(`\n${table}\n`);
  if (writeBetweenMarkers(root('README.md'), table)) {
    out('Wrote the table into README.md.');
  } else {
    writeFileSync(root('bench/results/coldstart.md'), `${table}\n`);
    out('README.md has no coldstart markers; wrote bench/results/coldstart.md instead.');
  }
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const p50 = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { p50: r(p50), min: r(sorted[0]!), max: r(sorted.at(-1)!) };
}

/** A cold function's first request on the local stack (first-request.ts). */
async function measureFirstRequest(): Promise<void> {
  const stop = await ensureStack();
  try {
    const stack = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription;
    out(`First requests: ${FIRST_REQUEST_RUNS} cold starts of the function that serves ${FIRST_REQUEST_ROUTE}`);
    const before = loadavg()[0]!;
    const { group, runs } = await measureFirstRequests(stack, FIRST_REQUEST_RUNS);
    const after = loadavg()[0]!;
    const mean = (of: (r: (typeof runs)[number]) => number) =>
      Math.round((runs.reduce((sum, r) => sum + of(r), 0) / runs.length) * 100) / 100;
    const figures: FirstRequestFigures = {
      measuredAt: new Date().toISOString(),
      machine,
      loadAverage: { before: Math.round(before * 100) / 100, after: Math.round(after * 100) / 100 },
      route: FIRST_REQUEST_ROUTE,
      group,
      runs: runs.length,
      targetMs: FIRST_REQUEST_TARGET_MS,
      nodeStartMs: spread(runs.map((r) => r.startMs)),
      initMs: spread(runs.map((r) => r.initMs)),
      firstRequestMs: spread(runs.map((r) => r.firstRequestMs)),
      initAndFirstRequestMs: spread(runs.map((r) => r.initMs + r.firstRequestMs)),
      processMs: spread(runs.map((r) => r.processMs)),
      callsPerFirstRequest: {
        dynamodb: mean((r) => r.calls.dynamodb),
        kms: mean((r) => r.calls.kms),
        livekit: mean((r) => r.calls.livekit),
      },
    };
    mkdirSync(root('bench/results'), { recursive: true });
    writeFileSync(root('bench/results/coldstart-first-request.json'), `${JSON.stringify(figures, null, 2)}\n`);
    const table = firstRequestTable(figures);
    out(`\n${table}\n`);
    if (writeBetweenMarkers(root('README.md'), table, 'coldstart-first')) out('Wrote the table into README.md.');
  } finally {
    await stop();
  }
}

if (!process.argv.includes('--first-request')) await measureInit();
await measureFirstRequest();
out(`Drew ${(await drawCharts()).join(', ')}.`);
