import { SITE_IDS } from '../../config/sites.js';
import { startGateway, untilListening } from '../support/gateway-process.js';
import { api, stack } from '../support/stack.js';

describe('GET /v1/health', () => {
  it.each(SITE_IDS)('reports %s and its region with every dependency up', async (site) => {
    const res = await api(site, '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      site,
      region: stack().sites[site].region,
      status: 'ok',
      dependencies: {
        dynamodb: { status: 'up' },
        kms: { status: 'up' },
        livekit: { status: 'up' },
      },
    });
  });

  it('answers 503 with Retry-After and names the dependency that is down', async () => {
    // The fra environment, but with KMS pointed at a port nothing listens on.
    const gateway = await startGateway({
      ...stack().sites.fra.env,
      MEETPLANE_KMS_ENDPOINT: 'http://127.0.0.1:9',
      MEETPLANE_DEPENDENCY_TIMEOUT_MS: '800',
    });
    try {
      await untilListening(gateway);
      const res = await fetch(`${gateway.url}/v1/health`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({
        status: 'degraded',
        dependencies: { dynamodb: { status: 'up' }, kms: { status: 'down', reason: 'unreachable' }, livekit: { status: 'up' } },
      });
    } finally {
      await gateway.stop();
    }
  });

  it('reports a missing table as down without leaking its name', async () => {
    const gateway = await startGateway({ ...stack().sites.ams.env, MEETPLANE_TABLE: 'meetplane-nowhere' });
    try {
      await untilListening(gateway);
      const res = await fetch(`${gateway.url}/v1/health`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ dependencies: { dynamodb: { status: 'down', reason: 'missing' } } });
      expect(text).not.toContain('meetplane-nowhere');
    } finally {
      await gateway.stop();
    }
  });
});

describe('EU guard at start-up', () => {
  it.each(['eu-west-2', 'eu-central-2', 'us-east-1'])('refuses to start a site in %s and says why', async (region) => {
    const gateway = await startGateway({ ...stack().sites.ams.env, AWS_REGION: region });
    expect(await gateway.exited).toBe(78);
    expect(gateway.output()).toContain(`refusing to start`);
    expect(gateway.output()).toContain(`AWS_REGION "${region}" is not on the EU allow-list`);
  });
});
