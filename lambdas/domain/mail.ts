import { literalHostProblem } from './destination.js';
import { conflict } from './errors.js';

/**
 * Where a tenant's mail (invitations, security advisories) is sent from: its
 * own SMTP server, or Amazon SES in the home site's own region. Meetplane has
 * no default sender, so nothing goes to a third party the tenant did not
 * choose.
 */
export interface SmtpSettings {
  readonly transport: 'smtp';
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise STARTTLS is required, except to a server on loopback on the local stage. */
  readonly secure: boolean;
  readonly username?: string;
  readonly from: string;
}

/**
 * Amazon SES of the site's own AWS account, always in the home site's region
 * (never another): the sender must be an identity verified there.
 */
export interface SesSettings {
  readonly transport: 'ses';
  readonly from: string;
}

export type MailSettings = SmtpSettings | SesSettings;

export function requireMailSettings(settings: MailSettings | undefined): MailSettings {
  if (!settings)
    throw conflict(
      'the tenant has no mail server of its own configured (PUT /v1/settings/mail); Meetplane sends through no other',
      'mail',
    );
  return settings;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export const isLoopbackHost = (host: string) => LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/**
 * Why an SMTP host is not acceptable at this stage as it is spelled, or
 * undefined: the cheap check at write time. The local stack connects only to
 * mail servers on loopback, so that nothing it is given (by a test or a
 * fuzzer) makes it send mail off this machine; a deployed site refuses an IP
 * literal that is not public (loopback included), and a name is resolved and
 * checked by the outbound policy — when it is set, and again at every sending.
 */
export function smtpHostProblem(host: string, stage: 'local' | 'aws'): string | undefined {
  if (stage === 'local')
    return isLoopbackHost(host)
      ? undefined
      : 'must be a loopback address on the local stack, which sends nothing off this machine';
  return literalHostProblem(host, false);
}
