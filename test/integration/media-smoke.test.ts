import { dispose, Room } from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { randomUUID } from 'node:crypto';
import { SITE_IDS, type SiteId } from '../../config/sites.js';
import { listenForTone, publishTone } from '../support/audio.js';
import { stack } from '../support/stack.js';

async function joinToken(site: SiteId, room: string, identity: string): Promise<string> {
  const { apiKey, apiSecret } = stack().sites[site].livekit;
  const token = new AccessToken(apiKey, apiSecret, { identity, ttl: 300 });
  token.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true });
  return token.toJwt();
}

afterAll(async () => {
  await dispose();
});

describe('media smoke test: real LiveKit, real client SDK', () => {
  it.each(SITE_IDS)('%s: a sine tone published by one participant reaches the other', async (site) => {
    const { url, apiKey, apiSecret } = stack().sites[site].livekit;
    const rooms = new RoomServiceClient(url, apiKey, apiSecret);
    const name = `smoke-${randomUUID()}`;
    // Rooms are never auto-created on our nodes: the control plane creates them first.
    await rooms.createRoom({ name, emptyTimeout: 30 });
    const alice = new Room();
    const bob = new Room();
    try {
      await alice.connect(url, await joinToken(site, name, 'alice'), { autoSubscribe: true, dynacast: false });
      await bob.connect(url, await joinToken(site, name, 'bob'), { autoSubscribe: true, dynacast: false });
      const tone = await publishTone(alice, 440);
      try {
        const heard = await listenForTone(bob, 440, 3_000, 'alice');
        expect(heard.windows).toBeGreaterThan(5);
        expect(heard.toneWindows).toBeGreaterThan(heard.windows / 2);
        // A different frequency is not what arrived: the detector can tell tones apart.
        const wrongBin = await listenForTone(bob, 1_000, 1_000, 'alice');
        expect(wrongBin.toneWindows).toBe(0);
      } finally {
        await tone.stop();
      }
    } finally {
      await alice.disconnect();
      await bob.disconnect();
      await rooms.deleteRoom(name).catch(() => undefined);
    }
  });

  it('a node refuses a join to a room the control plane has not created', async () => {
    const { url } = stack().sites.fra.livekit;
    const room = new Room();
    await expect(
      room.connect(url, await joinToken('fra', `never-created-${randomUUID()}`, 'carol'), {
        autoSubscribe: false,
        dynacast: false,
      }),
    ).rejects.toThrow();
  });
});
