import type { ApiClient } from '../api/client';
import type { MessageProtection, RoomContextValue } from './room-context';

/**
 * Where the end-to-end engine plugs in (web/src/meeting/e2ee/, registered from
 * extensions.ts). In an end-to-end meeting the server hands out no key: the
 * meeting flow asks the engine for the device to join with, and once the room
 * is connected starts it; the engine installs each epoch's key with
 * `context.setEpochKey` as it opens the envelopes. Without an engine the room
 * still connects, with frame encryption on and no key, and says that its
 * end-to-end media is waiting for a key.
 */
export interface E2eeEngine {
  /** Before the join: registers (or reuses) this device and names it, so the join binds it to the meeting. */
  prepareJoin(input: { api: ApiClient; meetingId: string; isGuest: boolean }): Promise<{ deviceId: string }>;
  /**
   * Once connected: delivers keys through `context.setEpochKey` until stopped, for the room's key scope (the main
   * room's, or `context.breakout`'s), from the epoch of `context.admitted.encryption`.
   */
  start(context: RoomContextValue): Promise<E2eeSession>;
}

export interface E2eeSession {
  stop(): void;
  /** Chat encryption with the meeting's end-to-end keys, if the engine offers it. */
  readonly messageProtection?: MessageProtection;
  /** In a breakout: the text of the host's sealed broadcast (rejects when this device holds no key that opens it). */
  readonly openBroadcast?: (ciphertext: string) => Promise<string>;
  /**
   * The epoch current now, as a placement (`…/breakouts/mine`) named it: in a breakout nobody announces an epoch
   * begun elsewhere (the counter is the meeting's), so the session asks for its key.
   */
  readonly noteEpoch?: (epoch: number) => void;
}

let engine: E2eeEngine | undefined;

export function provideE2eeEngine(provided: E2eeEngine): void {
  engine = provided;
}

export function e2eeEngine(): E2eeEngine | undefined {
  return engine;
}
