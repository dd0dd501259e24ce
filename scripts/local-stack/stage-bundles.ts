/**
 * Bundles every route group through the CDK app, as it deploys, into the
 * directory given as the only argument, unless that directory already holds
 * the bundles of exactly these sources (a digest of the code and the lockfile).
 * Prints one line: `bundles <dir> <fresh|reused> <count>`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stageHandlerBundles } from '../../cdk/handler-bundles.js';
import { ROOT } from './layout.js';

const SOURCES = ['lambdas', 'media', 'config', 'cdk', 'package-lock.json', 'tsconfig.json'];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function sourcesDigest(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((s) => filesUnder(resolve(ROOT, s)))) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: stage-bundles.ts <dir>');
const digest = sourcesDigest();
const stamp = join(dir, 'sources.sha256');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  process.stdout.write(`bundles ${dir} reused ${readdirSync(dir).filter((n) => existsSync(join(dir, n, 'index.mjs'))).length}\n`);
} else {
  const staged = stageHandlerBundles(dir);
  writeFileSync(stamp, digest);
  process.stdout.write(`bundles ${dir} fresh ${staged.length}\n`);
}
