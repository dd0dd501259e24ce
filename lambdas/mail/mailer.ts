import nodemailer, { type Transporter } from 'nodemailer';
import type { SiteConfig } from '../../config/env.js';
import { DomainError } from '../domain/errors.js';
import { counted } from '../http/call-counter.js';
import { isLoopbackHost, type MailSettings } from '../domain/mail.js';

/**
 * Sends a tenant's mail through the transport the tenant chose: its own SMTP
 * server (TLS required — implicit or STARTTLS — except to a server on
 * loopback, which the local stack and tests use), or Amazon SES in the home
 * site's own region. The SES client is loaded only when a tenant uses SES, so
 * the AWS SDK's SES client costs nothing to the senders that do not.
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
): Promise<Transporter> {
  if (settings.transport === 'ses') {
    const { sesTransportOptions } = await import('./ses.js');
    return nodemailer.createTransport(sesTransportOptions(ses, timeouts));
  }
  const loopback = isLoopbackHost(settings.host);
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && !loopback,
    ignoreTLS: !settings.secure && loopback,
    ...(settings.username && { auth: { user: settings.username, pass: password ?? '' } }),
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.connectMs,
    socketTimeout: timeouts.socketMs,
  });
}

/**
 * The code of a sending failure, for reports and problem documents: the SMTP
 * server's reply code, the SES error's name, or the transport's error code —
 * never a message, which may quote addresses.
 */
export function failureCode(error: unknown): string {
  const e = error as { responseCode?: number; code?: string; name?: string };
  if (typeof e.responseCode === 'number') return String(e.responseCode);
  if (e.code === 'ESES' && typeof e.name === 'string' && /^[A-Za-z]{1,64}$/.test(e.name)) return e.name;
  if (typeof e.code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(e.code)) return e.code;
  return 'error';
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
  options: { stopAtFirstFailure: boolean; timeouts?: MailTimeouts },
): Promise<{ sent: number; error?: string }> {
  const transport = await openTransport(settings, password, ses, options.timeouts ?? INVITATION_TIMEOUTS);
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

/** Sends invitations; a refusal is reported as such, naming the server's code and how many were sent before. */
export async function sendInvitations(
  settings: MailSettings,
  password: string | undefined,
  ses: SesTarget,
  invitations: readonly (OutgoingMail & { ics: string })[],
): Promise<number> {
  const result = await sendMessages(settings, password, ses, invitations, { stopAtFirstFailure: true });
  if (result.error !== undefined) {
    const server = settings.transport === 'ses' ? `Amazon SES (${ses.region})` : "the tenant's mail server";
    throw new DomainError(
      'unavailable',
      `${server} did not accept the invitation (${result.error}); ${result.sent} of ${invitations.length} were sent before`,
    );
  }
  return result.sent;
}
