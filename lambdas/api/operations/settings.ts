import { securityContactsBody, securityContactsResource } from '../schemas/advisories.js';
import { emptyQuery } from '../schemas/common.js';
import { mailSettingsBody, mailSettingsResource, mailTestBody, mailTestResult } from '../schemas/mail.js';
import { organisationOverview, retentionPatchBody, retentionResource } from '../schemas/settings.js';
import { guestSettingsBody, guestSettingsResource } from '../schemas/guests.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `settings` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/settings/organisation': {
    operationId: 'getOrganisationOverview',
    summary:
      'The organisation as its admins see it: home and allowed sites, where its data and its media are, its key (mode, ARN, rotation), its plan, and per data class the sites that hold it and its retention (admins)',
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The organisation overview', schema: organisationOverview },
  },
  'GET /v1/settings/retention': {
    operationId: 'getRetentionSettings',
    summary: "How long each class of the tenant's records is kept, in days, and the bounds it may choose within (admins)",
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The retention periods, with their ETag', schema: retentionResource, etag: true },
  },
  'PATCH /v1/settings/retention': {
    operationId: 'updateRetentionSettings',
    summary: 'Change retention periods within their bounds; new records follow them (admins)',
    tag: 'privacy',
    auth: 'tenant',
    ifMatch: 'required',
    query: emptyQuery,
    body: retentionPatchBody,
    success: { status: 200, description: 'The new periods', schema: retentionResource, etag: true },
  },
  'GET /v1/settings/mail': {
    operationId: 'getMailSettings',
    summary:
      "The tenant's own mail transport for invitations and advisories: its SMTP server (never the password) or Amazon SES in the home site's region (admins)",
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The mail settings', schema: mailSettingsResource },
  },
  'PUT /v1/settings/mail': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'setMailSettings',
    summary:
      "Set the tenant's mail transport: its own SMTP server (the default; TLS required, except to loopback on the local stage; its host must be, and resolve only to, public addresses — loopback too on the local stage — checked when set, naming the check, e.g. `resolves to a private address`, and again at every connection, which goes to the address checked), or `transport: 'ses'` — Amazon SES, always called in the home site's own region and never in another; mail is sent only through it (admins)",
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    body: mailSettingsBody,
    success: { status: 200, description: 'The mail settings', schema: mailSettingsResource },
  },
  'POST /v1/settings/mail/test': {
    operationId: 'sendTestMail',
    summary:
      "Send one test message through the tenant's mail transport; refused like an invitation: 409 when no transport is set or the outbound policy refuses its server, 503 naming the server's code (admins)",
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    body: mailTestBody,
    success: { status: 200, description: 'The server accepted the message', schema: mailTestResult },
  },
  'GET /v1/settings/security-contacts': {
    operationId: 'getSecurityContacts',
    summary:
      "Where the tenant wants security advisories: its security contacts' addresses and webhook (never the secret) (admins)",
    tag: 'advisories',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The security contacts', schema: securityContactsResource },
  },
  'PUT /v1/settings/security-contacts': {
    operationId: 'setSecurityContacts',
    summary:
      'Set the security contacts: 1–10 addresses, e-mailed through the tenant’s own mail transport, and optionally a webhook (https; its host must be, and resolve only to, public addresses — checked when set, naming the check, and again at every delivery, which goes to the address checked) whose deliveries are signed with the secret: `Meetplane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`; sealed under the tenant key, audited (admins)',
    tag: 'advisories',
    auth: 'tenant',
    query: emptyQuery,
    body: securityContactsBody,
    success: { status: 200, description: 'The security contacts', schema: securityContactsResource },
  },
  'GET /v1/settings/guests': {
    operationId: 'getGuestSettings',
    summary: 'Whether people invited by e-mail who are not users of the IdP may join as guests (admins)',
    tag: 'guests',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The guest setting, with its ETag', schema: guestSettingsResource, etag: true },
  },
  'PUT /v1/settings/guests': {
    operationId: 'setGuestSettings',
    summary:
      'Turn guests on or off (off by default): with guests on, invitations carry a single-use guest link per invitee; turning them off refuses every unused link and every guest token at once; audited (admins)',
    tag: 'guests',
    auth: 'tenant',
    ifMatch: 'optional',
    query: emptyQuery,
    body: guestSettingsBody,
    success: { status: 200, description: 'The guest setting', schema: guestSettingsResource, etag: true },
  },
} as const satisfies Record<string, Operation>;
