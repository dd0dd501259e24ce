import { joinMeeting } from '../../lambdas/domain/joining.js';
import { roomSettings, type Joiner } from '../../lambdas/domain/live-meeting.js';
import { placementOrder, type MediaClusterState } from '../../lambdas/domain/placement.js';
import { failureOf, meetingCore, memoryJoinPorts } from '../support/domain-fixtures.js';

const cluster = (id: string, extra: Partial<MediaClusterState> = {}): MediaClusterState => ({
  id,
  site: id.startsWith('fra') ? 'fra' : 'ams',
  status: 'active',
  healthy: true,
  participants: 0,
  ...extra,
});

describe('placing a meeting on a LiveKit cluster', () => {
  it("orders the home site's healthy, active clusters by load, then the allowed sites' in the tenant's order", () => {
    const clusters = [
      cluster('ams-a'),
      cluster('fra-a', { participants: 30 }),
      cluster('fra-b', { participants: 5 }),
      cluster('fra-c', { status: 'draining' }),
      cluster('fra-d', { healthy: false }),
    ];
    expect(placementOrder('fra', ['fra', 'ams'], clusters).map((c) => c.clusterId)).toEqual(['fra-b', 'fra-a', 'ams-a']);
  });

  it('never offers a site the tenant does not allow', () => {
    expect(placementOrder('fra', ['fra'], [cluster('ams-a'), cluster('fra-a', { healthy: false })])).toEqual([]);
  });
});

describe('a first join whose room creation does not answer', () => {
  const host: Joiner = { userRef: 'u_host', participantId: 'p_host', admin: false, host: true };
  const settings = (allowedSites: ('fra' | 'ams')[]) => ({
    homeSite: 'fra' as const,
    allowedSites,
    displayNames: false,
    room: roomSettings('business', 100),
  });

  function ports(unanswering: readonly string[]) {
    const memory = memoryJoinPorts(meetingCore());
    const tried: string[] = [];
    const pins: string[] = [];
    const bound = {
      ...memory.ports,
      clusters: async () => [cluster('fra-a'), cluster('ams-a')],
      createRoom: async (clusterId: string) => {
        tried.push(clusterId);
        return unanswering.includes(clusterId) ? ('unavailable' as const) : ('created' as const);
      },
      pin: async (meetingId: string, clusterId: string, roomName: string, replacing?: string) => {
        pins.push(clusterId);
        return memory.ports.pin(meetingId, clusterId, roomName, replacing);
      },
    };
    return { ports: bound, tried, pins };
  }

  it('fails over to the next allowed site within the same request', async () => {
    const { ports: p, tried, pins } = ports(['fra-a']);
    const outcome = await joinMeeting(p, settings(['fra', 'ams']), host, 'mt_1', {});
    expect(outcome).toMatchObject({ status: 'admitted', clusterId: 'ams-a' });
    expect(tried).toEqual(['fra-a', 'ams-a']);
    expect(pins).toEqual(['ams-a']);
  });

  it('is unavailable (503) for a tenant that allows no other site, and pins nothing', async () => {
    const { ports: p, tried, pins } = ports(['fra-a']);
    expect(await failureOf(() => joinMeeting(p, settings(['fra']), host, 'mt_1', {}))).toBe('unavailable');
    expect(tried).toEqual(['fra-a']);
    expect(pins).toEqual([]);
  });
});
