import { DEFAULT_KEY_RING_SIZE } from '@meetplane/e2ee';
import { BaseKeyProvider, createKeyMaterialFromBuffer, type RoomOptions } from 'livekit-client';

/**
 * LiveKit's shared-key provider with each epoch's key at its own key index
 * (`keyIndexForEpoch`), so that old and new keys coexist while a new key
 * spreads. ExternalE2EEKeyProvider.setKey takes no index; this is the subclass
 * media/e2ee/livekit-key-provider.ts describes. Keys are random bytes, so
 * LiveKit derives frame keys with HKDF, as the Node clients do.
 */
export class EpochKeyProvider extends BaseKeyProvider {
  constructor(keyringSize = DEFAULT_KEY_RING_SIZE) {
    // As ExternalE2EEKeyProvider: one key for everyone, no ratcheting on failures (a wrong key stays wrong).
    super({ sharedKey: true, ratchetWindowSize: 0, failureTolerance: -1, keyringSize });
  }

  /** Installs `key` at `keyIndex`; LiveKit then also encrypts this device's frames with it. */
  async setEpochKey(_epoch: number, keyIndex: number, key: Uint8Array): Promise<void> {
    const material = await createKeyMaterialFromBuffer(Uint8Array.from(key).buffer);
    this.onSetEncryptionKey(material, undefined, keyIndex);
  }
}

/** Room options for frame encryption with an EpochKeyProvider; LiveKit's worker does the frame work. */
export function encryptedRoomOptions(keyProvider: EpochKeyProvider): Pick<RoomOptions, 'encryption'> {
  const worker = new Worker(new URL('livekit-client/e2ee-worker', import.meta.url), { type: 'module' });
  return { encryption: { keyProvider, worker } };
}
