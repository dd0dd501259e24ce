import type { RoomServiceClient } from 'livekit-server-sdk';
import type { Probe } from '../../lambdas/domain/probe.js';

/** The LiveKit node answers an authenticated room listing. */
export function livekitNodeProbe(rooms: RoomServiceClient): Probe {
  return async () => {
    await rooms.listRooms();
  };
}
