// Client side of Meetplane's opt-in end-to-end encryption (see docs/e2ee.md).
// Everything here runs on participants' devices; the control plane imports
// only ./envelope-schema.js to check the shape and size of what it relays.
export {
  deviceFingerprint,
  exportDeviceIdentity,
  generateDeviceIdentity,
  importDeviceIdentity,
  verifyDeviceRegistration,
  type DeviceIdentity,
  type GenerateDeviceIdentityOptions,
  type StoredDeviceIdentity,
  type VerifiedDevice,
} from './device-keys.js';
export {
  openMediaKey,
  sealMediaKey,
  sealMediaKeyForDevices,
  type EnvelopeContext,
  type OpenMediaKeyParams,
  type SealForDevicesResult,
  type SealMediaKeyParams,
} from './envelope.js';
export {
  MAX_ENVELOPES_PER_UPLOAD,
  MAX_EPOCH,
  deviceRegistrationSchema,
  envelopeSchema,
  envelopeUploadSchema,
  type DeviceRegistration,
  type Envelope,
  type EnvelopeUpload,
} from './envelope-schema.js';
export { fromBase64Url, toBase64Url } from './encoding.js';
export { E2eeError, type E2eeErrorCode } from './errors.js';
export { generateMediaKey, isNewerEpoch, nextEpoch } from './media-key.js';
export { MAX_MESSAGE_BYTES, messageKey, openMessage, sealMessage, sealedMessageSchema, type SealedMessage } from './message.js';
export { meetingSecurityCode, type SecurityCodeInput } from './security-code.js';
export {
  DEFAULT_KEY_RING_SIZE,
  HKDF_KEY_DERIVATION,
  encryptionOptionsForKey,
  installEpochKey,
  keyIndexForEpoch,
  keyProviderOfRoom,
  sendWithEpochKey,
  type FrameCryptorSource,
  type InstalledEpochKey,
  type KeyRingOptions,
  type SharedKeyProvider,
} from './livekit-key-provider.js';
