import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SiteId } from '../../config/sites.js';
import { PORT_OFFSET, ROOT, RUN_DIR, STACK_FILE, type StackDescription } from '../../scripts/local-stack/layout.js';
import type { TestIdentityProvider } from '../support/idp.js';

/**
 * A local stack of the runner's own (test/faults/run.ts set its port offset
 * and run directory), with restartable dependencies, and tenants on it.
 */
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

// --- the stack ------------------------------------------------------------------------------------------
export async function startStack(restartDelayMs: number): Promise<ChildProcess> {
  say(`==> starting a local stack of its own (port offset ${PORT_OFFSET}, ${RUN_DIR}), dependencies restartable`);
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/local-stack/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      MEETPLANE_RESTARTABLE: '1',
      MEETPLANE_RESTART_DELAY_MS: String(restartDelayMs),
      // The deployed budgets: what the fault checks hold the API to.
      MEETPLANE_BUDGET_FACTOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((ready, failed) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready/m.test(output)) ready();
    });
    child.once('exit', (code) => failed(new Error(`the local stack exited (${code}):\n${output.slice(-3000)}`)));
  });
  child.removeAllListeners('exit');
  child.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`the local stack stopped during the run (${code}):\n${output.slice(-3000)}\n`);
      process.exit(1);
    }
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/restarted/.test(line)) say(`    ${line.trim()}`);
  });
  // Interrupted (Ctrl-C, or a CI runner's stop): the stack it started stops with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      say(`==> ${signal}: stopping the local stack`);
      void stopStack(child).then(() => process.exit(130));
    });
  return child;
}

let stopping = false;
export async function stopStack(child: ChildProcess): Promise<void> {
  stopping = true;
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
}

export const stack = (): StackDescription => JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription;

// --- tenants and their users ----------------------------------------------------------------------------
export interface Tenant {
  readonly site: SiteId;
  readonly api: string;
  readonly id: string;
  readonly hostToken: () => Promise<string>;
}

export async function createTenant(site: SiteId, idp: TestIdentityProvider): Promise<Tenant> {
  const s = stack();
  const res = await fetch(`${s.sites[site].apiUrl}/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.operatorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      slug: `faults-${site}-${randomUUID().slice(0, 8)}`,
      homeSite: site,
      tier: 'business',
      idp: idp.idpConfig,
      securityContacts: [{ email: `security-${site}@example.test`, name: 'Security Desk' }],
    }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id) throw new Error(`tenant at ${site} not created: ${res.status} ${JSON.stringify(body)}`);
  let token: { value: string; until: number } | undefined;
  return {
    site,
    api: s.sites[site].apiUrl,
    id: body.id,
    hostToken: async () => {
      if (!token || token.until < Date.now()) {
        token = {
          value: await idp.token('fault-host', ['host'], { email: 'fault-host@example.test', email_verified: true }),
          until: Date.now() + 5 * 60_000,
        };
      }
      return token.value;
    },
  };
}
