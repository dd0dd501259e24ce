import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { SESTransportOptions } from 'nodemailer/lib/ses-transport';
import type { MailTimeouts, SesTarget } from './mailer.js';
import { BoundedCache } from '../bounded-cache.js';

/**
 * Amazon SES (API v2) for nodemailer's SES transport. Loaded by dynamic
 * import only when a tenant sends through SES. The client is created for the
 * site's own region and nothing else: SES is never called in another region,
 * so mail content stays in the home site's region. Locally the endpoint is
 * the SES emulator of the local stack (MEETPLANE_SES_ENDPOINT).
 */
const clients = new BoundedCache<string, SESv2Client>({ maxEntries: 8 });

/** Local components accept any credentials; these are the documented local ones. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function sesClientFor(target: SesTarget, timeouts: MailTimeouts): SESv2Client {
  const key = `${target.region}|${target.endpoint ?? ''}|${timeouts.connectMs}|${timeouts.socketMs}`;
  let client = clients.get(key);
  if (!client) {
    client = new SESv2Client({
      region: target.region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.socketMs, throwOnRequestTimeout: true },
      ...(target.endpoint !== undefined && { endpoint: target.endpoint }),
      ...(target.local && { credentials: LOCAL_CREDENTIALS }),
    });
    clients.set(key, client);
  }
  return client;
}

export function sesTransportOptions(target: SesTarget, timeouts: MailTimeouts): SESTransportOptions {
  return { SES: { sesClient: sesClientFor(target, timeouts), SendEmailCommand } };
}
