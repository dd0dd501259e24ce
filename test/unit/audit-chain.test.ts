import {
  auditEntryConcerns,
  canonicalJson,
  chainAuditEntry,
  ERASED_ACTOR,
  ERASURE_ACTION,
  GENESIS_HASH,
  REDACTED_COUNT,
  redactAuditEntry,
  type AuditEntry,
} from '../../lambdas/domain/audit.js';
import { verifyAuditLog } from '../../lambdas/domain/audit-heads.js';

/** The chain alone (no signed heads), checked the day after `chain()` wrote it unless `now` says otherwise. */
const verifyAuditChain = (entries: AuditEntry[], now = new Date(Date.UTC(2026, 0, 2))) =>
  verifyAuditLog({ tenantId: 'tn_1', entries, heads: [], signatureVerifies: () => true, now });

const actor = { type: 'operator' as const, id: 'op-1' };
function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    entries.push(
      chainAuditEntry(
        'tn_1',
        entries.at(-1),
        { actor, action: `a.${i}`, target: 'tenant/tn_1', reason: 'r' },
        new Date(Date.UTC(2026, 0, 1, 0, i)),
      ),
    );
  }
  return entries;
}

describe('audit hash chain', () => {
  it('starts from the genesis hash and links each entry to the one before', () => {
    const [first, second] = chain(2);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second!.prevHash).toBe(first!.hash);
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies an intact chain', () => {
    expect(verifyAuditChain(chain(5))).toEqual({ intact: true, entries: 5, breaks: [], headsChecked: 0, notYetSigned: 5 });
    expect(verifyAuditChain([])).toMatchObject({ intact: true, entries: 0, breaks: [] });
  });

  it('reports the first entry whose content was changed', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, reason: 'rewritten' };
    expect(verifyAuditChain(entries)).toMatchObject({
      intact: false,
      entries: 5,
      firstBreak: { kind: 'edited', seq: 3, problem: 'its content does not match its hash' },
      breaks: [{ kind: 'edited', seq: 3 }],
    });
  });

  it('reports a removed entry (too young to have expired) and a re-hashed forgery', () => {
    const entries = chain(4);
    expect(verifyAuditChain([entries[0]!, entries[2]!, entries[3]!])).toMatchObject({
      intact: false,
      firstBreak: { kind: 'missing', seq: 2, problem: 'entry 2 is missing and cannot have expired' },
    });
    // Half a year later the same gap may be entries that expired under a retention shortened since.
    expect(verifyAuditChain([entries[0]!, entries[2]!, entries[3]!], new Date(Date.UTC(2026, 6, 1)))).toMatchObject({
      intact: true,
      expired: [{ seq: 2, lastSeq: 2 }],
    });
    const forged = chainAuditEntry(
      'tn_1',
      { seq: 1, hash: 'f'.repeat(64) },
      { actor, action: 'x', target: 't', reason: 'r' },
      new Date(),
    );
    expect(verifyAuditChain([entries[0]!, forged])).toMatchObject({
      intact: false,
      firstBreak: { seq: 2, problem: 'does not carry the hash of the entry before it' },
    });
  });

  it('hashes canonical JSON, independent of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe('audit chain under retention', () => {
  it('checks a chain whose oldest entries expired from the oldest one kept', () => {
    const entries = chain(5).slice(2);
    expect(verifyAuditChain(entries)).toMatchObject({ intact: true, entries: 3, retainedFrom: 3, breaks: [] });
    const tampered = [...entries];
    tampered[1] = { ...tampered[1]!, action: 'changed' };
    expect(verifyAuditChain(tampered)).toMatchObject({ intact: false, firstBreak: { seq: 4 } });
  });
});

