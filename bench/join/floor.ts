/**
 * Serves the join benchmark's floor (floor-handler.ts) the way the local
 * stack serves the real join: the handler is bundled with the route groups'
 * own esbuild options (cdk/bundling.ts), staged in a bundles directory in
 * place of the join's route group (every other group is the stack's own
 * bundle), and loaded by a second process of the same gateway
 * (scripts/gateway/main.ts), started with the fra gateway's environment. The
 * join's path on that gateway reaches the floor; the rest is as on fra.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildLikeAHandler } from '../../cdk/bundling.js';
import { stagedBundleFile } from '../../cdk/handler-bundles.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { ROOT, RUN_DIR, type StackDescription } from '../../scripts/local-stack/layout.js';

export const JOIN_ROUTE = 'POST /v1/meetings/{meetingId}/join';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

/** Bundles the floor handler into `<dir>/<group>/index.mjs` as the CDK bundles a route group (minified ESM, node24, source map). */
export async function bundleFloor(dir: string, group: string): Promise<string> {
  const outfile = stagedBundleFile(dir, group);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    ...esbuildLikeAHandler('bench/join/floor-handler.ts'),
    write: true,
    metafile: false,
    outfile,
    sourcemap: true,
    sourcesContent: false,
  });
  return outfile;
}

export interface FloorGateway {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

export async function startFloorGateway(stack: StackDescription): Promise<FloorGateway> {
  const joinGroup = ROUTE_GROUPS.find((g) => g.routes.includes(JOIN_ROUTE));
  if (!joinGroup) throw new Error(`no route group serves ${JOIN_ROUTE}`);
  const dir = resolve(RUN_DIR, 'bench-floor/bundles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const group of ROUTE_GROUPS) {
    if (group !== joinGroup) symlinkSync(resolve(stack.bundles, group.name), resolve(dir, group.name), 'dir');
  }
  await bundleFloor(dir, joinGroup.name);
  return startGateway(stack, { bundles: dir, log: 'gateway-floor.log' });
}

/**
 * Another process of the local gateway, as the stack starts its own, with the
 * fra gateway's environment and the given bundles (and Node options, e.g. a
 * CPU profile), on a free port.
 */
export async function startGateway(
  stack: StackDescription,
  options: { bundles: string; log: string; nodeOptions?: readonly string[] },
): Promise<FloorGateway> {
  const port = await freePort();
  const log = openSync(resolve(RUN_DIR, 'logs', options.log), 'w');
  const child = spawn(
    process.execPath,
    [...(options.nodeOptions ?? []), '--import', 'tsx', resolve(ROOT, 'scripts/gateway/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...stack.sites.fra.env,
        MEETPLANE_HANDLER_BUNDLES: options.bundles,
        MEETPLANE_GATEWAY_PORT: String(port),
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
      stdio: ['ignore', log, log],
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}); see .tools/run/logs/${options.log}`);
    const up = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.status === 200)
      .catch(() => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('the gateway did not answer within a minute');
    }
    await new Promise((again) => setTimeout(again, 250));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
