import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditActor, AuditDraft } from './audit.js';
import { literalHostProblem, type RefusableClass } from './destination.js';
import { newId } from './ids.js';
import { SEVERITIES } from './vocabulary.js';
export { SEVERITIES };

/**
 * Security advisories: an operator publishes one for the site, and every
 * active tenant homed here is told through channels the tenant chose itself —
 * e-mail to its security contacts through its own mail server, and a signed
 * webhook. Meetplane has no sender of its own, so a tenant without a mail
 * server gets no e-mail, and the delivery report says so.
 */
export type Severity = (typeof SEVERITIES)[number];

export interface AdvisoryInput {
  readonly title: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly details?: string;
  readonly cve?: readonly string[];
}

export interface Advisory extends AdvisoryInput {
  readonly id: string;
  readonly site: string;
  readonly publishedAt: string;
}

export function newAdvisory(input: AdvisoryInput, site: string, now: Date): Advisory {
  return {
    id: newId('ad'),
    site,
    publishedAt: now.toISOString(),
    title: input.title,
    severity: input.severity,
    summary: input.summary,
    ...(input.details !== undefined && { details: input.details }),
    ...(input.cve !== undefined && input.cve.length > 0 && { cve: [...new Set(input.cve)] }),
  };
}

/** The public form of an advisory, as the API lists it and the webhook carries it. */
export function advisoryView(advisory: Advisory) {
  return {
    id: advisory.id,
    site: advisory.site,
    publishedAt: advisory.publishedAt,
    title: advisory.title,
    severity: advisory.severity,
    summary: advisory.summary,
    ...(advisory.details !== undefined && { details: advisory.details }),
    ...(advisory.cve !== undefined && { cve: [...advisory.cve] }),
  };
}

// --- security contacts -------------------------------------------------------------------------------

/** Where a tenant wants advisories: personal data, stored only sealed under the tenant's key. */
export interface SecurityContacts {
  readonly emails: readonly string[];
  readonly webhook?: { readonly url: string; readonly secret: string };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const isLoopback = (host: string) => LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

/**
 * Why a webhook address is not acceptable as it is spelled, or undefined when
 * it is: the cheap check at write time. A deployed site posts only over https
 * and never to an address that is not public (an IP literal is classified by
 * the outbound policy's rules, lambdas/domain/destination.ts; a name is
 * resolved and checked by the policy itself, at write time and again at every
 * delivery). The local stack posts only to loopback (http or https), so that
 * nothing it is given — by a test or a fuzzer — makes it send anything off
 * this machine.
 */
export function webhookUrlProblem(raw: string, stage: 'local' | 'aws'): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials; the secret signs each delivery';
  if (url.hash !== '') return 'must not have a fragment';
  if (stage === 'local') {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https, or http on a loopback address';
    if (!isLoopback(url.hostname)) {
      return url.protocol === 'http:'
        ? 'must use https, or http on a loopback address'
        : 'must be a loopback address on the local stack, which sends nothing off this machine';
    }
    return undefined;
  }
  if (url.protocol !== 'https:') return 'must use https';
  return literalHostProblem(url.hostname, false);
}

// --- webhook signatures ------------------------------------------------------------------------------

export const SIGNATURE_HEADER = 'meetplane-signature';
/** How far a receiver should accept a signature's timestamp from its own clock, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, signedPayload: string) =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(signedPayload, 'utf8').digest('hex');

/**
 * The `Meetplane-Signature` header of a webhook delivery:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the tenant's webhook secret>`.
 * The timestamp is signed with the body, so a receiver that checks it against
 * its clock (± 5 minutes) rejects replays of old deliveries.
 */
