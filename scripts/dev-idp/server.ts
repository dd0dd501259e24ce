import { createServer } from 'node:http';
import { devIdpKeys, DEV_IDP_PORT } from './identity.js';

/** Serves the dev identity provider's JWKS on loopback. */
const { publicJwk } = await devIdpKeys();
const body = JSON.stringify({ keys: [publicJwk] });
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
});
server.listen(DEV_IDP_PORT, '127.0.0.1', () =>
  process.stdout.write(`dev identity provider on http://127.0.0.1:${DEV_IDP_PORT}\n`),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
