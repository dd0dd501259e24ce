/**
 * Serves the built web client on loopback, as the CDN serves it deployed:
 * the files of the build, `/config.json` (where the sites' APIs are), every
 * other path answered with the app's page (it routes in the browser), and a
 * content security policy that lets the page talk only to the sites' APIs,
 * their LiveKit nodes and the identity providers it is given.
 *
 * Environment: MEETPLANE_WEB_DIR (the build), MEETPLANE_WEB_PORT,
 * MEETPLANE_WEB_CONFIG (the JSON served as /config.json),
 * MEETPLANE_WEB_CONNECT (space-separated origins the page may connect to).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const dir = resolve(process.env.MEETPLANE_WEB_DIR ?? 'web/dist');
const port = Number(process.env.MEETPLANE_WEB_PORT ?? '4000');
const config = process.env.MEETPLANE_WEB_CONFIG ?? '{"directoryUrls":[]}';
const connect = process.env.MEETPLANE_WEB_CONNECT ?? '';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // React and LiveKit's components set style attributes.
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${connect}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(self), microphone=(self), display-capture=(self)',
  'cross-origin-opener-policy': 'same-origin',
};

function fileFor(pathname: string): string | undefined {
  const candidate = normalize(join(dir, decodeURIComponent(pathname)));
  if (!candidate.startsWith(dir + sep)) return undefined;
  return existsSync(candidate) && statSync(candidate).isFile() ? candidate : undefined;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://web.local');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (url.pathname === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : config);
    return;
  }
  let file: string | undefined;
  try {
    file = fileFor(url.pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  // Paths the app routes itself (/demo, /demo/m/…) get its page; a missing asset is a 404.
  if (!file && url.pathname.startsWith('/assets/')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const served = file ?? join(dir, 'index.html');
  const immutable = served.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(served).pipe(res);
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`web client on http://127.0.0.1:${port}\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
