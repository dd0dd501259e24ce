import {
  canonicalJson,
  ERASED_ACTOR,
  ERASURE_ACTION,
  GENESIS_HASH,
  REDACTED_COUNT,
  hashAuditEntry,
  personalDigestOf,
  type AuditEntry,
} from './audit.js';
import { RETENTION_BOUNDS } from './retention.js';

/**
 * Signed heads make a tenant's audit log tamper-evident against whoever can
 * write the table. Periodically and on request the newest entry's sequence
 * number and hash are signed with the site's asymmetric KMS key (ECDSA P-256,
 * SHA-256) and kept beside the log. The chain alone shows an entry that was
 * edited in place; a signed head also shows entries that were removed from
 * the end (truncation) and a chain that was recomputed from some entry on
 * (a rewrite), since nobody without the key can sign the new hashes.
 */

/** What a signed head's statement says it is, so that the signature cannot be taken for anything else. */
export const HEAD_PURPOSE = 'meetplane-audit-head/v1';
export const HEAD_ALGORITHM = 'ECDSA_SHA_256';

/** A deployed site signs at least this often when nothing changed, so that a missing newer head shows. */
export const HEAD_HEARTBEAT_MS = 24 * 3600_000;

export interface HeadFacts {
  readonly site: string;
  readonly tenantId: string;
  /** The sequence number of the newest entry when the head was signed. */
  readonly seq: number;
  /** That entry's hash. */
  readonly hash: string;
  /** When that entry was written. */
  readonly at: string;
  readonly signedAt: string;
}

export interface SignedHead extends HeadFacts {
  /** The KMS key (ARN) that signed it. */
  readonly keyId: string;
  readonly algorithm: typeof HEAD_ALGORITHM;
  /** The DER-encoded ECDSA signature over `headStatement(head)` as UTF-8, base64. */
  readonly signature: string;
}

/** The exact text a head's signature covers: canonical JSON (keys sorted), UTF-8. */
export function headStatement(head: HeadFacts): string {
  return canonicalJson({
    purpose: HEAD_PURPOSE,
    site: head.site,
    tenantId: head.tenantId,
    seq: head.seq,
    hash: head.hash,
    at: head.at,
    signedAt: head.signedAt,
  });
}

/** What signing a head needs; lambdas/store and lambdas/keys implement it. */
export interface HeadSigningPorts {
  /** The newest entry of the tenant's log as stored, if any. */
  newestEntry(tenantId: string): Promise<Pick<AuditEntry, 'seq' | 'hash' | 'at'> | undefined>;
  latestHead(tenantId: string): Promise<SignedHead | undefined>;
  saveHead(head: SignedHead): Promise<void>;
  /** Signs the statement with the site's audit signing key. */
  sign(statement: string): Promise<{ signature: string; keyId: string }>;
  now(): Date;
}

/**
 * Signs the tenant's current head and stores it. `whenDue` (the schedule)
 * signs only when the log moved since the last head or that head is a day
 * old; on request it always signs. Nothing to sign (an empty log): undefined.
 */
export async function signAuditHead(
  ports: HeadSigningPorts,
  site: string,
  tenantId: string,
  options: { whenDue: boolean },
): Promise<SignedHead | undefined> {
  const newest = await ports.newestEntry(tenantId);
  if (!newest) return undefined;
  const now = ports.now();
  if (options.whenDue) {
    const last = await ports.latestHead(tenantId);
    const unchanged = last !== undefined && last.seq === newest.seq && last.hash === newest.hash;
    if (unchanged && now.getTime() - Date.parse(last.signedAt) < HEAD_HEARTBEAT_MS) return undefined;
  }
  const facts: HeadFacts = { site, tenantId, seq: newest.seq, hash: newest.hash, at: newest.at, signedAt: now.toISOString() };
  const { signature, keyId } = await ports.sign(headStatement(facts));
  const head: SignedHead = { ...facts, keyId, algorithm: HEAD_ALGORITHM, signature };
  await ports.saveHead(head);
  return head;
}

export type BreakKind = 'missing' | 'edited' | 'unlinked' | 'rewritten' | 'redaction' | 'forged-head';

