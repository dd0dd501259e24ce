import type { MediaClusterSetting } from '../../config/env.js';
import { apiSecretOf, resolveClusters } from '../../lambdas/livekit-secret.js';

describe('the LiveKit secret document', () => {
  const apiSecret = 'a-secret-of-at-least-thirty-two-chars';

  it('yields the apiSecret of the JSON document the LiveKit nodes also read', () => {
    expect(apiSecretOf(JSON.stringify({ apiKey: 'meetplane-fra', apiSecret }))).toBe(apiSecret);
  });

  it.each([
    ['no document', undefined],
    ['not JSON', apiSecret],
    ['JSON null', 'null'],
    ['no apiSecret', JSON.stringify({ apiKey: 'meetplane-fra' })],
    ['a short apiSecret', JSON.stringify({ apiSecret: 'short' })],
  ])('refuses %s without echoing it', (_case, document) => {
    const message = (() => {
      try {
        apiSecretOf(document);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^the LiveKit secret is not a JSON document with an apiSecret/);
    expect(message).not.toContain(apiSecret);
    expect(message).not.toContain('short');
  });
});

describe("the other sites' clusters", () => {
  const replicaSecret = 'the-fra-secret-of-thirty-two-chars!';
  const fra: MediaClusterSetting = {
    id: 'fra-a',
    site: 'fra',
    urls: ['wss://livekit.fra.meetplane.example'],
    apiKey: 'meetplane-fra',
    apiSecret: { kind: 'secret-replica', name: 'meetplane/fra/livekit-api' },
  };

  it('get their secret from the replica of that name in this region', async () => {
    const asked: string[] = [];
    const clusters = await resolveClusters(
      [fra],
      (secretId) => {
        asked.push(secretId);
        return Promise.resolve(JSON.stringify({ apiKey: 'meetplane-fra', apiSecret: replicaSecret }));
      },
      () => undefined,
    );
    expect(asked).toEqual(['meetplane/fra/livekit-api']);
    expect(clusters).toEqual([{ ...fra, apiSecret: replicaSecret }]);
  });

  it('leave out a cluster whose secret cannot be read, and say which, keeping the others', async () => {
    const local: MediaClusterSetting = { ...fra, id: 'fra-b', apiSecret: { kind: 'value', value: replicaSecret } };
    const unreadable: string[] = [];
    const clusters = await resolveClusters(
      [fra, local],
      () => Promise.reject(new Error('ResourceNotFoundException')),
      (clusterId) => unreadable.push(clusterId),
    );
    expect(unreadable).toEqual(['fra-a']);
    expect(clusters.map((cluster) => cluster.id)).toEqual(['fra-b']);
  });
});
