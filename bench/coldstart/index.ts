import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { siteTableName, DIRECTORY_TABLE_NAME } from '../../config/tables.js';
import { deployedEnvironment } from '../../cdk/runtime-env.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { analyseBundle } from './analyse.js';
import { drawCharts } from '../charts.js';
import { bundleThroughCdk } from '../../cdk/handler-bundles.js';
import { measureBundle } from './measure.js';
import { markdownTable, TARGET, writeBetweenMarkers, type Row } from './report.js';
import { startSecretsStandIn } from './secrets-stand-in.js';

const RUNS = 7;
const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const out = (text: string) => process.stdout.write(`${text}\n`);

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
    livekitUrl: 'wss://livekit.fra.meetplane.example',
    livekitApiKey: 'meetplane-fra',
    livekitSecretArn: LIVEKIT_SECRET_ARN,
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

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
const table = markdownTable(rows, machine);
mkdirSync(root('bench/results'), { recursive: true });
writeFileSync(
  root('bench/results/coldstart.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, runs: RUNS, target: TARGET, handlers: rows }, null, 2)}\n`,
);
out(`\n${table}\n`);
out(`Drew ${drawCharts().join(', ')}.`);
if (writeBetweenMarkers(root('README.md'), table)) {
  out('Wrote the table into README.md.');
} else {
  writeFileSync(root('bench/results/coldstart.md'), `${table}\n`);
  out('README.md has no coldstart markers; wrote bench/results/coldstart.md instead.');
}
