import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../domain/mail.js';
import { DomainError } from '../domain/errors.js';

export interface Invitation {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly ics: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Sends invitations through the tenant's own SMTP server. TLS is required
 * (implicit or STARTTLS) except to a server on loopback, which the local stack
 * and tests use. A refusal by the server is reported as such, naming its code.
 */
export async function sendInvitations(
  settings: SmtpSettings,
  password: string | undefined,
  invitations: readonly Invitation[],
): Promise<number> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && !LOOPBACK.has(settings.host),
    ignoreTLS: !settings.secure && LOOPBACK.has(settings.host),
    ...(settings.username && { auth: { user: settings.username, pass: password ?? '' } }),
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10_000,
  });
  let sent = 0;
  try {
    for (const invitation of invitations) {
      await transport.sendMail({
        from: settings.from,
        to: invitation.to,
        subject: invitation.subject,
        text: invitation.text,
        icalEvent: { method: 'REQUEST', content: invitation.ics, filename: 'invite.ics' },
        attachments: [
          { filename: 'invite.ics', content: invitation.ics, contentType: 'text/calendar; method=REQUEST; charset=utf-8' },
        ],
      });
      sent++;
    }
  } catch (error) {
    const code = (error as { responseCode?: number; code?: string }).responseCode ?? (error as { code?: string }).code ?? 'error';
    throw new DomainError(
      'unavailable',
      `the tenant's mail server did not accept the invitation (${String(code)}); ${sent} of ${invitations.length} were sent before`,
    );
  } finally {
    transport.close();
  }
  return sent;
}
