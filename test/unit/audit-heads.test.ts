import { generateKeyPairSync, sign } from 'node:crypto';
import {
  chainAuditEntry,
  ERASURE_ACTION,
  REDACTED_COUNT,
  redactAuditEntry,
  type AuditEntry,
} from '../../lambdas/domain/audit.js';
import {
  HEAD_HEARTBEAT_MS,
  headStatement,
  signAuditHead,
  verifyAuditLog,
  type HeadSigningPorts,
  type SignedHead,
} from '../../lambdas/domain/audit-heads.js';
import { verifyHeadSignature } from '../../lambdas/keys/audit-signing-key.js';

/*
 * The head and verification rules with in-memory ports: the "KMS key" is a
 * P-256 key pair made here, which signs as KMS does (DER-encoded ECDSA over
 * SHA-256 of the raw statement).
 */
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KEY_ID = 'arn:aws:kms:eu-central-1:111122223333:key/test-audit-signing';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1, 9, 0);

const operator = { type: 'operator' as const, id: 'op-1' };

function chain(n: number, tenantId = 'tn_1', action = 'a', start = T0): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    entries.push(
      chainAuditEntry(
        tenantId,
        entries.at(-1),
        { actor: operator, action: `${action}.${i}`, target: 't', reason: 'r' },
        new Date(start + i * 60_000),
      ),
    );
  }
  return entries;
}

/** A log kept in memory, with a clock the test moves. */
function memoryLog(entries: AuditEntry[], start = T0 + DAY) {
  const heads: SignedHead[] = [];
  let now = start;
  const ports: HeadSigningPorts = {
    newestEntry: async (tenantId) => {
      const newest = entries.filter((e) => e.tenantId === tenantId).at(-1);
      return newest && { seq: newest.seq, hash: newest.hash, at: newest.at };
    },
    latestHead: async (tenantId) =>
      heads
        .filter((h) => h.tenantId === tenantId)
        .sort((a, b) => a.seq - b.seq || a.signedAt.localeCompare(b.signedAt))
        .at(-1),
    saveHead: async (head) => void heads.push(head),
    sign: async (statement) => ({
      signature: sign('sha256', Buffer.from(statement, 'utf8'), privateKey).toString('base64'),
      keyId: KEY_ID,
    }),
    now: () => new Date(now),
  };
  return {
    entries,
    heads,
    ports,
    advance: (ms: number) => (now += ms),
    verify: (extra: { tenantCreatedAt?: string } = {}) =>
      verifyAuditLog({
        tenantId: 'tn_1',
        entries,
        heads,
        signatureVerifies: (head) => head.keyId === KEY_ID && verifyHeadSignature(head, publicKey),
        now: new Date(now),
        ...extra,
      }),
  };
}

const signNow = (log: ReturnType<typeof memoryLog>, whenDue = false) => signAuditHead(log.ports, 'fra', 'tn_1', { whenDue });

