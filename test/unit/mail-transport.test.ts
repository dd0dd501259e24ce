import { parseSiteConfig, EnvironmentError } from '../../config/env.js';
import { mailSettingsBody } from '../../lambdas/api/schemas/mail.js';
import { smtpHostProblem } from '../../lambdas/domain/mail.js';
import { fieldIssues } from '../../lambdas/http/request.js';
import { failureCode, sesTargetOf } from '../../lambdas/mail/mailer.js';
import { OutboundError } from '../../lambdas/net/outbound-policy.js';
import { sesClientFor } from '../../lambdas/mail/ses.js';

const env = {
  MEETPLANE_STAGE: 'local',
  MEETPLANE_SITE: 'ams',
  AWS_REGION: 'eu-west-3',
  MEETPLANE_TABLE: 'meetplane-ams',
  MEETPLANE_DIRECTORY_TABLE: 'meetplane-directory',
  MEETPLANE_API_URLS: 'fra=http://127.0.0.1:4001,ams=http://127.0.0.1:4002',
  MEETPLANE_LIVEKIT_URL: 'ws://127.0.0.1:7890',
  MEETPLANE_LIVEKIT_API_KEY: 'lk_ams_key',
  MEETPLANE_WEB_URL: 'http://127.0.0.1:4000',
  MEETPLANE_LIVEKIT_API_SECRET: 'a-secret-of-at-least-thirty-two-chars',
  MEETPLANE_SES_ENDPOINT: 'http://127.0.0.1:4020',
};

describe('mail settings', () => {
  it('are SMTP when no transport is named, or SES; a wrong field is named', () => {
    const smtp = mailSettingsBody.parse({ host: '127.0.0.1', port: 2525, secure: false, from: 'meet@acme.example' });
    expect(smtp).toEqual({ host: '127.0.0.1', port: 2525, secure: false, from: 'meet@acme.example' });
    expect(mailSettingsBody.parse({ transport: 'ses', from: 'meet@acme.example' })).toEqual({
      transport: 'ses',
      from: 'meet@acme.example',
    });
    const fields = (body: unknown) => {
      const result = mailSettingsBody.safeParse(body);
      return result.success ? [] : fieldIssues('body', result.error).map((i) => i.field);
    };
    expect(fields({ transport: 'sendmail', from: 'meet@acme.example' })).toEqual(['transport']);
    expect(fields({ transport: 'ses', from: 'meet@acme.example', host: 'smtp.acme.example' })).toEqual(['host']);
    expect(fields({ transport: 'ses', from: 'nobody' })).toEqual(['from']);
  });

  it('on the local stack, name only mail servers on loopback', () => {
    expect(smtpHostProblem('127.0.0.1', 'local')).toBeUndefined();
    expect(smtpHostProblem('localhost', 'local')).toBeUndefined();
    expect(smtpHostProblem('smtp.acme.example', 'local')).toMatch(/loopback/);
    expect(smtpHostProblem('1.1', 'local')).toMatch(/loopback/);
    expect(smtpHostProblem('smtp.acme.example', 'aws')).toBeUndefined();
  });

  it('when deployed, refuse an IP literal that is not public (loopback included); a name is left to the lookup', () => {
    expect(smtpHostProblem('127.0.0.1', 'aws')).toBe('is a loopback address');
    expect(smtpHostProblem('::1', 'aws')).toBe('is a loopback address');
    expect(smtpHostProblem('10.0.0.25', 'aws')).toBe('is a private address');
    expect(smtpHostProblem('fd00:ec2::254', 'aws')).toBe('is a cloud metadata address');
    expect(smtpHostProblem('192.0.2.25', 'aws')).toBe('is a reserved address');
    expect(smtpHostProblem('8.8.8.8', 'aws')).toBeUndefined();
    expect(smtpHostProblem('localhost', 'aws')).toBeUndefined();
  });
});

describe('sending failures', () => {
  it('are reported by code, never by message', () => {
    expect(failureCode(Object.assign(new Error('550 <ina@example.test> unknown'), { responseCode: 550 }))).toBe('550');
    expect(failureCode(Object.assign(new Error('rejected ina@example.test'), { code: 'ESES', name: 'MessageRejected' }))).toBe(
      'MessageRejected',
    );
    // Never the socket's own error code: a stable word for what went wrong.
    expect(failureCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNREFUSED' }))).toBe(
      'unreachable',
    );
    expect(failureCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' }))).toBe('unreachable');
    expect(failureCode(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }))).toBe('timeout');
    expect(failureCode(Object.assign(new Error('certificate has expired'), { code: 'ETLS' }))).toBe('tls');
    expect(failureCode(Object.assign(new Error('weird'), { code: 'EWHATEVER' }))).toBe('error');
    expect(failureCode(new OutboundError('refused-destination', 'resolves to a private address', 'private'))).toBe(
      'refused-destination',
    );
    expect(failureCode(new Error('anything at all'))).toBe('error');
  });
});

describe('Amazon SES', () => {
  it("is called in the home site's own region only", async () => {
    const config = parseSiteConfig(env);
    const target = sesTargetOf(config);
    expect(target).toEqual({ region: 'eu-west-3', endpoint: 'http://127.0.0.1:4020', local: true });
    const client = sesClientFor(target, { connectMs: 1000, socketMs: 1000 });
    expect(await client.config.region()).toBe('eu-west-3');
  });

  it('takes an endpoint override on the local stage only', () => {
    let problems: readonly string[] = [];
    try {
      parseSiteConfig({ ...env, MEETPLANE_STAGE: 'aws' });
    } catch (error) {
      if (error instanceof EnvironmentError) problems = error.problems;
    }
    expect(problems).toContain('MEETPLANE_SES_ENDPOINT is only allowed when MEETPLANE_STAGE=local');
  });
});
