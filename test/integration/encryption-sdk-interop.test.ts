import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { kmsPersonalDataCipher, SealedDataError } from '../../lambdas/keys/personal-data-cipher.js';
import { ROOT } from '../../scripts/local-stack/layout.js';
import { scanRegion, sealedHeader } from '../support/scan.js';
import { dynamodbOf, kmsOf, stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Personal data sealed by Meetplane is an ordinary AWS Encryption SDK message:
 * the AWS Encryption SDK CLI (PyPI aws-encryption-sdk-cli, installed by
 * scripts/install-tools.sh) opens what the API stored in DynamoDB Local, with
 * the tenant's key at the stack's local-kms and the same encryption context,
 * and what the CLI seals under the tenant's key and context opens in the API
 * and in the cipher. Everything stays on loopback: botocore reaches local-kms
 * through AWS_ENDPOINT_URL_KMS.
 */
const CLI = resolve(ROOT, '.tools/venv-aws-encryption-cli/bin/aws-encryption-cli');
const SUITE = 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY';

interface CliRun {
  code: number | null;
  output: string;
}

let workDir: string;

/** Runs the CLI against the fra site's local-kms with the local credentials, and nothing else of this environment. */
function encryptionCli(args: string[]): Promise<CliRun> {
  const fra = stack().sites.fra;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: workDir,
    AWS_ENDPOINT_URL_KMS: fra.kmsEndpoint,
    AWS_REGION: fra.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((done) => {
    execFile(CLI, args, { cwd: workDir, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

const file = (name: string) => join(workDir, name);
const contextArgs = (context: Record<string, string>) => Object.entries(context).map(([name, value]) => `${name}=${value}`);

interface Metadata {
  mode: string;
  header: {
    algorithm: string;
    encryption_context: Record<string, string>;
    encrypted_data_keys: { key_provider: { provider_id: string; key_info: string } }[];
  };
}

async function cliDecrypt(input: string, output: string, keyArn: string, required: Record<string, string>) {
  const metadata = file(`${output}.metadata.json`);
  const run = await encryptionCli([
    '--decrypt-unsigned',
    '--input',
    file(input),
    '--output',
    file(output),
    '--wrapping-keys',
    `key=${keyArn}`,
    '--encryption-context',
    ...contextArgs(required),
    '--commitment-policy',
    'require-encrypt-require-decrypt',
    '--max-encrypted-data-keys',
    '1',
    '--metadata-output',
    metadata,
    '--overwrite-metadata',
  ]);
  const written = existsSync(file(output));
  return {
    run,
    plaintext: written ? readFileSync(file(output), 'utf8') : undefined,
    metadata:
      existsSync(metadata) && readFileSync(metadata, 'utf8').trim()
        ? (JSON.parse(readFileSync(metadata, 'utf8')) as Metadata)
        : undefined,
  };
}

async function cliEncrypt(plaintext: string, name: string, keyArn: string, context: Record<string, string>, algorithm?: string) {
  writeFileSync(file(`${name}.json`), plaintext);
  const run = await encryptionCli([
    '--encrypt',
    '--input',
    file(`${name}.json`),
    '--output',
    file(`${name}.sealed`),
    '--wrapping-keys',
    `key=${keyArn}`,
    '--encryption-context',
    ...contextArgs(context),
    ...(algorithm ? ['--algorithm', algorithm] : []),
    '--commitment-policy',
    'require-encrypt-require-decrypt',
    '--suppress-metadata',
  ]);
  expect(run).toMatchObject({ code: 0 });
  return new Uint8Array(readFileSync(file(`${name}.sealed`)));
}

let acme: TestTenant;
let other: TestTenant;
let host: string;
let meetingId: string;
let meetingItem: Record<string, unknown>;

const meeting = {
  title: 'Board meeting: merger with Example GmbH',
  description: 'Strictly confidential',
  startsAt: '2027-03-01T10:00:00+01:00',
  durationMinutes: 45,
  timeZone: 'Europe/Berlin',
  invitees: ['bob@example.test'],
};

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'meetplane-encryption-cli-'));
  [acme, other] = await Promise.all([testTenant('fra'), testTenant('fra')]);
  host = await acme.token('alice', ['host']);
  const created = await acme.call('/v1/meetings', host, { method: 'POST', json: meeting });
  if (created.status !== 201) throw new Error(`meeting not scheduled: ${JSON.stringify(created.body)}`);
  meetingId = (created.body as { id: string }).id;
  const items = Object.values(await scanRegion('fra')).flat();
  const sealedItems = items.filter(
    (item) => item.pk === `T#${acme.tenant.id}` && String(item.sk).includes(meetingId) && item.sealed instanceof Uint8Array,
  );
  if (sealedItems.length !== 1) throw new Error(`expected one sealed item of the meeting, found ${sealedItems.length}`);
  meetingItem = sealedItems[0]!;
  writeFileSync(file('meeting.sealed'), meetingItem.sealed as Uint8Array);
});
afterAll(async () => {
  await Promise.all([acme, other].map((t) => t?.stop()));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('sealed personal data and the AWS Encryption SDK CLI', () => {
  it('the CLI opens a meeting the API sealed in DynamoDB, with the tenant key at local-kms and the same encryption context', async () => {
    const context = { tenantId: acme.tenant.id, site: 'fra', purpose: 'meeting' };
    expect(sealedHeader(meetingItem.sealed as Uint8Array)).toMatchObject({ keyArn: acme.tenant.key.keyArn, context });

    const opened = await cliDecrypt('meeting.sealed', 'meeting.json', acme.tenant.key.keyArn, context);
    expect(opened.run.code).toBe(0);
    expect(JSON.parse(opened.plaintext!)).toMatchObject({
      title: meeting.title,
      description: meeting.description,
      invitees: meeting.invitees,
    });
    expect(opened.metadata?.mode).toBe('decrypt-unsigned');
    expect(opened.metadata?.header.algorithm).toBe(SUITE);
    expect(opened.metadata?.header.encryption_context).toEqual(context);
    const [edk, ...more] = opened.metadata!.header.encrypted_data_keys;
    expect(more).toEqual([]);
    expect(Buffer.from(edk!.key_provider.provider_id, 'base64').toString()).toBe('aws-kms');
    expect(Buffer.from(edk!.key_provider.key_info, 'base64').toString()).toBe(acme.tenant.key.keyArn);
  });

  it('the CLI does not open it when another purpose or tenant is required, or with another tenant key', async () => {
    for (const [name, required] of [
      ['purpose', { tenantId: acme.tenant.id, site: 'fra', purpose: 'report' }],
      ['tenant', { tenantId: other.tenant.id, site: 'fra', purpose: 'meeting' }],
    ] as const) {
      const refused = await cliDecrypt('meeting.sealed', `other-${name}.json`, acme.tenant.key.keyArn, required);
      expect(refused.plaintext).toBeUndefined();
      expect(refused.run.output).toContain('encryption context did not match');
    }
    const otherKey = await cliDecrypt('meeting.sealed', 'other-key.json', other.tenant.key.keyArn, {
      tenantId: acme.tenant.id,
    });
    expect(otherKey.plaintext).toBeUndefined();
    expect(otherKey.run.code).not.toBe(0);
  });

  it('what the CLI seals under the tenant key and context opens in the API and in the cipher', async () => {
    const context = { tenantId: acme.tenant.id, site: 'fra', purpose: 'meeting' };
    const { plaintext } = await cliDecrypt('meeting.sealed', 'stored.json', acme.tenant.key.keyArn, context);
    const stored = JSON.parse(plaintext!) as Record<string, unknown>;
    const sealedByCli = await cliEncrypt(
      JSON.stringify({ ...stored, title: 'Renamed by the Encryption SDK CLI' }),
      'renamed',
      acme.tenant.key.keyArn,
      context,
      SUITE,
    );

    const fra = stack().sites.fra;
    const cipher = kmsPersonalDataCipher(kmsOf('fra'), 'fra', fra.region);
    const key = { tenantId: acme.tenant.id, keyArn: acme.tenant.key.keyArn };
    expect(await cipher.open(key, 'meeting', sealedByCli)).toMatchObject({ title: 'Renamed by the Encryption SDK CLI' });
    await expect(cipher.open(key, 'report', sealedByCli)).rejects.toThrow(SealedDataError);
    await expect(
      cipher.open({ tenantId: other.tenant.id, keyArn: other.tenant.key.keyArn }, 'meeting', sealedByCli),
    ).rejects.toThrow(SealedDataError);

    // In place of the API's own sealed fields, the meeting reads as the CLI sealed it.
    await dynamodbOf('fra').send(
      new UpdateItemCommand({
        TableName: fra.env.MEETPLANE_TABLE,
        Key: marshall({ pk: meetingItem.pk, sk: meetingItem.sk }),
        UpdateExpression: 'SET sealed = :sealed',
        ExpressionAttributeValues: marshall({ ':sealed': sealedByCli }),
      }),
    );
    const read = await acme.call(`/v1/meetings/${meetingId}`, host);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ title: 'Renamed by the Encryption SDK CLI', invitees: meeting.invitees });
  });

  it('a value the CLI signs (its default suite) or binds to another purpose does not open', async () => {
    const key = { tenantId: acme.tenant.id, keyArn: acme.tenant.key.keyArn };
    const cipher = kmsPersonalDataCipher(kmsOf('fra'), 'fra', stack().sites.fra.region);
    const context = { tenantId: acme.tenant.id, site: 'fra', purpose: 'meeting' };
    const signed = await cliEncrypt('{"title":"signed"}', 'signed', acme.tenant.key.keyArn, context);
    expect(sealedHeader(signed).context).toHaveProperty('aws-crypto-public-key');
    await expect(cipher.open(key, 'meeting', signed)).rejects.toThrow(
      new SealedDataError('sealed data uses another algorithm suite'),
    );
    const forReports = await cliEncrypt(
      '{"title":"report"}',
      'report',
      acme.tenant.key.keyArn,
      { ...context, purpose: 'report' },
      SUITE,
    );
    expect(await cipher.open(key, 'report', forReports)).toEqual({ title: 'report' });
    await expect(cipher.open(key, 'meeting', forReports)).rejects.toThrow(
      new SealedDataError('sealed data belongs to another purpose'),
    );
  });
});
