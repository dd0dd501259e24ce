// Glue between epoch media keys and LiveKit's shared-key E2EE.
//
// Only types come from @livekit/rtc-node, so browser builds can reuse this
// file's index arithmetic and the rest of media/e2ee with livekit-client.
// There the same steps are:
//   const keyProvider = new ExternalE2EEKeyProvider();
//   await keyProvider.setKey(mediaKey.slice().buffer);   // ArrayBuffer => HKDF, as set below
//   const room = new Room({ encryption: { keyProvider, worker } });
//   await room.setE2EEEnabled(true);
// ExternalE2EEKeyProvider.setKey takes no key index in the releases we read;
// to place each epoch at `keyIndexForEpoch(epoch)` (so senders and receivers
// overlap during a rekey) subclass BaseKeyProvider and call
// `this.onSetEncryptionKey(await createKeyMaterialFromBuffer(key), undefined, index)`.
import type { E2EEOptions, FrameCryptor, KeyProvider, KeyProviderOptions, Room } from '@livekit/rtc-node';
import { assertEpoch } from './media-key.js';
import { MEDIA_KEY_BYTES } from './suite.js';

/** rtc-node's default key ring size (DEFAULT_KEY_RING_SIZE in its e2ee module). */
export const DEFAULT_KEY_RING_SIZE = 16;
/** The key index travels as one byte in LiveKit's frame trailer. */
export const MAX_KEY_RING_SIZE = 256;

type KeyDerivation = NonNullable<KeyProviderOptions['keyDerivationFunction']>;
/**
 * KeyDerivationFunction.HKDF of the FFI protocol. rtc-node defaults to PBKDF2
 * (meant for passphrases); livekit-client derives with HKDF when given random
 * bytes as an ArrayBuffer. Node and browser participants must agree, and our
 * keys are random, so HKDF everywhere.
 */
export const HKDF_KEY_DERIVATION = 1 as KeyDerivation;

/** The subset of rtc-node's KeyProvider this glue calls, so tests and other SDKs can supply their own. */
export type SharedKeyProvider = Pick<KeyProvider, 'setSharedKey'>;
/** The subset of rtc-node's E2EEManager used to switch local senders to a new key index. */
export interface FrameCryptorSource {
  frameCryptors(): Pick<FrameCryptor, 'participantIdentity' | 'setKeyIndex'>[];
}

export interface KeyRingOptions {
  /** Must match the `keyRingSize` the room was connected with. */
  keyRingSize?: number;
}

/** Slot of an epoch's key in LiveKit's key ring: consecutive epochs use consecutive slots, so old and new keys coexist during a rekey. */
export function keyIndexForEpoch(epoch: number, keyRingSize: number = DEFAULT_KEY_RING_SIZE): number {
  assertEpoch(epoch);
  if (!Number.isInteger(keyRingSize) || keyRingSize < 1 || keyRingSize > MAX_KEY_RING_SIZE) {
    throw new RangeError(`keyRingSize must be an integer from 1 to ${MAX_KEY_RING_SIZE}`);
  }
  return epoch % keyRingSize;
}

/**
 * `RoomOptions.encryption` for `room.connect`. LiveKit installs `sharedKey`
 * at index 0 on connect; call `installEpochKey` with the room's key provider
 * right after connecting so the key also sits at its epoch's index.
 */
export function encryptionOptionsForKey(mediaKey: Uint8Array, options: KeyRingOptions = {}): E2EEOptions {
  checkKey(mediaKey);
  return {
    keyProviderOptions: {
      sharedKey: Uint8Array.from(mediaKey),
      keyRingSize: options.keyRingSize ?? DEFAULT_KEY_RING_SIZE,
      keyDerivationFunction: HKDF_KEY_DERIVATION,
    },
  };
}

export interface InstalledEpochKey {
  keyIndex: number;
  /** Options to connect with when the room is not connected yet. */
  encryption: E2EEOptions;
}

/**
 * Installs an epoch's media key at its key index (when a key provider is
 * given, i.e. the room is connected) and returns the matching connect options.
 * Each epoch gets a fresh random key, not `ratchetSharedKey`: a ratchet is
 * computable by anyone holding the previous key, which is exactly the device
 * a rekey on leave or removal must shut out.
 */
export function installEpochKey(
  keyProvider: SharedKeyProvider | undefined,
  epoch: number,
  mediaKey: Uint8Array,
  options: KeyRingOptions = {},
): InstalledEpochKey {
  checkKey(mediaKey);
  const keyIndex = keyIndexForEpoch(epoch, options.keyRingSize);
  keyProvider?.setSharedKey(Uint8Array.from(mediaKey), keyIndex);
  return { keyIndex, encryption: encryptionOptionsForKey(mediaKey, options) };
}

/**
 * Makes the local participant's frame cryptors encrypt with an epoch's key
 * index. Call it once every participant has had time to install the new key
 * (1–2 s after distribution), and again after publishing a new track, whose
 * cryptor starts at index 0. Returns the index used.
 *
 * rtc-node 1.1's `FrameCryptor.setKeyIndex` throws (its request lacks the
 * track sid the FFI requires, and its FrameCryptor does not keep one), so with
 * rtc-node 1.1 this works only with cryptors of another SDK; docs/e2ee.md says
 * what Node clients do meanwhile.
 */
export function sendWithEpochKey(
  manager: FrameCryptorSource,
  localIdentity: string,
  epoch: number,
  options: KeyRingOptions = {},
): number {
  const keyIndex = keyIndexForEpoch(epoch, options.keyRingSize);
  for (const cryptor of manager.frameCryptors()) {
    if (cryptor.participantIdentity === localIdentity) cryptor.setKeyIndex(keyIndex);
  }
  return keyIndex;
}

/**
 * The key provider of a connected rtc-node room. rtc-node 1.1 keeps it in a
 * private field of E2EEManager with no accessor, so this reaches for it and
 * checks its shape; undefined when the room was connected without encryption
 * (rtc-node creates the manager only at connect, so turning E2EE on during a
 * meeting means reconnecting with `encryption` set).
 */
export function keyProviderOfRoom(room: Pick<Room, 'e2eeManager'>): SharedKeyProvider | undefined {
  const provider = (room.e2eeManager as unknown as { keyProvider?: Partial<SharedKeyProvider> } | undefined)?.keyProvider;
  return typeof provider?.setSharedKey === 'function' ? (provider as SharedKeyProvider) : undefined;
}

function checkKey(mediaKey: Uint8Array): void {
  if (mediaKey.length !== MEDIA_KEY_BYTES) throw new RangeError('a media key is 32 bytes');
}
