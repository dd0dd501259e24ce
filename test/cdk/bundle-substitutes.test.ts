import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBSTITUTES, esbuildLikeAHandler } from '../../cdk/bundling.js';

/** Builds an entry as cdk/bundling.ts builds a handler (esbuild, same options and aliases). */
async function bundleLikeAHandler(entry: string) {
  const result = await build(esbuildLikeAHandler(entry));
  return { code: result.outputFiles?.[0]?.text ?? '', inputs: Object.keys(result.metafile?.inputs ?? {}) };
}

describe('the modules deployed bundles substitute', () => {
  let bundle: Awaited<ReturnType<typeof bundleLikeAHandler>>;

  beforeAll(async () => {
    bundle = await bundleLikeAHandler('test/cdk/fixtures/cipher-round-trip.ts');
  });

  it('are left out of the bundle, their stand-ins taken in', () => {
    expect(
      bundle.inputs.filter((input) =>
        /node_modules\/(@aws-sdk\/credential-provider-node|@smithy\/core\/dist-es\/submodules\/event-streams|mnemonist)\//.test(
          input,
        ),
      ),
    ).toEqual([]);
    for (const standIn of Object.values(SUBSTITUTES)) expect(bundle.inputs).toContain(standIn.replace(/^\.\//, ''));
  });

  it('leave sealing and opening personal data working as bundled, the encryption context checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meetplane-substitutes-'));
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
