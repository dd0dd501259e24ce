import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { SiteConfig } from '../../config/env.js';
import { classifyAddress, ipLiteral, type RefusableClass } from '../domain/destination.js';
import { conflict, DomainError } from '../domain/errors.js';
import type { MailSettings, SmtpSettings } from '../domain/mail.js';
import { OutboundError, type CheckedDestination, type OutboundPolicy } from '../net/outbound-policy.js';
import { counted } from '../http/call-counter.js';

/**
 * Sends a tenant's mail through the transport the tenant chose: its own SMTP
 * server, or Amazon SES in the home site's own region. The SMTP server's host
 * goes through the outbound policy (lambdas/net/outbound-policy.ts): resolved
 * once, every address checked, and the connection made to the checked address
 * (the host name kept for TLS's server name and certificate check). TLS is
 * required — implicit or STARTTLS — except to a server on loopback on the
 * local stage; a deployed site never connects to loopback and never drops
 * TLS. The SES client is loaded only when a tenant uses SES, so the AWS SDK's
 * SES client costs nothing to the senders that do not.
 */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** An iCalendar invitation, sent both as the calendar part and as `invite.ics`. */
  readonly ics?: string;
}

/** Where SES is called: the site's own region, and locally the emulator's endpoint. */
export interface SesTarget {
  readonly region: string;
  readonly endpoint?: string;
  readonly local: boolean;
}

export function sesTargetOf(config: SiteConfig): SesTarget {
  return {
    region: config.region,
    ...(config.endpoints.ses !== undefined && { endpoint: config.endpoints.ses }),
    local: config.stage === 'local',
  };
}

export interface MailTimeouts {
  readonly connectMs: number;
  readonly socketMs: number;
}

const INVITATION_TIMEOUTS: MailTimeouts = { connectMs: 5000, socketMs: 10_000 };

async function openTransport(
  settings: MailSettings,
  password: string | undefined,
  ses: SesTarget,
  timeouts: MailTimeouts,
  policy: OutboundPolicy,
): Promise<Transporter> {
  if (settings.transport === 'ses') {
    const { sesTransportOptions } = await import('./ses.js');
    return nodemailer.createTransport(sesTransportOptions(ses, timeouts));
  }
  const destination = await policy.resolve(settings.host);
  return nodemailer.createTransport(smtpTransportOptions(settings, password, destination, policy.allowLoopback, timeouts));
}

/**
 * The SMTP transport for a host the outbound policy checked: it connects to
 * the checked address (no lookup of its own), keeps the name as TLS's server
 * name, and speaks plain SMTP only to loopback where loopback is allowed at
 * all (the local stage) — a deployed site never drops TLS.
 */
export function smtpTransportOptions(
  settings: SmtpSettings,
  password: string | undefined,
  destination: CheckedDestination,
  allowLoopback: boolean,
  timeouts: MailTimeouts,
): SMTPTransport.Options {
  const address = destination.addresses[0]!.address;
  const plaintext = allowLoopback && destination.loopback && classifyAddress(address) === 'loopback';
  return {
    host: address,
    ...(ipLiteral(settings.host) === undefined && { servername: settings.host }),
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && !plaintext,
    ignoreTLS: !settings.secure && plaintext,
    ...(settings.username && { auth: { user: settings.username, pass: password ?? '' } }),
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.connectMs,
    socketTimeout: timeouts.socketMs,
  };
}

/** Nodemailer's and the socket's error codes, as the stable codes a report or problem document carries. */
const TRANSPORT_CODES: Readonly<Record<string, string>> = {
  ETIMEDOUT: 'timeout',
  ECONNECTION: 'unreachable',
  ESOCKET: 'unreachable',
  EDNS: 'unreachable',
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EPIPE: 'unreachable',
  ETLS: 'tls',
  EAUTH: 'auth',
  ENOAUTH: 'auth',
  EENVELOPE: 'envelope',
  EPROTOCOL: 'protocol',
};

/**
 * The code of a sending failure, for reports and problem documents: the SMTP
 * server's reply code, the SES error's name, the outbound policy's code
 * (`refused-destination`, `unresolvable`, `timeout`), or a stable word for a
 * transport failure (`unreachable`, `timeout`, `tls`, `auth`, …) — never a
 * message, which may quote addresses, and never the socket's own error code.
 */
