import { EnvironmentError, parseSiteConfig } from '../../config/env.js';

const valid = {
  MEETPLANE_STAGE: 'local',
  MEETPLANE_SITE: 'ams',
  AWS_REGION: 'eu-west-1',
  MEETPLANE_TABLE: 'meetplane-ams',
  MEETPLANE_DIRECTORY_TABLE: 'meetplane-directory',
  MEETPLANE_API_URLS: 'fra=http://127.0.0.1:4001,ams=http://127.0.0.1:4002/',
  MEETPLANE_LIVEKIT_URL: 'ws://127.0.0.1:7890',
  MEETPLANE_LIVEKIT_API_KEY: 'lk_ams_key',
  MEETPLANE_LIVEKIT_API_SECRET: 'a-secret-of-at-least-thirty-two-chars',
  MEETPLANE_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  MEETPLANE_KMS_ENDPOINT: 'http://127.0.0.1:4502',
  MEETPLANE_OPERATOR_TOKEN: 'operator-token-of-enough-length',
  MEETPLANE_WEB_URL: 'https://app.meetplane.example/',
  MEETPLANE_WEB_ORIGINS: 'https://app.meetplane.example, https://admin.meetplane.example/',
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    parseSiteConfig(env);
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
  throw new Error('expected the environment to be refused');
}

