import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface SecretsStandIn {
  /** Variables that send a bundle's Secrets Manager calls here, as Lambda's environment would send them to AWS. */
  readonly environment: Readonly<Record<string, string>>;
  readonly close: () => Promise<void>;
}

/*
 * Runs in a worker thread of its own: the benchmark's main thread holds the
 * whole synthesised CDK app, and its garbage collections must not delay the
 * answers the measured bundles wait for.
 */
const SERVER = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const known = request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue';
    response.writeHead(known ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(known
      ? { ARN: workerData.secretArn, Name: 'livekit', SecretString: workerData.secretString, VersionId: 'coldstart' }
      : { __type: 'InvalidRequestException', message: 'only GetSecretValue is served here' }));
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

/**
 * A loopback stand-in for Secrets Manager's GetSecretValue, so that the route
 * groups that read the LiveKit secret at cold start do so in the benchmark
 * too: their "init" includes building the client, signing the request and one
 * round trip (on loopback; in AWS a round trip within the region).
 */
export async function startSecretsStandIn(secretArn: string, secretString: string): Promise<SecretsStandIn> {
  const worker = new Worker(SERVER, { eval: true, workerData: { secretArn, secretString } });
  const [port] = (await once(worker, 'message')) as [number];
  return {
    environment: {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      // Lambda always sets the role's credentials; these only have to be present, nothing checks them.
      AWS_ACCESS_KEY_ID: 'coldstart',
      AWS_SECRET_ACCESS_KEY: 'coldstart',
      AWS_SESSION_TOKEN: 'coldstart',
    },
    close: async () => {
      worker.postMessage('close');
      await once(worker, 'exit');
    },
  };
}