describe('signing an audit head', () => {
  it("signs the newest entry's sequence number and hash, verifiable with node:crypto alone", async () => {
    const log = memoryLog(chain(3));
    const head = (await signNow(log))!;
    expect(head).toMatchObject({
      site: 'fra',
      tenantId: 'tn_1',
      seq: 3,
      hash: log.entries[2]!.hash,
      at: log.entries[2]!.at,
      keyId: KEY_ID,
      algorithm: 'ECDSA_SHA_256',
    });
    expect(log.heads).toEqual([head]);
    const statement = JSON.stringify({
      at: head.at,
      hash: head.hash,
      purpose: 'meetplane-audit-head/v1',
      seq: 3,
      signedAt: head.signedAt,
      site: 'fra',
      tenantId: 'tn_1',
    });
    expect(headStatement(head)).toBe(statement);
    expect(verifyHeadSignature(head, publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(true);
    expect(verifyHeadSignature({ ...head, seq: 2 }, publicKey)).toBe(false);
    expect(verifyHeadSignature({ ...head, signature: 'bm90IGEgc2lnbmF0dXJl' }, publicKey)).toBe(false);
  });

  it('on the schedule signs only when the log moved or the last head is a day old; on request always', async () => {
    const log = memoryLog(chain(2));
    expect(await signNow(log, true)).toBeDefined();
    log.advance(15 * 60_000);
    expect(await signNow(log, true)).toBeUndefined();
    log.entries.push(
      chainAuditEntry('tn_1', log.entries.at(-1), { actor: operator, action: 'x', target: 't', reason: 'r' }, new Date()),
    );
    expect(await signNow(log, true)).toMatchObject({ seq: 3 });
    log.advance(15 * 60_000);
    expect(await signNow(log, true)).toBeUndefined();
    expect(await signNow(log, false)).toMatchObject({ seq: 3 });
    log.advance(HEAD_HEARTBEAT_MS);
    expect(await signNow(log, true)).toMatchObject({ seq: 3 });
    expect(log.heads.map((h) => h.seq)).toEqual([2, 3, 3, 3]);
  });

  it('has nothing to sign for an empty log', async () => {
    const log = memoryLog([]);
    expect(await signNow(log)).toBeUndefined();
    expect(log.heads).toEqual([]);
  });
});

describe('verifying a log against its signed heads', () => {
  it('reports the newest signed head and counts the entries after it as not yet signed', async () => {
    const all = chain(5);
    const log = memoryLog(all.slice(0, 3));
    await signNow(log);
    log.entries.push(...all.slice(3));
    const verdict = log.verify();
    expect(verdict).toMatchObject({ intact: true, entries: 5, breaks: [], headsChecked: 1, notYetSigned: 2 });
    expect(verdict.signedHead).toEqual(log.heads[0]);
  });

  it('reports entries removed from the end up to the signed head (truncation)', async () => {
    const log = memoryLog(chain(6));
    const head = (await signNow(log))!;
    log.entries.splice(4);
    expect(log.verify()).toMatchObject({
      intact: false,
      firstBreak: {
        kind: 'missing',
        seq: 5,
        lastSeq: 6,
        problem: `entries 5 to 6 are missing and cannot have expired (the head signed at ${head.signedAt} commits to entry 6)`,
      },
      notYetSigned: 0,
    });
    // Every entry gone: still a truncation.
    log.entries.splice(0);
    expect(log.verify()).toMatchObject({ intact: false, breaks: [{ kind: 'missing', seq: 1, lastSeq: 6 }] });
  });

  it('reports a deleted middle entry and an edited one, each where it is', async () => {
    const log = memoryLog(chain(6));
    await signNow(log);
    log.entries.splice(2, 1);
    log.entries[3] = { ...log.entries[3]!, reason: 'nothing to see here' };
    expect(log.verify().breaks).toEqual([
      { kind: 'missing', seq: 3, problem: 'entry 3 is missing and cannot have expired' },
      { kind: 'edited', seq: 5, problem: 'its content does not match its hash' },
    ]);
  });

  it('reports a log rewritten whole, between the heads that contradict it', async () => {
    const all = chain(6);
    const log = memoryLog(all.slice(0, 3));
    await signNow(log);
    log.entries.push(...all.slice(3));
    await signNow(log);
    // Someone who can write the table recomputes every entry: the chain is consistent again.
    const forged = chain(6, 'tn_1', 'forged');
    log.entries.splice(0, 6, ...forged);
    const verdict = log.verify();
    expect(verdict.breaks).toEqual([
      expect.objectContaining({ kind: 'rewritten', seq: 1, lastSeq: 3 }),
      expect.objectContaining({ kind: 'rewritten', seq: 4, lastSeq: 6 }),
    ]);
    expect(verdict.breaks[0]!.problem).toMatch(
      /^entry 3 does not have the hash the head signed at .* the log was rewritten between entries 1 and 3$/,
    );
  });

  it('places a rewrite after the last entry a head confirms', async () => {
    const all = chain(6);
    const log = memoryLog(all.slice(0, 3));
    await signNow(log);
    log.entries.push(...all.slice(3));
    await signNow(log);
    // Entry 5 edited and the chain recomputed from there: the heads place it after entry 3, up to entry 6.
    const e5 = chainAuditEntry(
      'tn_1',
      log.entries[3],
      { actor: operator, action: 'changed', target: 't', reason: 'r' },
      new Date(T0),
    );
    const e6 = chainAuditEntry('tn_1', e5, { actor: operator, action: 'a.5', target: 't', reason: 'r' }, new Date(T0));
    log.entries.splice(4, 2, e5, e6);
    expect(log.verify().breaks).toEqual([expect.objectContaining({ kind: 'rewritten', seq: 4, lastSeq: 6 })]);
  });

  it('ignores heads whose signature does not verify, and reports them', async () => {
    const log = memoryLog(chain(3));
    const head = (await signNow(log))!;
    log.heads.push(
      { ...head, seq: 9 },
      { ...head, tenantId: 'tn_other' },
      { ...head, keyId: 'arn:aws:kms:eu-central-1:1:key/other' },
    );
    const verdict = log.verify();
    expect(verdict.breaks.map((b) => `${b.kind} ${b.seq}`)).toEqual(['forged-head 3', 'forged-head 3', 'forged-head 9']);
    expect(verdict.signedHead).toEqual(head);
    expect(verdict.headsChecked).toBe(4);
  });

  it('accepts entries gone long enough to have expired, and none of a tenant younger than the minimum retention', async () => {
    const log = memoryLog(chain(5));
    await signNow(log);
    log.advance(400 * DAY);
    log.entries.splice(0, 2);
    expect(log.verify()).toMatchObject({ intact: true, retainedFrom: 3 });
    // All expired, the signed head with them.
    log.entries.splice(0);
    expect(log.verify()).toMatchObject({ intact: true });

    const young = memoryLog(chain(5));
    young.entries.splice(0, 2);
    expect(young.verify()).toMatchObject({ intact: true, retainedFrom: 3 });
    expect(young.verify({ tenantCreatedAt: new Date(T0).toISOString() })).toMatchObject({
      intact: false,
      breaks: [{ kind: 'missing', seq: 1, lastSeq: 2 }],
    });
  });

  it('keeps signed heads verifiable when an erasure redacts an entry they commit to', async () => {
    const user = { type: 'user' as const, id: 'u_alice' };
    const first = chainAuditEntry('tn_1', undefined, { actor: operator, action: 'a', target: 't', reason: 'r' }, new Date(T0));
    const second = chainAuditEntry(
      'tn_1',
      first,
      { actor: user, action: 'b', target: 't', reason: 'r', subjects: ['p_bob'] },
      new Date(T0),
    );
    const log = memoryLog([first, second]);
    const head = (await signNow(log))!;
    log.entries[1] = redactAuditEntry(second);
    log.entries.push(
      chainAuditEntry(
        'tn_1',
        second,
        { actor: user, action: ERASURE_ACTION, target: 'tenant/tn_1', reason: 'r', details: { [REDACTED_COUNT]: 1 } },
        new Date(T0),
      ),
    );
    expect(log.entries[1]!.hash).toBe(head.hash);
    expect(log.verify()).toMatchObject({ intact: true, signedHead: head, notYetSigned: 1 });
  });
});
