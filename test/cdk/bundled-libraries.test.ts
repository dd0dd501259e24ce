import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_ALIASES, esbuildLikeAHandler } from '../../cdk/bundling.js';

/** Builds an entry as cdk/bundling.ts builds a handler (esbuild, same options). */
async function bundleLikeAHandler(entry: string) {
  const result = await build(esbuildLikeAHandler(entry));
  return { code: result.outputFiles?.[0]?.text ?? '', inputs: Object.keys(result.metafile?.inputs ?? {}) };
}

describe('deployed bundles hold the libraries as published', () => {
  let bundle: Awaited<ReturnType<typeof bundleLikeAHandler>>;

  beforeAll(async () => {
    bundle = await bundleLikeAHandler('test/cdk/fixtures/cipher-round-trip.ts');
  });

  it('replace no module of a library: the only alias picks the file Node itself loads for rrule', () => {
    expect(BUNDLE_ALIASES).toEqual({ rrule: 'rrule/dist/es5/rrule.js' });
    expect(
      bundle.inputs.filter(
        (input) =>
          !input.startsWith('node_modules/') &&
          !input.startsWith('lambdas/') &&
          !input.startsWith('test/') &&
          !input.startsWith('config/'),
      ),
    ).toEqual([]);
    // The SDK's own credential chain and endpoint-discovery cache are in, as the SDK ships them.
    expect(bundle.inputs.some((input) => input.startsWith('node_modules/@aws-sdk/credential-provider-node/'))).toBe(true);
    expect(bundle.inputs.some((input) => input.startsWith('node_modules/mnemonist/'))).toBe(true);
  });

  it('seal and open personal data as bundled, the encryption context checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meetplane-bundled-'));
    try {
      writeFileSync(join(dir, 'index.mjs'), bundle.code);
      const output = execFileSync(process.execPath, [join(dir, 'index.mjs')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      expect(JSON.parse(output)).toEqual({ roundTrip: true, otherPurpose: 'SealedDataError', dynamodbRegion: 'eu-central-1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
