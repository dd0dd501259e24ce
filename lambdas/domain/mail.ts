import { conflict } from './errors.js';

/**
 * Where a tenant's invitations are sent from: its own SMTP server. Meetplane
 * has no default sender, so nothing goes to a third party the tenant did not
 * choose.
 */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise STARTTLS is required unless the server is on loopback. */
  readonly secure: boolean;
  readonly username?: string;
  readonly from: string;
}

export function requireMailSettings(settings: SmtpSettings | undefined): SmtpSettings {
  if (!settings)
    throw conflict(
      'the tenant has no mail server of its own configured (PUT /v1/settings/mail); Meetplane sends through no other',
      'mail',
    );
  return settings;
}