describe('erasing a person from the audit chain', () => {
  const userActor = { type: 'user' as const, id: 'u_alice' };
  function withPerson(): AuditEntry[] {
    const first = chainAuditEntry('tn_1', undefined, { actor, action: 'a', target: 't', reason: 'r' }, new Date());
    const second = chainAuditEntry(
      'tn_1',
      first,
      { actor: userActor, action: 'b', target: 't', reason: 'r', subjects: ['p_bob'] },
      new Date(),
    );
    const third = chainAuditEntry('tn_1', second, { actor, action: 'c', target: 't', reason: 'r' }, new Date());
    return [first, second, third];
  }
  /** What an erasure appends once done: the count of entries it redacted. */
  const erasureEntry = (previous: AuditEntry, redacted: number) =>
    chainAuditEntry(
      'tn_1',
      previous,
      {
        actor: { type: 'user', id: 'u_admin' },
        action: ERASURE_ACTION,
        target: 'tenant/tn_1',
        reason: 'erasure',
        details: { [REDACTED_COUNT]: redacted },
      },
      new Date(),
    );

  it('finds the entries about a person as actor or subject', () => {
    const entries = withPerson();
    expect(entries.filter((e) => auditEntryConcerns(e, new Set(['u_alice']))).map((e) => e.seq)).toEqual([2]);
    expect(entries.filter((e) => auditEntryConcerns(e, new Set(['p_bob']))).map((e) => e.seq)).toEqual([2]);
    expect(entries.filter((e) => auditEntryConcerns(e, new Set(['u_carol'])))).toEqual([]);
  });

  it('keeps the chain intact after redaction and leaves nothing of the person', () => {
    const entries = withPerson();
    entries[1] = redactAuditEntry(entries[1]!);
    entries.push(erasureEntry(entries[2]!, 1));
    expect(verifyAuditChain(entries)).toMatchObject({ intact: true, entries: 4, breaks: [] });
    expect(JSON.stringify(entries[1])).not.toMatch(/u_alice|p_bob/);
    expect(entries[1]).toMatchObject({ actor: { type: 'user', id: ERASED_ACTOR }, redacted: true });
    expect(entries[1]!.salt).toBeUndefined();
    expect(auditEntryConcerns(entries[1]!, new Set(['u_alice']))).toBe(false);
  });

  it('detects a changed actor or subject in an entry that was not redacted', () => {
    const entries = withPerson();
    entries[1] = { ...entries[1]!, actor: { type: 'user', id: 'u_mallory' } };
    expect(verifyAuditChain(entries)).toMatchObject({
      intact: false,
      firstBreak: { seq: 2, problem: 'its actor or subjects do not match their digest' },
    });
    const other = withPerson();
    other[1] = { ...other[1]!, subjects: [] };
    expect(verifyAuditChain(other)).toMatchObject({ intact: false, firstBreak: { seq: 2 } });
  });

  it('detects a redaction that pretends to change the action', () => {
    const entries = withPerson();
    entries[1] = { ...redactAuditEntry(entries[1]!), action: 'other' };
    entries.push(erasureEntry(entries[2]!, 1));
    expect(verifyAuditChain(entries)).toMatchObject({ intact: false, firstBreak: { seq: 2 } });
  });

  it('reports a redaction that no erasure after it accounts for', () => {
    const entries = withPerson();
    entries[1] = redactAuditEntry(entries[1]!);
    expect(verifyAuditChain(entries)).toMatchObject({
      intact: false,
      breaks: [{ kind: 'redaction', seq: 2, problem: 'it was redacted, but no erasure recorded after it accounts for it' }],
    });
    // An erasure that redacted nothing accounts for nothing.
    entries.push(erasureEntry(entries[2]!, 0));
    expect(verifyAuditChain(entries)).toMatchObject({ intact: false, breaks: [{ kind: 'redaction', seq: 2 }] });
  });

  it("never redacts an operator's entry, and reports one made to look redacted", () => {
    const entries = withPerson();
    expect(() => redactAuditEntry(entries[0]!)).toThrow(/only a user's audit entry/);
    expect(auditEntryConcerns(entries[0]!, new Set(['op-1']))).toBe(false);
    const { salt: _salt, ...rest } = entries[0]!;
    entries[0] = { ...rest, actor: { type: 'operator', id: ERASED_ACTOR }, redacted: true };
    entries.push(erasureEntry(entries[2]!, 1));
    expect(verifyAuditChain(entries)).toMatchObject({
      intact: false,
      breaks: [{ kind: 'redaction', seq: 1, problem: "only a user's entry can be redacted, and its actor is of type operator" }],
    });
  });

  it("refuses subjects on an operator's entry: only users' entries carry what an erasure removes", () => {
    expect(() =>
      chainAuditEntry('tn_1', undefined, { actor, action: 'a', target: 't', reason: 'r', subjects: ['p_bob'] }, new Date()),
    ).toThrow(/cannot name subjects/);
  });
});
