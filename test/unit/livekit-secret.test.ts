import { apiSecretOf } from '../../lambdas/livekit-secret.js';

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