export function failureCode(error: unknown): string {
  if (error instanceof OutboundError) return error.code;
  const e = error as { responseCode?: number; code?: string; name?: string };
  if (typeof e.responseCode === 'number') return String(e.responseCode);
  if (e.code === 'ESES' && typeof e.name === 'string' && /^[A-Za-z]{1,64}$/.test(e.name)) return e.name;
  if (typeof e.code === 'string') return TRANSPORT_CODES[e.code] ?? 'error';
  return 'error';
}

export interface SendingResult {
  readonly sent: number;
  readonly error?: string;
  /** With `refused-destination`: what the outbound policy refused, and its reason (which names no address). */
  readonly refused?: RefusableClass;
  readonly reason?: string;
}

/**
 * Sends each message in turn over one connection. With `stopAtFirstFailure`
 * the rest are not tried after a refusal (invitations report how far they
 * got); otherwise every message is tried and the first failure is reported.
 */
export async function sendMessages(
  settings: MailSettings,
  password: string | undefined,
  ses: SesTarget,
  messages: readonly OutgoingMail[],
  options: { stopAtFirstFailure: boolean; timeouts?: MailTimeouts; policy: OutboundPolicy },
): Promise<SendingResult> {
  let transport: Transporter;
  try {
    transport = await openTransport(settings, password, ses, options.timeouts ?? INVITATION_TIMEOUTS, options.policy);
  } catch (failure) {
    if (!(failure instanceof OutboundError)) throw failure;
    return {
      sent: 0,
      error: failure.code,
      ...(failure.refused && { refused: failure.refused }),
      reason: failure.message,
    };
  }
  let sent = 0;
  let error: string | undefined;
  try {
    for (const message of messages) {
      try {
        // Counted and timed per message as the request's `mail` dependency (its metrics; never the message).
        await counted('mail', () =>
          transport.sendMail({
            from: settings.from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            ...(message.ics !== undefined && {
              icalEvent: { method: 'REQUEST', content: message.ics, filename: 'invite.ics' },
              attachments: [
                { filename: 'invite.ics', content: message.ics, contentType: 'text/calendar; method=REQUEST; charset=utf-8' },
              ],
            }),
          }),
        );
        sent++;
      } catch (failure) {
        error ??= failureCode(failure);
        if (options.stopAtFirstFailure) break;
      }
    }
  } finally {
    transport.close();
  }
  return { sent, ...(error !== undefined && { error }) };
}

/**
 * Sends invitations; a refusal is reported as such, naming the server's code
 * and how many were sent before. A mail server the outbound policy refuses is
 * a conflict (409) naming the check: an admin must change the mail settings.
 */
export async function sendInvitations(
  settings: MailSettings,
  password: string | undefined,
  ses: SesTarget,
  invitations: readonly (OutgoingMail & { ics: string })[],
  policy: OutboundPolicy,
): Promise<number> {
  const result = await sendMessages(settings, password, ses, invitations, { stopAtFirstFailure: true, policy });
  if (result.error === 'refused-destination') {
    throw conflict(
      `the tenant's mail server (host in PUT /v1/settings/mail) ${result.reason ?? 'is refused'}, which this site does not connect to; an admin must change it. Nothing was sent`,
    );
  }
  if (result.error !== undefined) {
    const server = settings.transport === 'ses' ? `Amazon SES (${ses.region})` : "the tenant's mail server";
    throw new DomainError(
      'unavailable',
      `${server} did not accept the invitation (${result.error}); ${result.sent} of ${invitations.length} were sent before`,
    );
  }
  return result.sent;
}

/**
 * Sends one test message through the tenant's transport, so an admin sees the
 * settings work before an invitation depends on them: refused like an
 * invitation (409 for a destination the policy refuses, 503 naming the code).
 */
export async function sendTestMessage(
  settings: MailSettings,
  password: string | undefined,
  ses: SesTarget,
  to: string,
  policy: OutboundPolicy,
): Promise<void> {
  const message = {
    to,
    subject: 'Meetplane: test message',
    text: 'A tenant admin sent this message to check the organisation’s mail settings. Invitations and security advisories are sent the same way.',
  };
  const result = await sendMessages(settings, password, ses, [message], { stopAtFirstFailure: true, policy });
  if (result.error === 'refused-destination') {
    throw conflict(`the mail server ${result.reason ?? 'is refused'}, which this site does not connect to. Nothing was sent`);
  }
  if (result.error !== undefined) {
    const server = settings.transport === 'ses' ? `Amazon SES (${ses.region})` : "the tenant's mail server";
    throw new DomainError('unavailable', `${server} did not accept the test message (${result.error})`);
  }
}
