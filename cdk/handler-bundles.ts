import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { join } from 'node:path';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildMeetplane } from './meetplane.js';
import { lookupFrom, readSettings } from './settings.js';

export interface HandlerBundle {
  readonly group: string;
  /** The bundled entry file exactly as the CDK staged it for deployment. */
  readonly file: string;
}

/**
 * Bundles every route group through the CDK app itself (same NodejsFunction,
 * same bundling options), so what is measured is what would be deployed.
 */
export function bundleThroughCdk(site: 'fra' | 'ams' = 'fra'): HandlerBundle[] {
  const outdir = mkdtempSync(join(tmpdir(), 'meetplane-bundles-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stacks = buildMeetplane(app, readSettings(lookupFrom(app.node, {})));
  const stateless: Stack = stacks[site].stateless;
  const assembly = app.synth();
  const template = assembly.getStackByName(stateless.stackName).template as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, unknown> }>;
  };
  const bundles: HandlerBundle[] = [];
  for (const [group, fn] of stacks[site].stateless.functions) {
    const logicalId = stateless.getLogicalId(fn.node.defaultChild as never);
    const assetPath = template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`no bundled asset found for route group ${group}`);
    bundles.push({ group, file: join(outdir, assetPath, 'index.mjs') });
  }
  return bundles;
}

/** Where the local gateway finds each route group's bundle: `<dir>/<group>/index.mjs`. */
export function stagedBundleFile(dir: string, group: string): string {
  return join(dir, group, 'index.mjs');
}

/**
 * Bundles every route group through the CDK app and copies the results (with
 * their source maps) to `<dir>/<group>/`, for the local gateway to load: the
 * local stack and the integration tests run what would be deployed.
 */
export function stageHandlerBundles(dir: string): HandlerBundle[] {
  rmSync(dir, { recursive: true, force: true });
  const staged = bundleThroughCdk('fra').map(({ group, file }) => {
    const target = stagedBundleFile(dir, group);
    mkdirSync(join(dir, group), { recursive: true });
    copyFileSync(file, target);
    if (existsSync(`${file}.map`)) copyFileSync(`${file}.map`, `${target}.map`);
    return { group, file: target };
  });
  writeFileSync(
    join(dir, 'bundles.json'),
    `${JSON.stringify({ handlers: 'bundles', groups: staged.map((b) => b.group) }, null, 2)}\n`,
  );
  return staged;
}
