import { DYNAMODB_PORT, SES_PORT, SITE_PORTS, stackPorts, WEB_PORT } from '../../scripts/local-stack/layout.js';
import { DEV_IDP_PORT } from '../../scripts/dev-idp/identity.js';

describe("the local stack's ports", () => {
  it('lists every port the stack listens on', () => {
    const used = [
      WEB_PORT,
      DEV_IDP_PORT,
      SES_PORT,
      DYNAMODB_PORT,
      ...Object.values(SITE_PORTS).flatMap((p) => [
        p.gateway,
        p.kms,
        p.redis,
        ...p.livekitNodes.flatMap((n) => [n.http, n.tcp, n.udp]),
      ]),
    ];
    expect(new Set(used).size).toBe(used.length);
    expect([...used].sort()).toEqual([...stackPorts(0)].sort());
  });

  it('never shares a port between two stacks at different offsets', () => {
    const offsets = Array.from({ length: 10 }, (_, i) => i * 1000);
    for (const a of offsets) {
      for (const b of offsets.filter((o) => o > a)) {
        const shared = stackPorts(a).filter((port) => stackPorts(b).includes(port));
        expect({ a, b, shared }).toEqual({ a, b, shared: [] });
      }
    }
  });
});