describe('runtime environment', () => {
  it('parses a complete environment once into a typed config', () => {
    const config = parseSiteConfig(valid);
    expect(config).toMatchObject({
      stage: 'local',
      siteId: 'ams',
      region: 'eu-west-1',
      siteKeyId: 'alias/meetplane-site',
      apiUrls: { fra: 'http://127.0.0.1:4001', ams: 'http://127.0.0.1:4002' },
      dependencyTimeoutMs: 1500,
    });
  });

  it('names every missing variable', () => {
    const problems = problemsOf({ MEETPLANE_SITE: 'fra' });
    expect(problems).toEqual(
      expect.arrayContaining(['AWS_REGION is required', 'MEETPLANE_TABLE is required', 'MEETPLANE_LIVEKIT_URL is required']),
    );
  });

  it('refuses a region outside the EU, naming it', () => {
    expect(problemsOf({ ...valid, AWS_REGION: 'eu-west-2' })).toEqual([
      expect.stringMatching(/^AWS_REGION "eu-west-2" is not on the EU allow-list/),
    ]);
    expect(problemsOf({ ...valid, AWS_REGION: 'us-east-1' })[0]).toMatch(/^AWS_REGION "us-east-1"/);
  });

  it('keeps fra in eu-central-1', () => {
    expect(problemsOf({ ...valid, MEETPLANE_SITE: 'fra', AWS_REGION: 'eu-west-1' })).toEqual([
      'AWS_REGION site fra (Frankfurt) runs only in eu-central-1',
    ]);
  });

  it('refuses an unknown site and a short LiveKit secret without echoing the secret', () => {
    const problems = problemsOf({ ...valid, MEETPLANE_SITE: 'lon', MEETPLANE_LIVEKIT_API_SECRET: 'short-secret' });
    expect(problems.join('\n')).toMatch(/MEETPLANE_SITE/);
    expect(problems.join('\n')).toMatch(/MEETPLANE_LIVEKIT_API_SECRET must be at least 32 characters/);
    expect(problems.join('\n')).not.toContain('short-secret');
  });

  it('needs an API URL for every site', () => {
    expect(problemsOf({ ...valid, MEETPLANE_API_URLS: 'fra=http://127.0.0.1:4001' })).toEqual([
      'MEETPLANE_API_URLS no API URL for site "ams"',
    ]);
  });

  it('allows local endpoints and the operator token only on the local stage', () => {
    const problems = problemsOf({ ...valid, MEETPLANE_STAGE: 'aws' });
    expect(problems).toEqual([
      'MEETPLANE_DYNAMODB_ENDPOINT is only allowed when MEETPLANE_STAGE=local',
      'MEETPLANE_KMS_ENDPOINT is only allowed when MEETPLANE_STAGE=local',
      'MEETPLANE_OPERATOR_TOKEN is only allowed when MEETPLANE_STAGE=local',
    ]);
  });

  it('allows loopback destinations on the local stage only, and lets the local stack refuse them as a deployed site does', () => {
    expect(parseSiteConfig(valid).loopbackDestinations).toBe(true);
    expect(parseSiteConfig({ ...valid, MEETPLANE_OUTBOUND_LOOPBACK: 'refuse' }).loopbackDestinations).toBe(false);
    const {
      MEETPLANE_DYNAMODB_ENDPOINT: _d,
      MEETPLANE_KMS_ENDPOINT: _k,
      MEETPLANE_OPERATOR_TOKEN: _o,
      ...deployable
    } = valid as Record<string, string>;
    expect(parseSiteConfig({ ...deployable, MEETPLANE_STAGE: 'aws' }).loopbackDestinations).toBe(false);
    expect(problemsOf({ ...deployable, MEETPLANE_STAGE: 'aws', MEETPLANE_OUTBOUND_LOOPBACK: 'allow' })).toEqual([
      'MEETPLANE_OUTBOUND_LOOPBACK is only allowed when MEETPLANE_STAGE=local',
    ]);
  });

  describe('the web app', () => {
    it('parses its base URL and the origins answered for CORS, normalised', () => {
      expect(parseSiteConfig(valid)).toMatchObject({
        webUrl: 'https://app.meetplane.example',
        webOrigins: ['https://app.meetplane.example', 'https://admin.meetplane.example'],
      });
      expect(parseSiteConfig({ ...valid, MEETPLANE_WEB_ORIGINS: undefined }).webOrigins).toEqual([]);
      expect(parseSiteConfig({ ...valid, MEETPLANE_WEB_URL: 'http://127.0.0.1:4000/app/' }).webUrl).toBe(
        'http://127.0.0.1:4000/app',
      );
    });

    it('refuses an origin that is not one, naming the variable', () => {
      for (const origin of [
        'app.meetplane.example',
        'ftp://app.meetplane.example',
        'https://app.meetplane.example/path',
        'https://app.meetplane.example?x=1',
      ])
        expect(problemsOf({ ...valid, MEETPLANE_WEB_ORIGINS: `https://ok.example,${origin}` })).toEqual([
          expect.stringMatching(/^MEETPLANE_WEB_ORIGINS "[^"]+" (is not an http\(s\) origin|must be an origin alone)/),
        ]);
    });

    it('needs a base URL, without query or fragment', () => {
      expect(problemsOf({ ...valid, MEETPLANE_WEB_URL: undefined })).toEqual(['MEETPLANE_WEB_URL is required']);
      expect(problemsOf({ ...valid, MEETPLANE_WEB_URL: 'not a url' })).toEqual([expect.stringMatching(/^MEETPLANE_WEB_URL /)]);
      expect(problemsOf({ ...valid, MEETPLANE_WEB_URL: 'https://app.example/#x' })).toEqual([
        'MEETPLANE_WEB_URL must be an http(s) URL without query, fragment or user',
      ]);
    });

    it('uses https only on a deployed site', () => {
      const {
        MEETPLANE_DYNAMODB_ENDPOINT: _d,
        MEETPLANE_KMS_ENDPOINT: _k,
        MEETPLANE_OPERATOR_TOKEN: _o,
        ...deployable
      } = valid as Record<string, string>;
      expect(
        problemsOf({
          ...deployable,
          MEETPLANE_STAGE: 'aws',
          MEETPLANE_WEB_URL: 'http://app.example',
          MEETPLANE_WEB_ORIGINS: 'http://app.example',
        }),
      ).toEqual([
        'MEETPLANE_WEB_ORIGINS "http://app.example" must use https on a deployed site',
        'MEETPLANE_WEB_URL must use https on a deployed site',
      ]);
    });
  });

  describe('the LiveKit API secret', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:meetplane-ams-livekit-AbCdEf';
    const { MEETPLANE_LIVEKIT_API_SECRET: _secret, ...withoutSecret } = valid;

    it('is taken from the environment where it is given (local stack, tests)', () => {
      expect(parseSiteConfig(valid).livekit.apiSecret).toEqual({ kind: 'value', value: valid.MEETPLANE_LIVEKIT_API_SECRET });
    });

    it('is read from Secrets Manager where only its ARN is given (deployed)', () => {
      const config = parseSiteConfig({ ...withoutSecret, MEETPLANE_LIVEKIT_SECRET_ARN: arn });
      expect(config.livekit).toMatchObject({ apiKey: 'lk_ams_key', apiSecret: { kind: 'secrets-manager', arn } });
    });

    it('needs exactly one of the two, naming both variables', () => {
      expect(problemsOf(withoutSecret)).toEqual([
        'MEETPLANE_LIVEKIT_API_SECRET or MEETPLANE_LIVEKIT_SECRET_ARN is required (exactly one of the two)',
      ]);
      expect(problemsOf({ ...valid, MEETPLANE_LIVEKIT_SECRET_ARN: arn })).toEqual([
        'MEETPLANE_LIVEKIT_SECRET_ARN must not be set together with MEETPLANE_LIVEKIT_API_SECRET (exactly one of the two)',
      ]);
    });

    it('takes only the ARN of a secret in the EU', () => {
      expect(problemsOf({ ...withoutSecret, MEETPLANE_LIVEKIT_SECRET_ARN: 'meetplane-ams-livekit' })).toEqual([
        'MEETPLANE_LIVEKIT_SECRET_ARN must be the ARN of a Secrets Manager secret',
      ]);
      expect(problemsOf({ ...withoutSecret, MEETPLANE_LIVEKIT_SECRET_ARN: arn.replace('eu-west-1', 'us-east-1') })).toEqual([
        'MEETPLANE_LIVEKIT_SECRET_ARN must name a secret in a region on the EU allow-list',
      ]);
    });
  });
  describe("the other sites' media clusters", () => {
    const fra = { id: 'fra-a', site: 'fra', urls: ['wss://livekit.fra.meetplane.example'], apiKey: 'meetplane-fra' };
    const withClusters = (clusters: unknown[]) => ({ ...valid, MEETPLANE_MEDIA_CLUSTERS: JSON.stringify(clusters) });

    it('carry their secret itself (local stack) or the name of its replica in this region (deployed)', () => {
      const secret = 'another-secret-of-thirty-two-chars!';
      expect(parseSiteConfig(withClusters([{ ...fra, apiSecret: secret }])).otherClusters).toEqual([
        { ...fra, apiSecret: { kind: 'value', value: secret } },
      ]);
      expect(parseSiteConfig(withClusters([{ ...fra, apiSecretName: 'meetplane/fra/livekit-api' }])).otherClusters).toEqual([
        { ...fra, apiSecret: { kind: 'secret-replica', name: 'meetplane/fra/livekit-api' } },
      ]);
    });

    it('need exactly one of the two, and a name must be a secret name', () => {
      const both = { ...fra, apiSecret: 'another-secret-of-thirty-two-chars!', apiSecretName: 'meetplane/fra/livekit-api' };
      expect(problemsOf(withClusters([both]))).toEqual([
        'MEETPLANE_MEDIA_CLUSTERS.0 a media cluster needs exactly one of apiSecret and apiSecretName',
      ]);
      expect(problemsOf(withClusters([fra]))).toEqual([
        'MEETPLANE_MEDIA_CLUSTERS.0 a media cluster needs exactly one of apiSecret and apiSecretName',
      ]);
      expect(problemsOf(withClusters([{ ...fra, apiSecretName: 'no spaces allowed' }]))).toEqual([
        'MEETPLANE_MEDIA_CLUSTERS.0.apiSecretName must be the name of a Secrets Manager secret',
      ]);
    });
  });
});
