/**
 * The local gateway of one site: an HTTP server on loopback that turns each
 * request into an API Gateway HTTP API event and invokes the very handler
 * Lambda runs for that route: the route group's bundle, as the CDK app builds
 * it for deployment (scripts/local-stack/stage-bundles.ts), never the
 * TypeScript sources. It implements no route of its own: the one page it
 * serves itself is the HTML API reference at `/docs`, outside the API's /v1
 * routes, rendered from the OpenAPI document by the local stack at start.
 *
 * Like API Gateway with the HTTP API's `corsPreflight`, it answers CORS for
 * the site's web origins (MEETPLANE_WEB_ORIGINS; ./cors.ts).
 *
 * Environment: the site's runtime environment (config/env.ts), plus
 * MEETPLANE_GATEWAY_PORT, MEETPLANE_HANDLER_BUNDLES (the directory of the
 * staged bundles, `<group>/index.mjs`) and, optionally, MEETPLANE_API_REFERENCE
 * (the HTML file served at `/docs`).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { EnvironmentError, parseSiteConfig } from '../../config/env.js';
import { problemResponse, problems } from '../../lambdas/http/problem.js';
import { stagedBundleFile } from '../../cdk/handler-bundles.js';
import { profileOf } from '../../cdk/route-groups.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { fromLambdaResult, lambdaContext, toApiGatewayEvent, type OutgoingHttpResponse } from './api-event.js';
import { CorsPolicy } from './cors.js';
import { RouteTable } from './route-match.js';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own limit on a request body is 10 MB; Lambda's on an invoke payload is 6 MB. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

function refuseToStart(message: string): never {
  process.stderr.write(`meetplane gateway: refusing to start: ${message}\n`);
  process.exit(78); // EX_CONFIG
}

let config;
try {
  config = parseSiteConfig(process.env);
} catch (error) {
  refuseToStart(error instanceof EnvironmentError ? error.message : String(error));
}
const port = Number(process.env.MEETPLANE_GATEWAY_PORT ?? '4001');
if (!Number.isInteger(port) || port <= 0) refuseToStart('MEETPLANE_GATEWAY_PORT must be a port number');

const bundles = process.env.MEETPLANE_HANDLER_BUNDLES;
if (!bundles) refuseToStart('MEETPLANE_HANDLER_BUNDLES must name the directory of the staged handler bundles');
const handlers = new Map<string, { name: string; handler: Handler; timeoutMs: number }>();
for (const group of ROUTE_GROUPS) {
  // A bundle that cannot load is a function that could not start in Lambda: the gateway does not start either.
  let module: { handler?: Handler };
  try {
    module = (await import(pathToFileURL(stagedBundleFile(resolve(bundles), group.name)).href)) as { handler?: Handler };
  } catch (error) {
    refuseToStart(`the ${group.name} bundle does not load: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof module.handler !== 'function') refuseToStart(`the ${group.name} bundle exports no handler`);
  // Each function's own timeout, as the CDK app deploys it (cdk/route-groups.ts).
  const timeoutMs = profileOf(group).timeout.toMilliseconds();
  for (const routeKey of group.routes) handlers.set(routeKey, { name: group.name, handler: module.handler, timeoutMs });
}
const table = new RouteTable([...handlers.keys()]);
const cors = new CorsPolicy(config.webOrigins);
const apiReference = process.env.MEETPLANE_API_REFERENCE;

/** `GET /docs`: the HTML API reference (scripts/api-docs/html.ts), a page for people, not an API route. */
async function serveApiReference(res: ServerResponse, method: string): Promise<void> {
  const html = apiReference ? await readFile(apiReference).catch(() => undefined) : undefined;
  if (!html) {
    send(res, fromLambdaResult(problemResponse(problems.notFound('the API reference is not built here'), 'gateway')));
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(html.length),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    // The page is self-contained: nothing it shows may be fetched from elsewhere (Redoc would load icons from a CDN).
    'content-security-policy':
      "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:",
    'referrer-policy': 'no-referrer',
  });
  res.end(method === 'HEAD' ? undefined : html);
}

/**
 * A function that has not answered by its timeout is stopped in Lambda, and
 * what it would have answered later never reaches the client: the gateway
 * answers 504 at the timeout instead and drops the late answer.
 */
const TIMED_OUT: OutgoingHttpResponse = {
  status: 504,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message: 'Endpoint request timed out' })),
};

async function withinTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timed out'>((done) => (timer = setTimeout(() => done('timed out'), timeoutMs)));
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, response: OutgoingHttpResponse): void {
  res.writeHead(response.status, cors.decorate(res.req.headers.origin, response.headers));
  res.end(response.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const server = createServer((req, res) => {
  void (async () => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const origin = req.headers.origin;
    const requestMethod = req.headers['access-control-request-method'];
    if (cors.isPreflight(method, origin, typeof requestMethod === 'string' ? requestMethod : undefined)) {
      req.resume();
      const answer = cors.preflight(origin);
      res.writeHead(answer.status, answer.headers);
      res.end();
      return;
    }
    if (url.pathname === '/docs' && (method === 'GET' || method === 'HEAD')) {
      req.resume();
      await serveApiReference(res, method);
      return;
    }
    const match = table.match(method, url.pathname);
    if (!match) {
      send(res, fromLambdaResult(problemResponse(problems.routeNotFound(method, url.pathname), 'gateway')));
      req.resume();
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      send(res, fromLambdaResult(problemResponse(problems.payloadTooLarge(MAX_REQUEST_BYTES), 'gateway')));
      return;
    }
    const event = toApiGatewayEvent(
      { method, url: req.url ?? '/', rawHeaders: req.rawHeaders, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      match,
    );
    const target = handlers.get(match.routeKey)!;
    const functionName = `meetplane-${config.siteId}-${target.name}`;
    const result = await withinTimeout(
      target.handler(event, lambdaContext(functionName, event.requestContext.requestId, target.timeoutMs)),
      target.timeoutMs,
    );
    send(res, result === 'timed out' ? TIMED_OUT : fromLambdaResult(result));
  })().catch(() => {
    // A handler that throws past its own error mapper is what Lambda reports as a 502 from API Gateway.
    if (!res.headersSent) res.writeHead(502, cors.decorate(req.headers.origin, { 'content-type': 'application/json' }));
    res.end(JSON.stringify({ message: 'Internal Server Error' }));
  });
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ level: 'INFO', message: 'gateway listening', site: config.siteId, url: `http://127.0.0.1:${port}` })}\n`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
