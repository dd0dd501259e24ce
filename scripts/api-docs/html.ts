/**
 * Renders the OpenAPI document (the one the sites serve, with the local
 * sites as its servers) into one self-contained HTML file with Redocly CLI's
 * `build-docs` (Redoc, its scripts inlined: the page loads nothing from
 * elsewhere). The local stack builds it at start and its gateways serve it at
 * `GET /docs`. A build is reused while the document is unchanged.
 *
 * Usage: node --import tsx scripts/api-docs/html.ts <out.html> <server URL>...
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiDocument } from '../../lambdas/api/openapi.js';
import { ROOT } from '../local-stack/layout.js';

const REDOCLY = resolve(ROOT, 'node_modules/@redocly/cli/bin/cli.js');

/** Builds (or reuses) the HTML reference at `out`; says which. */
export async function buildApiReference(out: string, servers: readonly string[]): Promise<'built' | 'reused'> {
  const document = { ...openApiDocument(servers[0]), servers: servers.map((url) => ({ url })) };
  const text = JSON.stringify(document);
  const digest = createHash('sha256')
    .update(text)
    .update(readFileSync(resolve(ROOT, 'package-lock.json')))
    .digest('hex');
  const stamp = `${out}.sha256`;
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return 'reused';
  mkdirSync(dirname(out), { recursive: true });
  const source = `${out}.openapi.json`;
  writeFileSync(source, text);
  const args = [REDOCLY, 'build-docs', source, '--output', out, '--inlineBundle', '--title', 'Meetplane API reference'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0 || !existsSync(out)) throw new Error(`redocly build-docs failed:\n${output.slice(-4000)}`);
  writeFileSync(stamp, digest);
  return 'built';
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(ROOT, 'scripts/api-docs/html.ts')) {
  const [out, ...servers] = process.argv.slice(2);
  if (!out || servers.length === 0) throw new Error('usage: html.ts <out.html> <server URL>...');
  process.stdout.write(`api reference ${out} ${await buildApiReference(resolve(out), servers)}\n`);
}
