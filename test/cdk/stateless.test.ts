import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../../config/cors.js';
import { runtimeEnvSchema } from '../../config/env.js';
import { SiteHttpApi } from '../../cdk/constructs/http-api.js';
import { lookupFrom, readSettings } from '../../cdk/settings.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { expectAll, expectCount, expectProperties, synthMeetplane, templatesOf, type Templates } from './synth.js';

let templates: Templates;

beforeAll(() => {
  templates = templatesOf(synthMeetplane().stacks);
});

const routes = ROUTE_GROUPS.flatMap((group) => group.routes.map((routeKey) => ({ routeKey, group })));

interface PolicyStatementJson {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

describe.each(['fra', 'ams'] as const)('the %s stateless stack', (site) => {
  it.each(routes)('serves $routeKey from the $group.name function', ({ routeKey, group }) => {
    expectProperties(templates[site].stateless, 'AWS::ApiGatewayV2::Route', {
      RouteKey: routeKey,
      AuthorizationType: group.auth === 'operator' ? 'AWS_IAM' : 'NONE',
    });
  });

  it('has exactly the routes of lambdas/routes.ts, one function per route group and the audit head signer', () => {
    const template = templates[site].stateless;
    expectCount(template, 'AWS::ApiGatewayV2::Route', routes.length);
    expectCount(template, 'AWS::Lambda::Function', ROUTE_GROUPS.length + 1);
  });

  it("signs every tenant's audit head every 15 minutes, with a function that may sign but holds no tenant key", () => {
    const template = templates[site].stateless;
    expectProperties(template, 'AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditHeadSigner'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    expectProperties(template, 'AWS::Lambda::Function', {
      Description: `Meetplane ${site} audit-heads: scheduled`,
      Environment: { Variables: Match.objectLike({ MEETPLANE_AUDIT_SIGNING_KEY: Match.anyValue() }) },
    });
    const policies = template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] }; Roles: { Ref: string }[] } }
    >;
    const roleOf = (policy: { Properties: { Roles: { Ref: string }[] } }) => policy.Properties.Roles[0]!.Ref;
    const signers = Object.values(policies).filter((policy) =>
      policy.Properties.PolicyDocument.Statement.some((s) => ([] as string[]).concat(s.Action).includes('kms:Sign')),
    );
    // Only the audit routes (on request) and the schedule sign, with the one algorithm.
    expect(
      signers
        .map(roleOf)
        .map((ref) => ref.replace(/Role[A-F0-9]+$/, ''))
        .sort(),
    ).toEqual(['AuditHeadSigner', 'Groupaudit']);
    for (const policy of signers) {
      const sign = policy.Properties.PolicyDocument.Statement.find((s) =>
        ([] as string[]).concat(s.Action).includes('kms:Sign'),
      )!;
      expect(sign.Condition).toEqual({ StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } });
      expect(JSON.stringify(sign.Resource)).toMatch(/AuditSigningKey/);
    }
    const signer = Object.values(policies).filter((policy) => roleOf(policy).startsWith('AuditHeadSigner'));
    const kmsStatements = signer
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('kms:')));
    // Beyond signing: only what DynamoDB does with the table's data key on its behalf.
    for (const statement of kmsStatements.filter((s) => !['kms:Sign', 'kms:GetPublicKey'].includes(String(s.Action))))
      expect(statement.Condition).toEqual({
        StringEquals: { 'kms:ViaService': expect.stringMatching(/^dynamodb\./) as unknown },
      });
    expect(JSON.stringify(signer)).not.toMatch(/meetplane\/tenant|SiteKey/);
  });

  it('runs every handler as a traced arm64 ESM bundle on Node 20 or newer, sized explicitly', () => {
    const functions = templates[site].stateless.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions) as { Properties: Record<string, unknown> }[]) {
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: expect.objectContaining({ LogFormat: 'JSON' }) as unknown,
      });
      expect(Number(/^nodejs(\d+)/.exec(String(fn.Properties.Runtime))?.[1])).toBeGreaterThanOrEqual(20);
      expect(fn.Properties.MemorySize).toEqual(expect.any(Number));
      expect(fn.Properties.Timeout).toEqual(expect.any(Number));
    }
  });

  it('sets exactly the variables config/env.ts parses, minus the reserved, local-only and Secrets Manager-held ones', () => {
    const expected = Object.keys(runtimeEnvSchema.shape)
      .filter(
        (name) =>
          ![
            'AWS_REGION',
            'MEETPLANE_LIVEKIT_API_SECRET',
            'MEETPLANE_DYNAMODB_ENDPOINT',
            'MEETPLANE_KMS_ENDPOINT',
            'MEETPLANE_SES_ENDPOINT',
            'MEETPLANE_OPERATOR_TOKEN',
            'MEETPLANE_DIRECTORY_REPLICA_REGIONS',
            'MEETPLANE_OUTBOUND_LOOPBACK',
            'MEETPLANE_BUDGET_FACTOR',
          ].includes(name),
      )
      .sort();
    const functions = templates[site].stateless.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[]) {
      const variables = fn.Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual(expected);
      expect(variables).toMatchObject({ MEETPLANE_STAGE: 'aws', MEETPLANE_SITE: site });
    }
  });

  it('answers CORS at the HTTP API for exactly the web origins its functions are given, by the rules of config/cors.ts', () => {
    const template = templates[site].stateless;
    const origins = ['https://app.meetplane.example'];
    expectProperties(template, 'AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: origins,
        AllowMethods: [...CORS_ALLOWED_METHODS],
        AllowHeaders: [...CORS_ALLOWED_HEADERS],
        ExposeHeaders: [...CORS_EXPOSED_HEADERS],
        MaxAge: CORS_MAX_AGE_SECONDS,
        AllowCredentials: false,
      },
    });
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[]) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        MEETPLANE_WEB_ORIGINS: origins.join(','),
        MEETPLANE_WEB_URL: 'https://app.meetplane.example',
      });
    }
  });

  it("keeps function logs for a month and alarms on each function's rate of errors and throttles", () => {
    const template = templates[site].stateless;
    // Each function's (the route groups' and the audit head signer's) and the API's access log.
    expectCount(template, 'AWS::Logs::LogGroup', ROUTE_GROUPS.length + 2, { RetentionInDays: 30 });
    for (const group of ROUTE_GROUPS) {
      expectProperties(template, 'AWS::CloudWatch::Alarm', {
        AlarmName: `meetplane-${site}-${group.name}-error-rate`,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        AlarmActions: Match.anyValue(),
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: Match.stringLikeRegexp('/ \\(FILL\\(invocations, 0\\)') }),
          Match.objectLike({
            Id: 'errors',
            MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/Lambda' }) }),
          }),
        ]),
      });
    }
  });

  it('writes no policy with a "*" resource beyond the two that cannot be scoped', () => {
    const policies = templates[site].stateless.findResources('AWS::IAM::Policy');
    const unscopable = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'kms:CreateKey']);
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } } }).Properties.PolicyDocument.Statement,
    );
    const unscoped = statements.filter((statement) => ([] as unknown[]).concat(statement.Resource).includes('*'));
    const actions = unscoped.flatMap((statement) => ([] as string[]).concat(statement.Action));
    expect(actions.filter((action) => !unscopable.has(action))).toEqual([]);
    // CreateKey has no resource to scope to: it must at least carry this site's tag.
    const createKey = unscoped.filter((statement) => ([] as string[]).concat(statement.Action).includes('kms:CreateKey'));
    expect(createKey.map((statement) => statement.Condition?.StringEquals)).toEqual(
      createKey.map(() => ({ 'aws:RequestTag/meetplane:site': site })),
    );
  });

  it('lets the health probe only describe the table and encrypt with its fixed context', () => {
    expectProperties(templates[site].stateless, 'AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'dynamodb:DescribeTable' }),
          Match.objectLike({
            Action: 'kms:Encrypt',
            Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'health', 'kms:EncryptionContext:site': site } },
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^Grouphealth') }],
    });
  });

  it("lets only the mail-sending functions use SES, and only in the site's region", () => {
    const policies = templates[site].stateless.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] }; Roles: { Ref: string }[] } }
    >;
    const region = site === 'fra' ? 'eu-central-1' : 'eu-west-1';
    const withSes = Object.values(policies).filter((policy) =>
      policy.Properties.PolicyDocument.Statement.some((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('ses:'))),
    );
    expect(withSes.map((p) => p.Properties.Roles[0]!.Ref.replace(/Role[A-F0-9]+$/, '')).sort()).toEqual([
      'Groupadvisoriespublish',
      'Groupmeetings',
    ]);
    for (const policy of withSes) {
      const statement = policy.Properties.PolicyDocument.Statement.find((s) =>
        ([] as string[]).concat(s.Action).includes('ses:SendEmail'),
      )!;
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': region } });
      expect(JSON.stringify(statement.Resource)).toContain(`:ses:${region}:`);
    }
  });

  it('puts every function role under the site role path the site key trusts', () => {
    expectAll(templates[site].stateless, 'AWS::IAM::Role', { Path: `/meetplane/${site}/` });
  });

  it('logs API access as JSON without client addresses, with default throttling', () => {
    expectProperties(templates[site].stateless, 'AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { Format: Match.not(Match.stringLikeRegexp('sourceIp|userAgent')) },
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });
});

