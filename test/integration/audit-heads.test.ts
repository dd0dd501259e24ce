import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AUDIT_SIGNING_KEY_ALIAS, siteTableName } from '../../config/tables.js';
import { chainAuditEntry, type AuditEntry } from '../../lambdas/domain/audit.js';
import { ROOT } from '../../scripts/local-stack/layout.js';
import { api, dynamodbOf, kmsOf, stack } from '../support/stack.js';
import { operatorHeaders } from '../support/tenants.js';
import { testTenant, type TestTenant } from '../support/users.js';

/*
 * The signed heads of a tenant's audit log against the real local stack:
 * local-kms signs with the site's P-256 key, and the log is tampered with
 * directly in DynamoDB Local, as anyone who can write the table could.
 */

interface Head {
  site: string;
  tenantId: string;
  seq: number;
  hash: string;
  at: string;
  signedAt: string;
  keyId: string;
  algorithm: string;
  signature: string;
}
interface Verdict {
  intact: boolean;
  entries: number;
  breaks: { kind: string; seq: number; lastSeq?: number; problem: string }[];
  signedHead?: Head;
  headsChecked: number;
  notYetSigned: number;
}

const TABLE = siteTableName('fra');
const dynamodb = () => dynamodbOf('fra');
const entryKey = (tenantId: string, seq: number) =>
  marshall({ pk: `T#${tenantId}`, sk: `AUDIT#${String(seq).padStart(12, '0')}` });

let acme: TestTenant;
let admin: string;
let host: string;

beforeAll(async () => {
  acme = await testTenant('fra');
  admin = await acme.token('ada', ['admin']);
  host = await acme.token('hal', ['host']);
  // Entries 2 to 7: the operator suspends and reinstates the tenant three times.
  for (let i = 0; i < 3; i++) {
    for (const action of ['suspend', 'reinstate']) {
      const res = await api('fra', `/v1/tenants/${acme.tenant.id}/${action}`, {
        method: 'POST',
        headers: operatorHeaders(),
        body: JSON.stringify({ reason: `review ${i}`, legalBasis: 'contract §9' }),
      });
      if (res.status !== 200) throw new Error(`${action} answered ${res.status}`);
    }
  }
});
afterAll(async () => {
  await acme.stop();
});

const verifyLog = async () => {
  const res = await acme.call('/v1/audit/verify', admin);
  expect(res.status).toBe(200);
  return res.body as Verdict;
};
const signHead = async () => {
  const res = await acme.call('/v1/audit/heads', admin, { method: 'POST' });
  expect(res.status).toBe(201);
  return res.body as Head;
};

/** The statement a head's signature covers, written out by hand: canonical JSON with the keys sorted. */
const statementOf = (head: Head) =>
  `{"at":${JSON.stringify(head.at)},"hash":"${head.hash}","purpose":"meetplane-audit-head/v1","seq":${head.seq},` +
  `"signedAt":"${head.signedAt}","site":"${head.site}","tenantId":"${head.tenantId}"}`;

/** Runs `change` on the raw items, then puts them back as they were, so that each tamper is checked on its own. */
async function tampered(seqs: number[], change: (items: Record<string, AttributeValue>[]) => Promise<void>): Promise<Verdict> {
  const items = await Promise.all(
    seqs.map(
      async (seq) => (await dynamodb().send(new GetItemCommand({ TableName: TABLE, Key: entryKey(acme.tenant.id, seq) }))).Item!,
    ),
  );
  try {
    await change(items);
    return await verifyLog();
  } finally {
    for (const Item of items) await dynamodb().send(new PutItemCommand({ TableName: TABLE, Item }));
    expect((await verifyLog()).intact).toBe(true);
  }
}

const deleteItems = async (items: Record<string, AttributeValue>[]) => {
  for (const item of items)
    await dynamodb().send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: item.pk!, sk: item.sk! } }));
};

