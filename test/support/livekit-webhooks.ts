import { SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import type { SiteId } from '../../config/sites.js';
import { stack } from './stack.js';

/**
 * LiveKit's webhooks as LiveKit sends them, for tests that need the control
 * plane to see people arrive and leave without connecting media clients.
 */

/** LiveKit's signature: a JWT of the node's API key over the body's SHA-256, valid until `expiresAt` (seconds). */
export async function webhookSignature(
  body: string,
  expiresAt = Math.floor(Date.now() / 1000) + 300,
  issuedAt = Math.floor(Date.now() / 1000),
  site: SiteId = 'fra',
): Promise<string> {
  const { apiKey, apiSecret } = stack().sites[site].livekit;
  return new SignJWT({ sha256: createHash('sha256').update(body).digest('base64') })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(apiKey)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(apiSecret));
}

export async function deliverWebhook(body: string, authorization?: string, site: SiteId = 'fra'): Promise<Response> {
  return fetch(`${stack().sites[site].apiUrl}/v1/media/livekit/webhook`, {
    method: 'POST',
    headers: { authorization: authorization ?? (await webhookSignature(body)), 'content-type': 'application/webhook+json' },
    body,
  });
}

export interface WebhookSession {
  readonly sid: string;
  readonly identity: string;
  /** Seconds. */
  readonly joinedAt: number;
  readonly leftAt?: number;
}

/** The room a media token admits to. */
export function roomOfToken(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { video: { room: string } }).video.room;
}

/** A session's participant_joined event and, when it has left, its participant_left event. */
export function sessionEvents(session: WebhookSession, room: string): string[] {
  const participant = { sid: session.sid, identity: session.identity, joinedAt: String(session.joinedAt) };
  const event = (name: string, at: number, present: number) =>
    JSON.stringify({
      id: `EV_${randomBytes(8).toString('hex')}`,
      event: name,
      room: { name: room, numParticipants: present },
      participant,
      createdAt: String(at),
    });
  return [
    event('participant_joined', session.joinedAt, 1),
    ...(session.leftAt !== undefined ? [event('participant_left', session.leftAt, 0)] : []),
  ];
}