describe('the web app settings', () => {
  const settingsOf = (context: Record<string, string>) => readSettings(lookupFrom(new App({ context }).node, {}));

  it('take the base URL and the CORS origins from context (or the environment), the origins defaulting to the URL’s', () => {
    expect(settingsOf({}).web).toEqual({ url: 'https://app.meetplane.example', origins: ['https://app.meetplane.example'] });
    expect(settingsOf({ 'meetplane:domain': 'meet.example.eu', 'meetplane:webUrl': 'https://web.example.eu/' }).web).toEqual({
      url: 'https://web.example.eu',
      origins: ['https://web.example.eu'],
    });
    expect(settingsOf({ 'meetplane:webOrigins': 'https://a.example.eu, https://b.example.eu/' }).web.origins).toEqual([
      'https://a.example.eu',
      'https://b.example.eu',
    ]);
    expect(readSettings(lookupFrom(new App().node, { MEETPLANE_WEB_ORIGINS: 'https://c.example.eu' })).web.origins).toEqual([
      'https://c.example.eu',
    ]);
  });

  it('refuse an origin that is not an https origin, and a web app not on https', () => {
    expect(() => settingsOf({ 'meetplane:webOrigins': 'http://a.example.eu' })).toThrow(
      /webOrigins: "http:\/\/a.example.eu" must use https/,
    );
    expect(() => settingsOf({ 'meetplane:webOrigins': 'https://a.example.eu/app' })).toThrow(/must be an origin alone/);
    expect(() => settingsOf({ 'meetplane:webUrl': 'http://web.example.eu' })).toThrow(/meetplane:webUrl must be an https URL/);
  });

  it('leave the HTTP API without CORS when no origin is configured', () => {
    const apiWith = (webOrigins: string[]) => {
      const stack = new Stack(new App(), 'Api', { env: { region: 'eu-central-1' } });
      new SiteHttpApi(stack, 'Http', {
        apiName: 'meetplane-test',
        domainName: 'api.test.example',
        certificate: Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-central-1:111122223333:certificate/x'),
        webOrigins,
      });
      return Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api');
    };
    const [withNone] = Object.values(apiWith([])) as { Properties: Record<string, unknown> }[];
    expect(withNone!.Properties.CorsConfiguration).toBeUndefined();
    const [withTwo] = Object.values(apiWith(['https://a.example.eu', 'https://b.example.eu'])) as {
      Properties: { CorsConfiguration: { AllowOrigins: string[] } };
    }[];
    expect(withTwo!.Properties.CorsConfiguration.AllowOrigins).toEqual(['https://a.example.eu', 'https://b.example.eu']);
  });
});
