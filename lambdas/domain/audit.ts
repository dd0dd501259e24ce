import { createHash, randomBytes } from 'node:crypto';
import type { AUDIT_ACTOR_TYPES } from './vocabulary.js';

/** Who did something to a tenant: an operator (staff, IAM principal or the local token) or one of the tenant's users. */
export interface AuditActor {
  readonly type: (typeof AUDIT_ACTOR_TYPES)[number];
  readonly id: string;
}

export interface AuditDraft {
  readonly actor: AuditActor;
  /** What was done, e.g. `tenant.suspend`. */
  readonly action: string;
  /** What it was done to, e.g. `tenant/tn_…`. */
  readonly target: string;
  /** Why: required of operators for anything that changes a tenant. */
  readonly reason: string;
  readonly legalBasis?: string;
  /** Non-personal facts about the change (field names changed, new status, …). */
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** Pseudonyms of the people the entry is about besides its actor (a removed participant, say). */
  readonly subjects?: readonly string[];
}

/**
 * An entry of the chain. Its personal part (the actor's id and the subjects)
 * is not hashed directly: the chain carries `personalDigest`, a hash of that
 * part under a random `salt`. Erasing a person removes their part and the salt
 * (`redacted`) and leaves the digest, so the entry's hash — and every signed
 * head that commits to it — is unchanged, and nothing left can be tied back to
 * them, not even by guessing pseudonyms. Only entries whose actor is a user
 * carry subjects or can be redacted: an operator's or the system's entry
 * always says who. Each erasure's own entry (`privacy.erasure`) counts the
 * entries it redacted (`details.redactedAuditEntries`) without naming them,
 * which would tie them together again.
 */
export interface AuditEntry extends AuditDraft {
  readonly tenantId: string;
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly personalDigest: string;
  readonly salt?: string;
  readonly redacted?: boolean;
  readonly hash: string;
}

/** What stands in for an erased actor's id. */
export const ERASED_ACTOR = 'erased';

export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: keys sorted at every depth, so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function personalDigestOf(salt: string, actorId: string, subjects: readonly string[] | undefined): string {
  return sha256(canonicalJson({ salt, actorId, subjects: subjects ?? [] }));
}

/** The entry's hash: everything but its personal part, which counts through `personalDigest`. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { salt: _salt, redacted: _redacted, subjects: _subjects, actor, ...rest } = entry;
  return sha256(canonicalJson({ ...rest, actor: { type: actor.type } }));
}

/** Whether an entry is about a person known by any of `refs` (as its actor or a subject); only users' entries are. */
export function auditEntryConcerns(entry: AuditEntry, refs: ReadonlySet<string>): boolean {
  if (entry.redacted || entry.actor.type !== 'user') return false;
  return refs.has(entry.actor.id) || (entry.subjects ?? []).some((s) => refs.has(s));
}

/** The action of the entry an erasure appends once done. */
export const ERASURE_ACTION = 'privacy.erasure';
/** In an erasure's entry: how many audit entries it redacted, over all its runs since the last such entry. */
export const REDACTED_COUNT = 'redactedAuditEntries';

/** The entry with its personal part erased; its hash and the chain are unchanged. Only a user's entry can be redacted. */
export function redactAuditEntry(entry: AuditEntry): AuditEntry {
  if (entry.actor.type !== 'user') throw new Error(`only a user's audit entry can be redacted, not a ${entry.actor.type}'s`);
  const { salt: _salt, subjects: _subjects, ...rest } = entry;
  return { ...rest, actor: { type: 'user', id: ERASED_ACTOR }, redacted: true };
}

/** The next entry of a tenant's hash chain: it carries the hash of the one before. */
export function chainAuditEntry(
  tenantId: string,
  previous: { seq: number; hash: string } | undefined,
  draft: AuditDraft,
  at: Date,
): AuditEntry {
  // Subjects are personal and erasable; only a user's entry may carry them (see AuditEntry).
  if (draft.subjects && draft.subjects.length > 0 && draft.actor.type !== 'user')
    throw new Error(`a ${draft.actor.type}'s audit entry cannot name subjects`);
  const salt = randomBytes(16).toString('base64url');
  const body = {
    ...draft,
    ...(draft.subjects && { subjects: [...draft.subjects] }),
    tenantId,
    seq: (previous?.seq ?? 0) + 1,
    at: at.toISOString(),
    prevHash: previous?.hash ?? GENESIS_HASH,
    salt,
    personalDigest: personalDigestOf(salt, draft.actor.id, draft.subjects),
  };
  return { ...body, hash: hashAuditEntry(body) };
}

/** Which entries an admin asked to see: one kind of actor, one action or every action of its group. */
export interface AuditFilter {
  readonly actor?: AuditActor['type'];
  readonly action?: string;
}

export function auditEntryMatches(entry: Pick<AuditEntry, 'actor' | 'action'>, filter: AuditFilter): boolean {
  if (filter.actor !== undefined && entry.actor?.type !== filter.actor) return false;
  if (filter.action !== undefined && entry.action !== filter.action && !entry.action?.startsWith(`${filter.action}.`))
    return false;
  return true;
}
