import type { RoomServiceClient } from 'livekit-server-sdk';
import type { Probe } from '../../lambdas/domain/probe.js';
import { counted } from '../../lambdas/http/call-counter.js';

/** The LiveKit cluster answers an authenticated room listing through any of its endpoints (nodes reached directly). */
export function livekitClusterProbe(endpoints: readonly RoomServiceClient[]): Probe {
  return async () => {
    await Promise.any(endpoints.map((rooms) => counted('livekit', () => rooms.listRooms())));
  };
}
