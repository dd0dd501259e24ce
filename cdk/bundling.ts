import { fileURLToPath } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root: entries in lambdas/routes.ts are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url));

export const HANDLER_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Some CommonJS dependencies call `require` for Node built-ins; an ESM bundle
 * has none, so it is rebuilt from the module's own URL.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __meetplaneCreateRequire } from 'node:module'; const require = __meetplaneCreateRequire(import.meta.url);";

/**
 * Packages whose `module` build is not the module Node loads (their `main`):
 * rrule's ESM build has no default export, which `import rrule from 'rrule'`
 * relies on under Node. These are bundled from what Node would load, so the
 * bundle behaves as the code does in the tests.
 */
const AS_NODE_RESOLVES: Readonly<Record<string, string>> = {
  rrule: 'rrule/dist/es5/rrule.js',
};

/** Every esbuild alias of a handler bundle; the cold-start benchmark's analysis builds with the same. */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = { ...AS_NODE_RESOLVES };

/**
 * The one definition of how a handler is bundled. The CDK functions use it and
 * the cold-start benchmark bundles through the CDK with it, so the figures it
 * reports are those of what is deployed.
 *
 * - ESM, so that top-level await and tree shaking of ESM dependencies work;
 *   `module` before `main` picks the ESM build of packages that ship both
 *   (for the AWS SDK that is a third smaller than its CommonJS build).
 * - The AWS SDK is bundled: the runtime's copy changes under us and loading
 *   only the clients we use from one file is faster than the runtime's full SDK.
 * - Libraries are bundled as published: no module of theirs is swapped for
 *   a stand-in, so what runs deployed is what the tests run. `npm run
 *   bench:coldstart -- --analyse` shows what each bundle's bytes are.
 * - Local esbuild only: there is no Docker, and bundling must work offline.
 */
export function handlerBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([name, path]) => [`--alias:${name}`, path])),
    target: 'node24',
    banner: ESM_REQUIRE_BANNER,
    bundleAwsSDK: true,
    forceDockerBundling: false,
    // Keeps the bundle free of the absolute paths of the machine that built it.
    metafile: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  };
}

/**
 * The same build as `handlerBundling()`, as esbuild's own options, for what
 * bundles a handler outside the CDK (the bundle analysis, the bundled-libraries
 * test, the broken-bundle test). Nothing is written; the metafile stays in memory.
 */
export function esbuildLikeAHandler(entry: string): BuildOptions & { metafile: true; write: false } {
  const options = handlerBundling();
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    minify: options.minify,
    mainFields: options.mainFields,
    alias: { ...BUNDLE_ALIASES },
    define: options.define,
    banner: options.banner === undefined ? {} : { js: options.banner },
    metafile: true,
    logLevel: 'silent',
  };
}
