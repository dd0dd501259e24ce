import { createKeyMaterialFromBuffer, ExternalE2EEKeyProvider } from 'livekit-client';

/** LiveKit's key ring size; the API's key index is `epoch mod 16`, the same ring. */
export const KEY_RING_SIZE = 16;

/**
 * LiveKit's shared-key provider, with each epoch's key placed at its own slot
 * of the key ring (ExternalE2EEKeyProvider.setKey always uses slot 0). The raw
 * key is imported for HKDF, as `setKey(ArrayBuffer)` does and as the Node
 * clients (rtc-node with HKDF) derive it, so browsers and Node interoperate.
 * Setting a key also makes it the one this participant sends with; receivers
 * pick the slot each frame names, so old and new keys overlap during a rekey.
 */
export class EpochKeyProvider extends ExternalE2EEKeyProvider {
  constructor() {
    super({ keyringSize: KEY_RING_SIZE });
  }

  async setEpochKey(keyIndex: number, key: ArrayBuffer): Promise<void> {
    if (key.byteLength !== 32) throw new RangeError('a media key is 32 bytes');
    const material = await createKeyMaterialFromBuffer(key);
    const slot = keyIndex % KEY_RING_SIZE;
    // rtc-node 1.1 clients cannot switch the slot they send with and keep the current key in slot 0
    // (docs/e2ee.md, "Limits"): the newest key goes there too, so their frames stay readable here.
    // Set first, so the epoch's own slot is the one this participant sends with.
    if (slot !== 0) this.onSetEncryptionKey(material, undefined, 0);
    this.onSetEncryptionKey(material, undefined, slot);
  }
}

export function base64ToBuffer(base64: string): ArrayBuffer {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}
