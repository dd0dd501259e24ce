import { useEffect, useState } from 'react';
import { provideE2eeEngine } from '../e2ee-seam';
import { registerRoomPanel, useRoomContext, type RoomContextValue } from '../room-context';
import { registeredDevice } from './device';
import { replaceDevice } from './device-store';
import type { E2eeEngine as KeyEngine, E2eeState } from './engine';
import { SecurityPanel, UpgradeButton } from './security-panel';
import { attachE2ee } from './use-e2ee';
import type { DeviceIdentity } from '@meetplane/e2ee';

/**
 * Plugs the end-to-end engine into the meeting room (room-context.tsx,
 * e2ee-seam.ts): the device to join with, the keys of each epoch through
 * `setEpochKey`, chat sealed with them, and a "Security code" panel.
 */
let device: DeviceIdentity | undefined;
let running: KeyEngine | undefined;
const watchers = new Set<(engine: KeyEngine | undefined) => void>();

function setRunning(engine: KeyEngine | undefined): void {
  running = engine;
  for (const watch of watchers) watch(engine);
}

/** The key engine of the room now open (the host's keys every scope, breakouts included). */
export function useRunningEngine(): KeyEngine | undefined {
  const [engine, setEngine] = useState(running);
  useEffect(() => {
    watchers.add(setEngine);
    setEngine(running);
    return () => void watchers.delete(setEngine);
  }, []);
  return engine;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

provideE2eeEngine({
  async prepareJoin({ api, meetingId, isGuest }) {
    // A guest gets a fresh identity per meeting (docs/e2ee.md), so they cannot be followed across meetings.
    device = isGuest ? await replaceDevice(`guest/${meetingId}`) : await registeredDevice(api, 'member');
    if (isGuest) await api.POST('/v1/devices', { body: device.registration });
    return { deviceId: device.deviceId };
  },
  async start(context: RoomContextValue) {
    if (!device) throw new Error('no device was registered for this join');
    const { breakout } = context;
    const engine = attachE2ee({
      api: context.api,
      meetingId: context.meetingId,
      device,
      // The meeting's own host keys it (from the main room, every scope); an admin joins as a host to moderate, but
      // keys nothing. In a breakout everyone fetches the key the host's client sealed for it.
      isHost: context.meeting?.isHost === true && !breakout,
      room: context.room,
      epoch: context.admitted.encryption.epoch,
      ...(breakout && { scope: { kind: 'breakout' as const, breakoutId: breakout.id, scope: breakout.scope } }),
      setEpochKey: (epoch, keyIndex, key) => context.setEpochKey(epoch, keyIndex, Uint8Array.from(key).buffer),
    });
    setRunning(engine);
    return {
      stop: () => {
        engine.stop();
        if (running === engine) setRunning(undefined);
      },
      openBroadcast: (ciphertext) => engine.openBroadcast(ciphertext),
      noteEpoch: (epoch) => {
        if (breakout) engine.want(epoch);
      },
      messageProtection: {
        encrypt: async (plaintext) => encoder.encode(await engine.encrypt(decoder.decode(plaintext))),
        decrypt: async (ciphertext) => {
          try {
            return encoder.encode(await engine.decrypt(decoder.decode(ciphertext)));
          } catch {
            return undefined;
          }
        },
      },
    };
  },
});

function SecurityCodePanel() {
  const context = useRoomContext();
  const engine = useRunningEngine();
  const [state, setState] = useState<E2eeState | undefined>(engine?.getState());
  useEffect(() => {
    setState(engine?.getState());
    return engine?.subscribe(setState);
  }, [engine]);
  if (context.admitted.encryption.mode === 'standard') return <UpgradeButton api={context.api} meetingId={context.meetingId} />;
  return <SecurityPanel state={state} isHost={context.meeting?.isHost === true} />;
}

registerRoomPanel({
  id: 'e2ee',
  label: 'e2ee.tab',
  // Everyone in an end-to-end meeting; in a standard one, its hosts, who may upgrade it (not from a breakout).
  visible: (context) =>
    context.admitted.encryption.mode === 'e2ee' || (context.meeting?.isHost === true && !context.breakout && !context.isGuest),
  Component: SecurityCodePanel,
  order: 30,
});
