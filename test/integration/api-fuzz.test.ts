import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { ROOT } from '../../scripts/local-stack/layout.js';
import { stack } from '../support/stack.js';

/**
 * A bounded schemathesis run against the OpenAPI document the API serves:
 * examples, coverage and fuzzing phases (at least 50 generated cases per
 * operation), then stateful sequences along the document's links. It fails on
 * any 5xx and on any response that breaks the document (status, content type,
 * headers, body schema). Tenant routes run as an admin and host of the demo
 * tenant, operator routes with the operator token.
 */
const SCHEMATHESIS = resolve(ROOT, '.tools/venv-schemathesis/bin/schemathesis');
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
].join(',');

function schemathesis(token: string, filter: string[]): Promise<{ code: number | null; output: string }> {
  const args = [
    '--no-color',
    'run',
    `${stack().sites.fra.apiUrl}/v1/openapi.json`,
    '-H',
    `Authorization: Bearer ${token}`,
    ...filter,
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    '50',
    '--seed',
    '20261123',
    '--generation-database',
    'none',
    '--workers',
    '1',
    '--checks',
    CHECKS,
    '--request-timeout',
    '10',
    '--max-failures',
    '20',
  ];
  return new Promise((done) => {
    const child = spawn(SCHEMATHESIS, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

function casesOf(output: string): number {
  return Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
}

describe('schemathesis against the served OpenAPI document', () => {
  it('finds no server error and no response that breaks the document on tenant and public routes', async () => {
    const token = await devToken({ user: 'fuzzer', roles: ['admin', 'host'] });
    const { code, output } = await schemathesis(token, ['--exclude-tag', 'tenants (operator)']);
    if (code !== 0) process.stdout.write(output);
    expect(code).toBe(0);
    expect(casesOf(output)).toBeGreaterThanOrEqual(50 * 10);
  }, 300_000);

  it('finds none on operator routes either', async () => {
    const { code, output } = await schemathesis(stack().operatorToken, [
      '--include-tag',
      'tenants (operator)',
      '--include-tag',
      'advisories (operator)',
    ]);
    if (code !== 0) process.stdout.write(output);
    expect(code).toBe(0);
    expect(casesOf(output)).toBeGreaterThanOrEqual(50 * 7);
  }, 300_000);
});
