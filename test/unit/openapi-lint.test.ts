import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApiDocument } from '../../lambdas/api/openapi.js';
import { ROOT } from '../../scripts/local-stack/layout.js';

const REDOCLY = resolve(ROOT, 'node_modules/@redocly/cli/bin/cli.js');

function lint(document: unknown): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'meetplane-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const run = spawnSync(
      process.execPath,
      [REDOCLY, 'lint', file, '--config', resolve(ROOT, 'redocly.yaml'), '--max-problems', '50'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 120_000,
      },
    );
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the OpenAPI document under Redocly CLI (redocly.yaml: the recommended ruleset)', () => {
  it('lints with no error and no warning, as each site serves it', () => {
    const { status, output } = lint(openApiDocument('http://127.0.0.1:4001'));
    expect({ status, problems: output.match(/^.*(error|warning).*$/gm) ?? [] }).toEqual({ status: 0, problems: [] });
    expect(output).toMatch(/Your API description is valid/);
  });

  it('fails the lint on a broken document (so that the test above can fail)', () => {
    const document = openApiDocument('http://127.0.0.1:4001') as { paths: Record<string, Record<string, object>> };
    (document.paths['/v1/meetings/{meetingId}']!.get as { operationId: string }).operationId = 'createMeeting';
    const { status, output } = lint(document);
    expect(status).not.toBe(0);
    expect(output).toMatch(/operation-operationId-unique/);
  });
});