/** Where the log does not hold what it should: entry `seq` (to `lastSeq` for a range). */
export interface AuditBreak {
  readonly kind: BreakKind;
  readonly seq: number;
  readonly lastSeq?: number;
  readonly problem: string;
}

export interface AuditVerdict {
  readonly intact: boolean;
  /** Entries read. */
  readonly entries: number;
  /** The oldest entry kept when older ones expired (audit retention). */
  readonly retainedFrom?: number;
  /** Ranges missing from the middle that are old enough to have expired under a retention shortened since. */
  readonly expired?: readonly { readonly seq: number; readonly lastSeq: number }[];
  readonly firstBreak?: AuditBreak;
  /** Every break, in order of sequence number (at most MAX_BREAKS). */
  readonly breaks: readonly AuditBreak[];
  /** The newest head whose signature verifies; absent when none was signed yet. */
  readonly signedHead?: SignedHead;
  /** Stored heads whose signatures were checked. */
  readonly headsChecked: number;
  /** Entries after the newest signed head: checked by the chain only. */
  readonly notYetSigned: number;
}

export const MAX_BREAKS = 100;

export interface AuditLogToVerify {
  readonly tenantId: string;
  /** The log as stored, in order of sequence number. */
  readonly entries: readonly AuditEntry[];
  /** Every stored head of the tenant. */
  readonly heads: readonly SignedHead[];
  /** Whether a head's signature verifies with the site's signing key. */
  readonly signatureVerifies: (head: SignedHead) => boolean;
  /** When the tenant was created: nothing of its log can have expired within the minimum retention of that. */
  readonly tenantCreatedAt?: string;
  readonly now: Date;
}

/**
 * Checks every entry: the chain links each to the one before, each entry's
 * content matches its hash, redactions are only erasures of users' entries,
 * and every signed head's entry is there with the hash the head commits to.
 * Missing entries are breaks unless they may have expired: an entry younger
 * than the shortest audit retention cannot have, and a signed head, the entry
 * before a gap or the tenant's creation dates them.
 */
