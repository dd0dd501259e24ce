import { build } from 'esbuild';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { esbuildLikeAHandler } from '../../cdk/bundling.js';
import { stagedBundleFile } from '../../cdk/handler-bundles.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { ROOT } from '../../scripts/local-stack/layout.js';
import { startGateway } from '../support/gateway-process.js';
import { stack } from '../support/stack.js';

/**
 * The local stack serves the deployable bundles: a route group whose bundle
 * cannot load stops the gateway from starting, as the function could not
 * start in Lambda, even when its sources run fine.
 */
const FIXTURE = resolve(ROOT, 'test/integration/fixtures/reads-beside-itself.ts');

describe('the local stack runs the bundles that deploy', () => {
  it('describes its handlers as bundles, one per route group', () => {
    const s = stack();
    expect(s.handlers).toBe('bundles');
    for (const group of ROUTE_GROUPS) expect(existsSync(stagedBundleFile(s.bundles, group.name))).toBe(true);
    for (const site of Object.values(s.sites)) expect(site.env.MEETPLANE_HANDLER_BUNDLES).toBe(s.bundles);
  });

  it('refuses to start a gateway whose bundle fails only when bundled, which its sources would not', async () => {
    // From its sources the module loads and answers.
    const fromSources = (await import(FIXTURE)) as { handler: () => Promise<{ statusCode: number }> };
    expect((await fromSources.handler()).statusCode).toBe(200);

    const dir = mkdtempSync(join(tmpdir(), 'meetplane-broken-bundles-'));
    try {
      cpSync(stack().bundles, dir, { recursive: true });
      const result = await build({ ...esbuildLikeAHandler(FIXTURE), metafile: false });
      writeFileSync(stagedBundleFile(dir, 'health'), result.outputFiles[0]!.contents);
      const gateway = await startGateway({ ...stack().sites.fra.env, MEETPLANE_HANDLER_BUNDLES: dir });
      const code = await gateway.exited;
      expect(code).toBe(78);
      expect(gateway.output()).toMatch(/the health bundle does not load: .*zones\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
