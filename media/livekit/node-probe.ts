import type { RoomServiceClient } from 'livekit-server-sdk';
import type { Probe } from '../../lambdas/domain/probe.js';
import { counted } from '../../lambdas/http/call-counter.js';

/** The LiveKit node answers an authenticated room listing. */
export function livekitNodeProbe(rooms: RoomServiceClient): Probe {
  return async () => {
    await counted('livekit', () => rooms.listRooms());
  };
}
