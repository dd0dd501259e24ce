import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { siteTableName, DIRECTORY_TABLE_NAME } from '../../config/tables.js';
import { deployedEnvironment } from '../../cdk/runtime-env.js';
import { bundleThroughCdk } from './bundles.js';
import { measureBundle } from './measure.js';
import { markdownTable, TARGET, writeBetweenMarkers, type Row } from './report.js';

const RUNS = 7;
const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

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
    apiUrls: { fra: 'https://api.fra.meetplane.example', ams: 'https://api.ams.meetplane.example' },
    livekitUrl: 'wss://livekit.fra.meetplane.example',
    livekitApiKey: 'meetplane-fra',
    livekitApiSecret: 'coldstart-benchmark-secret-not-a-real-one-0000',
  }),
  AWS_REGION: 'eu-central-1',
  AWS_LAMBDA_FUNCTION_NAME: 'meetplane-coldstart',
};

const out = (text: string) => process.stdout.write(`${text}\n`);

out('Bundling every route group through the CDK app…');
const rows: Row[] = bundleThroughCdk('fra').map(({ group, file }) => {
  out(`  measuring ${group} (${RUNS} fresh processes)`);
  return { group, ...measureBundle(file, environment, RUNS) };
});

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
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