export function verifyAuditLog(log: AuditLogToVerify): AuditVerdict {
  const breaks: AuditBreak[] = [];
  const expired: { seq: number; lastSeq: number }[] = [];
  const report = (b: AuditBreak) => breaks.push(b);
  const youngerThan = log.now.getTime() - RETENTION_BOUNDS.audit.min * 86_400_000;
  const cannotHaveExpired = (at: string | undefined) => at !== undefined && Date.parse(at) > youngerThan;

  const heads: SignedHead[] = [];
  for (const head of log.heads) {
    if (head.tenantId === log.tenantId && head.algorithm === HEAD_ALGORITHM && log.signatureVerifies(head)) heads.push(head);
    else
      report({
        kind: 'forged-head',
        // Whatever was written there: a forged head need not even have a number.
        seq: Number.isInteger(head.seq) ? head.seq : 0,
        problem: "a stored head of this entry does not verify with the site's audit signing key",
      });
  }
  heads.sort((a, b) => a.seq - b.seq || Date.parse(a.signedAt) - Date.parse(b.signedAt));
  const newestHead = heads.at(-1);
  const headsBySeq = new Map<number, SignedHead[]>();
  for (const head of heads) headsBySeq.set(head.seq, [...(headsBySeq.get(head.seq) ?? []), head]);

  // Redacted entries that no erasure after them has accounted for yet, oldest first.
  const unaccounted: number[] = [];
  let retainedFrom: number | undefined;
  const judgeGap = (seq: number, lastSeq: number, before: AuditEntry | undefined) => {
    const dated = heads.filter((h) => h.seq >= seq && h.seq <= lastSeq);
    const lowerBound = before?.at ?? (seq === 1 ? log.tenantCreatedAt : undefined);
    if (cannotHaveExpired(lowerBound) || dated.some((h) => cannotHaveExpired(h.at))) {
      const signed = dated.at(-1);
      report({
        kind: 'missing',
        seq,
        ...(lastSeq > seq && { lastSeq }),
        problem:
          `${lastSeq > seq ? `entries ${seq} to ${lastSeq} are` : `entry ${seq} is`} missing and cannot have expired` +
          (signed ? ` (the head signed at ${signed.signedAt} commits to entry ${signed.seq})` : ''),
      });
    } else if (before === undefined) {
      retainedFrom = lastSeq + 1;
    } else {
      expired.push({ seq, lastSeq });
    }
  };

  let previous: AuditEntry | undefined;
  // Entries whose hash a head confirmed or contradicted: a rewrite is placed after the last of them.
  const boundaries: number[] = [0];
  for (const entry of log.entries) {
    const expected = (previous?.seq ?? 0) + 1;
    if (previous !== undefined && entry.seq < expected) {
      report({ kind: 'edited', seq: entry.seq, problem: `stored after entry ${previous.seq}: its sequence number was changed` });
      continue;
    }
    if (entry.seq > expected) judgeGap(expected, entry.seq - 1, previous);
    else if (entry.prevHash !== (previous?.hash ?? GENESIS_HASH))
      report({ kind: 'unlinked', seq: entry.seq, problem: 'does not carry the hash of the entry before it' });
    const { hash, ...rest } = entry;
    if (entry.redacted) {
      const problem = redactionProblem(entry);
      if (problem) report({ kind: 'redaction', seq: entry.seq, problem });
      else unaccounted.push(entry.seq);
    } else if (personalDigestOf(entry.salt ?? '', entry.actor.id, entry.subjects) !== entry.personalDigest) {
      report({ kind: 'edited', seq: entry.seq, problem: 'its actor or subjects do not match their digest' });
    }
    if (hashAuditEntry(rest) !== hash) report({ kind: 'edited', seq: entry.seq, problem: 'its content does not match its hash' });
    const signedHere = headsBySeq.get(entry.seq);
    if (signedHere) {
      const from = Math.max(...boundaries, retainedFrom !== undefined ? retainedFrom - 1 : 0) + 1;
      boundaries.push(entry.seq);
      const contradicting = signedHere.find((h) => h.hash !== hash);
      if (contradicting)
        report({
          kind: 'rewritten',
          seq: from,
          ...(entry.seq > from && { lastSeq: entry.seq }),
          problem:
            `entry ${entry.seq} does not have the hash the head signed at ${contradicting.signedAt} commits to: ` +
            (entry.seq > from ? `the log was rewritten between entries ${from} and ${entry.seq}` : 'it was rewritten'),
        });
    }
    unaccounted.splice(0, redactionsRecordedBy(entry));
    previous = entry;
  }
  for (const seq of unaccounted)
    report({ kind: 'redaction', seq, problem: 'it was redacted, but no erasure recorded after it accounts for it' });
  if (newestHead && newestHead.seq > (previous?.seq ?? 0)) judgeGap((previous?.seq ?? 0) + 1, newestHead.seq, previous);

  breaks.sort((a, b) => a.seq - b.seq);
  const kept = breaks.slice(0, MAX_BREAKS);
  return {
    intact: breaks.length === 0,
    entries: log.entries.length,
    ...(retainedFrom !== undefined && { retainedFrom }),
    ...(expired.length > 0 && { expired }),
    ...(kept[0] && { firstBreak: kept[0] }),
    breaks: kept,
    ...(newestHead && { signedHead: newestHead }),
    headsChecked: log.heads.length,
    notYetSigned: log.entries.filter((e) => e.seq > (newestHead?.seq ?? 0)).length,
  };
}

/** Why a redacted entry is not in the form a redaction leaves, if it is not. */
function redactionProblem(entry: AuditEntry): string | undefined {
  if (entry.actor.type !== 'user') return `only a user's entry can be redacted, and its actor is of type ${entry.actor.type}`;
  if (entry.actor.id !== ERASED_ACTOR || entry.salt !== undefined || entry.subjects !== undefined)
    return 'it is marked redacted but still carries a personal part';
  return undefined;
}

/** How many redactions an erasure's entry accounts for (0 for any other entry). */
function redactionsRecordedBy(entry: AuditEntry): number {
  const count = entry.action === ERASURE_ACTION ? entry.details?.[REDACTED_COUNT] : undefined;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 0;
}
