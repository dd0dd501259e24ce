import type { DeviceIdentity } from '@meetplane/e2ee';
import { RoomEvent, type RemoteParticipant, type Room } from 'livekit-client';
import { useEffect, useState } from 'react';
import type { ApiClient } from '../../api/client';
import { E2eeEngine, EPOCH_TOPIC, type E2eeState, type EpochAnnouncement, type KeyScope } from './engine';

export interface UseE2eeOptions {
  readonly api: ApiClient;
  readonly meetingId: string;
  readonly device: DeviceIdentity;
  readonly isHost: boolean;
  /** The connected room of this scope. */
  readonly room: Room;
  /** The epoch the join (or breakout grant) named. */
  readonly epoch: number;
  readonly scope?: KeyScope;
  readonly setEpochKey: (epoch: number, keyIndex: number, key: Uint8Array) => void | Promise<void>;
  /** The server turned the meeting end-to-end (`mode: 'e2ee'` in an announcement). */
  readonly onUpgraded?: (epoch: number) => void;
}

const decoder = new TextDecoder();

/**
 * Connects an E2eeEngine to a LiveKit room: epoch announcements on
 * `meetplane.epoch`, and, for the host, arrivals (a device to seal the current
 * key to). Returns the engine and its state; the engine stops with the room.
 */
export function attachE2ee(options: Omit<UseE2eeOptions, 'onUpgraded'> & { onUpgraded?: (epoch: number) => void }): E2eeEngine {
  const { room } = options;
  const engine = new E2eeEngine({
    ...options,
    tellRoom: (message) =>
      void room.localParticipant
        .publishData(new TextEncoder().encode(JSON.stringify(message)), { reliable: true, topic: EPOCH_TOPIC })
        .catch(() => undefined),
  });
  let arrival: ReturnType<typeof setTimeout> | undefined;
  const onData = (payload: Uint8Array, from?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (topic !== EPOCH_TOPIC) return;
    try {
      const message = JSON.parse(decoder.decode(payload)) as EpochAnnouncement;
      if (message.mode === 'e2ee' && !from) options.onUpgraded?.(message.epoch);
      engine.announce(message, from?.identity);
    } catch {
      // Not an announcement of ours.
    }
  };
  const onArrival = () => {
    clearTimeout(arrival);
    // The join binds the device before LiveKit reports the arrival; a moment's grace covers a slow webhook.
    arrival = setTimeout(() => engine.refreshDevices(), 300);
  };
  room.on(RoomEvent.DataReceived, onData);
  if (options.isHost) room.on(RoomEvent.ParticipantConnected, onArrival);
  // The host also looks again now and then: an arrival seen before its binding was recorded is sealed to then.
  const sweep = options.isHost ? setInterval(() => engine.refreshDevices(), 5000) : undefined;
  const stop = engine.stop.bind(engine);
  engine.stop = () => {
    room.off(RoomEvent.DataReceived, onData);
    room.off(RoomEvent.ParticipantConnected, onArrival);
    clearTimeout(arrival);
    clearInterval(sweep);
    stop();
  };
  engine.start(options.epoch);
  return engine;
}

/** React: an engine for the room while it is mounted, and its state. */
export function useE2ee(options: UseE2eeOptions | undefined): { engine?: E2eeEngine; state?: E2eeState } {
  const [engine, setEngine] = useState<E2eeEngine>();
  const [state, setState] = useState<E2eeState>();
  const room = options?.room;
  const scopeKey = options?.scope?.kind === 'breakout' ? options.scope.scope : 'main';
  useEffect(() => {
    if (!options) return undefined;
    const created = attachE2ee(options);
    setEngine(created);
    setState(created.getState());
    const unsubscribe = created.subscribe(setState);
    return () => {
      unsubscribe();
      created.stop();
      setEngine(undefined);
    };
    // One engine per room, scope and device; the callbacks are read when called.
  }, [room, scopeKey, options?.device.deviceId, options?.isHost]);
  return { engine, state };
}
