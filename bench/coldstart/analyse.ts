import { build } from 'esbuild';
import { join } from 'node:path';
import { PROJECT_ROOT, esbuildLikeAHandler, handlerBundling } from '../../cdk/bundling.js';

export interface BundleMakeup {
  readonly group: string;
  readonly bytes: number;
  /** Bytes in the bundle per npm package, or per project folder for our own code; largest first. */
  readonly packages: readonly { readonly name: string; readonly bytes: number }[];
}

/**
 * `node_modules/@scope/name/…` → `@scope/name`; a copy nested in another
 * package keeps its path (`livekit-server-sdk/node_modules/jose`);
 * `lambdas/store/x.ts` → `lambdas/store`.
 */
function ownerOf(input: string): string {
  const inPackage = /^node_modules\/((?:[^/]+\/node_modules\/)*(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return inPackage?.[1] ?? input.split('/').slice(0, -1).join('/');
}

/**
 * What takes the bytes of one route group's bundle: the same esbuild build as
 * cdk/bundling.ts describes, with esbuild's metafile kept in memory. Nothing
 * is written, so no file with this machine's paths lands next to an asset.
 */
export async function analyseBundle(group: string, entry: string): Promise<BundleMakeup> {
  const options = handlerBundling();
  const result = await build({
    ...esbuildLikeAHandler(entry),
    // With its source map, as deployed; the output path only names the files in memory.
    outfile: join(PROJECT_ROOT, 'cdk.out', 'coldstart-analysis', 'index.mjs'),
    sourcemap: true,
    sourcesContent: options.sourcesContent,
    logLevel: 'error',
  });
  const output = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint !== undefined);
  if (!output) throw new Error(`esbuild produced no bundle for ${group}`);
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    byOwner.set(ownerOf(input), (byOwner.get(ownerOf(input)) ?? 0) + bytesInOutput);
  }
  const packages = [...byOwner]
    .filter(([, bytes]) => bytes > 0)
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return { group, bytes: output.bytes, packages };
}