export function webhookSignature(secret: string, rawBody: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, `${unixSeconds}.${rawBody}`)}`;
}

export type SignatureVerdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/** What a receiver does with a delivery: parse the header, recompute the HMAC, compare in constant time, check the age. */
export function verifyWebhookSignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureVerdict {
  if (!header) return { valid: false, reason: 'no signature' };
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at <= 0) return { valid: false, reason: 'malformed signature header' };
    const key = item.slice(0, at).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(at + 1).trim()]);
  }
  const t = parts.get('t');
  if (!t || t.length !== 1 || !/^\d{1,12}$/.test(t[0]!)) return { valid: false, reason: 'no timestamp' };
  const timestamp = Number(t[0]);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { valid: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(hmacHex(secret, `${timestamp}.${rawBody}`), 'hex');
  for (const candidate of parts.get('v1') ?? []) {
    if (!/^[0-9a-f]{64}$/.test(candidate)) continue;
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) return { valid: true };
  }
  return { valid: false, reason: 'signature does not match' };
}

/** The webhook's body: the advisory and what it is, as JSON (signed as sent, byte for byte). */
export function webhookBody(advisory: Advisory, tenantId: string): string {
  return JSON.stringify({ type: 'meetplane.security-advisory', tenantId, advisory: advisoryView(advisory) });
}

/** The e-mail of an advisory, plain text; it names no one. */
export function advisoryEmail(advisory: Advisory): { subject: string; text: string } {
  const lines = [
    `Meetplane security advisory ${advisory.id}`,
    `Severity: ${advisory.severity}`,
    `Published: ${advisory.publishedAt} (site ${advisory.site})`,
    ...(advisory.cve ? [`CVE: ${advisory.cve.join(', ')}`] : []),
    '',
    advisory.summary,
    ...(advisory.details !== undefined ? ['', advisory.details] : []),
    '',
    '--',
    "You receive this because your organisation's Meetplane admins listed this address as a security contact.",
    'It was sent through your organisation’s own mail server; Meetplane has no mail server of its own.',
  ];
  return {
    subject: `[Meetplane security advisory] [${advisory.severity.toUpperCase()}] ${advisory.title}`,
    text: lines.join('\n'),
  };
}

// --- delivery ----------------------------------------------------------------------------------------

export type ContactSource = 'settings' | 'onboarding' | 'none';

export type EmailOutcome =
  | { readonly status: 'sent'; readonly recipients: number }
  | { readonly status: 'skipped'; readonly reason: 'no-contacts' | 'no-mail-server' }
  | {
      readonly status: 'failed';
      readonly recipients: number;
      readonly sent: number;
      readonly error: string;
      /** With `error: 'refused-destination'`: the kind of address the outbound policy refused. */
      readonly refused?: RefusableClass;
    };

export type WebhookOutcome =
  | { readonly status: 'not-configured' }
  | { readonly status: 'delivered'; readonly httpStatus: number }
  | {
      readonly status: 'failed';
      readonly httpStatus?: number;
      readonly error: string;
      /** With `error: 'refused-destination'`: the kind of address the outbound policy refused. */
      readonly refused?: RefusableClass;
    };

/** What happened for one tenant: no addresses, no URLs, no server names — codes and counts only. */
export interface TenantDelivery {
  readonly tenantId: string;
  readonly contacts: ContactSource;
  readonly email: EmailOutcome;
  readonly webhook: WebhookOutcome;
  /** Present (false) only when the tenant's record and audit entry could not be written. */
  readonly audited?: false;
}

/** Sending results as the mail adapter reports them. */
export interface MailResult {
  readonly sent: number;
  /**
   * The server's reply code, or a stable code of the first failure (`refused-destination`,
   * `unresolvable`, `timeout`, `unreachable`, `tls`, …); never a message or a socket's error code.
   */
  readonly error?: string;
  readonly refused?: RefusableClass;
}

/** A webhook POST's result as the sender reports it. */
export type WebhookResult = { readonly httpStatus: number } | { readonly error: string; readonly refused?: RefusableClass };

export function emailOutcome(recipients: number, result: MailResult): EmailOutcome {
  if (result.error === undefined && result.sent === recipients) return { status: 'sent', recipients };
  return {
    status: 'failed',
    recipients,
    sent: result.sent,
    error: result.error ?? 'incomplete',
    ...(result.refused && { refused: result.refused }),
  };
}

/** A webhook POST's result: only 2xx counts as delivered (redirects are not followed). */
export function webhookOutcome(result: WebhookResult): WebhookOutcome {
  if ('error' in result) return { status: 'failed', error: result.error, ...(result.refused && { refused: result.refused }) };
  if (result.httpStatus >= 200 && result.httpStatus < 300) return { status: 'delivered', httpStatus: result.httpStatus };
  return {
    status: 'failed',
    httpStatus: result.httpStatus,
    error: result.httpStatus >= 300 && result.httpStatus < 400 ? 'redirect' : 'rejected',
  };
}

/** The audit entry a tenant gets for an advisory published to it: who, what, and counts of what was done. */
export function advisoryAudit(actor: AuditActor, advisory: Advisory, delivery: TenantDelivery): AuditDraft {
  return {
    actor,
    action: 'advisory.publish',
    target: `advisory/${advisory.id}`,
    reason: `security advisory (${advisory.severity}) published by the operator of site ${advisory.site}`,
    details: {
      severity: advisory.severity,
      contacts: delivery.contacts,
      email: delivery.email.status,
      emailsSent:
        delivery.email.status === 'sent'
          ? delivery.email.recipients
          : delivery.email.status === 'failed'
            ? delivery.email.sent
            : 0,
      webhook: delivery.webhook.status,
    },
  };
}

/** Totals over a publication's deliveries, for the operator's overview. */
export function deliveryTotals(deliveries: readonly TenantDelivery[]) {
  const count = (pick: (d: TenantDelivery) => boolean) => deliveries.filter(pick).length;
  return {
    tenants: deliveries.length,
    emailSent: count((d) => d.email.status === 'sent'),
    emailSkipped: count((d) => d.email.status === 'skipped'),
    emailFailed: count((d) => d.email.status === 'failed'),
    webhookDelivered: count((d) => d.webhook.status === 'delivered'),
    webhookFailed: count((d) => d.webhook.status === 'failed'),
  };
}

/** One tenant's channels, bound to its stores and keys by the handler. */
export interface TenantChannels {
  /** The tenant's own security contacts if its admins set them, else those the operator recorded at onboarding. */
  contacts(): Promise<{ readonly source: ContactSource; readonly contacts: SecurityContacts }>;
  /** Sends one message to each recipient through the tenant's own mail server; undefined when it has none. */
  sendMail(recipients: readonly string[], message: { subject: string; text: string }): Promise<MailResult | undefined>;
  postWebhook(url: string, body: string, signature: string): Promise<WebhookResult>;
  /** Keeps the delivery in the tenant's partition and appends the audit entry. */
  record(delivery: TenantDelivery, audit: AuditDraft): Promise<void>;
}

/** What publishing needs of the world; the handler binds it to stores, the mail transport and HTTP. */
export interface PublishPorts {
  save(advisory: Advisory): Promise<void>;
  /** The ids of the active tenants homed at this site, page by page. */
  activeTenants(): AsyncIterable<readonly string[]>;
  channelsOf(tenantId: string, advisory: Advisory): Promise<TenantChannels>;
  now(): Date;
}

const CONCURRENCY = 4;

/**
 * Stores the advisory, then delivers it to every active tenant of the site, a
 * few at a time. One tenant's broken mail server, webhook or key does not
 * stop the others: its delivery is reported as failed and the rest go on.
 */
export async function publishAdvisory(
  ports: PublishPorts,
  input: AdvisoryInput,
  site: string,
  actor: AuditActor,
): Promise<{ advisory: Advisory; deliveries: TenantDelivery[] }> {
  const advisory = newAdvisory(input, site, ports.now());
  await ports.save(advisory);
  const tenantIds: string[] = [];
  for await (const page of ports.activeTenants()) tenantIds.push(...page);
  const deliveries = await mapLimited(tenantIds, CONCURRENCY, async (tenantId) => {
    try {
      return await deliverToTenant(await ports.channelsOf(tenantId, advisory), tenantId, advisory, actor, ports.now);
    } catch {
      return failedDelivery(tenantId);
    }
  });
  return { advisory, deliveries };
}

/**
 * One tenant: e-mail to its contacts through its own mail server (skipped,
 * and said so, without contacts or without a mail server), the signed webhook
 * if it set one, then the record and the audit entry. Each step's failure is
 * reported and does not prevent the next.
 */
export async function deliverToTenant(
  channels: TenantChannels,
  tenantId: string,
  advisory: Advisory,
  actor: AuditActor,
  now: () => Date,
): Promise<TenantDelivery> {
  const { source, contacts } = await channels.contacts();
  let email: EmailOutcome;
  if (contacts.emails.length === 0) {
    email = { status: 'skipped', reason: 'no-contacts' };
  } else {
    try {
      const result = await channels.sendMail(contacts.emails, advisoryEmail(advisory));
      email = result ? emailOutcome(contacts.emails.length, result) : { status: 'skipped', reason: 'no-mail-server' };
    } catch {
      email = { status: 'failed', recipients: contacts.emails.length, sent: 0, error: 'error' };
    }
  }
  let webhook: WebhookOutcome = { status: 'not-configured' };
  if (contacts.webhook) {
    const body = webhookBody(advisory, tenantId);
    const signature = webhookSignature(contacts.webhook.secret, body, Math.floor(now().getTime() / 1000));
    try {
      webhook = webhookOutcome(await channels.postWebhook(contacts.webhook.url, body, signature));
    } catch {
      webhook = { status: 'failed', error: 'error' };
    }
  }
  const delivery: TenantDelivery = { tenantId, contacts: source, email, webhook };
  try {
    await channels.record(delivery, advisoryAudit(actor, advisory, delivery));
    return delivery;
  } catch {
    return { ...delivery, audited: false };
  }
}

/** A tenant whose delivery broke down before anything could be said about it (its key or table unavailable, say). */
export function failedDelivery(tenantId: string): TenantDelivery {
  return {
    tenantId,
    contacts: 'none',
    email: { status: 'failed', recipients: 0, sent: 0, error: 'tenant-unavailable' },
    webhook: { status: 'failed', error: 'tenant-unavailable' },
    audited: false,
  };
}

export async function mapLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
