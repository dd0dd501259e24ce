/**
 * Builds the web client with Vite into the directory given as the only
 * argument, unless it already holds the build of exactly these sources.
 * Prints one line: `web <dir> <fresh|reused> <files>`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'vite';
import { ROOT } from '../local-stack/layout.js';

// Always the production build, whatever started it: Vite takes NODE_ENV from the environment when it is set, and a
// stack started by Jest (NODE_ENV=test) would otherwise serve React's development build, whose StrictMode mounts every
// effect twice (each page would connect to its room twice).
process.env.NODE_ENV = 'production';
// A build made before this line may be a development one: the digest's version tells them apart.
const BUILD_KIND = 'production-2';

const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'media/e2ee', 'package-lock.json'];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

export function webSourcesDigest(): string {
  const hash = createHash('sha256').update(BUILD_KIND).update('\0');
  for (const file of SOURCES.flatMap((s) => filesUnder(resolve(ROOT, s)))) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const countFiles = (dir: string): number => filesUnder(dir).length;

const outDir = process.argv[2] ? resolve(process.argv[2]) : undefined;
if (!outDir) throw new Error('usage: build.ts <dir>');
const digest = webSourcesDigest();
const stamp = join(outDir, '.sources.sha256');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  process.stdout.write(`web ${relative(ROOT, outDir)} reused ${countFiles(outDir) - 1}\n`);
} else {
  await build({
    configFile: resolve(ROOT, 'web/vite.config.ts'),
    mode: 'production',
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
  });
  writeFileSync(stamp, digest);
  process.stdout.write(`web ${relative(ROOT, outDir)} fresh ${countFiles(outDir) - 1}\n`);
}
