import { dispose, Room } from '@livekit/rtc-node';
import { encryptionOptionsForKey } from '../../media/e2ee/index.js';
import { testTenant, type TestTenant } from './users.js';

/** What the API hands a participant for media. */
export interface MediaGrant {
  media: { url: string; token: string };
  encryption: { mode: string; epoch: number; keyIndex: number; key?: string };
}

/**
 * A test tenant with a host, and LiveKit rooms that are all disconnected (and
 * the native SDK disposed) when the test file ends.
 */
export function liveRoomsFixture(): {
  tenant: () => TestTenant;
  host: () => string;
  rooms: () => readonly Room[];
  connect: (grant: MediaGrant, key?: Uint8Array) => Promise<Room>;
} {
  let tenant: TestTenant;
  let host: string;
  const rooms: Room[] = [];
  beforeAll(async () => {
    tenant = await testTenant('fra');
    host = await tenant.token('hilde', ['host']);
  });
  afterAll(async () => {
    await Promise.all(rooms.map((r) => r.disconnect().catch(() => undefined)));
    await tenant.stop();
    await dispose();
  });
  return {
    tenant: () => tenant,
    host: () => host,
    rooms: () => rooms,
    /** Connects with the grant's token; with frame encryption when a key is given or the grant carries one. */
    connect: async (grant, key) => {
      const room = new Room();
      rooms.push(room);
      const sharedKey = key ?? (grant.encryption.key ? Buffer.from(grant.encryption.key, 'base64') : undefined);
      await room.connect(grant.media.url, grant.media.token, {
        autoSubscribe: true,
        dynacast: false,
        ...(sharedKey && { encryption: encryptionOptionsForKey(sharedKey) }),
      });
      return room;
    },
  };
}
