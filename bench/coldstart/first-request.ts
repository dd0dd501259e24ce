/**
 * A cold function's first request, on the local stack: in a fresh Node
 * process, import the join's route-group bundle as the gateway stages it (what
 * Lambda's init does), then hand it one join as the gateway would (the same
 * API Gateway event) and time the answer. Nothing is warm: the first request
 * reads the tenant, fetches its IdP's JWKS from the dev identity provider,
 * has KMS unwrap the tenant's pseudonym key, reads the meeting's live state
 * and writes the admission. The process's own access-log line says which
 * calls it made.
 */
import { stagedBundleFile } from '../../cdk/handler-bundles.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { toApiGatewayEvent } from '../../scripts/gateway/api-event.js';
import type { StackDescription } from '../../scripts/local-stack/layout.js';
import { runFresh } from './measure.js';

export const FIRST_REQUEST_ROUTE = 'POST /v1/meetings/{meetingId}/join';
/** The aim for a cold function's first answer: init plus the first request, at the median. */
export const FIRST_REQUEST_TARGET_MS = 300;

/**
 * Runs in the fresh process: the same context the gateway gives (scripts/gateway/api-event.ts,
 * `lambdaContext`), written out here so that nothing but the bundle is loaded. `performance.now()` counts
 * from the process's start.
 */
const PROBE = `
const started = performance.now();
const { handler } = await import(process.env.COLDSTART_BUNDLE_URL);
const loaded = performance.now();
const event = JSON.parse(process.env.COLDSTART_EVENT);
const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
const deadline = Date.now() + 29000;
const context = {
  callbackWaitsForEmptyEventLoop: false, functionName: name, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:' + name, memoryLimitInMB: '512',
  awsRequestId: event.requestContext.requestId, logGroupName: '/aws/lambda/' + name, logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), done() {}, fail() {}, succeed() {},
};
const result = await handler(event, context);
const answered = performance.now();
process.stdout.write('\\nCOLDSTART ' + JSON.stringify({
  startMs: started, initMs: loaded - started, firstRequestMs: answered - loaded, processMs: answered,
  status: result.statusCode, body: result.body,
}) + '\\n');
process.exit(0);
`;

export interface FirstRequest {
  /** Node's own start, before the bundle is imported. */
  readonly startMs: number;
  readonly initMs: number;
  readonly firstRequestMs: number;
  /** From the process's start to the answer. */
  readonly processMs: number;
  readonly calls: { readonly dynamodb: number; readonly kms: number; readonly livekit: number };
}

interface Probed {
  startMs: number;
  initMs: number;
  firstRequestMs: number;
  processMs: number;
  status: number;
  body: string;
}

async function probe(file: string, environment: Readonly<Record<string, string>>, event: unknown): Promise<FirstRequest> {
  const { code, stdout, stderr } = await runFresh(PROBE, file, { ...environment, COLDSTART_EVENT: JSON.stringify(event) });
  const lines = stdout.split('\n');
  const result = lines.find((line) => line.startsWith('COLDSTART '));
  if (code !== 0 || !result) throw new Error(`the cold ${file} did not answer (${code}):\n${stderr}`);
  const probed = JSON.parse(result.slice('COLDSTART '.length)) as Probed;
  if (probed.status !== 200) throw new Error(`the cold first request answered ${probed.status}: ${probed.body}`);
  const access = lines
    .filter((line) => line.includes('"message":"request"'))
    .map((line) => JSON.parse(line) as { calls?: { dynamodb: number; kms: number; livekit: number } })
    .at(-1);
  return {
    startMs: probed.startMs,
    initMs: probed.initMs,
    firstRequestMs: probed.firstRequestMs,
    processMs: probed.processMs,
    calls: { dynamodb: access?.calls?.dynamodb ?? 0, kms: access?.calls?.kms ?? 0, livekit: access?.calls?.livekit ?? 0 },
  };
}

/**
 * `runs` cold starts of the join's function, each answering a participant
 * who has not joined before, in a meeting its host has placed.
 */
export async function measureFirstRequests(
  stack: StackDescription,
  runs: number,
): Promise<{ group: string; runs: FirstRequest[] }> {
  const group = ROUTE_GROUPS.find((g) => g.routes.includes(FIRST_REQUEST_ROUTE))!;
  const file = stagedBundleFile(stack.bundles, group.name);
  const fra = stack.sites.fra;
  const hostToken = await devToken({ user: 'coldstart-host', roles: ['host'] });
  const created = await fetch(`${fra.apiUrl}/v1/meetings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hostToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Cold start',
      startsAt: new Date().toISOString(),
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
    }),
  });
  if (created.status !== 201) throw new Error(`could not schedule the meeting: ${created.status}`);
  const meetingId = ((await created.json()) as { id: string }).id;
  // The host's join (through the running gateway) places the meeting and creates its room: the cold joins that follow are ordinary ones.
  const placed = await fetch(`${fra.apiUrl}/v1/meetings/${meetingId}/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hostToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (placed.status !== 200) throw new Error(`the host could not join: ${placed.status}`);

  const environment = {
    ...fra.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: `meetplane-fra-${group.name}`,
  };
  const host = new URL(fra.apiUrl).host;
  const measured: FirstRequest[] = [];
  for (let run = 0; run < runs; run++) {
    const token = await devToken({ user: `coldstart-${run}-${Date.now()}`, roles: [] });
    const event = toApiGatewayEvent(
      {
        method: 'POST',
        url: `/v1/meetings/${meetingId}/join`,
        rawHeaders: ['Host', host, 'Authorization', `Bearer ${token}`, 'Content-Type', 'application/json'],
        body: Buffer.from('{}'),
        sourceIp: '127.0.0.1',
      },
      { routeKey: FIRST_REQUEST_ROUTE, pathParameters: { meetingId } },
    );
    measured.push(await probe(file, environment, event));
  }
  return { group: group.name, runs: measured };
}
