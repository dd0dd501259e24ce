import { canonicalJson, chainAuditEntry, GENESIS_HASH, verifyAuditChain, type AuditEntry } from '../../lambdas/domain/audit.js';

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
    expect(verifyAuditChain(chain(5))).toEqual({ intact: true, entries: 5 });
    expect(verifyAuditChain([])).toEqual({ intact: true, entries: 0 });
  });

  it('reports the first entry whose content was changed', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, reason: 'rewritten' };
    expect(verifyAuditChain(entries)).toEqual({
      intact: false,
      entries: 5,
      firstBreak: { seq: 3, problem: 'its content does not match its hash' },
    });
  });

  it('reports a removed entry and a re-hashed forgery', () => {
    const entries = chain(4);
    expect(verifyAuditChain([entries[0]!, entries[2]!, entries[3]!])).toMatchObject({ intact: false, firstBreak: { seq: 3 } });
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
    expect(verifyAuditChain(entries)).toEqual({ intact: true, entries: 3, retainedFrom: 3 });
    const tampered = [...entries];
    tampered[1] = { ...tampered[1]!, action: 'changed' };
    expect(verifyAuditChain(tampered)).toMatchObject({ intact: false, firstBreak: { seq: 4 } });
  });
});