describe('signed audit heads', () => {
  let head: Head;
  let pem: string;

  it("publishes the site's public key to tenant admins only, as KMS has it", async () => {
    expect((await acme.call('/v1/audit/signing-key', host)).status).toBe(403);
    const res = await acme.call('/v1/audit/signing-key', admin);
    expect(res.status).toBe(200);
    const key = res.body as { keyId: string; algorithm: string; publicKeyPem: string };
    const kms = await kmsOf('fra').send(new GetPublicKeyCommand({ KeyId: AUDIT_SIGNING_KEY_ALIAS }));
    expect(key).toEqual({
      keyId: kms.KeyId,
      algorithm: 'ECDSA_SHA_256',
      publicKeyPem: createPublicKey({ key: Buffer.from(kms.PublicKey!), format: 'der', type: 'spki' })
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    });
    expect(kms).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    pem = key.publicKeyPem;
  });

  it('signs the head on request (admins only); the signature verifies with node:crypto and the published key', async () => {
    expect((await acme.call('/v1/audit/heads', host, { method: 'POST' })).status).toBe(403);
    head = await signHead();
    const newest = (await acme.call('/v1/audit?limit=200', admin)).body as { items: AuditEntry[] };
    const last = newest.items.at(-1)!;
    expect(head).toMatchObject({
      site: 'fra',
      tenantId: acme.tenant.id,
      seq: 7,
      hash: last.hash,
      at: last.at,
      algorithm: 'ECDSA_SHA_256',
    });
    expect(last.seq).toBe(7);

    const signature = Buffer.from(head.signature, 'base64');
    expect(signature[0]).toBe(0x30); // a DER SEQUENCE, as KMS returns ECDSA signatures
    expect(verify('sha256', Buffer.from(statementOf(head), 'utf8'), pem, signature)).toBe(true);
    expect(verify('sha256', Buffer.from(statementOf({ ...head, seq: 6 }), 'utf8'), pem, signature)).toBe(false);
    expect(verify('sha256', Buffer.from(statementOf({ ...head, hash: '0'.repeat(64) }), 'utf8'), pem, signature)).toBe(false);

    expect(await verifyLog()).toMatchObject({ intact: true, entries: 7, breaks: [], signedHead: head, notYetSigned: 0 });
  });

  it('verifies with the standalone script too, and refuses a head that was changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-head-'));
    const key = (await acme.call('/v1/audit/signing-key', admin)).body;
    writeFileSync(join(dir, 'key.json'), JSON.stringify(key));
    writeFileSync(join(dir, 'head.json'), JSON.stringify(head));
    writeFileSync(join(dir, 'forged.json'), JSON.stringify({ ...head, seq: head.seq - 2 }));
    const script = resolve(ROOT, 'scripts/verify-audit-head.mjs');
    const run = promisify(execFile);
    const ok = await run(process.execPath, [script, join(dir, 'head.json'), join(dir, 'key.json')]);
    expect(ok.stdout).toMatch(/^VALID: tenant /);
    await expect(run(process.execPath, [script, join(dir, 'forged.json'), join(dir, 'key.json')])).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^INVALID/) as unknown,
    });
  });

  it('reports newest entries deleted up to the signed head (truncation)', async () => {
    const verdict = await tampered([6, 7], deleteItems);
    expect(verdict).toMatchObject({ intact: false, entries: 5 });
    expect(verdict.breaks).toEqual([
      {
        kind: 'missing',
        seq: 6,
        lastSeq: 7,
        problem: `entries 6 to 7 are missing and cannot have expired (the head signed at ${head.signedAt} commits to entry 7)`,
      },
    ]);
  });

  it('reports a deleted middle entry', async () => {
    const verdict = await tampered([3], deleteItems);
    expect(verdict.breaks).toEqual([{ kind: 'missing', seq: 3, problem: 'entry 3 is missing and cannot have expired' }]);
  });

  it('reports an edited entry', async () => {
    const verdict = await tampered([4], async ([item]) => {
      const raw = unmarshall(item!) as { entry: AuditEntry };
      await dynamodb().send(
        new PutItemCommand({
          TableName: TABLE,
          Item: marshall({ ...raw, entry: { ...raw.entry, reason: 'nothing to see here' } }, { removeUndefinedValues: true }),
        }),
      );
    });
    expect(verdict.breaks).toEqual([{ kind: 'edited', seq: 4, problem: 'its content does not match its hash' }]);
  });

  it('reports a log rewritten whole, which the chain alone would pass', async () => {
    const seqs = [1, 2, 3, 4, 5, 6, 7];
    const verdict = await tampered(seqs, async (items) => {
      let previous: AuditEntry | undefined;
      for (const item of items) {
        const raw = unmarshall(item) as { entry: AuditEntry };
        const { tenantId, seq: _seq, at, prevHash: _p, personalDigest: _d, salt: _s, hash: _h, ...draft } = raw.entry;
        const forged = chainAuditEntry(tenantId, previous, { ...draft, reason: 'rewritten' }, new Date(at));
        await dynamodb().send(
          new PutItemCommand({ TableName: TABLE, Item: marshall({ ...raw, entry: forged }, { removeUndefinedValues: true }) }),
        );
        previous = forged;
      }
    });
    expect(verdict.breaks).toEqual([expect.objectContaining({ kind: 'rewritten', seq: 1, lastSeq: 7 })]);
    expect(verdict.breaks[0]!.problem).toBe(
      `entry 7 does not have the hash the head signed at ${head.signedAt} commits to: the log was rewritten between entries 1 and 7`,
    );
  });

  it('reports a head that was not signed with the site key, and counts entries appended after the last head', async () => {
    const { Items } = await dynamodb().send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: marshall({ ':pk': `T#${acme.tenant.id}`, ':prefix': 'AUDITSIG#' }),
      }),
    );
    expect(Items).toHaveLength(1);
    const forged = unmarshall(Items![0]!) as { pk: string; sk: string; head: Head };
    const fake = { ...forged, sk: `${forged.sk}-forged`, head: { ...forged.head, seq: 9, signedAt: new Date().toISOString() } };
    await dynamodb().send(new PutItemCommand({ TableName: TABLE, Item: marshall(fake) }));
    try {
      const verdict = await verifyLog();
      // The forged head is reported and otherwise ignored: it does not make entries 8 and 9 "missing".
      expect(verdict.breaks).toEqual([expect.objectContaining({ kind: 'forged-head', seq: 9 })]);
      expect(verdict.signedHead).toEqual(head);
    } finally {
      await dynamodb().send(new DeleteItemCommand({ TableName: TABLE, Key: marshall({ pk: fake.pk, sk: fake.sk }) }));
    }
    for (const action of ['suspend', 'reinstate'])
      await api('fra', `/v1/tenants/${acme.tenant.id}/${action}`, {
        method: 'POST',
        headers: operatorHeaders(),
        body: JSON.stringify({ reason: 'one more', legalBasis: 'contract §9' }),
      });
    expect(await verifyLog()).toMatchObject({ intact: true, entries: 9, signedHead: head, notYetSigned: 2 });
  });

  it('signs every tenant whose log moved on the schedule, and nothing when none did', async () => {
    // The scheduled function, run in-process against the local stack with the fra gateway's environment.
    Object.assign(process.env, stack().sites.fra.env);
    const { signAllHeads } = await import('../../lambdas/jobs/sign-audit-heads.js');
    const first = await signAllHeads();
    expect(first.failed).toBe(0);
    expect(first.signed).toBeGreaterThanOrEqual(1);
    const verdict = await verifyLog();
    expect(verdict).toMatchObject({ intact: true, notYetSigned: 0, signedHead: { seq: 9 } });
    expect(Date.parse(verdict.signedHead!.signedAt)).toBeGreaterThan(Date.parse(head.signedAt));
    expect(
      verify(
        'sha256',
        Buffer.from(statementOf(verdict.signedHead!), 'utf8'),
        pem,
        Buffer.from(verdict.signedHead!.signature, 'base64'),
      ),
    ).toBe(true);
    const second = await signAllHeads();
    expect(second).toMatchObject({ signed: 0, failed: 0, tenants: first.tenants });
  });
});
