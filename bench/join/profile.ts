/**
 * `npm run bench:join -- --profile`: where a warm join's CPU time goes. Starts
 * another process of the local gateway over the stack's own bundles with
 * `node --cpu-prof`, sends it a bounded load of warm joins, stops it (Node
 * writes the profile on exit) and sums the samples' self time by original
 * source file and by function, through the bundles' source maps. The profile
 * stays in .tools/run/bench-profile/ for Chrome DevTools or speedscope.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { RUN_DIR, type StackDescription } from '../../scripts/local-stack/layout.js';
import { startGateway } from './floor.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The package a source file belongs to, or the project's own path. */
function owner(source: string): string {
  const at = source.lastIndexOf('node_modules/');
  if (at === -1) return source.replace(/^(\.\.\/)+/, '');
  const rest = source.slice(at + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

export async function profileJoins(stack: StackDescription, joins: number, concurrency: number): Promise<void> {
  const dir = resolve(RUN_DIR, 'bench-profile');
  rmSync(dir, { recursive: true, force: true });
  let began = 0;
  let loadMs = 0;
  const gateway = await startGateway(stack, {
    bundles: stack.bundles,
    log: 'gateway-profile.log',
    nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  try {
    const hostToken = await devToken({ user: 'profile-host', roles: ['host'] });
    const created = await fetch(`${gateway.url}/v1/meetings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hostToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Profile',
        startsAt: new Date().toISOString(),
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
      }),
    });
    const meetingId = ((await created.json()) as { id: string }).id;
    const join = async (token: string) => {
      const res = await fetch(`${gateway.url}/v1/meetings/${meetingId}/join`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      if (res.status !== 200) throw new Error(`join failed: ${res.status}`);
      await res.arrayBuffer();
    };
    await join(hostToken);
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => devToken({ user: `profile-${i}`, roles: [] })));
    for (const token of tokens) await join(token);
    say(`profiling ${joins} warm joins, ${concurrency} at a time`);
    began = performance.now();
    const queue = Array.from({ length: joins }, (_, i) => tokens[i % tokens.length]!);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let token = queue.shift(); token; token = queue.shift()) await join(token);
      }),
    );
    loadMs = performance.now() - began;
  } finally {
    await gateway.stop();
  }

  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('the gateway wrote no CPU profile');
  const profile = JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as CpuProfile;
  // Only the samples of the measured load: the gateway's start-up (loading tsx and the bundles) and the warm-up
  // come before it, the shutdown after it (a few milliseconds, ignored).
  const at: number[] = [];
  profile.timeDeltas.reduce((t, delta, i) => (at[i] = t + delta), 0);
  const from = at.at(-1)! - loadMs * 1000;
  // Counted in samples, not in the time between them: on a busy machine the profiler's own thread waits too, and
  // the sample after a long wait would charge the whole wait to whatever happened to run then.
  const selfSamples = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (at[i]! >= from) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  });
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      let map: SourceMap | undefined;
      if (url.startsWith('file:') && url.endsWith('.mjs')) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')) as SourceMapPayload);
        } catch {
          map = undefined;
        }
      }
      maps.set(url, map);
    }
    return maps.get(url);
  };
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = selfSamples.get(node.id) ?? 0;
    if (ms === 0) continue;
    total += ms;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let where = url === '' ? `(${functionName || 'native'})` : url.replace(/^.*\/node_modules\//, '');
    let name = functionName || '(anonymous)';
    const map = mapOf(url);
    if (map) {
      const origin = map.findOrigin(lineNumber + 1, columnNumber + 1) as {
        fileName?: string;
        name?: string;
        lineNumber?: number;
      };
      if (origin.fileName) {
        where = owner(origin.fileName);
        name = `${origin.name ?? name} (${origin.fileName.replace(/^(\.\.\/)+/, '')}:${origin.lineNumber ?? '?'})`;
      }
    } else if (url.startsWith('node:') || url === '') {
      where = url === '' ? where : 'node internals';
    }
    byOwner.set(where, (byOwner.get(where) ?? 0) + ms);
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const top = (of: Map<string, number>, n: number) =>
    [...of.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, n]) => `  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${String(n).padStart(6)}  ${k}`);
  say(`\nself samples by source (${total} samples of the gateway during the ${(loadMs / 1000).toFixed(1)} s of load):`);
  top(byOwner, 25).forEach(say);
  say('\nself samples by function:');
  top(byFunction, 30).forEach(say);
  say(`\nprofile: ${resolve(dir, file)}`);
}
