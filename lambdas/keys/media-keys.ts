import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { callKms } from './kms-calls.js';
import { BoundedCache } from '../bounded-cache.js';

/**
 * Standard-mode media keys: per meeting and epoch, an AES-256 key that KMS
 * generates under the tenant's key in the home site, with an encryption
 * context binding tenant, meeting and epoch. Only the wrapped key is stored
 * (beside the meeting, same retention); plaintext keys live in this
 * container's memory only, bounded in number and time, so warm joins make no
 * KMS call.
 */
export interface MediaKeyOwner {
  readonly tenantId: string;
  readonly keyArn: string;
}

/** Where the wrapped keys are kept (lambdas/store/media-key-store.ts). */
export interface WrappedMediaKeys {
  /** The epoch's wrapped key, if one was kept. */
  wrapped(tenantId: string, meetingId: string, epoch: number): Promise<Uint8Array | undefined>;
  /** Keeps the epoch's wrapped key unless one is kept already (then false: that one wins). */
  keepWrapped(tenantId: string, meetingId: string, epoch: number, wrapped: Uint8Array): Promise<boolean>;
}

export const KEY_RING_SIZE = 16;
const CACHE_MS = 10 * 60 * 1000;
const MAX_CACHED = 5000;

export const keyIndexOf = (epoch: number) => epoch % KEY_RING_SIZE;

export class MediaKeys {
  private readonly cache: BoundedCache<string, Uint8Array>;

  constructor(
    private readonly kms: KMSClient,
    private readonly store: WrappedMediaKeys,
    now: () => number = Date.now,
  ) {
    this.cache = new BoundedCache({ maxEntries: MAX_CACHED, ttlMs: CACHE_MS, now });
  }

  static context(tenantId: string, meetingId: string, epoch: number): Record<string, string> {
    return { tenantId, meetingId, epoch: String(epoch), purpose: 'media' };
  }

  /**
   * The epoch's key: from this container's memory, else unwrapped from the
   * store, else generated. `stored` is the wrapped key (or its absence) as a
   * read of the caller's already found it, which spares reading it again.
   */
  async keyFor(
    owner: MediaKeyOwner,
    meetingId: string,
    epoch: number,
    stored?: { readonly wrapped: Uint8Array | undefined },
  ): Promise<Uint8Array> {
    const cacheKey = `${owner.tenantId}/${meetingId}/${epoch}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const key = (await this.unwrapStored(owner, meetingId, epoch, stored)) ?? (await this.generate(owner, meetingId, epoch));
    this.cache.set(cacheKey, key);
    return key;
  }

  private async unwrapStored(
    owner: MediaKeyOwner,
    meetingId: string,
    epoch: number,
    stored?: { readonly wrapped: Uint8Array | undefined },
  ): Promise<Uint8Array | undefined> {
    const wrapped = stored ? stored.wrapped : await this.store.wrapped(owner.tenantId, meetingId, epoch);
    if (!wrapped) return undefined;
    const { Plaintext } = await callKms(() =>
      this.kms.send(
        new DecryptCommand({
          KeyId: owner.keyArn,
          CiphertextBlob: wrapped,
          EncryptionContext: MediaKeys.context(owner.tenantId, meetingId, epoch),
        }),
      ),
    );
    return new Uint8Array(Plaintext!);
  }

  /** Generates and stores the epoch's key; if another container stored one first, that one wins. */
  private async generate(owner: MediaKeyOwner, meetingId: string, epoch: number): Promise<Uint8Array> {
    const { Plaintext, CiphertextBlob } = await callKms(() =>
      this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: owner.keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: MediaKeys.context(owner.tenantId, meetingId, epoch),
        }),
      ),
    );
    if (await this.store.keepWrapped(owner.tenantId, meetingId, epoch, CiphertextBlob!)) return new Uint8Array(Plaintext!);
    return (await this.unwrapStored(owner, meetingId, epoch))!;
  }
}
