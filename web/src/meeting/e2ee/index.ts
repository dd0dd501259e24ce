// End-to-end encryption in the meeting room: the engine (keys by epoch and
// scope), its LiveKit glue, the device identity and the security code panel.
export { E2eeEngine, EPOCH_TOPIC, type E2eeState, type EpochAnnouncement, type KeyScope, type KeyedBreakout } from './engine';
export { registeredDevice } from './device';
export { EpochKeyProvider, encryptedRoomOptions } from './livekit';
export { attachE2ee, useE2ee, type UseE2eeOptions } from './use-e2ee';
export { SecurityPanel, UpgradeButton } from './security-panel';
